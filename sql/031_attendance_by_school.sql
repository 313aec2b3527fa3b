-- Attendance partitioned by school within term (sql/functions/attendance_term_tables.sql): each
-- term's partition of attendance_marks becomes a table partitioned by provider_id, with one
-- partition per school and a default for marks written outside a bulk load. A school's import
-- then bulk-loads into a new table of its own whether or not other schools have marks in the
-- term, and a later week merges into the school's own table and key only (docs/scaling.md).
--
-- Every term table made by the attendance import before this file (one table holding every
-- school's marks of the term) is taken apart here: its marks go, school by school and in key
-- order, into new tables that get their key in one pass and are attached under the term's new
-- partition. Moving marks between partitions changes no one's data, and the new tables are
-- filled before they are attached, where neither the audit, the journal nor the report cache's
-- triggers see them (as a bulk load); the import journal's entries name students and dates, not
-- tables, so `gaptrack import undo` still finds the marks an earlier import loaded.

-- The term functions this file replaces, whose arguments now name the school; their file
-- (functions/attendance_term_tables.sql, after version 31) defines the new ones.
DROP FUNCTION IF EXISTS attendance_term_is_empty(text, term_name);
DROP FUNCTION IF EXISTS attendance_create_term_table(text, term_name);
DROP FUNCTION IF EXISTS attendance_attach_term_table(text, term_name);

DO $$
DECLARE
    v_old record;
    v_provider bigint;
    v_name text;
BEGIN
    FOR v_old IN
        SELECT c.oid::regclass AS term_table, c.relname::text AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'attendance_marks'::regclass AND c.relkind = 'r' AND NOT c.relpartbound IS NULL
          AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
        ORDER BY c.relname
    LOOP
        EXECUTE format('ALTER TABLE attendance_marks DETACH PARTITION %s', v_old.term_table);
        EXECUTE format('ALTER TABLE %s RENAME TO %I', v_old.term_table, v_old.name || '_shared');
        EXECUTE format('CREATE TABLE %I (LIKE attendance_marks INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (provider_id)', v_old.name);
        EXECUTE format('ALTER TABLE attendance_marks ATTACH PARTITION %I %s', v_old.name, v_old.bound);
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', v_old.name || '_default', v_old.name);
        FOR v_provider IN EXECUTE format('SELECT DISTINCT provider_id FROM %I ORDER BY 1', v_old.name || '_shared') LOOP
            v_name := v_old.name || '_p' || v_provider;
            EXECUTE format('CREATE TABLE %I (LIKE attendance_marks INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_name);
            EXECUTE format('INSERT INTO %I (provider_id, student_id, session_date, session, code) '
                           'SELECT provider_id, student_id, session_date, session, code FROM %I WHERE provider_id = %s '
                           'ORDER BY student_id, session_date, session', v_name, v_old.name || '_shared', v_provider);
            EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (provider_id, student_id, session_date, session), '
                           'ADD CONSTRAINT %I CHECK (provider_id = %s)', v_name, v_name || '_school', v_provider);
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%s)', v_old.name, v_name, v_provider);
            EXECUTE format('ANALYZE %I', v_name);
        END LOOP;
        EXECUTE format('DROP TABLE %I', v_old.name || '_shared');
    END LOOP;
END
$$;
