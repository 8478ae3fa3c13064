-- Join decision mail: a person who gave an email when asking to join is told how the
-- organization decided (approved: how to sign in; rejected: a short note). Join requests now
-- keep the language of the page the person used (NULL for requests made before: English).
ALTER TABLE join_requests ADD COLUMN locale TEXT;

-- The outbox carries a third kind of message, `join_decision`, naming the request and the
-- decision it tells (`join_approved`). Its `sealed_token` is empty: the message carries no
-- secret link. SQLite cannot change a CHECK in place, so the table is rebuilt with the same
-- rows and ids.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL DEFAULT 'invitation'
                    CHECK (kind IN ('invitation', 'password_reset', 'join_decision')),
    invitation_id   TEXT REFERENCES invitations(id),
    reset_id        TEXT REFERENCES password_resets(id),
    join_request_id TEXT REFERENCES join_requests(id),
    join_approved   INTEGER,
    sealed_token    BLOB NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'failed', 'cancelled', 'superseded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    message_id      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    bounced_at      INTEGER,
    lease_owner     TEXT,
    CHECK ((kind = 'invitation') = (invitation_id IS NOT NULL)),
    CHECK ((kind = 'password_reset') = (reset_id IS NOT NULL)),
    CHECK ((kind = 'join_decision') = (join_request_id IS NOT NULL)),
    CHECK ((kind = 'join_decision') = (join_approved IS NOT NULL))
) STRICT;
INSERT INTO outbox_new (id, kind, invitation_id, reset_id, sealed_token, state, attempts,
    next_attempt_at, lease_until, last_error, message_id, created_at, sent_at, bounced_at,
    lease_owner)
SELECT id, kind, invitation_id, reset_id, sealed_token, state, attempts, next_attempt_at,
    lease_until, last_error, message_id, created_at, sent_at, bounced_at, lease_owner
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_reset ON outbox(reset_id);
CREATE INDEX outbox_message_id ON outbox(message_id);
CREATE INDEX outbox_join_request ON outbox(join_request_id);
