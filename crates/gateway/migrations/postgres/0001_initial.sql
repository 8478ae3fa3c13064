-- The PostgreSQL schema: the same tables as migrations/sqlite/0001_initial.sql, for several
-- gateway instances sharing one database.

CREATE TABLE organizations (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    api_token_hash BYTEA NOT NULL,
    created_at     BIGINT NOT NULL
);

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
    lifetime_secs     BIGINT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'registered', 'declined', 'cancelled')),
    created_at        BIGINT NOT NULL,
    opened_at         BIGINT,
    finished_at       BIGINT
);
CREATE INDEX invitations_org ON invitations(org_id);

CREATE TABLE invitation_tokens (
    hash          BYTEA PRIMARY KEY,
    invitation_id TEXT NOT NULL REFERENCES invitations(id),
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    revoked_at    BIGINT,
    used_at       BIGINT
);
CREATE INDEX invitation_tokens_invitation ON invitation_tokens(invitation_id);

CREATE TABLE idempotency_keys (
    org_id         TEXT NOT NULL REFERENCES organizations(id),
    key            TEXT NOT NULL,
    request_sha256 BYTEA NOT NULL,
    invitation_id  TEXT NOT NULL REFERENCES invitations(id),
    sealed_token   BYTEA NOT NULL,
    expires_at     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (org_id, key)
);

CREATE TABLE accounts (
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    username_key  TEXT NOT NULL,
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    invitation_id TEXT REFERENCES invitations(id),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, username_key)
);

CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invitation_id   TEXT NOT NULL REFERENCES invitations(id),
    sealed_token    BYTEA NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'failed', 'cancelled', 'superseded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    last_error      TEXT,
    message_id      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

CREATE TABLE events (
    seq    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id     TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES organizations(id),
    at     BIGINT NOT NULL,
    body   TEXT NOT NULL
);
CREATE INDEX events_org_seq ON events(org_id, seq);
