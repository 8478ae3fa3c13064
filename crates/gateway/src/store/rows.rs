//! What the SQLite and PostgreSQL stores share below the traits: how a channel is written in
//! a row, how SQLite's `?N` placeholders become PostgreSQL's `$N` ([`postgres_sql`]) and
//! what an idempotency key answers, for an invitation's key and a password reset's alike.

use orgdesk_protocol::{Channel, EventKind};

use crate::store::{
    CreateOutcome, KeyedRequest, NewInvitation, NewPasswordReset, ReplayedLink, ResetOutcome,
};

pub(crate) fn channel_str(c: Channel) -> &'static str {
    match c {
        Channel::Email => "email",
        Channel::Sms => "sms",
        Channel::Link => "link",
    }
}

pub(crate) fn parse_channel(s: &str) -> Option<Channel> {
    match s {
        "email" => Some(Channel::Email),
        "sms" => Some(Channel::Sms),
        "link" => Some(Channel::Link),
        _ => None,
    }
}

/// The `registered` event of an invitation consumed by an account: a new one, or one the
/// invitee had.
pub(crate) fn registered_event(
    invitation_id: &str,
    account_id: String,
    username: String,
    password_hash: String,
) -> EventKind {
    EventKind::Registered {
        invitation_id: invitation_id.to_owned(),
        account_id: Some(account_id),
        username,
        password_hash,
    }
}

/// `sql` with each `?N` placeholder written `$N`, as PostgreSQL takes them.
pub(crate) fn postgres_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        let numbered = c == '?' && chars.peek().is_some_and(char::is_ascii_digit);
        out.push(if numbered { '$' } else { c });
    }
    out
}

/// What an idempotency key answers: the creation of an invitation, or of a password reset.
/// Each kind keeps its keys in a table of its own, naming what the key created.
pub(crate) trait KeyedOutcome: Sized {
    const KEYS_TABLE: &'static str;
    const ID_COLUMN: &'static str;

    /// The first answer again: the same request came with the key.
    const REPLAYED: fn(ReplayedLink) -> Self;
    /// The key came before with another request.
    const KEY_REUSED: Self;

    /// The key's row (`?1` the organization, `?2` the key): the request's digest, the id,
    /// the sealed token and the expiry, read by [`KeyedOutcome::answer`].
    fn seen_sql() -> String {
        format!(
            "SELECT request_sha256, {}, sealed_token, expires_at
             FROM {} WHERE org_id = ?1 AND key = ?2",
            Self::ID_COLUMN,
            Self::KEYS_TABLE
        )
    }

    /// Records a key, bound in the order of [`NewKey`]'s fields and the time.
    fn insert_sql() -> String {
        format!(
            "INSERT INTO {} (org_id, key, request_sha256, {},
                sealed_token, expires_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            Self::KEYS_TABLE,
            Self::ID_COLUMN
        )
    }

    /// What a key's row answers a request whose digest is `request_sha256`.
    fn answer(
        digest: &[u8],
        request_sha256: [u8; 32],
        id: String,
        sealed_token: Vec<u8>,
        expires_at: i64,
    ) -> Self {
        if digest == request_sha256 {
            Self::REPLAYED(ReplayedLink {
                id,
                sealed_token,
                expires_at,
            })
        } else {
            Self::KEY_REUSED
        }
    }
}

impl KeyedOutcome for CreateOutcome {
    const KEYS_TABLE: &'static str = "idempotency_keys";
    const ID_COLUMN: &'static str = "invitation_id";
    const REPLAYED: fn(ReplayedLink) -> Self = Self::Replayed;
    const KEY_REUSED: Self = Self::KeyReused;
}

impl KeyedOutcome for ResetOutcome {
    const KEYS_TABLE: &'static str = "password_reset_keys";
    const ID_COLUMN: &'static str = "reset_id";
    const REPLAYED: fn(ReplayedLink) -> Self = Self::Replayed;
    const KEY_REUSED: Self = Self::KeyReused;
}

/// An idempotency key to record with what it created.
pub(crate) struct NewKey<'a> {
    pub(crate) org_id: &'a str,
    pub(crate) key: &'a str,
    pub(crate) request_sha256: [u8; 32],
    /// The invitation's or the reset's id.
    pub(crate) id: &'a str,
    pub(crate) sealed_token: &'a [u8],
    pub(crate) expires_at: i64,
}

impl NewKey<'_> {
    /// The request the key came with, as a lookup of what the key answered.
    pub(crate) fn request(&self) -> KeyedRequest<'_> {
        KeyedRequest {
            org_id: self.org_id,
            key: self.key,
            request_sha256: self.request_sha256,
        }
    }
}

impl NewInvitation {
    pub(crate) fn key(&self) -> NewKey<'_> {
        NewKey {
            org_id: &self.invitation.org_id,
            key: &self.idempotency_key,
            request_sha256: self.request_sha256,
            id: &self.invitation.id,
            sealed_token: &self.link.sealed_token,
            expires_at: self.link.expires_at,
        }
    }
}

impl NewPasswordReset {
    pub(crate) fn key(&self) -> NewKey<'_> {
        NewKey {
            org_id: &self.org_id,
            key: &self.idempotency_key,
            request_sha256: self.request_sha256,
            id: &self.id,
            sealed_token: &self.link.sealed_token,
            expires_at: self.link.expires_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            postgres_sql("UPDATE t SET a = ?2 WHERE b = ?1 AND c = ?10 AND d = '?'"),
            "UPDATE t SET a = $2 WHERE b = $1 AND c = $10 AND d = '?'"
        );
    }

    #[test]
    fn a_key_replays_only_the_same_request() {
        let same = CreateOutcome::answer(&[7; 32], [7; 32], "inv".into(), vec![1], 5);
        assert_eq!(
            same,
            CreateOutcome::Replayed(ReplayedLink {
                id: "inv".into(),
                sealed_token: vec![1],
                expires_at: 5
            })
        );
        let other = ResetOutcome::answer(&[7; 32], [8; 32], "r".into(), vec![1], 5);
        assert_eq!(other, ResetOutcome::KeyReused);
        for kind in [channel_str(Channel::Email), "sms", "link"] {
            assert_eq!(parse_channel(kind).map(channel_str), Some(kind));
        }
        assert_eq!(parse_channel("fax"), None);
    }
}
