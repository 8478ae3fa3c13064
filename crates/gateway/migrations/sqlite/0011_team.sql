-- Team mode: the computers (devices) of the admins who run one directory together, the
-- one-time codes that enroll them, and the organization's change log.

-- A device's credential is `dev_<id>.<secret>`; only the secret's SHA-256 is kept.
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    account_id    TEXT NOT NULL,
    name          TEXT NOT NULL,
    token_sha256  BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER,
    revoked_at    INTEGER
) STRICT;
CREATE INDEX devices_org ON devices(org_id, created_at);

-- A code is kept as its SHA-256 only (140 random bits need no pepper); used once, and voided
-- by a newer code for the same account.
CREATE TABLE enrollment_codes (
    code_sha256  BLOB PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    account_id   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,
    voided_at    INTEGER
) STRICT;
CREATE INDEX enrollment_codes_account ON enrollment_codes(org_id, account_id);

-- The last sequence number given in each organization's change log. Appends update it in
-- their transaction, so they are ordered by it and numbers have no gaps.
CREATE TABLE change_counters (
    org_id    TEXT PRIMARY KEY REFERENCES organizations(id),
    last_seq  INTEGER NOT NULL
) STRICT;

CREATE TABLE changes (
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    seq         INTEGER NOT NULL,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    change_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    at          INTEGER NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (org_id, seq),
    UNIQUE (device_id, change_id)
) STRICT;
