//! Values bound to the statements both stores run, and the values of the shared inserts
//! listed once in the order of their placeholders: SQLite binds them through rusqlite's
//! `ToSql`, PostgreSQL through its `execute` helper.

use orgdesk_protocol::JoinRequestStatus;
use rusqlite::types::{ToSql, ToSqlOutput, Value};

use crate::store::join::{status_str, via_str};
use crate::store::rows::channel_str;
use crate::store::{
    ChangeAuthor, ChangeText, NewAccount, NewInvitation, NewJoinRequest, NewPasswordReset,
};

/// A value bound to a statement.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Text(&'a str),
    /// Text or NULL.
    OptionalText(Option<&'a str>),
    Int(i64),
    /// A number or NULL.
    OptionalInt(Option<i64>),
    /// A flag PostgreSQL keeps in an INTEGER column, as 0 or 1.
    Flag(bool),
    Bool(bool),
    Bytes(&'a [u8]),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Self::Text(text)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(text: &'a String) -> Self {
        Self::Text(text)
    }
}

impl<'a> From<&'a Option<String>> for Arg<'a> {
    fn from(text: &'a Option<String>) -> Self {
        Self::OptionalText(text.as_deref())
    }
}

impl<'a> From<&'a [u8; 32]> for Arg<'a> {
    fn from(hash: &'a [u8; 32]) -> Self {
        Self::Bytes(hash)
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Self::Bytes(bytes)
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(n: Option<i64>) -> Self {
        Self::OptionalInt(n)
    }
}

impl From<bool> for Arg<'_> {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Self::Text(text) | Self::OptionalText(Some(text)) => ToSqlOutput::from(text),
            Self::OptionalText(None) | Self::OptionalInt(None) => ToSqlOutput::Owned(Value::Null),
            Self::Int(n) => ToSqlOutput::from(n),
            Self::OptionalInt(Some(n)) => ToSqlOutput::from(n),
            Self::Flag(b) | Self::Bool(b) => ToSqlOutput::from(b),
            Self::Bytes(bytes) => ToSqlOutput::from(bytes),
        })
    }
}

impl NewInvitation {
    /// The values of [`INSERT_INVITATION`](crate::store::sql::INSERT_INVITATION).
    pub(crate) fn insert_args(&self, now: i64) -> [Arg<'_>; 13] {
        let inv = &self.invitation;
        [
            Arg::from(&inv.id),
            (&inv.org_id).into(),
            channel_str(inv.channel).into(),
            (&inv.recipient).into(),
            (&inv.invitee_name).into(),
            (&inv.organization_name).into(),
            (&inv.department_label).into(),
            (&inv.position_label).into(),
            (&inv.inviter_name).into(),
            (&inv.locale).into(),
            inv.lifetime_secs.into(),
            now.into(),
            Arg::Flag(inv.locale_chosen),
        ]
    }
}

impl NewPasswordReset {
    /// The values of [`INSERT_RESET`](crate::store::sql::INSERT_RESET).
    pub(crate) fn insert_args(&self, now: i64) -> [Arg<'_>; 10] {
        [
            Arg::from(&self.id),
            (&self.org_id).into(),
            (&self.username_key).into(),
            channel_str(self.channel).into(),
            (&self.recipient).into(),
            (&self.organization_name).into(),
            (&self.locale).into(),
            (&self.link.token_hash).into(),
            now.into(),
            self.link.expires_at.into(),
        ]
    }
}

/// The usable join link a request came through: its organization, the organization's name
/// as the link shows it, and whether the request waits for a decision.
pub(crate) struct JoinThrough {
    pub(crate) org_id: String,
    pub(crate) organization_name: String,
    pub(crate) approval_required: bool,
}

impl NewJoinRequest {
    /// The values of [`INSERT_JOIN_REQUEST`](crate::store::sql::INSERT_JOIN_REQUEST) for a
    /// request made at `now` through `link`, under `username_key`: pending when the link asks
    /// for approval, else approved at once.
    pub(crate) fn insert_args<'a>(
        &'a self,
        link: &'a JoinThrough,
        username_key: &'a str,
        now: i64,
    ) -> [Arg<'a>; 18] {
        let state = if link.approval_required {
            JoinRequestStatus::Pending
        } else {
            JoinRequestStatus::Approved
        };
        [
            Arg::from(&self.id),
            (&link.org_id).into(),
            via_str(self.secret.via()).into(),
            (&link.organization_name).into(),
            (&self.details.name).into(),
            (&self.details.email).into(),
            (&self.details.mobile).into(),
            (&self.details.employee_id).into(),
            (&self.details.work_location).into(),
            username_key.into(),
            (&self.username).into(),
            (&self.password_hash).into(),
            status_str(state).into(),
            (&self.status_token_sha256).into(),
            now.into(),
            (!link.approval_required).then_some(now).into(),
            (&self.account_id).into(),
            (&self.locale).into(),
        ]
    }
}

impl NewAccount {
    /// The values of [`REGISTER_ACCOUNT`](crate::store::sql::REGISTER_ACCOUNT): this account
    /// of `org_id`, registered at `now` through `invitation_id`.
    pub(crate) fn register_args<'a>(
        &'a self,
        org_id: &'a str,
        invitation_id: &'a str,
        now: i64,
    ) -> [Arg<'a>; 7] {
        [
            org_id.into(),
            (&self.username_key).into(),
            (&self.username).into(),
            (&self.password_hash).into(),
            invitation_id.into(),
            now.into(),
            (&self.account_id).into(),
        ]
    }
}

impl ChangeAuthor {
    /// The values of [`INSERT_CHANGE`](crate::store::sql::INSERT_CHANGE): `change`, numbered
    /// `seq` in the author's organization, sent by the author's device at `now`.
    pub(crate) fn insert_args<'a>(
        &'a self,
        seq: i64,
        change: &'a ChangeText,
        now: i64,
    ) -> [Arg<'a>; 7] {
        [
            (&self.org_id).into(),
            seq.into(),
            (&self.device_id).into(),
            (&change.change_id).into(),
            (&self.account_id).into(),
            now.into(),
            (&change.body).into(),
        ]
    }
}
