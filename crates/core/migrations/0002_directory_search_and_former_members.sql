-- The list is sorted by name; a folded sort key keeps that an index walk.
ALTER TABLE members ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE members SET name_key = lower(name);
CREATE INDEX members_name_key ON members (name_key, id);
-- The searchable fields (name, username, emails, mobile, employee ID), case- and
-- accent-folded by the core whenever a member is written. The core's in-memory member
-- index scans these; SQLite keeps them so the index rebuilds without refolding.
ALTER TABLE members ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE members SET search_text = lower(name || ' ' || ifnull(username, ''));

-- People who were removed stay reachable as contacts, so they can be invited again.
CREATE TABLE former_members (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    username      TEXT,
    email         TEXT,
    mobile        TEXT,
    employee_id   TEXT,
    removed_at    INTEGER NOT NULL,
    removed_by    TEXT    NOT NULL,
    transferred_to INTEGER REFERENCES members(id) ON DELETE SET NULL
);

-- Settings the directory reads: the default region for mobile numbers without a "+".
INSERT OR IGNORE INTO settings (key, value) VALUES ('default_region', 'US');
