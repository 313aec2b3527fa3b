-- gaptrack reports, part 9: a cache of termly report data that is never stale.
--
-- Why: a senior leader makes the same termly report several times (terminal, CSV, JSON, Markdown,
-- HTML) and runs it again before a meeting. Its data (TermlyReportData: counts, sums and rank
-- aggregates) takes seconds to compute for a national cohort, and does not change unless a table
-- the report reads changes. `gaptrack report termly|gap` keeps the data of each report it makes
-- in report_snapshots and answers from there while nothing it rests on has changed
-- (Sources/GapTrackReports/ReportSnapshotCache.swift); `--recompute` computes afresh.
--
-- How a change is noticed. Every table a report may read carries a statement-level trigger,
-- gaptrack_data_changes, that records the writing transaction's id (xid8, which carries the epoch
-- and is never reused) in data_changes, once per transaction. A cache entry keeps the snapshot
-- (pg_current_snapshot(), PostgreSQL manual, "Snapshot Information Functions") of the
-- REPEATABLE READ transaction that computed it: exactly the set of transactions whose effects the
-- computation saw. A reader, in its own REPEATABLE READ transaction, takes an entry as valid iff
--   (a) its schema_version matches (the checksums of every applied migration, so any change of the
--       report functions, the cluster, and gaptrack's own format and build: see
--       report_snapshot_schema_version and ReportSnapshotCache.applicationVersion),
--   (b) NOT EXISTS (SELECT FROM data_changes c WHERE NOT pg_visible_in_snapshot(c.xid, s.snapshot)),
--   (c) the entry's snapshot is not older than the pruning horizon (below).
-- Why that is right. Data the reader sees differs from the data the entry was computed from only
-- if some transaction T wrote a tracked table and T is visible to the reader but not to the
-- entry's snapshot. (Nothing visible to the entry's snapshot is invisible to the reader: the
-- entry was committed before the reader's snapshot was taken, and its snapshot before that, so
-- every transaction committed before the entry's snapshot committed before the reader's.) T's
-- trigger inserted a data_changes row with T's xid in T itself, so the reader sees that row
-- (T is visible to it), and the row's xid is not visible in the entry's snapshot: (b) fails. A
-- transaction that has not committed when the reader's snapshot is taken is invisible to the
-- reader, and so are its data and its row: it neither changes what the reader computes nor
-- invalidates the entry for this reader; the first reader after its commit sees both.
--
-- Writers never wait for each other here: each inserts its own key (its own xid); there is no
-- counter row they would all update. ON CONFLICT DO NOTHING makes the second and later statements
-- of a transaction cost one index probe.
--
-- Pruning. data_changes would grow by one row per writing transaction for ever. A row whose xid is
-- below the xmin of a snapshot is visible to that snapshot (it committed before the snapshot was
-- taken: aborted transactions leave no rows), so it can never invalidate that snapshot, nor any
-- later one. When gaptrack stores an entry, it deletes the entries that are already invalid (they
-- can never become valid again), raises report_snapshot_horizon.pruned_below to the least xmin of
-- the remaining entries' snapshots and its own, and deletes data_changes rows below that. An entry
-- that a concurrent transaction stores with an older snapshot than the pruner could see (not yet
-- committed when the pruner's snapshot was taken) may need rows the pruner deleted: (c) makes
-- every entry whose snapshot's xmin is below the horizon invalid, and the horizon is raised in the
-- same transaction as the deletion, so a reader that sees the deletion sees the horizon too. The
-- rows an entry needs (those invisible to its snapshot) have xids at or above its snapshot's xmin;
-- an entry that passes (c) therefore has all of them.
--
-- Row-level security: the service (sql/030-033) makes reports as roles whose rows are filtered by
-- policies, so its data differs from the CLI's. It neither reads nor writes this cache: its roles
-- get no privilege on these tables, and gaptrack uses the cache only when no policy applies to
-- the session (row_security_active). The trigger function is SECURITY DEFINER, so a service
-- role's writes are recorded all the same.

CREATE TABLE data_changes (
    xid xid8 PRIMARY KEY
);
COMMENT ON TABLE data_changes IS
    'One row per transaction that wrote a table reports read (sql/080): what invalidates report_snapshots. Pruned when a report is stored.';

-- Rows of data_changes below this xid have been deleted; entries whose snapshot's xmin is lower are
-- invalid (they might need a deleted row). One row, changed only by the pruning report.
CREATE TABLE report_snapshot_horizon (
    only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    pruned_below  xid8 NOT NULL
);
INSERT INTO report_snapshot_horizon (pruned_below) VALUES ('0'::xid8);

CREATE TABLE report_snapshots (
    -- Provider id, cohort, term, comparison group, trend terms and whether impact candidates were
    -- asked for (ReportSnapshotCache.Key).
    cache_key       text PRIMARY KEY,
    -- gaptrack's format and build, then report_snapshot_schema_version(): see (a) above.
    schema_version  text NOT NULL,
    -- The snapshot of the REPEATABLE READ transaction that computed the data.
    snapshot        pg_snapshot NOT NULL,
    -- TermlyReportData as JSON (Swift's JSONEncoder writes a Double as the shortest text that reads
    -- back as the same Double, so figures come back bit for bit).
    data            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE report_snapshots IS
    'Data of termly reports made by gaptrack report termly|gap, with the snapshot they were computed in (sql/080). Safe to delete at any time.';

REVOKE ALL ON data_changes, report_snapshot_horizon, report_snapshots FROM PUBLIC;

-- The database side of an entry's schema version: every applied migration with its checksum, so
-- that a migration that replaces a report function (or adds one, in any order) invalidates all
-- entries; and the cluster's system identifier, because transaction ids mean something only in
-- the cluster that issued them: a database restored from pg_dump into another cluster counts its
-- transactions from a lower number, so its new writes would look older than the stored snapshots
-- and be taken as seen by them. (A copy within one cluster, CREATE DATABASE ... TEMPLATE, is
-- safe: the cluster's counter only goes up, so every later write is unseen by every stored snapshot.)
CREATE FUNCTION report_snapshot_schema_version() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT (SELECT system_identifier FROM pg_control_system())::text || ' '
           || md5(coalesce(string_agg(version || ':' || checksum, ',' ORDER BY version), ''))
    FROM schema_migrations
$$;

CREATE FUNCTION gaptrack_record_data_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO data_changes (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION gaptrack_record_data_change() FROM PUBLIC;

-- Attaches the trigger to a table. Called below for every table that exists now; a later
-- migration that adds a table calls it too (GapTrackReportsTests lists the catalogue and fails for
-- a table without it). ENABLE ALWAYS: it fires under session_replication_role = replica as well
-- (bulk loads that skip the other triggers, logical replication), because a change recorded
-- nowhere would leave a stale report.
CREATE FUNCTION gaptrack_track_data_changes(target regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS gaptrack_data_changes ON %s', target);
    EXECUTE format('CREATE TRIGGER gaptrack_data_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gaptrack_record_data_change()', target);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER gaptrack_data_changes', target);
END
$$;

-- Every table, reference data included (terms, census days, marker kinds, scales, intervention
-- types, funding sources: reports read them, and they change rarely), and the existing partitions
-- of attendance_marks too (a statement on the parent fires only the parent's trigger; one naming a
-- partition fires only the partition's). A partition created later by an attendance import gets
-- its marks by COPY before it is attached, which no trigger sees; the import's ledger row in
-- `imports`, written in the same transaction, records the change.
-- Left out: the cache's own tables, the migrations ledger (see report_snapshot_schema_version),
-- the audit log and import audit scopes (written only alongside a change to a tracked table), and
-- API tokens (no report reads them).
SELECT gaptrack_track_data_changes(c.oid::regclass)
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname NOT IN ('data_changes', 'report_snapshot_horizon', 'report_snapshots', 'schema_migrations',
                        'audit_log', 'import_audit_scopes', 'api_tokens')
ORDER BY c.relname;

-- The protocol, for the report's REPEATABLE READ transaction (one snapshot for the lookup, the
-- computation and the store). p_version is gaptrack's side of the schema version (its format and
-- build). SECURITY INVOKER: a role without privileges on the tables cannot use them.

-- The data stored for the key, if the entry is valid in the caller's snapshot: (a), (b) and (c).
CREATE FUNCTION report_snapshot_lookup(p_key text, p_version text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT s.data
    FROM report_snapshots s, report_snapshot_horizon h
    WHERE s.cache_key = p_key
      AND s.schema_version = p_version || '; ' || report_snapshot_schema_version()
      AND pg_snapshot_xmin(s.snapshot) >= h.pruned_below
      -- Rows below the snapshot's xmin are visible to it; the index skips them.
      AND NOT EXISTS (SELECT FROM data_changes c
                      WHERE c.xid >= pg_snapshot_xmin(s.snapshot) AND NOT pg_visible_in_snapshot(c.xid, s.snapshot))
$$;

-- Stores (or replaces) the entry with the caller's transaction snapshot. Refused outside
-- REPEATABLE READ or SERIALIZABLE, where the data would have been read in several snapshots.
-- A concurrent report that stored the same key after this one's snapshot makes this fail with a
-- serialization failure (the newer entry stays); gaptrack calls it under a savepoint.
CREATE FUNCTION report_snapshot_store(p_key text, p_version text, p_data text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('transaction_isolation') NOT IN ('repeatable read', 'serializable') THEN
        RAISE EXCEPTION 'report data can only be stored from a REPEATABLE READ transaction, not %', current_setting('transaction_isolation');
    END IF;
    INSERT INTO report_snapshots (cache_key, schema_version, snapshot, data)
    VALUES (p_key, p_version || '; ' || report_snapshot_schema_version(), pg_current_snapshot(), p_data)
    ON CONFLICT (cache_key) DO UPDATE
        SET schema_version = EXCLUDED.schema_version, snapshot = EXCLUDED.snapshot, data = EXCLUDED.data,
            created_at = EXCLUDED.created_at;
END
$$;

-- Deletes the entries that can no longer be served (another schema version, below the horizon, or
-- with a change their snapshot did not see), raises the horizon to the least xmin of what is left
-- and of the caller's snapshot, and deletes data_changes rows below it. NOWAIT: a concurrent
-- pruner makes this fail at once instead of waiting (gaptrack calls it under a savepoint; the
-- next store prunes).
CREATE FUNCTION report_snapshot_prune(p_version text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_horizon xid8;
BEGIN
    SELECT pruned_below INTO STRICT v_horizon FROM report_snapshot_horizon FOR UPDATE NOWAIT;
    DELETE FROM report_snapshots s
    WHERE s.schema_version <> p_version || '; ' || report_snapshot_schema_version()
       OR pg_snapshot_xmin(s.snapshot) < v_horizon
       OR EXISTS (SELECT FROM data_changes c
                  WHERE c.xid >= pg_snapshot_xmin(s.snapshot) AND NOT pg_visible_in_snapshot(c.xid, s.snapshot));
    SELECT greatest(v_horizon, least(min(pg_snapshot_xmin(s.snapshot)), pg_snapshot_xmin(pg_current_snapshot())))
    INTO v_horizon
    FROM report_snapshots s;
    UPDATE report_snapshot_horizon SET pruned_below = v_horizon WHERE pruned_below < v_horizon;
    DELETE FROM data_changes WHERE xid < v_horizon;
END
$$;
