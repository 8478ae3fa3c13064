-- Team mode: devices are listed in the order they were made. Their creation time is in
-- seconds, so devices made within one second tie; each row also takes the next number of
-- an identity sequence as it is inserted, which breaks the tie (rows already there are
-- numbered as they are read). SQLite's store orders by the rowid, which follows insertion
-- the same way, so it needs no migration.
ALTER TABLE devices ADD COLUMN created_order BIGINT GENERATED ALWAYS AS IDENTITY;
DROP INDEX devices_org;
CREATE INDEX devices_org ON devices(org_id, created_at, created_order);
