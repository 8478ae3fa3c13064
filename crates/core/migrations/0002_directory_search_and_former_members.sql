-- Search over members (name, username, emails, mobile, employee ID): substring,
-- case- and accent-insensitive, through an FTS5 trigram index kept in sync by triggers.
-- Bulk loads may drop the triggers, insert, and rebuild the index once.
CREATE VIRTUAL TABLE members_fts USING fts5(
    name, username, email, mobile, employee_id, org_email,
    content = 'members', content_rowid = 'id',
    tokenize = 'trigram remove_diacritics 1'
);

CREATE TRIGGER members_fts_insert AFTER INSERT ON members BEGIN
    INSERT INTO members_fts (rowid, name, username, email, mobile, employee_id, org_email)
    VALUES (new.id, new.name, new.username, new.email, new.mobile, new.employee_id, new.org_email);
END;
CREATE TRIGGER members_fts_delete AFTER DELETE ON members BEGIN
    INSERT INTO members_fts (members_fts, rowid, name, username, email, mobile, employee_id, org_email)
    VALUES ('delete', old.id, old.name, old.username, old.email, old.mobile, old.employee_id, old.org_email);
END;
CREATE TRIGGER members_fts_update AFTER UPDATE OF name, username, email, mobile, employee_id, org_email ON members BEGIN
    INSERT INTO members_fts (members_fts, rowid, name, username, email, mobile, employee_id, org_email)
    VALUES ('delete', old.id, old.name, old.username, old.email, old.mobile, old.employee_id, old.org_email);
    INSERT INTO members_fts (rowid, name, username, email, mobile, employee_id, org_email)
    VALUES (new.id, new.name, new.username, new.email, new.mobile, new.employee_id, new.org_email);
END;
INSERT INTO members_fts (members_fts) VALUES ('rebuild');

-- The list is sorted by name; a folded sort key keeps that an index walk.
ALTER TABLE members ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE members SET name_key = lower(name);
CREATE INDEX members_name_key ON members (name_key, id);
-- The searchable fields, case- and accent-folded by the core when a member is written; one-
-- and two-character queries (too short for trigrams) scan this column.
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
