//! Result rows of either store read into the gateway's types: each row type has one column
//! list and one reader, over SQLite's rows (rusqlite) and PostgreSQL's (sqlx) alike. A
//! reader takes the columns by position, from where its list starts in the statement.

use rusqlite::types::{FromSql, Type};
use sqlx::postgres::{PgRow, Postgres};
use sqlx::Row as _;

use crate::error::GatewayError;
use crate::store::args::JoinThrough;
use crate::store::rows::parse_channel;
use crate::store::{
    parse_account_state, Invitation, InvitationState, JoinDecisionMail, Member, PasswordReset,
    ResetLookup, SignInCandidate, TokenLookup,
};

/// A value both drivers decode from a column.
pub(crate) trait ColumnValue:
    FromSql + for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>
{
}

impl<T> ColumnValue for T where
    T: FromSql + for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>
{
}

/// A result row of either store, its columns read by position (the first is 0).
pub(crate) trait StoreRow {
    /// What reading fails with: rusqlite's error (what its row callbacks return) on SQLite,
    /// the gateway's on PostgreSQL.
    type Error;

    /// Column `index`.
    fn value<T: ColumnValue>(&self, index: usize) -> Result<T, Self::Error>;

    /// The failure for a column (`index`) whose text (`value`) is no `what` the gateway knows.
    fn unknown(index: usize, what: &str, value: String) -> Self::Error;

    /// A text column that `parse` reads as a `what`.
    fn parsed<T>(
        &self,
        index: usize,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, Self::Error> {
        let text: String = self.value(index)?;
        parse(&text).ok_or_else(|| Self::unknown(index, what, text))
    }

    /// Column `index` read as a `T` and turned by `how` into what the gateway keeps.
    fn mapped<T: ColumnValue, U>(
        &self,
        index: usize,
        how: impl FnOnce(T) -> U,
    ) -> Result<U, Self::Error> {
        self.value(index).map(how)
    }
}

/// `Ok(Type { … })` from a [`StoreRow`]'s columns, one column a field in the order the fields
/// are listed, from column `at` on: `from_columns!(row, at; Type { a, b: how(args…), c })`.
/// A field alone is its column's value; `field: how(args…)` reads its column with the row's
/// method `how` (`parsed`, `mapped`), given the column's index and `args`.
macro_rules! from_columns {
    ($row:expr, $at:expr; $ty:ident { $($field:ident $(: $how:ident($($arg:expr),*))?),+ $(,)? }) => {{
        let (row, mut column) = ($row, $at);
        let mut next = || {
            column += 1;
            column - 1
        };
        Ok($ty {
            $($field: from_columns!(@one row, next() $(, $how($($arg),*))?)),+
        })
    }};
    (@one $row:ident, $column:expr) => {
        $row.value($column)?
    };
    (@one $row:ident, $column:expr, $how:ident($($arg:expr),*)) => {
        $row.$how($column, $($arg),*)?
    };
}
pub(crate) use from_columns;

impl StoreRow for rusqlite::Row<'_> {
    type Error = rusqlite::Error;

    fn value<T: ColumnValue>(&self, index: usize) -> rusqlite::Result<T> {
        self.get(index)
    }

    fn unknown(index: usize, what: &str, value: String) -> rusqlite::Error {
        rusqlite::Error::InvalidColumnType(index, format!("{what} {value}"), Type::Text)
    }
}

impl StoreRow for PgRow {
    type Error = GatewayError;

    fn value<T: ColumnValue>(&self, index: usize) -> Result<T, GatewayError> {
        Ok(self.try_get(index)?)
    }

    fn unknown(_index: usize, what: &str, value: String) -> GatewayError {
        GatewayError::Storage(format!("unknown {what} {value}"))
    }
}

/// The columns of [`Invitation`], from `invitations i`, in the order [`read_invitation`]
/// reads them.
pub(crate) const INVITATION_COLUMNS: &str = "i.id, i.org_id, i.channel, i.recipient, \
     i.invitee_name, i.organization_name, i.department_label, i.position_label, \
     i.inviter_name, i.locale, i.lifetime_secs, i.state, i.created_at, i.locale_chosen";

/// How many columns [`INVITATION_COLUMNS`] names: those a statement selects after them start
/// here.
pub(crate) const INVITATION_COLUMN_COUNT: usize = 14;

/// Reads the columns of [`INVITATION_COLUMNS`] starting at `at`.
pub(crate) fn read_invitation<R: StoreRow>(row: &R, at: usize) -> Result<Invitation, R::Error> {
    from_columns!(row, at; Invitation {
        id, org_id, channel: parsed("channel", parse_channel), recipient, invitee_name,
        organization_name, department_label, position_label, inviter_name, locale,
        lifetime_secs, state: parsed("state", InvitationState::parse), created_at,
        locale_chosen: mapped(|chosen: i32| chosen != 0),
    })
}

/// Reads what a row of [`crate::store::sql::lookup_token`] says of a link.
pub(crate) fn read_token_lookup<R: StoreRow>(row: &R) -> Result<TokenLookup, R::Error> {
    let after = INVITATION_COLUMN_COUNT;
    Ok(TokenLookup {
        invitation: read_invitation(row, 0)?,
        expires_at: row.value(after)?,
        revoked: row.value(after + 1)?,
        used: row.value(after + 2)?,
    })
}

/// The columns of [`PasswordReset`], from `password_resets r` joined with `accounts a`, in the
/// order [`read_reset`] reads them.
pub(crate) const RESET_COLUMNS: &str = "r.id, r.org_id, a.username, r.channel, r.recipient, \
     r.organization_name, r.locale";

/// Reads the columns of [`RESET_COLUMNS`] starting at `at`.
pub(crate) fn read_reset<R: StoreRow>(row: &R, at: usize) -> Result<PasswordReset, R::Error> {
    from_columns!(row, at; PasswordReset {
        id, org_id, username, channel: parsed("channel", parse_channel), recipient,
        organization_name, locale,
    })
}

/// Reads what a row of [`crate::store::sql::lookup_reset`] says of a reset link.
pub(crate) fn read_reset_lookup<R: StoreRow>(row: &R) -> Result<ResetLookup, R::Error> {
    Ok(ResetLookup {
        reset: read_reset(row, 0)?,
        account_state: row.parsed(7, "state", parse_account_state)?,
        expires_at: row.value(8)?,
        revoked: row.value(9)?,
        used: row.value(10)?,
    })
}

/// Reads a member from the columns of [`MEMBER_COLUMNS`](crate::store::MEMBER_COLUMNS).
pub(crate) fn read_member<R: StoreRow>(row: &R) -> Result<Member, R::Error> {
    from_columns!(row, 0; Member {
        org_id, username_key, username, organization_name, name, mobile, email, account_id,
        must_change_password: mapped(|must: String| must == "1"),
    })
}

/// Reads a row of [`SIGN_IN_CANDIDATES`](crate::store::sql::SIGN_IN_CANDIDATES).
pub(crate) fn read_sign_in_candidate<R: StoreRow>(row: &R) -> Result<SignInCandidate, R::Error> {
    from_columns!(row, 0; SignInCandidate {
        org_id, username_key, username, password_hash,
        state: parsed("state", parse_account_state), account_id, refused_reason,
    })
}

/// The columns of [`JoinDecisionMail`], from `join_requests j`, in the order
/// [`read_join_decision_mail`] reads them.
pub(crate) const JOIN_DECISION_MAIL_COLUMNS: &str =
    "j.id, j.name, j.username, j.email, j.organization_name, j.locale";

/// Reads the columns of [`JOIN_DECISION_MAIL_COLUMNS`] starting at `at`.
pub(crate) fn read_join_decision_mail<R: StoreRow>(
    row: &R,
    at: usize,
) -> Result<JoinDecisionMail, R::Error> {
    from_columns!(row, at; JoinDecisionMail {
        request_id, name, username, recipient, organization_name, locale,
    })
}

/// Reads the link a join request comes through from the columns of
/// [`usable_join_link`](crate::store::sql::usable_join_link).
pub(crate) fn read_join_through<R: StoreRow>(row: &R) -> Result<JoinThrough, R::Error> {
    from_columns!(row, 0; JoinThrough { org_id, organization_name, approval_required })
}
