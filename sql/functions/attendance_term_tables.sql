-- Attendance term tables: a partition per term, and per school within it.
-- after version: 31

-- attendance_marks has one partition per term, and each term one partition per school (provider)
-- within it, plus a default for marks written outside a bulk load (the service's register
-- writes, a web upload). The attendance import puts a school's first marks of a term into a new
-- table of its own, bulk-loads it, builds its key once and attaches it, which is much faster
-- than inserting into the partitioned table; a later week's marks merge into that school's table
-- only, so a school's import costs the same whether it is the first or the hundredth school in
-- the term (docs/methodology.md §3, docs/scaling.md).

-- The name of the partition that holds a term's marks, e.g. attendance_marks_2024_25_autumn.
CREATE OR REPLACE FUNCTION attendance_partition_name(p_academic_year text, p_term term_name) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT format('attendance_marks_%s_%s', replace(p_academic_year, '/', '_'), p_term)
$$;

-- The name of one school's partition of a term, e.g. attendance_marks_2024_25_autumn_p12.
CREATE OR REPLACE FUNCTION attendance_school_partition_name(p_academic_year text, p_term term_name, p_provider_id bigint)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT format('%s_p%s', attendance_partition_name(p_academic_year, p_term), p_provider_id)
$$;

-- Whether a school's marks of a term can be bulk-loaded into a new table of its own: it has no
-- partition of the term yet and no marks of it wait in the term's default; and, when the term has
-- no partition at all, the top-level default holds no marks in the term's dates (which the term's
-- partition would have to take in).
CREATE OR REPLACE FUNCTION attendance_school_term_is_empty(p_academic_year text, p_term term_name, p_provider_id bigint)
RETURNS boolean
LANGUAGE plpgsql STABLE STRICT AS $$
DECLARE
    v_term_table text := attendance_partition_name(p_academic_year, p_term);
    v_held boolean;
BEGIN
    IF to_regclass(attendance_school_partition_name(p_academic_year, p_term, p_provider_id)) IS NOT NULL THEN
        RETURN false;
    END IF;
    IF to_regclass(v_term_table) IS NULL THEN
        RETURN NOT EXISTS (
            SELECT 1 FROM attendance_marks_default d, terms t
            WHERE t.academic_year = p_academic_year AND t.term = p_term
              AND d.session_date BETWEEN t.starts_on AND t.ends_on);
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE provider_id = $1)', v_term_table || '_default')
        INTO v_held USING p_provider_id;
    RETURN NOT v_held;
END
$$;

-- The term's partition, partitioned by school, with its default; made empty, so attaching it
-- reads only the top-level default.
CREATE OR REPLACE FUNCTION attendance_create_term_partition(p_academic_year text, p_term term_name) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_name text := attendance_partition_name(p_academic_year, p_term);
    v_term terms%ROWTYPE;
BEGIN
    SELECT * INTO STRICT v_term FROM terms WHERE academic_year = p_academic_year AND term = p_term;
    EXECUTE format('CREATE TABLE %I (LIKE attendance_marks INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (provider_id)', v_name);
    EXECUTE format('ALTER TABLE attendance_marks ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   v_name, v_term.starts_on, v_term.ends_on + 1);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', v_name || '_default', v_name);
    RETURN v_name;
END
$$;

-- Step 1 of a bulk load: a detached table shaped like attendance_marks, with CHECKs that its
-- dates fall in the term and its rows are the school's (so that attaching it needs no scan).
-- Makes the term's partition first if there is none. Returns the table's name; the importer
-- COPYs into it, then calls attendance_attach_term_table.
CREATE OR REPLACE FUNCTION attendance_create_term_table(p_academic_year text, p_term term_name, p_provider_id bigint)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_name text := attendance_school_partition_name(p_academic_year, p_term, p_provider_id);
    v_term terms%ROWTYPE;
BEGIN
    SELECT * INTO STRICT v_term FROM terms WHERE academic_year = p_academic_year AND term = p_term;
    IF NOT attendance_school_term_is_empty(p_academic_year, p_term, p_provider_id) THEN
        RAISE EXCEPTION 'attendance for % % already has marks of provider %; merge into attendance_marks instead',
            p_academic_year, p_term, p_provider_id;
    END IF;
    IF to_regclass(attendance_partition_name(p_academic_year, p_term)) IS NULL THEN
        PERFORM attendance_create_term_partition(p_academic_year, p_term);
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE attendance_marks INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_name);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (session_date BETWEEN %L AND %L), ADD CONSTRAINT %I CHECK (provider_id = %s)',
                   v_name, v_name || '_in_term', v_term.starts_on, v_term.ends_on, v_name || '_school', p_provider_id);
    RETURN v_name;
END
$$;

-- Step 2: build the primary key in one pass, attach the table as the school's partition of the
-- term (the parent's foreign key is cloned onto it and validated with one set-based query), and
-- gather its statistics, so that the next plan is estimated from its real rows rather than from
-- an empty table's guess (one school's partition: a sample of at most 30,000 rows). The importer
-- COPYs the marks in primary-key order, so the index build's sort finds them sorted; parallel
-- workers would each re-sort a share and were slower here, hence none.
CREATE OR REPLACE FUNCTION attendance_attach_term_table(p_academic_year text, p_term term_name, p_provider_id bigint)
RETURNS void
LANGUAGE plpgsql SET max_parallel_maintenance_workers = 0 AS $$
DECLARE
    v_name text := attendance_school_partition_name(p_academic_year, p_term, p_provider_id);
BEGIN
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (provider_id, student_id, session_date, session)', v_name);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%s)',
                   attendance_partition_name(p_academic_year, p_term), v_name, p_provider_id);
    EXECUTE format('ANALYZE %I', v_name);
END
$$;

-- After a merge: gather the statistics of the partition that holds the school's marks of the
-- term (its own, else the term's default, else the top-level default), as after a bulk load.
CREATE OR REPLACE FUNCTION attendance_analyze_school_term(p_academic_year text, p_term term_name, p_provider_id bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ANALYZE %s', coalesce(
        to_regclass(attendance_school_partition_name(p_academic_year, p_term, p_provider_id)),
        to_regclass(attendance_partition_name(p_academic_year, p_term) || '_default'),
        'attendance_marks_default'::regclass));
END
$$;

-- A later week of a school that has a partition of its own in the term (the merge path of the
-- attendance import, after its marks are staged in the transaction's `staged_attendance`): the
-- marks of every pupil for whom the school's partition holds no mark between the pupil's first
-- and last staged date of the term are all new, so they are inserted straight into that
-- partition, without comparing them mark by mark with what is held, and journalled as one
-- 'insert_marks' entry per pupil (the dates and how many marks), as a bulk load journals a term.
-- Inserted through attendance_marks, each mark would be copied into the journal one by one by the
-- statement triggers (most of the merge's time: BENCHMARKS.md, "Attendance import and support
-- load, 6 December 2026"). The entry is exact: after the insert, the pupil's marks between those
-- dates are the ones this import inserted, so `gaptrack import undo` deletes them by range and
-- checks the count.
-- Those rows leave `staged_attendance`; a pupil whose marks fall among marks already held (a gap
-- filled, a week sent again, a changed code) stays there for the importer's comparison and its
-- update and insert through the parent, journalled mark by mark. The rows inserted here are not
-- seen by the parent's statement triggers (journal, audit, report cache), so the importer reports
-- them as loaded untriggered, as a bulk load's. The partition's foreign key to students is
-- checked row by row, as on any insert. Returns the number of marks inserted. Only for the schema
-- owner (row-level security does not apply to a partition written directly).
CREATE OR REPLACE FUNCTION attendance_merge_new_marks(p_import_id bigint, p_academic_year text, p_term term_name,
                                                      p_provider_id bigint)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_name text := attendance_school_partition_name(p_academic_year, p_term, p_provider_id);
    v_term terms%ROWTYPE;
    v_count bigint;
BEGIN
    IF to_regclass(v_name) IS NULL THEN
        RETURN 0;
    END IF;
    SELECT * INTO STRICT v_term FROM terms WHERE academic_year = p_academic_year AND term = p_term;
    DROP TABLE IF EXISTS pg_temp.attendance_new_runs;
    CREATE TEMPORARY TABLE attendance_new_runs ON COMMIT DROP AS
    SELECT student_id, min(session_date) AS from_date, max(session_date) AS to_date, count(*) AS marks
    FROM pg_temp.staged_attendance
    WHERE session_date BETWEEN v_term.starts_on AND v_term.ends_on
    GROUP BY student_id;
    ANALYZE pg_temp.attendance_new_runs;
    EXECUTE format('DELETE FROM pg_temp.attendance_new_runs r WHERE EXISTS (SELECT FROM %I m WHERE m.provider_id = $1 '
                   'AND m.student_id = r.student_id AND m.session_date BETWEEN r.from_date AND r.to_date)', v_name)
        USING p_provider_id;
    EXECUTE format('INSERT INTO %I (provider_id, student_id, session_date, session, code) '
                   'SELECT $1, s.student_id, s.session_date, s.session, s.code '
                   'FROM pg_temp.staged_attendance s JOIN pg_temp.attendance_new_runs r USING (student_id) '
                   'WHERE s.session_date BETWEEN r.from_date AND r.to_date '
                   'ORDER BY s.student_id, s.session_date, s.session', v_name)
        USING p_provider_id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    INSERT INTO import_changes (provider_id, import_id, table_name, action, row_key, before, after)
    SELECT i.provider_id, i.import_id, 'attendance_marks', 'insert_marks',
           jsonb_build_object('student_id', r.student_id, 'from', r.from_date, 'to', r.to_date), NULL,
           jsonb_build_object('marks', r.marks)
    FROM pg_temp.attendance_new_runs r, imports i
    WHERE i.provider_id = p_provider_id AND i.import_id = p_import_id;
    DELETE FROM pg_temp.staged_attendance s USING pg_temp.attendance_new_runs r
    WHERE s.student_id = r.student_id AND s.session_date BETWEEN r.from_date AND r.to_date;
    RETURN v_count;
END
$$;
