-- Which gateway process holds an outbox row's lease. Set when a worker claims the row (before
-- it connects to the mail server) and cleared when the outcome is recorded, so a row whose
-- lease lapsed with an owner still set is one whose last attempt ended with its process: its
-- message may or may not have been accepted, and is sent again with the same Message-ID.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
