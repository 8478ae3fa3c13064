-- People who asked to join through the public join link or the organization code. The
-- request is kept until an admin decides; approving creates the member (Enabled, in the root
-- department) with the username and password hash they chose on the gateway.

CREATE TABLE join_requests (
    id            INTEGER PRIMARY KEY,
    gateway_id    TEXT    NOT NULL UNIQUE,
    via           TEXT    NOT NULL CHECK (via IN ('link', 'code')),
    name          TEXT    NOT NULL,
    email         TEXT,
    mobile        TEXT,
    employee_id   TEXT,
    work_location TEXT,
    username      TEXT    NOT NULL,
    password_hash TEXT,
    state         TEXT    NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    -- Why it could not be approved as is, or was turned down automatically.
    problem       TEXT,
    member_id     INTEGER REFERENCES members(id) ON DELETE SET NULL,
    requested_at  INTEGER NOT NULL,
    decided_at    INTEGER,
    decided_by    TEXT
);
CREATE INDEX join_requests_state ON join_requests (state, requested_at);
