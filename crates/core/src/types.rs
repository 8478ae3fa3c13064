//! Typed IDs and validated values. A value of one of these types has passed its rule.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ErrorDetail;

macro_rules! id_type {
    ($name:ident) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                v: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(v).map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(MemberId);
id_type!(DepartmentId);
id_type!(RoleId);

/// Folds a name for uniqueness checks: trimmed, lower-cased (Unicode-aware).
pub fn fold_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// A display name (organization, department, member): 1–64 characters after trimming,
/// no control characters — `orgdesk_rules::name`'s rule, which the gateway's pages apply too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(field: &str, label: &str, raw: &str) -> Result<Self, ErrorDetail> {
        use orgdesk_rules::name::NameProblem;
        let s = orgdesk_rules::name::clean(raw).map_err(|problem| {
            let message = match problem {
                NameProblem::Empty => format!("{label} is required."),
                NameProblem::TooLong { len } => format!(
                    "{label} must be at most {} characters (it has {len}).",
                    orgdesk_rules::name::MAX_LEN
                ),
                NameProblem::ControlCharacters => {
                    format!("{label} must not contain control characters.")
                }
            };
            ErrorDetail::field(field, problem.code(), message)
        })?;
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn key(&self) -> String {
        fold_key(&self.0)
    }
}

/// 3–32 characters of ASCII letters, digits, `.`, `_`, `-`. Compared case-insensitively.
/// The rule is `orgdesk_rules::Username`'s, which the gateway applies too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(orgdesk_rules::Username);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, ErrorDetail> {
        orgdesk_rules::Username::parse(raw)
            .map(Self)
            .map_err(|r| ErrorDetail::rule("username", r))
    }
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
    pub fn key(&self) -> String {
        self.0.key()
    }
}

/// Member status. Invitation states live with invitations, not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    NotJoined,
    PendingApproval,
    Rejected,
    Enabled,
    Disabled,
    Resigned,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotJoined => "not_joined",
            Self::PendingApproval => "pending_approval",
            Self::Rejected => "rejected",
            Self::Enabled => "enabled",
            Self::Disabled => "disabled",
            Self::Resigned => "resigned",
        }
    }
}

/// A reference to a member, as shown next to other data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemberRef {
    #[ts(type = "number")]
    pub id: MemberId,
    pub name: String,
    pub username: Option<String>,
}

impl MemberRef {
    /// Reads a reference from a row whose first three columns are a member's id, name and
    /// username.
    pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(MemberRef {
            id: r.get(0)?,
            name: r.get(1)?,
            username: r.get(2)?,
        })
    }

    /// Member `id` as a reference (an error if there is no such member).
    pub(crate) fn of(conn: &rusqlite::Connection, id: MemberId) -> rusqlite::Result<Self> {
        conn.query_row(
            "SELECT id, name, username FROM members WHERE id = ?1",
            [id],
            Self::from_row,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_is_trimmed_and_bounded() {
        let name = |s: &str| {
            DisplayName::parse("name", "Name", s)
                .map(|n| n.as_str().to_owned())
                .map_err(|e| e.code)
        };
        assert_eq!(name("  Acme  "), Ok("Acme".into()));
        assert_eq!(name("   "), Err("required".into()));
        assert_eq!(name(&"字".repeat(65)), Err("too_long".into()));
        assert!(name(&"字".repeat(64)).is_ok());
        assert_eq!(name("a\u{0}b"), Err("invalid_chars".into()));
    }

    #[test]
    fn username_rules() {
        assert_eq!(Username::parse("Ann.Lee-2_x").unwrap().key(), "ann.lee-2_x");
        assert_eq!(Username::parse("ab").unwrap_err().code, "too_short");
        assert_eq!(
            Username::parse(&"a".repeat(33)).unwrap_err().code,
            "too_long"
        );
        assert_eq!(
            Username::parse("ann lee").unwrap_err().code,
            "invalid_chars"
        );
        assert_eq!(
            Username::parse("安妮abc").unwrap_err().code,
            "invalid_chars"
        );
        assert_eq!(Username::parse("").unwrap_err().code, "required");
    }
}

/// Lower-cased with diacritics removed ("José" -> "jose"), for search.
pub fn fold_search(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_search_into(&mut out, s);
    out
}

/// [`fold_search`], written at the end of `out`.
pub(crate) fn fold_search_into(out: &mut String, s: &str) {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    // ASCII has nothing to decompose: most emails, usernames, mobiles and IDs take this path
    // (a bulk import folds every field of every row).
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
        return;
    }
    out.extend(
        s.nfd()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase),
    );
}

/// An email address by `orgdesk_rules::email`'s rule, which the gateway applies too: a
/// dot-atom local part, a dotted domain of letters, digits and hyphens, at most 254 bytes.
/// Compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(orgdesk_rules::Email);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ErrorDetail> {
        orgdesk_rules::Email::parse(raw)
            .map(Self)
            .map_err(|refused| ErrorDetail::field(field, refused.code, refused.reason))
    }
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
    pub fn key(&self) -> String {
        self.0.key()
    }
}

/// A mobile number in E.164 ("+8613812345678"). Numbers without "+" are read in the
/// default region from Settings. The rule is `orgdesk_rules::Mobile`'s, which the gateway
/// applies too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mobile(orgdesk_rules::Mobile);

impl Mobile {
    /// Loads the phone-number metadata (about 0.2 s on first use, once per process), so that
    /// the first mobile an admin types or imports does not wait for it. The app calls this on
    /// a background thread when it starts.
    pub fn warm_up() {
        orgdesk_rules::Mobile::warm_up();
    }

    pub fn parse(field: &str, raw: &str, default_region: &str) -> Result<Self, ErrorDetail> {
        orgdesk_rules::Mobile::parse(raw, default_region)
            .map(Self)
            .map_err(|r| ErrorDetail::rule(field, r))
    }
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// An employee ID: 1–64 printable characters, unique case-insensitively.
pub fn parse_employee_id(raw: &str) -> Result<String, ErrorDetail> {
    let s = raw.trim();
    if s.chars().count() > 64 || s.chars().any(char::is_control) {
        return Err(ErrorDetail::field(
            "employeeId",
            "invalid",
            "Employee ID must be at most 64 printable characters.",
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod value_tests {
    use super::*;

    #[test]
    fn fold_search_removes_case_and_accents() {
        assert_eq!(fold_search("José ÅNGSTRÖM"), "jose angstrom");
        assert_eq!(fold_search("王小明"), "王小明");
    }

    #[test]
    fn email_rules() {
        assert_eq!(
            Email::parse("email", " Ann@Example.com ").unwrap().key(),
            "ann@example.com"
        );
        for bad in [
            "ann",
            "ann@",
            "@x.com",
            "a@b",
            "a b@c.com",
            "a@@b.com",
            "a@b..com",
            "a@.b.com",
            "a..b@c.com",
            ".a@c.com",
            "a@-b.com",
            "\"a b\"@c.com",
        ] {
            assert_eq!(
                Email::parse("email", bad).unwrap_err().code,
                "invalid_email",
                "{bad}"
            );
        }
    }

    #[test]
    fn mobile_with_digits_enough_but_no_such_number_is_refused() {
        for raw in ["+1 555 010 0000", "+15550100000"] {
            let refused = Mobile::parse("mobile", raw, "US").unwrap_err();
            assert_eq!(refused.code, "invalid_mobile", "{raw}");
            assert_eq!(refused.field.as_deref(), Some("mobile"));
            assert_eq!(
                refused.reason,
                format!("\"{raw}\" is not a valid mobile number.")
            );
        }
        assert_eq!(
            Mobile::parse("mobile", "+1 (415) 555-2671", "CN")
                .unwrap()
                .as_str(),
            "+14155552671"
        );
    }

    #[test]
    fn mobile_is_normalized_to_e164_with_the_default_region() {
        let mobile = |raw: &str, region: &str| {
            Mobile::parse("mobile", raw, region)
                .map(|m| m.as_str().to_owned())
                .map_err(|e| e.code)
        };
        for (raw, region) in [("+86 138 1234 5678", "US"), ("13812345678", "CN")] {
            assert_eq!(mobile(raw, region), Ok("+8613812345678".into()), "{raw}");
        }
        assert_eq!(mobile("(415) 555-2671", "US"), Ok("+14155552671".into()));
        for raw in ["12345", "abc"] {
            assert_eq!(mobile(raw, "US"), Err("invalid_mobile".into()), "{raw}");
        }
    }
}
