-- Row-level security and auditing on every provider-owned table, for the service roles.
-- depends on: audit_log.sql, service_context.sql

-- A provider-owned table is one with a provider_id or a student_id column (students belong to
-- exactly one provider). Partitions are reached through their partitioned parent, whose
-- policy applies to every partition (attendance_marks gains a partition per term at import
-- time); the service roles get no rights on partitions themselves. For each, gaptrack_protect_provider_table:
--   * enables row-level security with one policy, provider_isolation, for both service roles:
--     a row is visible and writable only when it belongs to the provider bound for the request
--     (USING for reads, updates and deletes; WITH CHECK for the new row of an insert or update);
--   * grants the service role read and write (read only on the import ledger), the governor role
--     read only;
--   * attaches the audit triggers (gaptrack_audit_table).
-- 002_baseline_protection.sql applies it to every such table, by reading the catalogue, so
-- that no table is forgotten; a later numbered file that adds a provider-owned table calls
-- `SELECT gaptrack_protect_provider_table('new_table')`. GapTrackServiceTests lists the
-- catalogue again and fails for any provider-owned table without a policy.
-- Every other table (reference data such as terms and attendance codes) is readable by both
-- roles and writable by neither.
CREATE OR REPLACE FUNCTION gaptrack_protect_provider_table(target regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    table_name text := (SELECT relname FROM pg_class WHERE oid = target);
    has_provider boolean;
    has_student boolean;
    owned_read text;
    owned_write text;
    fk record;
BEGIN
    SELECT coalesce(bool_or(attname = 'provider_id'), false), coalesce(bool_or(attname = 'student_id'), false)
    INTO has_provider, has_student
    FROM pg_attribute
    WHERE attrelid = target AND attnum > 0 AND NOT attisdropped;

    IF has_provider THEN
        owned_read := 'provider_id = gaptrack_current_provider()';
        owned_write := owned_read;
    ELSIF has_student THEN
        -- Reads may scan many rows: one hashed list of the provider's students per query.
        -- Writes touch few rows: one index lookup each.
        owned_read := 'student_id IN (SELECT s.student_id FROM students s WHERE s.provider_id = gaptrack_current_provider())';
        owned_write := format('EXISTS (SELECT FROM students s WHERE s.student_id = %I.student_id '
                              'AND s.provider_id = gaptrack_current_provider())', table_name);
    ELSE
        RAISE EXCEPTION 'table % has neither provider_id nor student_id: write its row-level security policy by hand', target;
    END IF;

    -- A new or changed row may only point at rows its provider can see: a provider-A session
    -- must not hang a result on provider B's assessment point, even though the foreign key
    -- (which PostgreSQL checks without row-level security) would accept it. Each reference to
    -- another provider-owned table becomes an EXISTS on that table, which its own policy filters.
    FOR fk IN
        SELECT c.confrelid::regclass AS referenced,
               (SELECT string_agg(format('%I.%I IS NULL', table_name, a.attname), ' OR ')
                FROM unnest(c.conkey) AS k(attnum)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS any_null,
               (SELECT string_agg(format('r.%I = %I.%I', ra.attname, table_name, a.attname), ' AND ')
                FROM unnest(c.conkey, c.confkey) AS k(attnum, refnum)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refnum) AS matches
        FROM pg_constraint c
        WHERE c.conrelid = target AND c.contype = 'f' AND c.confrelid <> target
          AND EXISTS (SELECT FROM pg_attribute ra
                      WHERE ra.attrelid = c.confrelid AND ra.attname IN ('provider_id', 'student_id')
                        AND ra.attnum > 0 AND NOT ra.attisdropped)
        ORDER BY c.conname
    LOOP
        owned_write := owned_write || format(' AND (%s OR EXISTS (SELECT FROM %s r WHERE %s))', fk.any_null, fk.referenced, fk.matches);
    END LOOP;

    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
    EXECUTE format('DROP POLICY IF EXISTS provider_isolation ON %s', target);
    EXECUTE format('CREATE POLICY provider_isolation ON %s FOR ALL TO gaptrack_service, gaptrack_governor '
                   'USING (%s) WITH CHECK (%s)', target, owned_read, owned_write);
    -- The import ledger is the one provider-owned table the service only reads
    -- (003_least_privilege.sql); protecting it again must not hand its writes back, which the
    -- schema guard would refuse (schema_guard.sql).
    IF target = to_regclass('public.imports') THEN
        EXECUTE format('GRANT SELECT ON %s TO gaptrack_service', target);
    ELSE
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO gaptrack_service', target);
    END IF;
    EXECUTE format('GRANT SELECT ON %s TO gaptrack_governor', target);
    PERFORM gaptrack_audit_table(target);
END
$$;
