-- The PostgreSQL side of migrations/sqlite/0003_accounts.sql: account state and personal
-- fields, password resets, member sessions, failed sign-ins, reported link expiry.

ALTER TABLE accounts ADD COLUMN state TEXT NOT NULL DEFAULT 'enabled'
    CHECK (state IN ('enabled', 'disabled', 'removed'));
ALTER TABLE accounts ADD COLUMN name TEXT;
ALTER TABLE accounts ADD COLUMN mobile TEXT;
ALTER TABLE accounts ADD COLUMN email TEXT;
ALTER TABLE accounts ADD COLUMN updated_at BIGINT;

CREATE TABLE password_resets (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL,
    username_key      TEXT NOT NULL,
    channel           TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'link')),
    recipient         TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    locale            TEXT NOT NULL,
    token_hash        BYTEA NOT NULL UNIQUE,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    revoked_at        BIGINT,
    used_at           BIGINT,
    FOREIGN KEY (org_id, username_key) REFERENCES accounts(org_id, username_key)
);
CREATE INDEX password_resets_account ON password_resets(org_id, username_key);

CREATE TABLE password_reset_keys (
    org_id         TEXT NOT NULL REFERENCES organizations(id),
    key            TEXT NOT NULL,
    request_sha256 BYTEA NOT NULL,
    reset_id       TEXT NOT NULL REFERENCES password_resets(id),
    sealed_token   BYTEA NOT NULL,
    expires_at     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (org_id, key)
);

ALTER TABLE outbox ALTER COLUMN invitation_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'invitation'
    CHECK (kind IN ('invitation', 'password_reset'));
ALTER TABLE outbox ADD COLUMN reset_id TEXT REFERENCES password_resets(id);
ALTER TABLE outbox ADD CONSTRAINT outbox_one_subject CHECK (
    ((kind = 'invitation') = (invitation_id IS NOT NULL))
    AND ((kind = 'password_reset') = (reset_id IS NOT NULL)));
CREATE INDEX outbox_reset ON outbox(reset_id);

CREATE TABLE member_sessions (
    hash         BYTEA PRIMARY KEY,
    org_id       TEXT NOT NULL,
    username_key TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    FOREIGN KEY (org_id, username_key) REFERENCES accounts(org_id, username_key)
);
CREATE INDEX member_sessions_account ON member_sessions(org_id, username_key);

CREATE TABLE sign_in_failures (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until    BIGINT -- refused until then (set by the failure that reached the limit)
);

ALTER TABLE invitation_tokens ADD COLUMN expiry_reported_at BIGINT;
CREATE INDEX invitation_tokens_unreported_expiry ON invitation_tokens(expires_at)
    WHERE revoked_at IS NULL AND used_at IS NULL AND expiry_reported_at IS NULL;
