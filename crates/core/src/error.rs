//! One error enum for the core, and the `{code, message, details}` shape the UI and the
//! command line receive. The code list is closed and mirrored in TypeScript.

use serde::Serialize;
use ts_rs::TS;

/// Every kind of failure the UI can tell apart. Adding one is a change to the UI too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Validation,
    NotFound,
    Conflict,
    InvalidCredentials,
    TooManyAttempts,
    QuotaReached,
    NotInitialized,
    AlreadyInitialized,
    Forbidden,
    NotSignedIn,
    Storage,
    Internal,
}

/// One problem with one field of the input. `code` is stable (the UI translates it);
/// `reason` is the English sentence for logs and the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorDetail {
    pub field: Option<String>,
    pub code: String,
    pub reason: String,
}

impl ErrorDetail {
    pub fn field(field: &str, code: &str, reason: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            code: code.to_owned(),
            reason: reason.into(),
        }
    }

    /// A shared rule's refusal, about `field`.
    pub fn rule(field: &str, refusal: orgdesk_rules::Refusal) -> Self {
        Self::field(field, refusal.code, refusal.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{message}")]
    Validation {
        message: String,
        details: Vec<ErrorDetail>,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("Incorrect username or password.")]
    InvalidCredentials,
    #[error("Too many failed attempts. Try again in {retry_after_secs} seconds.")]
    TooManyAttempts { retry_after_secs: u32 },
    /// Today's imports are used up (the Settings quota, per admin, per UTC day).
    #[error("{}", quota_message(*limit, *retry_after_secs))]
    ImportQuotaReached {
        limit: u32,
        resets_at_ms: i64,
        retry_after_secs: u32,
    },
    #[error("No organization has been set up in this database yet.")]
    NotInitialized,
    #[error("This database already holds an organization.")]
    AlreadyInitialized,
    #[error("{0}")]
    Forbidden(String),
    #[error("The directory database could not be read or written ({0}).")]
    Storage(#[from] rusqlite::Error),
    #[error("The directory database could not be brought up to date ({0}).")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("{0}")]
    Internal(String),
    #[error("{0}")]
    Snapshot(#[from] SnapshotProblem),
}

/// Why a directory snapshot (`crate::snapshot`) was refused. Nothing is written then.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotProblem {
    #[error("This is not an Orgdesk directory snapshot.")]
    NotASnapshot,
    #[error(
        "This snapshot is in format version {found}; this version of Orgdesk reads versions {oldest} to {newest}."
    )]
    Version {
        found: u16,
        oldest: u16,
        newest: u16,
    },
    #[error("The snapshot is incomplete: it ends before its content does.")]
    Truncated,
    #[error("The snapshot is damaged: {0}.")]
    Damaged(&'static str),
    #[error("The snapshot's {part} do not fit a directory ({source}).")]
    Refused {
        part: &'static str,
        source: rusqlite::Error,
    },
    #[error("A file already exists at {0}: a snapshot is loaded only into a new directory file.")]
    FileExists(String),
}

impl CoreError {
    /// A validation failure with its field problems; the message lists them.
    pub fn invalid(details: Vec<ErrorDetail>) -> Self {
        let message = details
            .iter()
            .map(|d| d.reason.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        CoreError::Validation { message, details }
    }

    /// A validation failure of one field left empty: `reason` says what to give.
    pub fn required(field: &str, reason: impl Into<String>) -> Self {
        Self::invalid(vec![ErrorDetail::field(field, "required", reason)])
    }

    /// Refuses an empty choice: `field` must name at least one item; `reason` says what to
    /// choose.
    pub(crate) fn unless_chosen<T>(items: &[T], field: &str, reason: &str) -> CoreResult<()> {
        if items.is_empty() {
            return Err(Self::required(field, reason));
        }
        Ok(())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Validation { .. } => ErrorCode::Validation,
            CoreError::NotFound(_) => ErrorCode::NotFound,
            CoreError::Conflict(_) => ErrorCode::Conflict,
            CoreError::InvalidCredentials => ErrorCode::InvalidCredentials,
            CoreError::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            CoreError::ImportQuotaReached { .. } => ErrorCode::QuotaReached,
            CoreError::NotInitialized => ErrorCode::NotInitialized,
            CoreError::AlreadyInitialized => ErrorCode::AlreadyInitialized,
            CoreError::Forbidden(_) => ErrorCode::Forbidden,
            CoreError::Storage(_) | CoreError::Migration(_) => ErrorCode::Storage,
            CoreError::Internal(_) => ErrorCode::Internal,
            CoreError::Snapshot(SnapshotProblem::FileExists(_)) => ErrorCode::Conflict,
            CoreError::Snapshot(_) => ErrorCode::Validation,
        }
    }
}

pub type CoreResult<T> = Result<T, CoreError>;

/// "You have used today's 100 imports. The quota resets at 00:00 UTC (in 5 h 12 min)."
fn quota_message(limit: u32, wait_secs: u32) -> String {
    // Rounded up, so the last half minute still reads "in 1 min", never "in 0 min".
    let minutes = wait_secs.div_ceil(60).max(1);
    let wait = match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    };
    let imports = if limit == 1 { "import" } else { "imports" };
    format!("You have used today's {limit} {imports}. The quota resets at 00:00 UTC (in {wait}).")
}

/// What a command sends back when it fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<ErrorDetail>,
    pub retry_after_secs: Option<u32>,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after_secs: None,
        }
    }
}

impl From<CoreError> for CommandError {
    fn from(e: CoreError) -> Self {
        let code = e.code();
        let message = e.to_string();
        match e {
            CoreError::Validation { details, .. } => Self {
                code,
                message,
                details,
                retry_after_secs: None,
            },
            CoreError::TooManyAttempts { retry_after_secs } => Self {
                code,
                message,
                details: Vec::new(),
                retry_after_secs: Some(retry_after_secs),
            },
            // The UI shows the reset in the admin's local time: now + the wait.
            CoreError::ImportQuotaReached {
                retry_after_secs, ..
            } => Self {
                code,
                message,
                details: Vec::new(),
                retry_after_secs: Some(retry_after_secs),
            },
            _ => Self::new(code, message),
        }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_message_lists_every_reason_and_keeps_details() {
        let e = CoreError::invalid(vec![
            ErrorDetail::field(
                "username",
                "too_short",
                "Username must be at least 3 characters.",
            ),
            ErrorDetail::field("password", "weak", "Password is too weak."),
        ]);
        let c = CommandError::from(e);
        assert_eq!(c.code, ErrorCode::Validation);
        assert_eq!(
            c.message,
            "Username must be at least 3 characters. Password is too weak."
        );
        assert_eq!(c.details.len(), 2);
        assert_eq!(c.details[1].field.as_deref(), Some("password"));
    }

    #[test]
    fn too_many_attempts_carries_the_wait() {
        let c = CommandError::from(CoreError::TooManyAttempts {
            retry_after_secs: 20,
        });
        assert_eq!(c.code, ErrorCode::TooManyAttempts);
        assert_eq!(c.retry_after_secs, Some(20));
        assert!(c.message.contains("20 seconds"));
    }

    #[test]
    fn quota_refusal_says_when_it_resets_and_carries_the_wait() {
        let c = CommandError::from(CoreError::ImportQuotaReached {
            limit: 100,
            resets_at_ms: 0,
            retry_after_secs: 5 * 3600 + 11 * 60 + 30,
        });
        assert_eq!(c.code, ErrorCode::QuotaReached);
        assert_eq!(c.retry_after_secs, Some(18_690));
        assert_eq!(
            c.message,
            "You have used today's 100 imports. The quota resets at 00:00 UTC (in 5 h 12 min)."
        );
        assert!(quota_message(1, 30)
            .ends_with("today's 1 import. The quota resets at 00:00 UTC (in 1 min)."));
        assert!(quota_message(5, 7200).ends_with("(in 2 h)."));
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["code"], "quota_reached");
    }

    #[test]
    fn serialized_shape_is_what_the_ui_reads() {
        let c = CommandError::new(ErrorCode::NotSignedIn, "Sign in first.");
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["code"], "not_signed_in");
        assert_eq!(v["retryAfterSecs"], serde_json::Value::Null);
        assert!(v["details"].as_array().unwrap().is_empty());
    }
}
