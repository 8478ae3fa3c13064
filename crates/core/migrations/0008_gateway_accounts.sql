-- One identity per person: members are bound to their gateway account by the account's id,
-- never by a username someone else can choose; and the gateway mirrors the directory's
-- usernames so that nobody can register or join under one the directory already uses.

-- The gateway account a member is bound to (set when their registration or join is applied).
ALTER TABLE members ADD COLUMN gateway_account_id TEXT;
CREATE UNIQUE INDEX members_gateway_account ON members (gateway_account_id)
    WHERE gateway_account_id IS NOT NULL;

-- The account a join request's person gets if let in (named by the gateway at request time).
ALTER TABLE join_requests ADD COLUMN account_id TEXT;

-- What the gateway was last told about each member who has a username: the sync worker
-- compares it with the members table and sends what differs (a new member, a new password,
-- a status change, a removal), so every path that changes a member — one edit, a batch, an
-- import, the command line — reaches the gateway without being listed anywhere.
-- No foreign key: a removed member's row is kept until the gateway has heard "removed".
CREATE TABLE gateway_accounts (
    member_id     INTEGER PRIMARY KEY,
    account_id    TEXT,
    username      TEXT    NOT NULL,
    password_hash TEXT,
    state         TEXT    NOT NULL CHECK (state IN ('enabled', 'disabled', 'removed')),
    name          TEXT    NOT NULL,
    email         TEXT,
    mobile        TEXT
);

-- Registrations and joins the gateway let through but the directory would not take: the
-- gateway is told to remove the account and tell the person why.
CREATE TABLE gateway_refusals (
    account_id      TEXT    PRIMARY KEY,
    reason          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);

-- Account state now travels with the mirror above, by account id; the username-keyed queue
-- is no longer fed.
DROP TRIGGER members_status_to_gateway;
DROP TRIGGER members_removed_to_gateway;
DELETE FROM gateway_outbox WHERE kind = 'account_state';
