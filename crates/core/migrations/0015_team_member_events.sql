-- Team mode: the gateway's member events the change log has taken, one row an event id,
-- the same on every computer that applied the log (and carried by the snapshot); no part of
-- the checksum. A row without an event was applied; one with an event is a registration the
-- log placed before the gateway's id of its invitation was told (`invitation.linked`),
-- waiting for it: `waiting_for` is that id, `event` the event as the gateway sent it (JSON),
-- `parked_seq` the log position of the `member.event` change that parked it, and `mine`
-- whether that change was this computer's own (which alone tells the gateway of a refusal).
CREATE TABLE team_member_events (
    event_id    TEXT    PRIMARY KEY,
    waiting_for TEXT,
    event       TEXT,
    parked_seq  INTEGER,
    mine        INTEGER NOT NULL DEFAULT 0 CHECK (mine IN (0, 1)),
    CHECK ((waiting_for IS NULL) = (event IS NULL)
           AND (event IS NULL) = (parked_seq IS NULL))
);
CREATE INDEX team_member_events_waiting ON team_member_events (waiting_for, parked_seq)
    WHERE waiting_for IS NOT NULL;

-- Until this version the ids applied were settings rows `team_member_event:<id>`.
INSERT OR IGNORE INTO team_member_events (event_id)
SELECT substr(key, 19) FROM settings
WHERE substr(key, 1, 18) = 'team_member_event:' AND length(key) > 18;
DELETE FROM settings WHERE substr(key, 1, 18) = 'team_member_event:';

-- Whether the team's log has told the gateway's id of an invitation written from it
-- (`invitation.send`): 0 until an `invitation.linked` naming it is applied, 1 after. Null for
-- an invitation made outside a team's log, whose gateway id is this directory's own word. A
-- registration through an invitation whose id the log has not told waits for it, on the
-- computer that sent the invitation (which heard the id from the gateway first) as on the
-- others.
ALTER TABLE invitations ADD COLUMN linked_in_log INTEGER CHECK (linked_in_log IN (0, 1));
