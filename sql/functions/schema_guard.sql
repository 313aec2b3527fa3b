-- The schema guard of the audit log and the import ledger (docs/security.md): what the event
-- triggers of 003_least_privilege.sql run after every schema change and every drop.
-- depends on: audit_log.sql

-- The functions that guard or write the audit log and the import ledger.
CREATE OR REPLACE FUNCTION gaptrack_ledger_functions() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['gaptrack_refuse_audit_change', 'gaptrack_audit_redacted', 'audit_log_record_redaction', 'audit_log_redact',
                 'imports_are_append_only', 'gaptrack_audit_changes', 'gaptrack_audit_actor', 'gaptrack_import_audit_open',
                 'gaptrack_import_audit_scope', 'gaptrack_import_audit_close', 'gaptrack_guard_ledgers',
                 'gaptrack_guard_ledger_drops', 'gaptrack_is_ledger_object', 'gaptrack_ledger_functions']
$$;

-- The audit log, the import ledger and the per-import audit scopes, and the functions that guard
-- or write them: a schema change to any of these is recorded in the audit log.
CREATE OR REPLACE FUNCTION gaptrack_is_ledger_object(class_id oid, object_id oid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    WITH ledger(relation) AS (
        SELECT to_regclass(name)::oid FROM unnest(ARRAY['public.audit_log', 'public.imports', 'public.import_audit_scopes']) AS name
    )
    SELECT CASE class_id
        WHEN 'pg_class'::regclass THEN object_id IN (SELECT relation FROM ledger)
        WHEN 'pg_trigger'::regclass THEN EXISTS (SELECT FROM pg_trigger t WHERE t.oid = object_id AND t.tgrelid IN (SELECT relation FROM ledger))
        WHEN 'pg_policy'::regclass THEN EXISTS (SELECT FROM pg_policy p WHERE p.oid = object_id AND p.polrelid IN (SELECT relation FROM ledger))
        WHEN 'pg_proc'::regclass THEN EXISTS (
            SELECT FROM pg_proc f WHERE f.oid = object_id AND f.proname = ANY (gaptrack_ledger_functions()))
        ELSE false
    END
$$;

-- After every schema change (ddl_command_end), in the changing transaction, so that a refusal
-- undoes the change:
--   * refused when a guard trigger of the audit log or the ledger is gone or not enabled ALWAYS
--     (ALTER TABLE ... DISABLE TRIGGER, ENABLE REPLICA TRIGGER, DROP TRIGGER, a rename);
--   * refused when the service roles, the service login or PUBLIC could write either table;
--   * otherwise a change to one of them, or to the functions that guard them, is recorded as an
--     audit entry: action 'update' on table 'schema', the object in row_key, and the command and
--     statement in after (before is empty: an object's earlier definition is not kept).
-- SECURITY DEFINER so that it can write the audit log whoever changes the schema.
CREATE OR REPLACE FUNCTION gaptrack_guard_ledgers() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    broken text;
    command record;
BEGIN
    SELECT string_agg(format('trigger %s on %s', g.trigger_name, g.table_name), ', ' ORDER BY g.table_name, g.trigger_name)
    INTO broken
    FROM (VALUES ('audit_log', 'audit_log_no_update_or_delete'), ('audit_log', 'audit_log_no_truncate'),
                 ('audit_log', 'audit_log_record_redaction'), ('imports', 'imports_no_delete'),
                 ('imports', 'imports_no_truncate'), ('imports', 'gaptrack_audit_insert'),
                 ('imports', 'gaptrack_audit_update'), ('imports', 'gaptrack_audit_delete')) AS g(table_name, trigger_name)
    LEFT JOIN pg_trigger t ON t.tgrelid = to_regclass('public.' || g.table_name) AND t.tgname = g.trigger_name
    WHERE t.tgenabled IS DISTINCT FROM 'A';
    IF broken IS NOT NULL THEN
        RAISE EXCEPTION 'refused: this change would switch off the guard of the audit log or the import ledger (%)', broken
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Both are append-only (docs/security.md); erasure and retention redact entries with audit_log_redact(entry_ids, reason).';
    END IF;

    SELECT string_agg(format('%s on %s', r.name, g.table_name), ', ' ORDER BY r.name, g.table_name)
    INTO broken
    FROM (VALUES ('public.audit_log'), ('public.imports')) AS g(table_name),
         (SELECT rolname::text AS name FROM pg_roles WHERE rolname IN ('gaptrack_service', 'gaptrack_governor', 'gaptrack_app')
          UNION ALL SELECT 'public') AS r
    WHERE has_table_privilege(r.name, g.table_name, 'INSERT, UPDATE, DELETE, TRUNCATE')
       OR has_any_column_privilege(r.name, g.table_name, 'INSERT, UPDATE');
    IF broken IS NOT NULL THEN
        RAISE EXCEPTION 'refused: this change would let the service write the audit log or the import ledger (%)', broken
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'The service causes audit entries through triggers and never writes either table itself (docs/security.md).';
    END IF;

    FOR command IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        IF gaptrack_is_ledger_object(command.classid, command.objid) THEN
            INSERT INTO audit_log (provider_id, actor, actor_role, token_id, action, table_name, row_key, before, after)
            VALUES (NULL, gaptrack_audit_actor(), NULL, NULL, 'update', 'schema',
                    jsonb_build_object('object_type', command.object_type, 'object', command.object_identity),
                    '{}'::jsonb,
                    jsonb_build_object('command', command.command_tag, 'statement', left(current_query(), 4000)));
        END IF;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION gaptrack_guard_ledgers() FROM PUBLIC;

-- After every drop (sql_drop): the audit log, the ledger and their guard functions are never
-- dropped, not even with CASCADE.
CREATE OR REPLACE FUNCTION gaptrack_guard_ledger_drops() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    dropped text;
BEGIN
    SELECT string_agg(d.object_identity, ', ' ORDER BY d.object_identity)
    INTO dropped
    FROM pg_event_trigger_dropped_objects() d
    WHERE (d.object_type = 'table' AND d.object_identity IN ('public.audit_log', 'public.imports'))
       OR (d.object_type = 'function' AND split_part(d.object_identity, '(', 1) = ANY (
              SELECT 'public.' || f FROM unnest(gaptrack_ledger_functions()) AS f));
    IF dropped IS NOT NULL THEN
        RAISE EXCEPTION 'refused: % cannot be dropped; the audit log and the import ledger are kept for good', dropped
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'docs/security.md';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION gaptrack_guard_ledger_drops() FROM PUBLIC;
