-- Every committed import, with who ran it and what it did. Previews are not recorded. The
-- daily import quota counts these rows (per admin, per UTC day); they are also the import
-- history. The counts are kept because the audit log has one entry per member, not per import.
CREATE TABLE imports (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER REFERENCES members(id) ON DELETE SET NULL,
    actor_name TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    created    INTEGER NOT NULL,
    updated    INTEGER NOT NULL,
    unchanged  INTEGER NOT NULL,
    failed     INTEGER NOT NULL
);
CREATE INDEX imports_actor_at ON imports (actor_id, at);
