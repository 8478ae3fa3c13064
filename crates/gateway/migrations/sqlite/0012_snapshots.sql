-- Team mode: the newest snapshot of each organization's directory, from which a newly
-- enrolled computer starts before it reads the change log after `at_seq`.
CREATE TABLE snapshots (
    org_id      TEXT PRIMARY KEY REFERENCES organizations(id),
    at_seq      INTEGER NOT NULL,
    content     BLOB NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
