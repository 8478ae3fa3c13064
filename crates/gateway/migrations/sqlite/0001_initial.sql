-- The gateway's own state. The desktop keeps the directory of record; this holds only what
-- the gateway needs to send invitations, serve their pages and report back.

CREATE TABLE organizations (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    -- SHA-256 of the secret half of the API token; the token itself is never stored.
    api_token_hash BLOB NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE invitations (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organizations(id),
    channel           TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'link')),
    recipient         TEXT NOT NULL,
    invitee_name      TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    department_label  TEXT NOT NULL,
    position_label    TEXT NOT NULL,
    inviter_name      TEXT NOT NULL,
    locale            TEXT NOT NULL,
    lifetime_secs     INTEGER NOT NULL,
    state             TEXT NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'registered', 'declined', 'cancelled')),
    created_at        INTEGER NOT NULL,
    opened_at         INTEGER,
    finished_at       INTEGER
) STRICT;
CREATE INDEX invitations_org ON invitations(org_id);

-- One row per link ever issued; a resend revokes the previous one.
CREATE TABLE invitation_tokens (
    hash          BLOB PRIMARY KEY, -- HMAC-SHA256(pepper, token)
    invitation_id TEXT NOT NULL REFERENCES invitations(id),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    used_at       INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX invitation_tokens_invitation ON invitation_tokens(invitation_id);

-- Permanent: the first answer to each (organization, key), replayed on retry.
CREATE TABLE idempotency_keys (
    org_id         TEXT NOT NULL REFERENCES organizations(id),
    key            TEXT NOT NULL,
    request_sha256 BLOB NOT NULL,
    invitation_id  TEXT NOT NULL REFERENCES invitations(id),
    sealed_token   BLOB NOT NULL, -- the first link's token, sealed under the pepper
    expires_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, key)
) STRICT, WITHOUT ROWID;

-- Accounts created by registering through an invitation.
CREATE TABLE accounts (
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    username_key  TEXT NOT NULL, -- lower-cased, for uniqueness
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL, -- Argon2id PHC string
    invitation_id TEXT REFERENCES invitations(id),
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (org_id, username_key)
) STRICT, WITHOUT ROWID;

-- Messages waiting to go out. A row is claimed with a lease so that a crashed sender's
-- message is picked up again rather than lost.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    invitation_id   TEXT NOT NULL REFERENCES invitations(id),
    sealed_token    BLOB NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'failed', 'cancelled', 'superseded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    message_id      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

-- The feed the desktop pulls; kept until acknowledged.
CREATE TABLE events (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    id     TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    at     INTEGER NOT NULL,
    body   TEXT NOT NULL -- JSON of orgdesk_protocol::EventKind
) STRICT;
CREATE INDEX events_org_seq ON events(org_id, seq);
