-- One identity per person: the same columns as migrations/sqlite/0005_identity.sql.

ALTER TABLE accounts ADD COLUMN account_id TEXT;
UPDATE accounts SET account_id = 'acc_' || replace(gen_random_uuid()::text, '-', '');
ALTER TABLE accounts ALTER COLUMN account_id SET NOT NULL;
CREATE UNIQUE INDEX accounts_account_id ON accounts(account_id);
ALTER TABLE accounts ADD COLUMN origin TEXT NOT NULL DEFAULT 'registered'
    CHECK (origin IN ('registered', 'directory'));
-- An empty password_hash ('') marks an account that only reserves its username.
ALTER TABLE accounts ADD COLUMN refused_reason TEXT;

ALTER TABLE join_requests ADD COLUMN account_id TEXT;
UPDATE join_requests j SET account_id = a.account_id
    FROM accounts a WHERE a.org_id = j.org_id AND a.join_request_id = j.id;
UPDATE join_requests SET account_id = 'acc_' || replace(gen_random_uuid()::text, '-', '')
    WHERE account_id IS NULL;
ALTER TABLE join_requests ALTER COLUMN account_id SET NOT NULL;
CREATE UNIQUE INDEX join_requests_account_id ON join_requests(account_id);
ALTER TABLE join_requests ADD COLUMN refused_reason TEXT;
