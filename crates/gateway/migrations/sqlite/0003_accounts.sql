-- Members' accounts after registration: their state as the desktop decides it, their own
-- personal fields, password resets, sessions on their own page, and failed sign-ins.

ALTER TABLE accounts ADD COLUMN state TEXT NOT NULL DEFAULT 'enabled'
    CHECK (state IN ('enabled', 'disabled', 'removed'));
-- NULL until the member changes them: until then the invitation's values stand.
ALTER TABLE accounts ADD COLUMN name TEXT;
ALTER TABLE accounts ADD COLUMN mobile TEXT;
ALTER TABLE accounts ADD COLUMN email TEXT;
ALTER TABLE accounts ADD COLUMN updated_at INTEGER;

-- One row per reset link ever issued; a newer one revokes the earlier ones.
CREATE TABLE password_resets (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL,
    username_key      TEXT NOT NULL,
    channel           TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'link')),
    recipient         TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    locale            TEXT NOT NULL,
    token_hash        BLOB NOT NULL UNIQUE, -- HMAC-SHA256(pepper, token)
    created_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    revoked_at        INTEGER,
    used_at           INTEGER,
    FOREIGN KEY (org_id, username_key) REFERENCES accounts(org_id, username_key)
) STRICT;
CREATE INDEX password_resets_account ON password_resets(org_id, username_key);

-- Permanent, like idempotency_keys: the first answer to each (organization, key).
CREATE TABLE password_reset_keys (
    org_id         TEXT NOT NULL REFERENCES organizations(id),
    key            TEXT NOT NULL,
    request_sha256 BLOB NOT NULL,
    reset_id       TEXT NOT NULL REFERENCES password_resets(id),
    sealed_token   BLOB NOT NULL,
    expires_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, key)
) STRICT, WITHOUT ROWID;

-- The outbox now carries two kinds of message. SQLite cannot relax a NOT NULL in place, so
-- the table is rebuilt with the same rows and ids.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL DEFAULT 'invitation'
                    CHECK (kind IN ('invitation', 'password_reset')),
    invitation_id   TEXT REFERENCES invitations(id),
    reset_id        TEXT REFERENCES password_resets(id),
    sealed_token    BLOB NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'failed', 'cancelled', 'superseded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    message_id      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    CHECK ((kind = 'invitation') = (invitation_id IS NOT NULL)),
    CHECK ((kind = 'password_reset') = (reset_id IS NOT NULL))
) STRICT;
INSERT INTO outbox_new (id, kind, invitation_id, sealed_token, state, attempts,
    next_attempt_at, lease_until, last_error, message_id, created_at, sent_at)
SELECT id, 'invitation', invitation_id, sealed_token, state, attempts, next_attempt_at,
    lease_until, last_error, message_id, created_at, sent_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_reset ON outbox(reset_id);

-- Sessions on the member's page; only SHA-256 of the cookie's value is kept.
CREATE TABLE member_sessions (
    hash         BLOB PRIMARY KEY,
    org_id       TEXT NOT NULL,
    username_key TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    FOREIGN KEY (org_id, username_key) REFERENCES accounts(org_id, username_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX member_sessions_account ON member_sessions(org_id, username_key);

-- Failed sign-ins per key (`user:<username>` or `addr:<client address>`), shared by every
-- instance so that a lockout holds across restarts and load balancers.
CREATE TABLE sign_in_failures (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    locked_until    INTEGER -- refused until then (set by the failure that reached the limit)
) STRICT, WITHOUT ROWID;

-- When the expiry of a link was reported (`invitation_expired`), so it is reported once.
ALTER TABLE invitation_tokens ADD COLUMN expiry_reported_at INTEGER;
CREATE INDEX invitation_tokens_unreported_expiry ON invitation_tokens(expires_at)
    WHERE revoked_at IS NULL AND used_at IS NULL AND expiry_reported_at IS NULL;
