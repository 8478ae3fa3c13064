-- Invitations sent through the gateway. The row is written first (state 'queued', with the
-- work the gateway still has to do in pending_action) and the sync worker carries it out,
-- so an invitation an admin sends is never lost when the gateway or the network is down.

CREATE TABLE invitations (
    id              INTEGER PRIMARY KEY,
    member_id       INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    channel         TEXT    NOT NULL CHECK (channel IN ('email', 'sms', 'link')),
    recipient       TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'sent', 'delivered', 'opened',
                        'failed', 'registered', 'declined', 'expired', 'cancelled')),
    -- Sent with every create so that a retried request never sends twice.
    idempotency_key TEXT    NOT NULL UNIQUE,
    -- The gateway's id once it accepted the invitation.
    gateway_id      TEXT    UNIQUE,
    link            TEXT,
    expires_at      INTEGER,
    invited_by      INTEGER REFERENCES members(id) ON DELETE SET NULL,
    inviter_name    TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- What the gateway still has to be told, if anything.
    pending_action  TEXT    CHECK (pending_action IN ('create', 'resend', 'cancel')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX invitations_member ON invitations (member_id, created_at);
CREATE INDEX invitations_state ON invitations (state, created_at);
CREATE INDEX invitations_due ON invitations (next_attempt_at) WHERE pending_action IS NOT NULL;
