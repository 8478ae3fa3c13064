//! Values bound to the statements both stores run, and the values of the shared inserts
//! listed once in the order of their placeholders: SQLite binds them through rusqlite's
//! `ToSql`, PostgreSQL through its `execute` helper.

use rusqlite::types::{ToSql, ToSqlOutput, Value};

use crate::store::rows::channel_str;
use crate::store::{NewInvitation, NewPasswordReset};

/// A value bound to a statement.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Text(&'a str),
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

impl<'a> From<&'a [u8; 32]> for Arg<'a> {
    fn from(hash: &'a [u8; 32]) -> Self {
        Self::Bytes(hash)
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
            Self::Text(text) => ToSqlOutput::from(text),
            Self::Int(n) => ToSqlOutput::from(n),
            Self::OptionalInt(Some(n)) => ToSqlOutput::from(n),
            Self::OptionalInt(None) => ToSqlOutput::Owned(Value::Null),
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
