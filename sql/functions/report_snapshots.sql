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

-- The family of tables a table belongs to, for the report cache's parts (docs/scaling.md, "The
-- report cache invalidated per provider and table family"): each part of a cached report is
-- stored under a key naming the families it reads (ReportSnapshotCache.Part), and a change
-- invalidates only the parts whose key names its family. 'imports' (the ledger and its journal)
-- is read by no part: a report reads its data cut afresh every time. Every table not named here
-- is 'other', which every part counts, so a table added without a family here can never leave a
-- stale report, only a slower one. Attendance's term tables are named after attendance_marks
-- (attendance_term_tables.sql).
CREATE OR REPLACE FUNCTION gaptrack_data_family(p_table regclass) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN c.relname IN ('students', 'student_markers', 'enrolments', 'student_groups', 'student_group_members',
                           'student_census_facts') THEN 'pupils'
        WHEN c.relname IN ('assessment_points', 'assessment_results') THEN 'assessments'
        WHEN c.relname = 'attendance_mark_history' OR c.relname = 'attendance_marks' OR c.relname LIKE 'attendance\_marks\_%' THEN 'attendance'
        WHEN c.relname IN ('support_records', 'support_reviews', 'support_applications', 'provider_support_types',
                           'provider_funding_sources') THEN 'support'
        WHEN c.relname IN ('imports', 'import_changes') THEN 'imports'
        ELSE 'other'
    END
    FROM pg_class c WHERE c.oid = p_table
$$;

-- Records that the current transaction changed rows of p_table. Under a provider
-- (gaptrack.changing_provider, bound for its transaction by the importer and by the service's
-- scoped sessions, which row-level security keeps to that provider's rows), a write to a table of
-- pupils' or a provider's rows is recorded for that provider and the table's family only
-- (sql/021_shard_ready.sql, sql/030_report_cache_families.sql); anything else (no provider bound,
-- a shared catalogue, a change of the whole table such as TRUNCATE, which empties every
-- provider's rows) for every provider. The table exists from version 21 on, its family from 30;
-- before them (while the numbered files themselves run) no provider is ever bound.
CREATE OR REPLACE FUNCTION gaptrack_note_data_change(p_table regclass, p_whole_table boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_provider bigint := nullif(current_setting('gaptrack.changing_provider', true), '')::bigint;
BEGIN
    IF v_provider IS NOT NULL AND NOT p_whole_table
       AND EXISTS (SELECT FROM pg_attribute a
                   WHERE a.attrelid = p_table AND a.attname IN ('provider_id', 'student_id') AND NOT a.attisdropped) THEN
        INSERT INTO provider_data_changes (provider_id, family, xid)
        VALUES (v_provider, gaptrack_data_family(p_table), pg_current_xact_id()) ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO data_changes (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    END IF;
END
$$;
-- Called by the trigger below and, for rows loaded where no trigger sees them (an attendance term
-- bulk-loaded by COPY into a table attached afterwards), by the importer itself, as the schema
-- owner that alone bulk-loads.
REVOKE ALL ON FUNCTION gaptrack_note_data_change(regclass, boolean) FROM PUBLIC;

CREATE OR REPLACE FUNCTION gaptrack_record_data_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM gaptrack_note_data_change(TG_RELID, TG_OP = 'TRUNCATE');
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

-- The table families a cache key names (ReportSnapshotCache.Key: "...; families a,b" at its end);
-- NULL for a key that names none, whose entry a change of any family invalidates.
CREATE OR REPLACE FUNCTION report_snapshot_families(p_key text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_to_array((regexp_match(p_key, '; families ([a-z,]+)$'))[1], ',')
$$;

-- The report a part's key belongs to: the key without its part and families.
CREATE OR REPLACE FUNCTION report_snapshot_report(p_key text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT regexp_replace(p_key, '; part [a-z ]+; families [a-z,]+$', '')
$$;

-- Whether a change the entry's snapshot did not see has been recorded: in data_changes (any
-- provider's), or in provider_data_changes under the entry's own provider and of a family its key
-- names or of 'other'. Rows below the snapshot's xmin are visible to it; the indexes skip them.
-- PL/pgSQL, so that the function can be defined before sql/021_shard_ready.sql has made
-- provider_data_changes (and sql/030_report_cache_families.sql its family).
CREATE OR REPLACE FUNCTION report_snapshot_changed_since(p_key text, p_snapshot pg_snapshot) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_provider bigint := report_snapshot_provider(p_key);
    v_families text[] := report_snapshot_families(p_key);
BEGIN
    RETURN EXISTS (SELECT FROM data_changes c
                   WHERE c.xid >= pg_snapshot_xmin(p_snapshot) AND NOT pg_visible_in_snapshot(c.xid, p_snapshot))
        OR EXISTS (SELECT FROM provider_data_changes c
                   WHERE (c.provider_id = v_provider OR v_provider IS NULL)
                     AND (v_families IS NULL OR c.family = ANY (v_families || 'other'::text))
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
