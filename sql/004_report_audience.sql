-- Reports for an audience (docs/methodology.md §7.6): the audience stored with each cached report,
-- and the role reports read through, so that no caller's role changes a published figure.

-- A governors' report and a staff report of the same data are different outputs: each entry
-- records whom it was made for (its cache_key names the audience too; ReportSnapshotCache.Key).
ALTER TABLE report_snapshots
    ADD COLUMN audience text NOT NULL DEFAULT 'staff' CHECK (audience IN ('staff', 'governors', 'public'));

-- gaptrack_report: the role the service's report engine switches to (set_config('role', ...,
-- true), GapTrackStore's ReportReadingRole) for the report queries only. It reads every row of the
-- caller's provider, restricted ones included, and nothing of any other provider: a report is
-- computed over the provider's full data whatever the caller's role, then shaped for its audience,
-- so a staff token and a data lead's token get the same bytes, and a staff token's report no longer
-- leaves out the looked-after pupils the restricted-records policies hide from staff (the
-- difference of two such reports would give a small group away). It reads only; the service gets
-- its aggregates, never its rows, and it can write nothing.
DO $$
DECLARE
    t record;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gaptrack_report') THEN
        CREATE ROLE gaptrack_report NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
    END IF;
    -- The service's roles may switch to it (SET ROLE needs the session's login to be a member,
    -- directly or through them); a login of its own is never granted it.
    GRANT gaptrack_report TO gaptrack_service, gaptrack_governor;
    GRANT USAGE ON SCHEMA public TO gaptrack_report;

    -- What the governor role may read, the report role may read: reference data, and provider
    -- tables through the policies below. (api_tokens' columns are granted one by one and reports
    -- never read them.)
    FOR t IN
        SELECT c.oid::regclass AS target
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition
          AND has_table_privilege('gaptrack_governor', c.oid, 'SELECT')
    LOOP
        EXECUTE format('GRANT SELECT ON %s TO gaptrack_report', t.target);
    END LOOP;

    -- Every table with the provider isolation policy gets the same condition for the report role,
    -- for reading only; the restricted-records policies name the service roles and not this one.
    FOR t IN
        SELECT p.tablename, p.qual
        FROM pg_policies p
        WHERE p.schemaname = 'public' AND p.policyname = 'provider_isolation'
        ORDER BY p.tablename
    LOOP
        EXECUTE format('CREATE POLICY report_reads_own_provider ON %I FOR SELECT TO gaptrack_report USING (%s)', t.tablename, t.qual);
    END LOOP;
END
$$;
