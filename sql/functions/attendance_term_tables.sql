-- attendance_marks has one partition per term. The attendance import creates a term's partition,
-- bulk-loads it and attaches it, which is much faster than inserting into the partitioned table
-- (docs/methodology.md §3).

-- The name of the partition that holds a term's marks, e.g. attendance_marks_2024_25_autumn.
CREATE OR REPLACE FUNCTION attendance_partition_name(p_academic_year text, p_term term_name) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT format('attendance_marks_%s_%s', replace(p_academic_year, '/', '_'), p_term)
$$;

-- Whether the term's marks can be bulk-loaded into a new partition: it has none yet, and the
-- default partition holds no marks in its dates.
CREATE OR REPLACE FUNCTION attendance_term_is_empty(p_academic_year text, p_term term_name) RETURNS boolean
LANGUAGE sql STABLE STRICT AS $$
    SELECT to_regclass(attendance_partition_name(p_academic_year, p_term)) IS NULL
       AND NOT EXISTS (
           SELECT 1 FROM attendance_marks_default d, terms t
           WHERE t.academic_year = p_academic_year AND t.term = p_term
             AND d.session_date BETWEEN t.starts_on AND t.ends_on)
$$;

-- Step 1 of a bulk load: a detached table shaped like attendance_marks, with a CHECK that its
-- dates fall in the term (so that attaching it needs no scan). Returns the table's name; the
-- importer COPYs into it, then calls attendance_attach_term_table.
CREATE OR REPLACE FUNCTION attendance_create_term_table(p_academic_year text, p_term term_name) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_name text := attendance_partition_name(p_academic_year, p_term);
    v_term terms%ROWTYPE;
BEGIN
    SELECT * INTO STRICT v_term FROM terms WHERE academic_year = p_academic_year AND term = p_term;
    IF NOT attendance_term_is_empty(p_academic_year, p_term) THEN
        RAISE EXCEPTION 'attendance for % % already has marks; merge into attendance_marks instead', p_academic_year, p_term;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE attendance_marks INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_name);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (session_date BETWEEN %L AND %L)',
                   v_name, v_name || '_in_term', v_term.starts_on, v_term.ends_on);
    RETURN v_name;
END
$$;

-- Step 2: build the primary key in one pass and attach the table as the term's partition. The
-- parent's foreign key is cloned onto it and validated with one set-based query. The importer
-- COPYs the marks in primary-key order, so the index build's sort finds them sorted; parallel
-- workers would each re-sort a share and were slower here, hence none.
CREATE OR REPLACE FUNCTION attendance_attach_term_table(p_academic_year text, p_term term_name) RETURNS void
LANGUAGE plpgsql SET max_parallel_maintenance_workers = 0 AS $$
DECLARE
    v_name text := attendance_partition_name(p_academic_year, p_term);
    v_term terms%ROWTYPE;
BEGIN
    SELECT * INTO STRICT v_term FROM terms WHERE academic_year = p_academic_year AND term = p_term;
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (provider_id, student_id, session_date, session)', v_name);
    EXECUTE format('ALTER TABLE attendance_marks ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   v_name, v_term.starts_on, v_term.ends_on + 1);
END
$$;
