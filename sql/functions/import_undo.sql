-- The journal of what each import changed, and `gaptrack import undo` (docs/import-formats.md,
-- "Undo and dry run"; the table is in 008_import_undo.sql).
-- depends on: audit_log.sql
-- after version: 7

-- The primary key columns of a table, quoted as literals for a trigger's arguments.
CREATE OR REPLACE FUNCTION gaptrack_primary_key_literals(target regclass) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT string_agg(quote_literal(a.attname), ', ' ORDER BY array_position(i.indkey::int2[], a.attnum))
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = target AND i.indisprimary);
END
$$;

-- `jsonb_build_object('k1', alias.k1, ...)`: a row's key as the audit log writes it.
CREATE OR REPLACE FUNCTION gaptrack_journal_key(alias text, key_columns text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN (SELECT 'jsonb_build_object(' || string_agg(format('%L, %s.%I', k, alias, k), ', ') || ')' FROM unnest(key_columns) AS k);
END
$$;

-- Inside an import (gaptrack.import_id is set by ImportLedger.open, for its transaction only)
-- copies each inserted, updated or deleted row, keyed as the audit log keys it, into the journal
-- under that import. Outside an import it journals nothing; but when erasure or retention (the
-- owner, in an import audit scope) deletes a student's rows, the journal's entries for that
-- student go too, so nothing erased survives there (docs/data-protection.md); an undo then has
-- nothing of theirs to reverse, as their rows are gone.
CREATE OR REPLACE FUNCTION gaptrack_record_import_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    current_import bigint := nullif(current_setting('gaptrack.import_id', true), '')::bigint;
    key_of_new text;
    key_of_old text;
    pairs text;
BEGIN
    IF current_import IS NULL THEN
        IF TG_OP = 'DELETE' AND gaptrack_import_audit_scope() IS NOT NULL
           AND EXISTS (SELECT FROM pg_attribute WHERE attrelid = TG_RELID AND attname = 'student_id' AND attnum > 0 AND NOT attisdropped) THEN
            DELETE FROM import_changes c WHERE c.student_id IN (SELECT DISTINCT o.student_id FROM old_rows o);
        END IF;
        RETURN NULL;
    END IF;
    key_of_new := gaptrack_journal_key('x', TG_ARGV);
    key_of_old := gaptrack_journal_key('o', TG_ARGV);
    pairs := (SELECT string_agg(format('o.%I = x.%I', k, k), ' AND ') FROM unnest(TG_ARGV) AS k);
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO import_changes (provider_id, import_id, table_name, action, row_key, before, after) '
            'SELECT i.provider_id, i.import_id, $2, ''insert'', %s, NULL, to_jsonb(x) FROM new_rows x, imports i WHERE i.import_id = $1',
            key_of_new) USING current_import, TG_TABLE_NAME::text;
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE format(
            'INSERT INTO import_changes (provider_id, import_id, table_name, action, row_key, before, after) '
            'SELECT i.provider_id, i.import_id, $2, ''update'', %s, to_jsonb(o), to_jsonb(x) '
            'FROM old_rows o JOIN new_rows x ON %s, imports i WHERE i.import_id = $1 AND to_jsonb(o) <> to_jsonb(x)',
            key_of_new, pairs) USING current_import, TG_TABLE_NAME::text;
    ELSE
        EXECUTE format(
            'INSERT INTO import_changes (provider_id, import_id, table_name, action, row_key, before, after) '
            'SELECT i.provider_id, i.import_id, $2, ''delete'', %s, to_jsonb(o), NULL FROM old_rows o, imports i WHERE i.import_id = $1',
            key_of_old) USING current_import, TG_TABLE_NAME::text;
    END IF;
    RETURN NULL;
END
$$;

-- Attaches the journal's three statement-level triggers to a table an import may write.
CREATE OR REPLACE FUNCTION gaptrack_journal_import_changes(target regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    key_columns text := gaptrack_primary_key_literals(target);
BEGIN
    IF key_columns IS NULL THEN
        RAISE EXCEPTION 'table % has no primary key; the import journal needs one to find its rows again', target;
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS gaptrack_import_changes_insert ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS gaptrack_import_changes_update ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS gaptrack_import_changes_delete ON %s', target);
    EXECUTE format('CREATE TRIGGER gaptrack_import_changes_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gaptrack_record_import_changes(%s)', target, key_columns);
    EXECUTE format('CREATE TRIGGER gaptrack_import_changes_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gaptrack_record_import_changes(%s)', target, key_columns);
    EXECUTE format('CREATE TRIGGER gaptrack_import_changes_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gaptrack_record_import_changes(%s)', target, key_columns);
END
$$;

-- Attendance terms an import bulk-loaded (a new partition, COPYed before it was attached, which
-- no trigger sees): one journal entry per student and term, naming the dates and how many marks,
-- instead of one per mark. The schools' partitions of a term (leaves under the term's
-- partition, sql/functions/attendance_term_tables.sql) attached by this transaction are the ones
-- it loaded. Returns the number of entries written.
CREATE OR REPLACE FUNCTION gaptrack_import_changes_record_loaded_terms(p_import_id bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    term regclass;
    added bigint;
    total bigint := 0;
BEGIN
    FOR term IN
        SELECT i.inhrelid::regclass FROM pg_inherits i
        JOIN pg_partition_tree('attendance_marks'::regclass) t ON t.relid = i.inhrelid AND t.isleaf
        WHERE i.xmin = pg_current_xact_id()::xid
    LOOP
        EXECUTE format(
            'INSERT INTO import_changes (provider_id, import_id, table_name, action, row_key, before, after) '
            'SELECT i.provider_id, i.import_id, ''attendance_marks'', ''insert_marks'', '
            '       jsonb_build_object(''student_id'', m.student_id, ''from'', min(m.session_date), ''to'', max(m.session_date)), '
            '       NULL, jsonb_build_object(''marks'', count(*)) '
            'FROM %s m, imports i WHERE i.import_id = $1 GROUP BY i.provider_id, i.import_id, m.student_id', term)
        USING p_import_id;
        GET DIAGNOSTICS added = ROW_COUNT;
        total := total + added;
    END LOOP;
    RETURN total;
END
$$;

-- The columns a table's journal rows are keyed by: those its journal trigger was created with
-- (the primary key as it was then). A primary key widened later (sql/022_shard_ready_keys.sql put
-- provider_id in front of surrogate ids that are unique on their own) leaves the journal's keys,
-- old and new, as they were; the undo matches rows by these columns.
CREATE OR REPLACE FUNCTION gaptrack_journal_key_columns(target regclass) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT string_to_array(left(encode(t.tgargs, 'escape'), -4), '\000')
    FROM pg_trigger t WHERE t.tgrelid = target AND t.tgname = 'gaptrack_import_changes_insert'
$$;

-- `t.k = (jsonb_populate_record(NULL::table, p.row_key)).k AND ...`: a journal row's key matched
-- against the typed values of the columns it was keyed by.
CREATE OR REPLACE FUNCTION gaptrack_undo_key_match(target regclass) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT string_agg(format('t.%1$I = (jsonb_populate_record(NULL::%2$s, p.row_key)).%1$I', k, target), ' AND ')
            FROM unnest(gaptrack_journal_key_columns(target)) AS k);
END
$$;

-- The columns a restore may write: not generated; with `for_update`, neither the key nor an
-- identity column.
CREATE OR REPLACE FUNCTION gaptrack_undo_columns(target regclass, for_update boolean) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
            FROM pg_attribute a
            WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
              AND NOT (for_update AND (a.attidentity <> '' OR EXISTS (
                  SELECT FROM pg_index i WHERE i.indrelid = target AND i.indisprimary AND a.attnum = ANY (i.indkey)))));
END
$$;

-- Which import wrote a row last before `before_import` (for naming what rests on an import), as
-- 'import N (file)', or NULL when no import did.
CREATE OR REPLACE FUNCTION gaptrack_undo_source(p_provider_id bigint, p_table text, p_row_key jsonb, before_import bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT format('import %s (%s)', i.import_id, i.file_name)
            FROM import_changes c JOIN imports i ON i.import_id = c.import_id
            WHERE c.provider_id = p_provider_id AND c.table_name = p_table AND c.import_id < before_import
              AND (c.row_key = p_row_key
                   OR (c.action = 'insert_marks' AND c.row_key ->> 'student_id' = p_row_key ->> 'student_id'
                       AND (p_row_key ->> 'session_date')::date BETWEEN (c.row_key ->> 'from')::date AND (c.row_key ->> 'to')::date))
            ORDER BY c.import_id DESC LIMIT 1);
END
$$;

-- Reverses import p_import_id, recording the reversal under p_undo_id (its ledger row, written by
-- the caller with undoes_import_id = p_import_id, and named in gaptrack.import_id so that the
-- journal records what the undo itself changes). Rows the import inserted are deleted, rows it
-- updated or deleted get back the values they had before it. Refused, with the reason, when:
--   * a later import (not itself undone) changed one of the same rows;
--   * a row is no longer as the import left it (changed outside an import, by the service or by hand);
--   * deleting what it inserted would take other rows with it (a support record, a result, marks
--     attached to a student it created), naming the import that brought them;
--   * the import predates the journal, or the student's rows were since erased.
-- Returns {"deleted": {table: n}, "restored": {table: n}}.
CREATE OR REPLACE FUNCTION gaptrack_import_undo(p_import_id bigint, p_undo_id bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_import imports;
    v_clash record;
    v_table text;
    v_count bigint;
    v_expected bigint;
    v_deleted jsonb := '{}';
    v_restored jsonb := '{}';
    v_source text;
    -- Children before parents: what a row's foreign keys point at is deleted after it.
    v_order text[] := ARRAY['attendance_mark_history', 'attendance_marks', 'assessment_results', 'support_records',
                            'student_markers', 'enrolments', 'assessment_points', 'students'];
    v_refusal text := format('import %s cannot be undone:', p_import_id);
BEGIN
    SELECT * INTO v_import FROM imports WHERE import_id = p_import_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no import %', p_import_id USING ERRCODE = 'no_data_found';
    END IF;
    IF v_import.undoes_import_id IS NOT NULL THEN
        RAISE EXCEPTION '% it is the undo of import %; to load that file again, import it again', v_refusal, v_import.undoes_import_id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF EXISTS (SELECT FROM import_changes WHERE provider_id = v_import.provider_id AND import_id = p_import_id AND erased) THEN
        RAISE EXCEPTION '% records it wrote were since erased or deleted under the retention policy', v_refusal
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF v_import.rows_inserted + v_import.rows_updated > 0
       AND NOT EXISTS (SELECT FROM import_changes WHERE provider_id = v_import.provider_id AND import_id = p_import_id) THEN
        RAISE EXCEPTION '% it was made before gaptrack kept the record of changes an undo needs (sql/008_import_undo.sql)', v_refusal
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;

    DROP TABLE IF EXISTS pg_temp.undo_plan, pg_temp.undo_marks, pg_temp.undo_plan_marks;
    -- One line per row the import touched: how it first found the row and how it left it.
    CREATE TEMPORARY TABLE undo_plan ON COMMIT DROP AS
    SELECT table_name, row_key,
           (array_agg(action ORDER BY change_id))[1] AS first_action,
           (array_agg(before ORDER BY change_id))[1] AS before,
           (array_agg(action ORDER BY change_id DESC))[1] AS last_action,
           (array_agg(after ORDER BY change_id DESC))[1] AS after
    FROM import_changes
    WHERE provider_id = v_import.provider_id AND import_id = p_import_id AND action <> 'insert_marks'
    GROUP BY table_name, row_key;
    CREATE TEMPORARY TABLE undo_marks ON COMMIT DROP AS
    SELECT (row_key ->> 'student_id')::bigint AS student_id, (row_key ->> 'from')::date AS from_date,
           (row_key ->> 'to')::date AS to_date, (after ->> 'marks')::bigint AS marks
    FROM import_changes
    WHERE provider_id = v_import.provider_id AND import_id = p_import_id AND action = 'insert_marks';
    -- The marks this import journalled one by one, by student: with undo_marks, looked up by
    -- student for every later import's entry below, so indexed.
    CREATE TEMPORARY TABLE undo_plan_marks ON COMMIT DROP AS
    SELECT (row_key ->> 'student_id')::bigint AS student_id, (row_key ->> 'session_date')::date AS session_date
    FROM undo_plan WHERE table_name = 'attendance_marks';
    CREATE INDEX ON undo_marks (student_id);
    CREATE INDEX ON undo_plan_marks (student_id, session_date);
    ANALYZE undo_marks, undo_plan_marks;

    -- A later import, neither undone nor an undo, that changed one of the same rows.
    SELECT c.import_id, i.file_name, c.table_name, c.row_key INTO v_clash
    FROM import_changes c JOIN imports i ON i.import_id = c.import_id
    WHERE c.provider_id = v_import.provider_id AND c.import_id > p_import_id AND c.import_id <> p_undo_id
      AND i.undoes_import_id IS NULL
      AND NOT EXISTS (SELECT FROM imports u WHERE u.undoes_import_id = c.import_id)
      AND (EXISTS (SELECT FROM undo_plan p WHERE p.table_name = c.table_name AND p.row_key = c.row_key)
           OR (c.table_name = 'attendance_marks' AND c.action <> 'insert_marks' AND EXISTS (
                   SELECT FROM undo_marks m WHERE m.student_id = (c.row_key ->> 'student_id')::bigint
                     AND (c.row_key ->> 'session_date')::date BETWEEN m.from_date AND m.to_date))
           -- A later import's marks journalled by range (a bulk load, or new marks merged into a
           -- school's partition: attendance_merge_new_marks) within this import's range of a
           -- pupil's dates, or around a mark this import wrote.
           OR (c.table_name = 'attendance_marks' AND c.action = 'insert_marks' AND (
                   EXISTS (SELECT FROM undo_marks m WHERE m.student_id = (c.row_key ->> 'student_id')::bigint
                             AND (c.row_key ->> 'from')::date <= m.to_date AND (c.row_key ->> 'to')::date >= m.from_date)
                   OR EXISTS (SELECT FROM undo_plan_marks p WHERE p.student_id = (c.row_key ->> 'student_id')::bigint
                                AND p.session_date BETWEEN (c.row_key ->> 'from')::date AND (c.row_key ->> 'to')::date))))
    ORDER BY c.import_id, c.change_id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '% import % (%) changed the same row afterwards (% %); undo import % first',
            v_refusal, v_clash.import_id, v_clash.file_name, v_clash.table_name, v_clash.row_key, v_clash.import_id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;

    -- A row no longer as the import left it: changed since, outside an import.
    FOR v_table IN SELECT DISTINCT table_name FROM undo_plan ORDER BY 1 LOOP
        EXECUTE format('SELECT p.row_key, p.after IS NULL AS was_deleted FROM undo_plan p LEFT JOIN %I t ON %s '
                       'WHERE p.table_name = $1 AND to_jsonb(t) - ''provider_id'' IS DISTINCT FROM p.after - ''provider_id'' LIMIT 1',
                       v_table, gaptrack_undo_key_match(v_table::regclass))
        INTO v_clash USING v_table;
        IF v_clash.row_key IS NOT NULL THEN
            RAISE EXCEPTION '% % % was % after it, outside an import (through the service or by hand; gaptrack audit shows who)',
                v_refusal, v_table, v_clash.row_key, CASE WHEN v_clash.was_deleted THEN 'added again' ELSE 'changed or deleted' END
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
    END LOOP;

    -- Bulk-loaded marks are journalled per student and term, so a mark changed since outside an
    -- import is found in the audit log, which records such changes row by row.
    IF EXISTS (SELECT FROM undo_marks) THEN
        SELECT a.row_key INTO v_clash FROM audit_log a
        WHERE a.provider_id = v_import.provider_id AND a.table_name = 'attendance_marks'
          AND a.audit_id > coalesce((SELECT max(e.audit_id) FROM audit_log e
                                     WHERE e.table_name = 'imports' AND e.row_key = jsonb_build_object('import_id', p_import_id)), 0)
          AND EXISTS (SELECT FROM undo_marks m WHERE m.student_id = (a.row_key ->> 'student_id')::bigint
                        AND (a.row_key ->> 'session_date')::date BETWEEN m.from_date AND m.to_date)
        ORDER BY a.audit_id LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION '% attendance_marks % was changed after it, outside an import (through the service or by hand; gaptrack audit shows who)',
                v_refusal, v_clash.row_key USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
    END IF;

    SET CONSTRAINTS student_markers_no_overlap DEFERRED;
    BEGIN
        -- What it inserted goes, children first.
        FOR v_table IN
            SELECT t FROM (SELECT DISTINCT table_name AS t FROM undo_plan WHERE first_action = 'insert' AND last_action <> 'delete') x
            ORDER BY coalesce(array_position(v_order, t), 0), t
        LOOP
            EXECUTE format('DELETE FROM %I t USING undo_plan p WHERE p.table_name = $1 AND p.first_action = ''insert'' '
                           'AND p.last_action <> ''delete'' AND %s', v_table, gaptrack_undo_key_match(v_table::regclass))
            USING v_table;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            v_deleted := v_deleted || jsonb_build_object(v_table, v_count);
        END LOOP;
        IF EXISTS (SELECT FROM undo_marks) THEN
            DELETE FROM attendance_marks t USING undo_marks m
            WHERE t.provider_id = v_import.provider_id
              AND t.student_id = m.student_id AND t.session_date BETWEEN m.from_date AND m.to_date;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            SELECT sum(marks) INTO v_expected FROM undo_marks;
            IF v_count <> v_expected THEN
                RAISE EXCEPTION '% the attendance terms it loaded hold % marks of its pupils now, not the % it loaded: marks were added or deleted since, outside an import',
                    v_refusal, v_count, v_expected USING ERRCODE = 'object_not_in_prerequisite_state';
            END IF;
            v_deleted := v_deleted || jsonb_build_object('attendance_marks', coalesce((v_deleted ->> 'attendance_marks')::bigint, 0) + v_count);
        END IF;

        -- What it changed gets its values back; what it deleted comes back, parents first.
        FOR v_table IN
            SELECT DISTINCT table_name FROM undo_plan WHERE first_action <> 'insert' AND last_action <> 'delete' ORDER BY 1
        LOOP
            EXECUTE format('UPDATE %1$I t SET (%2$s) = (SELECT %2$s FROM jsonb_populate_record(NULL::%1$I, p.before) r) '
                           'FROM undo_plan p WHERE p.table_name = $1 AND p.first_action <> ''insert'' AND p.last_action <> ''delete'' AND %3$s',
                           v_table, gaptrack_undo_columns(v_table::regclass, true), gaptrack_undo_key_match(v_table::regclass))
            USING v_table;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            v_restored := v_restored || jsonb_build_object(v_table, v_count);
        END LOOP;
        FOR v_table IN
            SELECT t FROM (SELECT DISTINCT table_name AS t FROM undo_plan WHERE first_action <> 'insert' AND last_action = 'delete') x
            ORDER BY coalesce(array_position(v_order, t), 0) DESC, t
        LOOP
            EXECUTE format('INSERT INTO %1$I (%2$s) OVERRIDING SYSTEM VALUE SELECT %2$s FROM undo_plan p, jsonb_populate_record(NULL::%1$I, p.before) r '
                           'WHERE p.table_name = $1 AND p.first_action <> ''insert'' AND p.last_action = ''delete''',
                           v_table, gaptrack_undo_columns(v_table::regclass, false))
            USING v_table;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            v_restored := v_restored || jsonb_build_object(v_table, coalesce((v_restored ->> v_table)::bigint, 0) + v_count);
        END LOOP;
        SET CONSTRAINTS student_markers_no_overlap IMMEDIATE;
    EXCEPTION
        WHEN foreign_key_violation OR exclusion_violation OR unique_violation OR check_violation THEN
            RAISE EXCEPTION '% putting back what it replaced clashes with what is there now: %', v_refusal, SQLERRM
                USING ERRCODE = 'object_not_in_prerequisite_state';
    END;

    -- Rows the deletes took with them that the import did not insert (ON DELETE CASCADE): they rest on it.
    SELECT c.table_name, c.row_key INTO v_clash
    FROM import_changes c
    WHERE c.provider_id = v_import.provider_id AND c.import_id = p_undo_id AND c.action = 'delete'
      AND NOT EXISTS (SELECT FROM undo_plan p WHERE p.table_name = c.table_name AND p.row_key = c.row_key AND p.first_action = 'insert')
      AND NOT (c.table_name = 'attendance_marks' AND EXISTS (
                   SELECT FROM undo_marks m WHERE m.student_id = (c.row_key ->> 'student_id')::bigint
                     AND (c.row_key ->> 'session_date')::date BETWEEN m.from_date AND m.to_date))
    ORDER BY c.change_id LIMIT 1;
    IF FOUND THEN
        v_source := gaptrack_undo_source(v_import.provider_id, v_clash.table_name, v_clash.row_key, p_undo_id);
        RAISE EXCEPTION '% % % rests on a record it created; it came from %', v_refusal, v_clash.table_name, v_clash.row_key,
            coalesce(v_source || '; undo that first', 'outside an import (through the service or by hand)')
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN jsonb_build_object('deleted', v_deleted, 'restored', v_restored);
END
$$;
