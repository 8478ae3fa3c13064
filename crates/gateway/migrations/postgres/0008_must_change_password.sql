-- An admin set this member's password in the directory and asked for a new one: their own
-- page asks them to choose one before anything else. Cleared when they do (on their page or
-- through a reset link).
ALTER TABLE accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
