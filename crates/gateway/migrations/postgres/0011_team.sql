-- Team mode: the computers (devices) of the admins who run one directory together, the
-- one-time codes that enroll them, and the organization's change log.

-- A device's credential is `dev_<id>.<secret>`; only the secret's SHA-256 is kept.
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    account_id    TEXT NOT NULL,
    name          TEXT NOT NULL,
    token_sha256  BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX devices_org ON devices(org_id, created_at);

-- A code is kept as its SHA-256 only (140 random bits need no pepper); used once, and voided
-- by a newer code for the same account.
CREATE TABLE enrollment_codes (
    code_sha256  BYTEA PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    account_id   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    voided_at    BIGINT
);
CREATE INDEX enrollment_codes_account ON enrollment_codes(org_id, account_id);

-- The last sequence number given in each organization's change log. Appends update it in
-- their transaction, so they are ordered by it and numbers have no gaps.
CREATE TABLE change_counters (
    org_id    TEXT PRIMARY KEY REFERENCES organizations(id),
    last_seq  BIGINT NOT NULL
);

CREATE TABLE changes (
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    seq         BIGINT NOT NULL,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    change_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    at          BIGINT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (org_id, seq),
    UNIQUE (device_id, change_id)
);
