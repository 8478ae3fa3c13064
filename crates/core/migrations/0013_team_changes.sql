-- Team mode: the organization's change log as this directory applies it.

-- How far the log has been applied: the seq of the last change applied or refused (0: none).
CREATE TABLE team_cursor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    applied_seq INTEGER NOT NULL
);
INSERT INTO team_cursor (id, applied_seq) VALUES (1, 0);

-- Changes of the log that were refused, the same on every computer that applied the log;
-- `mine` marks the ones this computer sent, which its admins are shown.
CREATE TABLE team_refusals (
    seq         INTEGER PRIMARY KEY,
    change_id   TEXT    NOT NULL,
    device_id   TEXT    NOT NULL,
    account_id  TEXT    NOT NULL,
    author_id   INTEGER,
    author_name TEXT,
    what        TEXT    NOT NULL,
    field       TEXT,
    reason      TEXT    NOT NULL,
    logged_at   INTEGER NOT NULL,
    mine        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX team_refusals_mine ON team_refusals (mine, seq);

-- This computer's own commands, waiting to be sent to the log and to come back from it.
CREATE TABLE team_pending (
    position  INTEGER PRIMARY KEY,
    change_id TEXT    NOT NULL UNIQUE,
    author_id INTEGER NOT NULL,
    queued_at INTEGER NOT NULL,
    body      TEXT    NOT NULL
);

-- Which change of the log wrote a history entry, and from which computer.
ALTER TABLE audit_log ADD COLUMN team_seq INTEGER;
ALTER TABLE audit_log ADD COLUMN team_device_id TEXT;

-- Member and department ids are never given twice: a change made before a removal names the
-- removed one by id, and must not reach someone added after it under the same id. A new row
-- takes one above the largest id its table holds or ever held (kept here once deleted).
CREATE TABLE id_floors (
    name TEXT PRIMARY KEY,
    id   INTEGER NOT NULL
);
-- Members removed before this version are remembered by their former-member rows.
INSERT INTO id_floors (name, id)
SELECT 'members', max(member_id) FROM former_members WHERE member_id IS NOT NULL
HAVING max(member_id) IS NOT NULL;
CREATE TRIGGER members_id_floor AFTER DELETE ON members BEGIN
    INSERT INTO id_floors (name, id) VALUES ('members', OLD.id)
    ON CONFLICT (name) DO UPDATE SET id = max(id, excluded.id);
END;
CREATE TRIGGER departments_id_floor AFTER DELETE ON departments BEGIN
    INSERT INTO id_floors (name, id) VALUES ('departments', OLD.id)
    ON CONFLICT (name) DO UPDATE SET id = max(id, excluded.id);
END;
