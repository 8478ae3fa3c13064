-- An admin who sets a member's password may ask them to choose their own at the next sign-in,
-- in the console or on their own page on the gateway (which hears of it through the account
-- mirror). Cleared when they choose one.
ALTER TABLE members ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gateway_accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
