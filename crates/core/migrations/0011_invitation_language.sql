-- Each invitation's language (en or zh-CN): the mail, the text message and the invitee's
-- pages use it. Chosen per invitation, else the organization's invitation language when it
-- was written; NULL for invitations written before, which take the organization's language
-- when they are next sent.
ALTER TABLE invitations ADD COLUMN locale TEXT;
