-- The report cache's change log by table family (docs/scaling.md, "The report cache invalidated
-- per provider and table family"): a cached report is stored in parts, each under a key naming
-- the families of tables it reads (pupils, assessments, attendance, support), and a recorded
-- change makes stale only the parts whose key names its family. What a write's family is:
-- gaptrack_data_family in sql/functions/report_snapshots.sql; a change of the family 'other'
-- (a table no family names) still makes every part of the provider's reports stale.
-- Rows recorded before this file are of the family 'other'.
ALTER TABLE provider_data_changes ADD COLUMN family text NOT NULL DEFAULT 'other'
    CONSTRAINT provider_data_changes_family_known CHECK (family IN ('pupils', 'assessments', 'attendance', 'support', 'imports', 'other'));
ALTER TABLE provider_data_changes ALTER COLUMN family DROP DEFAULT;

-- A lookup asks for one provider's changes of a few families since a snapshot's xmin.
ALTER TABLE provider_data_changes DROP CONSTRAINT provider_data_changes_pkey;
ALTER TABLE provider_data_changes ADD PRIMARY KEY (provider_id, family, xid);

COMMENT ON TABLE provider_data_changes IS
    'One row per transaction, provider and table family whose rows it wrote in a table reports read: what invalidates that provider''s report_snapshots of that family. Pruned with data_changes.';
