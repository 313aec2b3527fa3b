-- The database side of the report cache (report_snapshots; how it is kept fresh is explained in
-- 001_baseline.sql beside its tables): the cache's schema version, change tracking, and storing,
-- looking up and pruning entries.

-- The database side of an entry's schema version: every applied numbered and definition file with
-- its checksum, so that a change to a report function (or a new one) invalidates all entries; and the cluster's system identifier, because transaction ids mean something only in
-- the cluster that issued them: a database restored from pg_dump into another cluster counts its
-- transactions from a lower number, so its new writes would look older than the stored snapshots
-- and be taken as seen by them. (A copy within one cluster, CREATE DATABASE ... TEMPLATE, is
-- safe: the cluster's counter only goes up, so every later write is unseen by every stored snapshot.)
CREATE OR REPLACE FUNCTION report_snapshot_schema_version() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT (SELECT system_identifier FROM pg_control_system())::text || ' '
           || md5(coalesce((SELECT string_agg(version || ':' || checksum, ',' ORDER BY version) FROM schema_migrations), '')
                  || ';' || coalesce((SELECT string_agg(file_name || ':' || checksum, ',' ORDER BY file_name) FROM schema_definitions), ''))
$$;

-- Under a provider (gaptrack.changing_provider, bound for its transaction by the importer and by
-- the service's scoped sessions, which row-level security keeps to that provider's rows), a write
-- to a table of pupils' or a provider's rows is recorded for that provider only
-- (sql/021_shard_ready.sql); anything else (no provider bound, a shared catalogue, TRUNCATE, which
-- empties every provider's rows) for every provider. The table exists from version 21 on; before
-- it (while the numbered files themselves run) no provider is ever bound.
CREATE OR REPLACE FUNCTION gaptrack_record_data_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_provider bigint := nullif(current_setting('gaptrack.changing_provider', true), '')::bigint;
BEGIN
    IF v_provider IS NOT NULL AND TG_OP <> 'TRUNCATE'
       AND EXISTS (SELECT FROM pg_attribute a
                   WHERE a.attrelid = TG_RELID AND a.attname IN ('provider_id', 'student_id') AND NOT a.attisdropped) THEN
        INSERT INTO provider_data_changes (provider_id, xid) VALUES (v_provider, pg_current_xact_id()) ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO data_changes (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION gaptrack_record_data_change() FROM PUBLIC;

-- Attaches the trigger to a table. Called by 002_baseline_protection.sql for every table; a later
-- numbered file that adds a table calls it too (GapTrackReportsTests lists the catalogue and fails for
-- a table without it). ENABLE ALWAYS: it fires under session_replication_role = replica as well
-- (bulk loads that skip the other triggers, logical replication), because a change recorded
-- nowhere would leave a stale report.
CREATE OR REPLACE FUNCTION gaptrack_track_data_changes(target regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS gaptrack_data_changes ON %s', target);
    EXECUTE format('CREATE TRIGGER gaptrack_data_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gaptrack_record_data_change()', target);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER gaptrack_data_changes', target);
END
$$;

-- The protocol, for the report's REPEATABLE READ transaction (one snapshot for the lookup, the
-- computation and the store). p_version is gaptrack's side of the schema version (its format and
-- build). SECURITY INVOKER: a role without privileges on the tables cannot use them.

-- The provider a cache key names (ReportSnapshotCache.Key: "provider N; ..."); NULL for a key that
-- names none, whose entry any provider's change invalidates.
CREATE OR REPLACE FUNCTION report_snapshot_provider(p_key text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT (regexp_match(p_key, '^provider (\d+);'))[1]::bigint
$$;

-- Whether a change the entry's snapshot did not see has been recorded: in data_changes (any
-- provider's), or in provider_data_changes under the entry's own provider. Rows below the
-- snapshot's xmin are visible to it; the indexes skip them. PL/pgSQL, so that the function can be
-- defined before sql/021_shard_ready.sql has made provider_data_changes.
CREATE OR REPLACE FUNCTION report_snapshot_changed_since(p_key text, p_snapshot pg_snapshot) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_provider bigint := report_snapshot_provider(p_key);
BEGIN
    RETURN EXISTS (SELECT FROM data_changes c
                   WHERE c.xid >= pg_snapshot_xmin(p_snapshot) AND NOT pg_visible_in_snapshot(c.xid, p_snapshot))
        OR EXISTS (SELECT FROM provider_data_changes c
                   WHERE (c.provider_id = v_provider OR v_provider IS NULL)
                     AND c.xid >= pg_snapshot_xmin(p_snapshot) AND NOT pg_visible_in_snapshot(c.xid, p_snapshot));
END
$$;

-- The data stored for the key, if the entry is valid in the caller's snapshot: (a), (b) and (c).
CREATE OR REPLACE FUNCTION report_snapshot_lookup(p_key text, p_version text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT s.data
    FROM report_snapshots s, report_snapshot_horizon h
    WHERE s.cache_key = p_key
      AND s.schema_version = p_version || '; ' || report_snapshot_schema_version()
      AND pg_snapshot_xmin(s.snapshot) >= h.pruned_below
      AND NOT report_snapshot_changed_since(s.cache_key, s.snapshot)
$$;

-- Stores (or replaces) the entry with the caller's transaction snapshot. Refused outside
-- REPEATABLE READ or SERIALIZABLE, where the data would have been read in several snapshots.
-- A concurrent report that stored the same key after this one's snapshot makes this fail with a
-- serialization failure (the newer entry stays); gaptrack calls it under a savepoint.
-- p_audience: who the report is for (the column comes with sql/004_report_audience.sql; PL/pgSQL
-- resolves it when called, so this file needs no later version); p_key names it too.
CREATE OR REPLACE FUNCTION report_snapshot_store(p_key text, p_version text, p_data text, p_audience text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('transaction_isolation') NOT IN ('repeatable read', 'serializable') THEN
        RAISE EXCEPTION 'report data can only be stored from a REPEATABLE READ transaction, not %', current_setting('transaction_isolation');
    END IF;
    INSERT INTO report_snapshots (cache_key, schema_version, snapshot, data, audience)
    VALUES (p_key, p_version || '; ' || report_snapshot_schema_version(), pg_current_snapshot(), p_data, p_audience)
    ON CONFLICT (cache_key) DO UPDATE
        SET schema_version = EXCLUDED.schema_version, snapshot = EXCLUDED.snapshot, data = EXCLUDED.data,
            created_at = EXCLUDED.created_at, audience = EXCLUDED.audience;
END
$$;

-- Deletes the entries that can no longer be served (another schema version, below the horizon, or
-- with a change their snapshot did not see), raises the horizon to the least xmin of what is left
-- and of the caller's snapshot, and deletes data_changes rows below it. NOWAIT: a concurrent
-- pruner makes this fail at once instead of waiting (gaptrack calls it under a savepoint; the
-- next store prunes).
CREATE OR REPLACE FUNCTION report_snapshot_prune(p_version text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_horizon xid8;
BEGIN
    SELECT pruned_below INTO STRICT v_horizon FROM report_snapshot_horizon FOR UPDATE NOWAIT;
    DELETE FROM report_snapshots s
    WHERE s.schema_version <> p_version || '; ' || report_snapshot_schema_version()
       OR pg_snapshot_xmin(s.snapshot) < v_horizon
       OR report_snapshot_changed_since(s.cache_key, s.snapshot);
    SELECT greatest(v_horizon, least(min(pg_snapshot_xmin(s.snapshot)), pg_snapshot_xmin(pg_current_snapshot())))
    INTO v_horizon
    FROM report_snapshots s;
    UPDATE report_snapshot_horizon SET pruned_below = v_horizon WHERE pruned_below < v_horizon;
    DELETE FROM data_changes WHERE xid < v_horizon;
    DELETE FROM provider_data_changes WHERE xid < v_horizon;
END
$$;
