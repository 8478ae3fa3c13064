-- Joining through the public join link or the organization code, and bounces reported by
-- the mail provider: the same tables as migrations/sqlite/0004_join.sql.

CREATE TABLE join_links (
    org_id            TEXT PRIMARY KEY REFERENCES organizations(id),
    organization_name TEXT NOT NULL,
    approval_required BOOLEAN NOT NULL,
    required_fields   TEXT NOT NULL,
    expires_at        BIGINT,
    enabled           BOOLEAN NOT NULL,
    token_sha256      BYTEA NOT NULL UNIQUE,
    sealed_token      BYTEA NOT NULL,
    code_hash         BYTEA NOT NULL UNIQUE,
    sealed_code       BYTEA NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE join_requests (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations(id),
    via                 TEXT NOT NULL CHECK (via IN ('link', 'code')),
    organization_name   TEXT NOT NULL,
    name                TEXT NOT NULL,
    email               TEXT,
    mobile              TEXT,
    employee_id         TEXT,
    work_location       TEXT,
    username_key        TEXT NOT NULL,
    username            TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    status_token_sha256 BYTEA NOT NULL UNIQUE,
    created_at          BIGINT NOT NULL,
    decided_at          BIGINT
);
CREATE INDEX join_requests_org ON join_requests(org_id);
CREATE UNIQUE INDEX join_requests_pending_username
    ON join_requests(org_id, username_key) WHERE state = 'pending';

-- A pending request holds its username against registrations through invitations too. The
-- advisory lock is the one join requests take on the same username, so the two checks never
-- pass side by side; skipping the row makes register report "username taken".
CREATE FUNCTION accounts_username_held_by_join_request() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(
        hashtextextended('join-username:' || NEW.org_id || ':' || NEW.username_key, 0));
    IF EXISTS (SELECT 1 FROM join_requests
               WHERE org_id = NEW.org_id AND username_key = NEW.username_key
                 AND state = 'pending') THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER accounts_username_held_by_join_request
    BEFORE INSERT ON accounts
    FOR EACH ROW EXECUTE FUNCTION accounts_username_held_by_join_request();

ALTER TABLE accounts ADD COLUMN join_request_id TEXT REFERENCES join_requests(id);

CREATE TABLE join_code_failures (
    client          TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until    BIGINT
);

ALTER TABLE outbox ADD COLUMN bounced_at BIGINT;
CREATE INDEX outbox_message_id ON outbox(message_id);
