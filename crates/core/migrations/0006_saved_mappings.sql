-- Column mappings an admin saved to import another system's spreadsheet again (a Google
-- Workspace user export, a Microsoft 365 bulk-add file …): for each Orgdesk field, the
-- file's headers it is read from, as JSON. Names are unique, case-insensitively.
CREATE TABLE saved_mappings (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    name_key     TEXT    NOT NULL UNIQUE,
    mapping_json TEXT    NOT NULL,
    created_by   INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
