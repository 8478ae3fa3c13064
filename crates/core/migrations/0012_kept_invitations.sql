-- A gateway that keeps its mail in a folder (the built-in one on this computer) reports an
-- invitation "delivered" into that folder: nobody received it. Such an invitation is shown
-- as kept, not delivered, and its message is found in the folder by this Message-ID.
ALTER TABLE invitations ADD COLUMN kept_message_id TEXT;
