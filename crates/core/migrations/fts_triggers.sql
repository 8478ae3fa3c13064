-- The triggers that keep members_fts in sync with members. Migration 0002 creates them;
-- bulk loads drop them, insert, recreate them from this file and rebuild the index once.
CREATE TRIGGER members_fts_insert AFTER INSERT ON members BEGIN
    INSERT INTO members_fts (rowid, name, username, email, mobile, employee_id, org_email)
    VALUES (new.id, new.name, new.username, new.email, new.mobile, new.employee_id, new.org_email);
END;
CREATE TRIGGER members_fts_delete AFTER DELETE ON members BEGIN
    INSERT INTO members_fts (members_fts, rowid, name, username, email, mobile, employee_id, org_email)
    VALUES ('delete', old.id, old.name, old.username, old.email, old.mobile, old.employee_id, old.org_email);
END;
CREATE TRIGGER members_fts_update AFTER UPDATE OF name, username, email, mobile, employee_id, org_email ON members BEGIN
    INSERT INTO members_fts (members_fts, rowid, name, username, email, mobile, employee_id, org_email)
    VALUES ('delete', old.id, old.name, old.username, old.email, old.mobile, old.employee_id, old.org_email);
    INSERT INTO members_fts (rowid, name, username, email, mobile, employee_id, org_email)
    VALUES (new.id, new.name, new.username, new.email, new.mobile, new.employee_id, new.org_email);
END;
