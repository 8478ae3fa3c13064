-- The directory of one organization: its department tree, members, positions, roles and audit log.
-- Times are milliseconds since the Unix epoch (UTC). Keys ending in _key are the case-folded,
-- trimmed form used for uniqueness and look-ups.

CREATE TABLE departments (
    id            INTEGER PRIMARY KEY,
    parent_id     INTEGER REFERENCES departments(id),
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    name_key      TEXT    NOT NULL,
    sort_order    INTEGER NOT NULL DEFAULT 0,
    head_member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL
);
-- Sibling names are unique; the root (parent NULL) is unique by the organization row.
CREATE UNIQUE INDEX departments_sibling_name ON departments (ifnull(parent_id, 0), name_key);
CREATE INDEX departments_parent ON departments (parent_id, sort_order);

CREATE TABLE members (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    username        TEXT,
    username_key    TEXT UNIQUE,
    password_hash   TEXT,
    email           TEXT,
    email_key       TEXT UNIQUE,
    mobile          TEXT UNIQUE,
    employee_id     TEXT,
    employee_id_key TEXT UNIQUE,
    work_location   TEXT,
    org_email       TEXT,
    status          TEXT    NOT NULL CHECK (status IN
                        ('not_joined', 'pending_approval', 'rejected', 'enabled', 'disabled', 'resigned')),
    created_by      INTEGER REFERENCES members(id),
    created_at      INTEGER NOT NULL,
    activated_at    INTEGER,
    last_login_at   INTEGER,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX members_status ON members (status);

CREATE TABLE positions (
    member_id     INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    title         TEXT,
    is_primary    INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    sort_order    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (member_id, department_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX positions_one_primary ON positions (member_id) WHERE is_primary = 1;
CREATE INDEX positions_department ON positions (department_id, member_id);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    builtin     TEXT UNIQUE CHECK (builtin IN ('super_admin', 'admin', 'member'))
);
INSERT INTO roles (name, name_key, description, builtin) VALUES
    ('Super Admin', 'super admin', 'Full control of the organization, its admins and its settings', 'super_admin'),
    ('Admin', 'admin', 'Manages departments, members and invitations', 'admin'),
    ('Member', 'member', 'A member of the organization without admin rights', 'member');

CREATE TABLE member_roles (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    role_id   INTEGER NOT NULL REFERENCES roles(id),
    PRIMARY KEY (member_id, role_id)
) WITHOUT ROWID;

-- Exactly one organization per database.
CREATE TABLE organization (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    code               TEXT    NOT NULL UNIQUE,
    root_department_id INTEGER NOT NULL UNIQUE REFERENCES departments(id),
    initial_admin_id   INTEGER NOT NULL REFERENCES members(id),
    created_at         INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER REFERENCES members(id) ON DELETE SET NULL,
    actor_name  TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target_type TEXT    NOT NULL,
    target_id   INTEGER,
    target_name TEXT,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, at);

-- Failed sign-ins per username key, for the growing delay after repeated failures.
CREATE TABLE sign_in_failures (
    username_key TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_at      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
