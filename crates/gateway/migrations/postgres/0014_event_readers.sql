-- The event feed is every reader's: each device of an organization, and the organization's
-- API token (reader `org`), acknowledges for itself, and an event is deleted only once every
-- reader that holds events back has acknowledged past it (docs/gateway.md, "The event feed").
CREATE TABLE event_readers (
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    reader       TEXT NOT NULL,
    acked_up_to  BIGINT NOT NULL,
    acked_at     BIGINT NOT NULL,
    PRIMARY KEY (org_id, reader)
);
