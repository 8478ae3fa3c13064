//! Joining through the public link or organization code: the rules, the link, and the
//! decision on a request.

use serde::{Deserialize, Serialize};

/// How a join request reached the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinVia {
    /// The public join link (`/j/…`).
    Link,
    /// The organization code typed on the gateway's `/join` page.
    Code,
}

/// A field that people joining through the public link or code must fill, besides their name,
/// username and password. A closed list: the desktop offers exactly these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinField {
    Email,
    Mobile,
    EmployeeId,
    WorkLocation,
}

impl JoinField {
    pub const ALL: [JoinField; 4] = [
        JoinField::Email,
        JoinField::Mobile,
        JoinField::EmployeeId,
        JoinField::WorkLocation,
    ];

    /// The wire name (`email`, `mobile`, `employee_id`, `work_location`).
    pub fn as_str(self) -> &'static str {
        match self {
            JoinField::Email => "email",
            JoinField::Mobile => "mobile",
            JoinField::EmployeeId => "employee_id",
            JoinField::WorkLocation => "work_location",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// What a person joining gives about themselves: their name and the [`JoinField`]s, each
/// `None` (or absent on the wire) when not asked for or left out. Carried from the join page
/// through the gateway's store to the `join_requested` event, whose fields they are
/// (`EventKind::JoinRequested`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinerDetails {
    pub name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub employee_id: Option<String>,
    pub work_location: Option<String>,
}

impl JoinerDetails {
    /// `name` and each field's value as `value` gives it.
    pub fn new(name: String, mut value: impl FnMut(JoinField) -> Option<String>) -> Self {
        Self {
            name,
            email: value(JoinField::Email),
            mobile: value(JoinField::Mobile),
            employee_id: value(JoinField::EmployeeId),
            work_location: value(JoinField::WorkLocation),
        }
    }

    /// The value given for `field`, if any.
    pub fn field(&self, field: JoinField) -> Option<&str> {
        match field {
            JoinField::Email => self.email.as_deref(),
            JoinField::Mobile => self.mobile.as_deref(),
            JoinField::EmployeeId => self.employee_id.as_deref(),
            JoinField::WorkLocation => self.work_location.as_deref(),
        }
    }
}

/// `PUT /api/v1/join-link`: the joining rules of the public link and organization code.
/// Creates the link and code when there are none (or after `DELETE`), otherwise updates the
/// rules and keeps the link and code people already have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinLinkRules {
    /// Shown on the join pages.
    pub organization_name: String,
    /// When true, a request waits for the desktop's decision; when false, people join at once.
    pub approval_required: bool,
    #[serde(default)]
    pub required_fields: Vec<JoinField>,
    /// Unix seconds after which the link and code stop working; none means no expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// The answer to every join-link call (`PUT`, `GET`, `POST …/rotate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinLink {
    pub enabled: bool,
    /// The public join link; absent while disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The organization code (8 characters from `23456789ABCDEFGHJKLMNPQRSTUVWXYZ`); absent
    /// while disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The page where the code is typed.
    pub code_url: String,
    #[serde(flatten)]
    pub rules: JoinLinkRules,
}

/// `POST /api/v1/join-requests/{id}/decision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinDecision {
    pub approved: bool,
}

/// Where a join request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinRequestStatus {
    Pending,
    Approved,
    Rejected,
}

/// The answer to a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequestDecided {
    pub request_id: String,
    pub status: JoinRequestStatus,
}
