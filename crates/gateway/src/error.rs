//! The gateway's one error type. API handlers turn it into `{code, message}` JSON; pages turn
//! it into a plain page that never shows internals.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use orgdesk_protocol::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("a valid API token or device token is required (Authorization: Bearer …)")]
    Unauthorized,
    /// Joining a team failed: one answer for every reason, so that it tells a guesser nothing.
    #[error(
        "the enrollment code, username or password is not right, or the code was used, \
         replaced or has expired"
    )]
    NotEnrolled,
    #[error("{0}")]
    InvalidRequest(String),
    #[error(
        "the gateway keeps no snapshot of this organization's directory yet: the Super Admin's \
         computer uploads one when it starts team mode"
    )]
    NoSnapshot,
    #[error("the Idempotency-Key header is required")]
    IdempotencyKeyRequired,
    #[error("this Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    #[error("no such invitation")]
    NotFound,
    #[error("no such account")]
    UnknownAccount,
    #[error("the account is {0}")]
    AccountNotEnabled(&'static str),
    #[error("the invitation is already {0}")]
    InvitationClosed(String),
    #[error("{0}")]
    ChannelUnavailable(String),
    #[error("too many requests; slow down and retry")]
    RateLimited,
    /// Something other than an invitation that does not exist (`not_found`), saying what.
    #[error("{0}")]
    Missing(&'static str),
    /// A caller whose credential is valid but of the wrong kind for the request (an API
    /// token where a device must be named, or the reverse), with its own stable code.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// A request that contradicts what is stored, with its own stable code.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("configuration: {0}")]
    Config(String),
    #[error("storage: {0}")]
    Storage(String),
    #[error("mail: {0}")]
    Mail(String),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl GatewayError {
    /// The stable code the desktop matches on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized | Self::NotEnrolled => "unauthorized",
            Self::InvalidRequest(_) => "invalid_request",
            Self::IdempotencyKeyRequired => "idempotency_key_required",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::NotFound | Self::UnknownAccount => "not_found",
            Self::NoSnapshot => "no_snapshot",
            Self::AccountNotEnabled(_) => "account_disabled",
            Self::InvitationClosed(_) => "invitation_closed",
            Self::ChannelUnavailable(_) => "channel_unavailable",
            Self::RateLimited => "rate_limited",
            Self::Conflict { code, .. } | Self::Forbidden { code, .. } => code,
            Self::Missing(_) => "not_found",
            Self::Config(_)
            | Self::Storage(_)
            | Self::Mail(_)
            | Self::Io(_)
            | Self::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized | Self::NotEnrolled => StatusCode::UNAUTHORIZED,
            Self::InvalidRequest(_) | Self::IdempotencyKeyRequired => StatusCode::BAD_REQUEST,
            Self::IdempotencyKeyReused | Self::ChannelUnavailable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::NotFound | Self::UnknownAccount | Self::Missing(_) | Self::NoSnapshot => {
                StatusCode::NOT_FOUND
            }
            Self::InvitationClosed(_) | Self::AccountNotEnabled(_) | Self::Conflict { .. } => {
                StatusCode::CONFLICT
            }
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Config(_)
            | Self::Storage(_)
            | Self::Mail(_)
            | Self::Io(_)
            | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<rusqlite::Error> for GatewayError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage(e.to_string())
    }
}

impl From<rusqlite_migration::Error> for GatewayError {
    fn from(e: rusqlite_migration::Error) -> Self {
        Self::Storage(format!("migration failed: {e}"))
    }
}

impl From<tokio::task::JoinError> for GatewayError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Internal(format!("background task failed: {e}"))
    }
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            // The detail goes to the log; the client learns only that it was our fault.
            tracing::error!(error = %self, "request failed");
            "the gateway could not complete the request; try again later".to_owned()
        } else {
            self.to_string()
        };
        let body = ApiError {
            code: self.code().to_owned(),
            message,
        };
        (status, Json(body)).into_response()
    }
}

pub type Result<T, E = GatewayError> = std::result::Result<T, E>;
