import Postgres

/// A text listing of everything a migrated database's schema holds, one line per fact, in a fixed
/// order: relations, columns (types, defaults, nullability), constraints, indexes, policies with
/// their expressions, triggers, functions (arguments, result, language, volatility and a hash of
/// the body with comments and spacing removed), types and enum labels, the service roles, grants,
/// and a hash of every table's rows (the reference data). Two databases with the same listing
/// behave the same, so it shows that the baseline builds what the numbered chain it replaced built.
/// The migration ledgers, extension objects, and tables whose rows record events (imports, the
/// audit log, the cache horizon) are left out.
public enum SchemaCatalogue {
    public static func lines(on connection: PostgresConnection) throws -> [String] {
        try connection.query(query).rows.map { try $0.decode("line") }
    }

    static let query = #"""
WITH rel AS (
    SELECT c.oid, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relpersistence, c.relispartition, c.relacl
    FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace
      AND c.relname NOT IN ('schema_migrations', 'schema_migrations_pkey', 'schema_definitions', 'schema_definitions_pkey')
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      AND NOT EXISTS (SELECT FROM pg_depend d JOIN pg_type t ON d.objid = t.oid
                      WHERE d.classid = 'pg_type'::regclass AND t.typrelid = c.oid AND d.deptype = 'e')
),
fn AS (
    SELECT p.* FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
),
lines(line) AS (
    SELECT format('extension %s', e.extname) FROM pg_extension e WHERE e.extname <> 'plpgsql'
    UNION ALL
    SELECT format('relation %s kind=%s rls=%s force_rls=%s persistence=%s partition=%s bound=%s',
                  r.relname, r.relkind, r.relrowsecurity, r.relforcerowsecurity, r.relpersistence, r.relispartition,
                  coalesce(pg_get_expr(c.relpartbound, c.oid), ''))
    FROM rel r JOIN pg_class c ON c.oid = r.oid WHERE r.relkind <> 'i'
    UNION ALL
    SELECT format('column %s #%s %s %s notnull=%s default=%s identity=%s generated=%s',
                  r.relname, row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum), a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull, coalesce(pg_get_expr(ad.adbin, ad.adrelid), ''),
                  a.attidentity, a.attgenerated)
    FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE r.relkind IN ('r', 'p', 'v', 'm', 'c', 'f')
    UNION ALL
    SELECT format('constraint %s %s %s %s', r.relname, k.conname, k.contype, pg_get_constraintdef(k.oid))
    FROM rel r JOIN pg_constraint k ON k.conrelid = r.oid
    UNION ALL
    SELECT format('index %s', pg_get_indexdef(i.indexrelid))
    FROM rel r JOIN pg_index i ON i.indrelid = r.oid
    UNION ALL
    SELECT format('policy %s %s %s %s roles=%s using=%s check=%s', p.tablename, p.policyname, p.permissive, p.cmd,
                  (SELECT string_agg(x, ',' ORDER BY x) FROM unnest(p.roles::text[]) x), coalesce(p.qual, ''), coalesce(p.with_check, ''))
    FROM pg_policies p WHERE p.schemaname = 'public'
    UNION ALL
    SELECT format('trigger %s %s', r.relname, pg_get_triggerdef(t.oid))
    FROM rel r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
    UNION ALL
    SELECT format('function %s(%s) returns %s language=%s volatility=%s security_definer=%s strict=%s config=%s body=%s',
                  f.proname, pg_get_function_arguments(f.oid), pg_get_function_result(f.oid), l.lanname, f.provolatile,
                  f.prosecdef, f.proisstrict, coalesce(array_to_string(f.proconfig, ';'), ''),
                  md5(btrim(regexp_replace(regexp_replace(f.prosrc, '--[^\n]*', '', 'g'), '\s+', ' ', 'g'))))
    FROM fn f JOIN pg_language l ON l.oid = f.prolang
    UNION ALL
    SELECT format('type %s kind=%s labels=%s', t.typname, t.typtype,
                  (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
    FROM pg_type t
    WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'c')
      AND (t.typtype <> 'c' OR EXISTS (SELECT FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
    UNION ALL
    SELECT format('role %s login=%s super=%s createdb=%s createrole=%s bypassrls=%s inherit=%s member_of=%s',
                  r.rolname, r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls, r.rolinherit,
                  (SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid))
    FROM pg_roles r WHERE r.rolname IN ('gaptrack_service', 'gaptrack_governor')
    UNION ALL
    SELECT format('grant relation %s to %s %s grantable=%s', r.relname,
                  CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable)
    FROM rel r, aclexplode(r.relacl) a WHERE a.grantee <> (SELECT relowner FROM pg_class WHERE oid = r.oid)
    UNION ALL
    SELECT format('grant column %s.%s to %s %s', r.relname, att.attname,
                  CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type)
    FROM rel r JOIN pg_attribute att ON att.attrelid = r.oid AND att.attacl IS NOT NULL, aclexplode(att.attacl) a
    UNION ALL
    SELECT format('grant function %s(%s) to %s %s', f.proname, pg_get_function_identity_arguments(f.oid),
                  CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type)
    FROM fn f, aclexplode(coalesce(f.proacl, acldefault('f', f.proowner))) a WHERE a.grantee <> f.proowner
    UNION ALL
    SELECT format('grant schema public to %s %s', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type)
    FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'public' AND pg_get_userbyid(a.grantee) LIKE 'gaptrack\_%'
    UNION ALL
    SELECT format('data %s rows=%s md5=%s', r.relname, x.n, x.h)
    FROM rel r,
         LATERAL (SELECT (xpath('/row/n/text()', q))[1]::text AS n, (xpath('/row/h/text()', q))[1]::text AS h
                  FROM query_to_xml(format('SELECT count(*) AS n, md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) AS h FROM %I t', r.relname), false, true, '') q) x
    WHERE r.relkind IN ('r', 'p') AND NOT r.relispartition
      AND r.relname NOT IN ('imports', 'audit_log', 'report_snapshot_horizon')
)
SELECT x.line FROM lines, LATERAL (SELECT regexp_replace(lines.line, '\s*\n\s*', ' ', 'g') AS line) x ORDER BY x.line COLLATE "C"
"""#
}
