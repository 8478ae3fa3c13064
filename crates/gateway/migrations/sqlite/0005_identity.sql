-- One identity per person: every account carries a stable, random id that the directory binds
-- its member to, so that events are applied by id and never by username. The directory can
-- also mirror its own usernames (origin 'directory') and refuse an account it would not take.

-- Existing accounts get a random id now; every account made from here on gets a fresh one.
ALTER TABLE accounts ADD COLUMN account_id TEXT;
UPDATE accounts SET account_id = 'acc_' || lower(hex(randomblob(16)));
CREATE UNIQUE INDEX accounts_account_id ON accounts(account_id);
-- 'registered': made by an invitation or a join request; 'directory': mirrored from the
-- directory, which owns it.
ALTER TABLE accounts ADD COLUMN origin TEXT NOT NULL DEFAULT 'registered'
    CHECK (origin IN ('registered', 'directory'));
-- Why the directory would not take this account (shown to the person once they prove who
-- they are). An empty password_hash ('') marks an account that only reserves its username:
-- nobody can sign in with it and no reset link is made for it.
ALTER TABLE accounts ADD COLUMN refused_reason TEXT;

-- A join request names the account it gives (made at once or on approval).
ALTER TABLE join_requests ADD COLUMN account_id TEXT;
UPDATE join_requests SET account_id = (
    SELECT a.account_id FROM accounts a
    WHERE a.org_id = join_requests.org_id AND a.join_request_id = join_requests.id);
UPDATE join_requests SET account_id = 'acc_' || lower(hex(randomblob(16)))
    WHERE account_id IS NULL;
CREATE UNIQUE INDEX join_requests_account_id ON join_requests(account_id);
ALTER TABLE join_requests ADD COLUMN refused_reason TEXT;
