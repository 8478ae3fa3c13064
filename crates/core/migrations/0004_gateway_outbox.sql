-- Changes the gateway must hear about besides invitations: a joined member's account state
-- (so that a disabled, resigned or removed member can no longer sign in on the gateway), and
-- the admin's decision on a join request.
-- Written by triggers, so every path that changes a status (one member, a batch, an import,
-- a removal) queues it in the same transaction. The sync worker delivers and deletes them.

CREATE TABLE gateway_outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('account_state', 'join_decision')),
    -- The username (account_state) or the gateway's join request id (join_decision).
    target          TEXT    NOT NULL,
    -- enabled | disabled | removed (account_state); approved | rejected (join_decision)
    value           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX gateway_outbox_due ON gateway_outbox (next_attempt_at);

CREATE TRIGGER members_status_to_gateway
AFTER UPDATE OF status ON members
WHEN NEW.username IS NOT NULL AND OLD.status IS NOT NEW.status AND NEW.status <> 'not_joined'
BEGIN
    DELETE FROM gateway_outbox WHERE kind = 'account_state' AND target = NEW.username;
    INSERT INTO gateway_outbox (kind, target, value)
    VALUES ('account_state', NEW.username,
            CASE NEW.status WHEN 'enabled' THEN 'enabled' ELSE 'disabled' END);
END;

CREATE TRIGGER members_removed_to_gateway
AFTER DELETE ON members
WHEN OLD.username IS NOT NULL
BEGIN
    DELETE FROM gateway_outbox WHERE kind = 'account_state' AND target = OLD.username;
    INSERT INTO gateway_outbox (kind, target, value)
    VALUES ('account_state', OLD.username, 'removed');
END;
