//! SQL that the SQLite and the PostgreSQL stores both run, written once with SQLite's `?N`
//! placeholders; the PostgreSQL store numbers them `$N` (see `rows::postgres_sql`). Each
//! statement says what it binds. PostgreSQL adds its row locks and conflict clauses to some
//! (`postgres::shared_with`); a statement one backend must write differently (an upsert, a
//! type, a lease) stays in that backend's file.

use crate::store::columns::{INVITATION_COLUMNS, RESET_COLUMNS};

// Accounts.

/// Ends every session of an account: `?1` the organization, `?2` the username key.
pub(crate) const END_SESSIONS: &str =
    "DELETE FROM member_sessions WHERE org_id = ?1 AND username_key = ?2";

/// Overwrites an account with its directory member: `?1` the organization, `?2` the account, then
/// the member's fields, `?9` the origin and `?10` the time.
pub(crate) const UPDATE_MIRRORED: &str =
    "UPDATE accounts SET username = ?3, password_hash = ?4, state = ?5,
        name = ?6, email = ?7, mobile = ?8, origin = ?9, refused_reason = NULL,
        updated_at = ?10
     WHERE org_id = ?1 AND account_id = ?2";

/// Forgets the failed sign-ins counted under a throttle key (`?1`).
pub(crate) const FORGET_FAILURES: &str = "DELETE FROM sign_in_failures WHERE key = ?1";

/// Removes an account the directory renamed: `?1` the organization, `?2` the account, `?3` the
/// time.
pub(crate) const REMOVE_ACCOUNT: &str = "UPDATE accounts SET state = 'removed', updated_at = ?3
     WHERE org_id = ?1 AND account_id = ?2";

/// Rejects the pending join requests for a username (`?1` the organization, `?2` the key) with `?4`
/// as the reason, at `?3`.
pub(crate) const REJECT_REQUESTS_FOR_USERNAME: &str =
    "UPDATE join_requests SET state = 'rejected', decided_at = ?3, refused_reason = ?4
     WHERE org_id = ?1 AND username_key = ?2 AND state = 'pending'";

/// Sets an account's state: `?1` the organization, `?2` the username key, `?3` the state, `?4` the
/// time.
pub(crate) const SET_ACCOUNT_STATE: &str = "UPDATE accounts SET state = ?3, updated_at = ?4
     WHERE org_id = ?1 AND username_key = ?2";

/// Removes a refused account with its reason: `?1` the organization, `?2` the account, `?3` the
/// reason, `?4` the time.
pub(crate) const REFUSE_ACCOUNT: &str =
    "UPDATE accounts SET state = 'removed', refused_reason = ?3,
        updated_at = ?4
     WHERE org_id = ?1 AND account_id = ?2";

/// Records why the account a join request (`?1`) gave was refused (`?2`).
pub(crate) const SET_REQUEST_REFUSAL: &str =
    "UPDATE join_requests SET refused_reason = ?2 WHERE id = ?1";

/// Refuses the account a join request would give (`?1` the organization, `?2` the account): `?3`
/// the reason, `?4` the time; a pending request is rejected.
pub(crate) const REFUSE_REQUEST_ACCOUNT: &str = "UPDATE join_requests SET refused_reason = ?3,
        state = CASE WHEN state = 'pending' THEN 'rejected' ELSE state END,
        decided_at = COALESCE(decided_at, ?4)
     WHERE org_id = ?1 AND account_id = ?2";

/// The password hash of an enabled account: `?1` the organization, `?2` the username key.
pub(crate) const ENABLED_PASSWORD_HASH: &str = "SELECT password_hash FROM accounts
     WHERE org_id = ?1 AND username_key = ?2 AND state = 'enabled'";

/// Stores the personal fields that changed (`?3` name, `?4` mobile, `?5` email, NULL where one
/// stays) of `?1` the organization's `?2` username key, at `?6`.
pub(crate) const CHANGE_DETAILS: &str =
    "UPDATE accounts SET name = COALESCE(?3, name), mobile = COALESCE(?4, mobile),
        email = COALESCE(?5, email), updated_at = ?6
     WHERE org_id = ?1 AND username_key = ?2";

/// Marks a mirrored account as having to choose a new password, or not: `?1` the
/// organization, `?2` the account, `?3` 1 or 0.
pub(crate) const SET_MUST_CHANGE: &str =
    "UPDATE accounts SET must_change_password = ?3 WHERE org_id = ?1 AND account_id = ?2";

/// Records an account the directory mirrors: `?1` the organization, `?2` the username key,
/// `?3` the username, `?4` the password hash, `?5` the time, `?6` the account id, `?7` the
/// state, `?8` the name, `?9` the email, `?10` the mobile, `?11` the origin.
pub(crate) const INSERT_MIRRORED: &str =
    "INSERT INTO accounts (org_id, username_key, username, password_hash, created_at,
        account_id, state, name, email, mobile, origin)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/// How many accounts (of any organization) and join requests hold the account id `?1`.
pub(crate) const ACCOUNT_ID_HOLDERS: &str = "SELECT count(*) FROM (
        SELECT account_id FROM accounts WHERE account_id = ?1
        UNION ALL SELECT account_id FROM join_requests WHERE account_id = ?1) held";

/// An account's username key and password hash: `?1` the organization, `?2` the account.
pub(crate) const ACCOUNT_KEY_AND_HASH: &str =
    "SELECT username_key, password_hash FROM accounts WHERE org_id = ?1 AND account_id = ?2";

/// Where an account came from, its username key and its join request: `?1` the
/// organization, `?2` the account.
pub(crate) const ACCOUNT_ORIGIN: &str = "SELECT origin, username_key, join_request_id FROM accounts
     WHERE org_id = ?1 AND account_id = ?2";

// The event feed.

/// The organization's (`?1`) events after sequence number `?2`, at most `?3`, in order.
pub(crate) const EVENTS_AFTER: &str = "SELECT seq, id, at, body FROM events
     WHERE org_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

/// Deletes the organization's (`?1`) events up to sequence number `?2`.
pub(crate) const DELETE_EVENTS_UP_TO: &str = "DELETE FROM events WHERE org_id = ?1 AND seq <= ?2";

/// Moves the organization's (`?1`) reader `?2` (a device id, or [`ORG_TOKEN_READER`]) to
/// sequence number `?3` at `?4`, never backwards.
pub(crate) const ACK_EVENTS_AS_READER: &str =
    "INSERT INTO event_readers (org_id, reader, acked_up_to, acked_at) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (org_id, reader) DO UPDATE SET
       acked_up_to = CASE WHEN excluded.acked_up_to > event_readers.acked_up_to
                          THEN excluded.acked_up_to ELSE event_readers.acked_up_to END,
       acked_at = excluded.acked_at";

/// The reader name of the organization's API token in `event_readers` (a device's is its id,
/// `dev_…`).
pub(crate) const ORG_TOKEN_READER: &str = "org";

/// How far every reader holding the organization's (`?1`) events back has acknowledged: each
/// device not revoked (one that never acknowledged at 0), and the API token's reader when it
/// (`?3`, [`ORG_TOKEN_READER`]) acknowledged at or after `?2` or the organization has no device
/// that is not revoked. NULL when nobody holds events back.
pub(crate) const EVENTS_ACKED_BY_ALL: &str = "SELECT MIN(up_to) FROM (
       SELECT COALESCE(r.acked_up_to, 0) AS up_to FROM devices d
         LEFT JOIN event_readers r ON r.org_id = d.org_id AND r.reader = d.id
        WHERE d.org_id = ?1 AND d.revoked_at IS NULL
       UNION ALL
       SELECT r.acked_up_to AS up_to FROM event_readers r
        WHERE r.org_id = ?1 AND r.reader = ?3
          AND (r.acked_at >= ?2 OR NOT EXISTS
                (SELECT 1 FROM devices d WHERE d.org_id = ?1 AND d.revoked_at IS NULL))
     ) AS readers";

// Health.

/// How many messages wait to be sent.
pub(crate) const PENDING_MESSAGES: &str = "SELECT COUNT(*) FROM outbox WHERE state = 'pending'";

// Invitations and their links.

/// Queues an invitation's message: `?1` the invitation, `?2` the sealed token, `?3` the time.
pub(crate) const ENQUEUE_INVITATION: &str =
    "INSERT INTO outbox (invitation_id, sealed_token, next_attempt_at, created_at)
     VALUES (?1, ?2, ?3, ?3)";

/// Marks an invitation link used (`?1` its hash, `?2` the time) if it is live.
pub(crate) const USE_TOKEN: &str = "UPDATE invitation_tokens SET used_at = ?2
     WHERE hash = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2";

/// Moves the pending invitation of a link (`?1` its hash) to `?2` at `?3`; returns its id and
/// organization.
pub(crate) const FINISH_INVITATION: &str = "UPDATE invitations SET state = ?2, finished_at = ?3
     WHERE id = (SELECT invitation_id FROM invitation_tokens WHERE hash = ?1)
       AND state = 'pending'
     RETURNING id, org_id";

/// Records a pending invitation: `?1` to `?11` and `?13` its fields in the order of the
/// columns, `?12` the time.
pub(crate) const INSERT_INVITATION: &str =
    "INSERT INTO invitations (id, org_id, channel, recipient, invitee_name,
        organization_name, department_label, position_label, inviter_name, locale,
        lifetime_secs, state, created_at, locale_chosen)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', ?12, ?13)";

/// Records a link: `?1` its hash, `?2` the invitation, `?3` the time, `?4` its expiry.
pub(crate) const INSERT_TOKEN: &str =
    "INSERT INTO invitation_tokens (hash, invitation_id, created_at, expires_at)
     VALUES (?1, ?2, ?3, ?4)";

/// Cancels an invitation (`?1`) at `?2`.
pub(crate) const CANCEL_INVITATION: &str =
    "UPDATE invitations SET state = 'cancelled', finished_at = ?2 WHERE id = ?1";

/// Records the first opening of an invitation (`?1`) at `?2`; returns its organization.
pub(crate) const MARK_OPENED: &str =
    "UPDATE invitations SET opened_at = ?2 WHERE id = ?1 AND opened_at IS NULL
     RETURNING org_id";

/// An organization's (`?1`) invitation's (`?2`) state.
pub(crate) const INVITATION_STATE: &str =
    "SELECT state FROM invitations WHERE org_id = ?1 AND id = ?2";

/// Records the account an invitation made: `?1` the organization, `?2` the username key,
/// `?3` the username, `?4` the password hash, `?5` the invitation, `?6` the time, `?7` the
/// account id.
pub(crate) const REGISTER_ACCOUNT: &str =
    "INSERT INTO accounts (org_id, username_key, username, password_hash,
        invitation_id, created_at, account_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// The username and account id of an enabled account that still has a password hash: `?1`
/// the organization, `?2` the username key, `?3` the hash.
pub(crate) const ACCOUNT_TO_ACCEPT: &str = "SELECT username, account_id FROM accounts
     WHERE org_id = ?1 AND username_key = ?2 AND state = 'enabled'
       AND password_hash = ?3 AND password_hash <> ''";

/// An organization's (`?1`) invitation (`?2`): its columns.
pub(crate) fn invitation() -> String {
    format!("SELECT {INVITATION_COLUMNS} FROM invitations i WHERE i.org_id = ?1 AND i.id = ?2")
}

/// A link (`?1` its hash): its invitation's columns, then its expiry and whether it was revoked
/// or used.
pub(crate) fn lookup_token() -> String {
    format!(
        "SELECT {INVITATION_COLUMNS}, t.expires_at, t.revoked_at IS NOT NULL,
                t.used_at IS NOT NULL
         FROM invitation_tokens t JOIN invitations i ON i.id = t.invitation_id
         WHERE t.hash = ?1"
    )
}

/// Revokes an invitation's live links: `?1` the invitation, `?2` the time.
pub(crate) const REVOKE_LINKS: &str = "UPDATE invitation_tokens SET revoked_at = ?2
     WHERE invitation_id = ?1 AND revoked_at IS NULL";

/// Ends an invitation's unsent messages: `?1` the invitation, `?2` the state they end in.
pub(crate) const END_MESSAGES: &str =
    "UPDATE outbox SET state = ?2 WHERE invitation_id = ?1 AND state = 'pending'";

// Join links and requests.

/// Whether an organization (`?1`) has an account or a pending join request under a username key
/// (`?2`).
pub(crate) const USERNAME_IN_USE: &str =
    "SELECT EXISTS (SELECT 1 FROM accounts WHERE org_id = ?1 AND username_key = ?2)
     OR EXISTS (SELECT 1 FROM join_requests
                WHERE org_id = ?1 AND username_key = ?2 AND state = 'pending')";

/// Drops the unsent decision message of a join request (`?1`).
pub(crate) const SUPERSEDE_DECISION_MAIL: &str = "UPDATE outbox SET state = 'superseded'
     WHERE kind = 'join_decision' AND join_request_id = ?1 AND state = 'pending'";

/// Sets an organization's (`?1`) join rules: `?2` its name, `?3` approval, `?4` the required
/// fields, `?5` the expiry, `?6` the time.
pub(crate) const UPDATE_JOIN_RULES: &str =
    "UPDATE join_links SET organization_name = ?2, approval_required = ?3,
        required_fields = ?4, expires_at = ?5, updated_at = ?6
     WHERE org_id = ?1";

/// Until when a client (`?1`) may not try join codes, if that is after `?2`.
pub(crate) const CODE_LOCKED_UNTIL: &str = "SELECT locked_until FROM join_code_failures
     WHERE client = ?1 AND locked_until > ?2";

/// The usable join link whose `column` (its token's or its code's hash) is `?1` at `?2`: its
/// organization, the organization's name and whether requests wait for approval.
pub(crate) fn usable_join_link(column: &str) -> String {
    format!(
        "SELECT org_id, organization_name, approval_required FROM join_links
         WHERE {column} = ?1 AND enabled AND (expires_at IS NULL OR expires_at > ?2)"
    )
}

/// Records a join request, bound in the order of its columns.
pub(crate) const INSERT_JOIN_REQUEST: &str =
    "INSERT INTO join_requests (id, org_id, via, organization_name, name, email,
        mobile, employee_id, work_location, username_key, username, password_hash,
        state, status_token_sha256, created_at, decided_at, account_id, locale)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
        ?17, ?18)";

/// Records the decision (`?3`) on an organization's (`?1`) join request (`?2`) at `?4`; an approval
/// clears a refusal.
pub(crate) const DECIDE_JOIN_REQUEST: &str = "UPDATE join_requests SET state = ?3, decided_at = ?4,
        refused_reason = CASE WHEN ?3 = 'approved' THEN NULL ELSE refused_reason END
     WHERE org_id = ?1 AND id = ?2";

/// The waiting join request of an organization (`?1`) that named the account `?2` for the
/// username key `?3`: the request the directory's approval made a member of, when the mirror
/// names that account before the approving computer's decision has reached the gateway.
pub(crate) const WAITING_REQUEST_NAMING: &str = "SELECT id FROM join_requests
     WHERE org_id = ?1 AND account_id = ?2 AND username_key = ?3 AND state = 'pending'";

/// What the person who sent a join request sees, by its status token's hash (`?1`).
pub(crate) const JOIN_REQUEST_STATUS: &str =
    "SELECT state, organization_name, username, refused_reason FROM join_requests
     WHERE status_token_sha256 = ?1";

/// An organization's (`?1`) join request's (`?2`) state and username key.
pub(crate) const JOIN_REQUEST_STATE: &str =
    "SELECT state, username_key FROM join_requests WHERE org_id = ?1 AND id = ?2";

// Shared by several domains: events, passwords, reset links.

/// Appends an event: `?1` its id, `?2` the organization, `?3` the time, `?4` the body.
pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO events (id, org_id, at, body) VALUES (?1, ?2, ?3, ?4)";

/// Gives an enabled account (`?1` the organization, `?2` the username key) a new password hash
/// (`?3`) at `?4`; returns the username and the account id.
pub(crate) const SET_PASSWORD: &str =
    "UPDATE accounts SET password_hash = ?3, must_change_password = 0, updated_at = ?4
     WHERE org_id = ?1 AND username_key = ?2 AND state = 'enabled'
     RETURNING username, account_id";

/// Ends in `?3` the unsent messages of an account's (`?1` the organization, `?2` the username key)
/// unused reset links.
pub(crate) const END_RESET_MESSAGES: &str = "UPDATE outbox SET state = ?3
     WHERE state = 'pending' AND reset_id IN (
        SELECT id FROM password_resets
        WHERE org_id = ?1 AND username_key = ?2 AND used_at IS NULL AND revoked_at IS NULL)";

/// Revokes an account's (`?1` the organization, `?2` the username key) unused reset links at `?3`.
pub(crate) const REVOKE_RESETS: &str = "UPDATE password_resets SET revoked_at = ?3
     WHERE org_id = ?1 AND username_key = ?2 AND used_at IS NULL AND revoked_at IS NULL";

// Organizations.

/// Registers an organization: `?1` its id, `?2` its name, `?3` its API token hash, `?4` the time.
pub(crate) const INSERT_ORGANIZATION: &str =
    "INSERT INTO organizations (id, name, api_token_hash, created_at)
     VALUES (?1, ?2, ?3, ?4)";

/// Replaces an organization's (`?1`) API token hash (`?2`).
pub(crate) const SET_API_TOKEN_HASH: &str =
    "UPDATE organizations SET api_token_hash = ?2 WHERE id = ?1";

/// An organization's (`?1`) API token hash.
pub(crate) const API_TOKEN_HASH: &str = "SELECT api_token_hash FROM organizations WHERE id = ?1";

// The outbox.

/// Extends the lease of a pending message (`?1`) its owner (`?2`) holds, until `?3`.
pub(crate) const EXTEND_LEASE: &str = "UPDATE outbox SET lease_until = ?3
     WHERE id = ?1 AND lease_owner = ?2 AND state = 'pending'";

/// Gives a pending message (`?1`) back for another attempt at `?2`, with its error (`?3`).
pub(crate) const RETRY_LATER: &str = "UPDATE outbox SET next_attempt_at = ?2, last_error = ?3,
        lease_until = NULL, lease_owner = NULL
     WHERE id = ?1 AND state = 'pending'";

// Password resets.

/// Records a password reset, bound in the order of its columns.
pub(crate) const INSERT_RESET: &str =
    "INSERT INTO password_resets (id, org_id, username_key, channel, recipient,
        organization_name, locale, token_hash, created_at, expires_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// Queues a reset's message: `?1` the reset, `?2` the sealed token, `?3` the time.
pub(crate) const ENQUEUE_RESET: &str =
    "INSERT INTO outbox (kind, reset_id, sealed_token, next_attempt_at, created_at)
     VALUES ('password_reset', ?1, ?2, ?3, ?3)";

/// A reset link (`?1` its hash): its reset's columns, then the account's state, the link's
/// expiry and whether it was revoked or used.
pub(crate) fn lookup_reset() -> String {
    format!(
        "SELECT {RESET_COLUMNS}, a.state, r.expires_at,
                r.revoked_at IS NOT NULL, r.used_at IS NOT NULL
         FROM password_resets r JOIN accounts a
              ON a.org_id = r.org_id AND a.username_key = r.username_key
         WHERE r.token_hash = ?1"
    )
}

/// Uses a live reset link (`?1` its hash) at `?2` if its account is enabled and has a password;
/// returns the account's organization and username key.
pub(crate) const CONSUME_RESET: &str = "UPDATE password_resets SET used_at = ?2
     WHERE token_hash = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2
       AND EXISTS (SELECT 1 FROM accounts a
                   WHERE a.org_id = password_resets.org_id
                     AND a.username_key = password_resets.username_key
                     AND a.state = 'enabled' AND a.password_hash <> '')
     RETURNING org_id, username_key";

/// An account's state and whether it has no password: `?1` the organization, `?2` the
/// username key.
pub(crate) const ACCOUNT_STATE_FOR_RESET: &str = "SELECT state, password_hash = '' FROM accounts
     WHERE org_id = ?1 AND username_key = ?2";

// Sign-ins and sessions.

/// The accounts under a username key (`?1`) in any organization, oldest first, at most ten.
pub(crate) const SIGN_IN_CANDIDATES: &str =
    "SELECT org_id, username_key, username, password_hash, state, account_id,
        refused_reason
     FROM accounts
     WHERE username_key = ?1 ORDER BY created_at, org_id LIMIT 10";

/// The username and account id of an organization's (`?1`) username key (`?2`).
pub(crate) const USERNAME_AND_ACCOUNT: &str =
    "SELECT username, account_id FROM accounts WHERE org_id = ?1 AND username_key = ?2";

/// Records a session: `?1` its hash, `?2` the organization, `?3` the username key, `?4` the time.
pub(crate) const INSERT_SESSION: &str =
    "INSERT INTO member_sessions (hash, org_id, username_key, created_at, last_seen_at)
     VALUES (?1, ?2, ?3, ?4, ?4)";

/// Touches a live session (`?1` its hash) at `?2`: idle less than `?3` and younger than `?4`
/// seconds; returns its organization and username key.
pub(crate) const TOUCH_SESSION: &str = "UPDATE member_sessions SET last_seen_at = ?2
     WHERE hash = ?1 AND last_seen_at > ?2 - ?3 AND created_at > ?2 - ?4
     RETURNING org_id, username_key";

/// Ends a session (`?1` its hash).
pub(crate) const END_SESSION: &str = "DELETE FROM member_sessions WHERE hash = ?1";

// Team mode: devices, enrollment codes and the change log.

/// An organization's (`?1`) account (`?2`): its state and password hash.
pub(crate) const TEAM_ACCOUNT: &str =
    "SELECT state, password_hash FROM accounts WHERE org_id = ?1 AND account_id = ?2";

/// Records a device: `?1` its id, `?2` the organization, `?3` the account, `?4` its name,
/// `?5` its credential's hash, `?6` the time.
pub(crate) const INSERT_DEVICE: &str =
    "INSERT INTO devices (id, org_id, account_id, name, token_sha256, created_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// Voids the unused codes of an organization's (`?1`) account (`?2`) at `?3`.
pub(crate) const VOID_ENROLLMENTS: &str = "UPDATE enrollment_codes SET voided_at = ?3
     WHERE org_id = ?1 AND account_id = ?2 AND used_at IS NULL AND voided_at IS NULL";

/// Records a code: `?1` its hash, `?2` the organization, `?3` the account, `?4` the time,
/// `?5` its expiry.
pub(crate) const INSERT_ENROLLMENT: &str =
    "INSERT INTO enrollment_codes (code_sha256, org_id, account_id, created_at, expires_at)
     VALUES (?1, ?2, ?3, ?4, ?5)";

/// The usable code with hash `?1` at `?2` whose account is enabled: the organization, the
/// account, its username key and password hash.
pub(crate) const USABLE_ENROLLMENT: &str =
    "SELECT e.org_id, e.account_id, a.username_key, a.password_hash
     FROM enrollment_codes e
     JOIN accounts a ON a.org_id = e.org_id AND a.account_id = e.account_id
     WHERE e.code_sha256 = ?1 AND e.used_at IS NULL AND e.voided_at IS NULL
       AND e.expires_at > ?2 AND a.state = 'enabled'";

/// Uses up the code with hash `?1` for the organization's (`?3`) account (`?4`) at `?2`, if
/// it is still usable.
pub(crate) const USE_ENROLLMENT: &str = "UPDATE enrollment_codes SET used_at = ?2
     WHERE code_sha256 = ?1 AND org_id = ?3 AND account_id = ?4
       AND used_at IS NULL AND voided_at IS NULL AND expires_at > ?2";

/// Every device of an organization (`?1`) with its account's username, oldest first: by
/// creation time (in seconds), then by `$inserted`, the column that follows the order the
/// rows were inserted in, so devices made within one second are listed in the order they
/// were made. Each store names its own: SQLite the rowid, PostgreSQL an identity column
/// (migration 0013).
macro_rules! devices_in_order {
    ($inserted:literal) => {
        concat!(
            "SELECT d.id, d.account_id, COALESCE(a.username, ''), d.name, d.created_at,
                    d.last_seen_at, d.revoked_at
             FROM devices d
             LEFT JOIN accounts a ON a.org_id = d.org_id AND a.account_id = d.account_id
             WHERE d.org_id = ?1 ORDER BY d.created_at, ",
            $inserted
        )
    };
}
pub(crate) use devices_in_order;

/// Revokes an organization's (`?1`) device (`?2`) at `?3`; a revoked one keeps its time.
pub(crate) const REVOKE_DEVICE: &str =
    "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?3) WHERE org_id = ?1 AND id = ?2";

/// A device (`?1`) that may act: its organization, account, credential hash and when it
/// was last seen.
pub(crate) const DEVICE_AUTH: &str = "SELECT d.org_id, d.account_id, d.token_sha256, d.last_seen_at
     FROM devices d
     JOIN accounts a ON a.org_id = d.org_id AND a.account_id = d.account_id
     WHERE d.id = ?1 AND d.revoked_at IS NULL AND a.state = 'enabled'";

/// Records that a device (`?1`) was seen at `?2`.
pub(crate) const TOUCH_DEVICE: &str = "UPDATE devices SET last_seen_at = ?2 WHERE id = ?1";

/// Takes an organization's (`?1`) change counter (made at 0 the first time) and answers its
/// last sequence number. On PostgreSQL the update locks the row until commit: appends of one
/// organization wait for each other.
pub(crate) const TAKE_CHANGE_COUNTER: &str =
    "INSERT INTO change_counters (org_id, last_seq) VALUES (?1, 0)
     ON CONFLICT (org_id) DO UPDATE SET last_seq = change_counters.last_seq
     RETURNING last_seq";

/// Sets an organization's (`?1`) last sequence number (`?2`).
pub(crate) const SET_CHANGE_COUNTER: &str =
    "UPDATE change_counters SET last_seq = ?2 WHERE org_id = ?1";

/// The sequence number and body of a change a device (`?1`) already sent under `?2`.
pub(crate) const SENT_CHANGE: &str =
    "SELECT seq, body FROM changes WHERE device_id = ?1 AND change_id = ?2";

/// Appends a change: `?1` the organization, `?2` its number, `?3` the device, `?4` its id,
/// `?5` the account, `?6` the time, `?7` the body.
pub(crate) const INSERT_CHANGE: &str =
    "INSERT INTO changes (org_id, seq, device_id, change_id, account_id, at, body)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// The organization's (`?1`) changes after `?2`, at most `?3`, in order.
pub(crate) const CHANGES_AFTER: &str =
    "SELECT seq, change_id, device_id, account_id, at, body FROM changes
     WHERE org_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

// Team mode's snapshots.

/// The last sequence number of an organization's (`?1`) change log; no row before its first
/// change.
pub(crate) const LAST_CHANGE_SEQ: &str = "SELECT last_seq FROM change_counters WHERE org_id = ?1";

/// Keeps an organization's (`?1`) snapshot taken at `?2` (`?3` its bytes, `?4` the time)
/// unless the one kept was taken later.
pub(crate) const PUT_SNAPSHOT: &str =
    "INSERT INTO snapshots (org_id, at_seq, content, created_at) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (org_id) DO UPDATE SET at_seq = excluded.at_seq, content = excluded.content,
        created_at = excluded.created_at
     WHERE excluded.at_seq >= snapshots.at_seq";

/// The position of an organization's (`?1`) kept snapshot.
pub(crate) const SNAPSHOT_SEQ: &str = "SELECT at_seq FROM snapshots WHERE org_id = ?1";

/// An organization's (`?1`) kept snapshot: its position and bytes.
pub(crate) const SNAPSHOT: &str = "SELECT at_seq, content FROM snapshots WHERE org_id = ?1";
