-- The desktop named the invitation's language (`locale`): its pages open in it too (their
-- language switch still offers the other). Invitations created without one keep `en` for
-- their message and their pages follow the reader's browser, as before.
ALTER TABLE invitations ADD COLUMN locale_chosen INTEGER NOT NULL DEFAULT 0;
