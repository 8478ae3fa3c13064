-- Joining through the public join link or the organization code, and bounces reported by
-- the mail provider.

-- One per organization. The link token is kept as its SHA-256, the code as a keyed hash (it
-- has only 40 bits); both also sealed under the pepper so the desktop can be shown them again.
CREATE TABLE join_links (
    org_id            TEXT PRIMARY KEY REFERENCES organizations(id),
    organization_name TEXT NOT NULL,
    approval_required INTEGER NOT NULL,
    required_fields   TEXT NOT NULL, -- wire names joined by commas
    expires_at        INTEGER,
    enabled           INTEGER NOT NULL,
    token_sha256      BLOB NOT NULL UNIQUE,
    sealed_token      BLOB NOT NULL,
    code_hash         BLOB NOT NULL UNIQUE,
    sealed_code       BLOB NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

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
    username_key        TEXT NOT NULL, -- lower-cased, as in accounts
    username            TEXT NOT NULL,
    password_hash       TEXT NOT NULL, -- Argon2id PHC string, for the account on approval
    state               TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    status_token_sha256 BLOB NOT NULL UNIQUE,
    created_at          INTEGER NOT NULL,
    decided_at          INTEGER
) STRICT;
CREATE INDEX join_requests_org ON join_requests(org_id);
-- A pending request holds its username: no second request may take it…
CREATE UNIQUE INDEX join_requests_pending_username
    ON join_requests(org_id, username_key) WHERE state = 'pending';
-- …and no invitation may register it meanwhile (register reports "username taken").
CREATE TRIGGER accounts_username_held_by_join_request
BEFORE INSERT ON accounts
WHEN EXISTS (SELECT 1 FROM join_requests
             WHERE org_id = NEW.org_id AND username_key = NEW.username_key
               AND state = 'pending')
BEGIN
    SELECT RAISE(ABORT, 'username held by a pending join request');
END;

-- Accounts created by an approved join request point at it.
ALTER TABLE accounts ADD COLUMN join_request_id TEXT REFERENCES join_requests(id);

-- Wrong organization codes per client address, for the growing lockout.
CREATE TABLE join_code_failures (
    client          TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    locked_until    INTEGER
) STRICT, WITHOUT ROWID;

-- A bounce names the provider's message id; it is reported once.
ALTER TABLE outbox ADD COLUMN bounced_at INTEGER;
CREATE INDEX outbox_message_id ON outbox(message_id);
