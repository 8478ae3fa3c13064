-- Join decision mail: the same change as migrations/sqlite/0010_join_decision_mail.sql.
-- PostgreSQL changes the checks in place, so the outbox keeps its rows as they are.
ALTER TABLE join_requests ADD COLUMN locale TEXT;

ALTER TABLE outbox ADD COLUMN join_request_id TEXT REFERENCES join_requests(id);
ALTER TABLE outbox ADD COLUMN join_approved BOOLEAN;
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
    CHECK (kind IN ('invitation', 'password_reset', 'join_decision'));
ALTER TABLE outbox DROP CONSTRAINT outbox_one_subject;
ALTER TABLE outbox ADD CONSTRAINT outbox_one_subject CHECK (
    ((kind = 'invitation') = (invitation_id IS NOT NULL))
    AND ((kind = 'password_reset') = (reset_id IS NOT NULL))
    AND ((kind = 'join_decision') = (join_request_id IS NOT NULL))
    AND ((kind = 'join_decision') = (join_approved IS NOT NULL)));
CREATE INDEX outbox_join_request ON outbox(join_request_id);
