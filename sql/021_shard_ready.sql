-- The report cache's change log by provider (docs/scaling.md, "Many schools on one deployment"):
-- a transaction that writes one provider's rows of a table reports read, and says so by binding
-- gaptrack.changing_provider (the importer and the service's scoped transactions do), records
-- its id here under that provider instead of in data_changes; a cached report of another provider
-- then stays valid. Changes with no provider bound, or to a shared catalogue, or TRUNCATE, still
-- go to data_changes and invalidate every entry (sql/functions/report_snapshots.sql).
-- Keyed by provider first, as every provider-owned table is (docs/scaling.md, shard-ready keys).
CREATE TABLE provider_data_changes (
    provider_id  bigint NOT NULL,
    xid          xid8 NOT NULL,
    PRIMARY KEY (provider_id, xid)
);

COMMENT ON TABLE provider_data_changes IS
    'One row per transaction and provider whose rows it wrote in a table reports read: what invalidates that provider''s report_snapshots. Pruned with data_changes.';

REVOKE ALL ON provider_data_changes FROM PUBLIC;
