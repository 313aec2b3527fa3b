-- The parts of the baseline that call functions from sql/functions/, so they are created after
-- those: the students' identifier checks (docs/methodology.md §2), the import ledger's and the
-- audit log's guards, attendance history, row-level security for the service roles, restricted
-- records, and the change tracking that keeps cached reports fresh (docs/methodology.md §7).

ALTER TABLE students
    ADD CONSTRAINT students_upn_check CHECK (upn_is_valid(upn)),
    ADD CONSTRAINT students_uln_check CHECK (uln_is_valid(uln));

CREATE TRIGGER imports_no_delete BEFORE DELETE ON imports
    FOR EACH ROW EXECUTE FUNCTION imports_are_append_only();


CREATE TRIGGER attendance_marks_history AFTER UPDATE ON attendance_marks
    REFERENCING OLD TABLE AS old_marks NEW TABLE AS new_marks
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_marks_keep_history();


CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION gaptrack_refuse_audit_change();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION gaptrack_refuse_audit_change();

CREATE POLICY audit_log_admin_reads_own_provider ON audit_log FOR SELECT TO gaptrack_service
    USING (provider_id = gaptrack_current_provider() AND gaptrack_current_role() = 'admin');


DO $$
DECLARE
    t record;
BEGIN
    -- Provider-owned tables (a provider_id or student_id column) get row-level security and the
    -- audit triggers; every other table is reference data: readable, never writable, by the
    -- service roles. Left out: the audit log and the ledgers, and the bookkeeping the service
    -- never reads (the per-import audit scopes and the report cache).
    FOR t IN
        SELECT c.oid::regclass AS target,
               EXISTS (SELECT FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attname IN ('provider_id', 'student_id')
                         AND a.attnum > 0 AND NOT a.attisdropped) AS provider_owned
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND c.relname NOT IN ('audit_log', 'schema_migrations', 'schema_definitions')
        ORDER BY c.relname
    LOOP
        IF t.provider_owned THEN
            PERFORM gaptrack_protect_provider_table(t.target);
        ELSIF t.target::text NOT IN ('import_audit_scopes', 'data_changes', 'report_snapshot_horizon', 'report_snapshots') THEN
            EXECUTE format('GRANT SELECT ON %s TO gaptrack_service, gaptrack_governor', t.target);
        END IF;
    END LOOP;

    -- A view normally reads its tables with its owner's rights, which would step around every
    -- policy above; security_invoker (PostgreSQL 15) makes it read with the caller's, so the
    -- policies apply through it. Materialized views cannot carry policies and get no grant.
    FOR t IN
        SELECT c.oid::regclass AS target
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'v'
    LOOP
        EXECUTE format('ALTER VIEW %s SET (security_invoker = true)', t.target);
        EXECUTE format('GRANT SELECT ON %s TO gaptrack_service, gaptrack_governor', t.target);
    END LOOP;
END
$$;

-- The service never changes a provider's own record, and api_tokens are managed with
-- `gaptrack token` only: both roles may read them within their provider, nothing more.
REVOKE INSERT, UPDATE, DELETE ON providers, api_tokens FROM gaptrack_service;

-- Nobody reads token hashes through the service.
REVOKE SELECT ON api_tokens FROM gaptrack_service, gaptrack_governor;

GRANT SELECT (token_id, provider_id, role, label, token_prefix, created_at, created_by, revoked_at, revoked_by)
    ON api_tokens TO gaptrack_service, gaptrack_governor;

GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO gaptrack_service;


CREATE POLICY restricted_markers ON student_markers AS RESTRICTIVE FOR ALL TO gaptrack_service, gaptrack_governor
    USING (gaptrack_may_see_restricted()
           OR NOT EXISTS (SELECT FROM restricted_marker_kinds k WHERE k.marker = student_markers.marker))
    WITH CHECK (gaptrack_may_see_restricted()
                OR NOT EXISTS (SELECT FROM restricted_marker_kinds k WHERE k.marker = student_markers.marker));

CREATE TRIGGER support_records_restrict_care_programmes BEFORE INSERT OR UPDATE OF type, restricted ON support_records
    FOR EACH ROW EXECUTE FUNCTION support_records_restrict_care_programmes();

CREATE POLICY restricted_support ON support_records AS RESTRICTIVE FOR ALL TO gaptrack_service, gaptrack_governor
    USING (gaptrack_may_see_restricted() OR NOT restricted)
    WITH CHECK (gaptrack_may_see_restricted() OR NOT restricted);


-- Every table, reference data included (terms, census days, marker kinds, scales, intervention
-- types, funding sources: reports read them, and they change rarely), and the existing partitions
-- of attendance_marks too (a statement on the parent fires only the parent's trigger; one naming a
-- partition fires only the partition's). A partition created later by an attendance import gets
-- its marks by COPY before it is attached, which no trigger sees; the import's ledger row in
-- `imports`, written in the same transaction, records the change.
-- Left out: the cache's own tables, the numbered files' ledger (see report_snapshot_schema_version),
-- the audit log and import audit scopes (written only alongside a change to a tracked table), and
-- API tokens (no report reads them).
SELECT gaptrack_track_data_changes(c.oid::regclass)
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname NOT IN ('data_changes', 'report_snapshot_horizon', 'report_snapshots', 'schema_migrations',
                        'audit_log', 'import_audit_scopes', 'api_tokens')
ORDER BY c.relname;
