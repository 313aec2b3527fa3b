-- Loading a report's cohort, with each student's disadvantage facts on the term's census day, into
-- a temporary table the report functions read (docs/methodology.md §7).
-- depends on: student_disadvantage.sql, student_census_facts.sql
-- after version: 29

-- A report works on one cohort for many queries (group sizes, attainment and attendance in
-- each trend term, support), so the cohort and its disadvantage facts, the costly part, are
-- worked out once into a temporary table of the session, report_cohort, dropped at the end of
-- the transaction. Call it inside a transaction (BEGIN … COMMIT), then the report_* functions
-- below, which read report_cohort. Returns the number of students.
--
-- The cohort's students are listed first, from enrolments alone (the academic year, an enrolment
-- that overlaps the term's dates, the cohort code), into a temporary table that is then ANALYZEd,
-- so the planner knows how many students the cohort has when it joins them to their disadvantage
-- facts, and hashes them instead of looking them up one by one (PostgreSQL has no statistics for
-- lower(year_group) and would otherwise guess a few hundred). The term's dates, the census day
-- and the provider's kind are looked up once. No census day, term or provider: no students.
--
-- report_load_cohort also drops the tie blocks report_load_results made from the cohort it
-- replaces, so that the results of one cohort are never ranked as another's.
CREATE OR REPLACE FUNCTION report_load_cohort(p_provider_id bigint, p_academic_year text, p_term term_name, p_cohort text)
RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_count bigint;
    v_census_date date;
    v_starts_on date;
    v_ends_on date;
    v_kind provider_kind;
BEGIN
    SELECT c.census_date INTO v_census_date FROM census_days c WHERE c.academic_year = p_academic_year AND c.collection = p_term;
    SELECT t.starts_on, t.ends_on INTO v_starts_on, v_ends_on FROM terms t WHERE t.academic_year = p_academic_year AND t.term = p_term;
    SELECT pr.kind INTO v_kind FROM providers pr WHERE pr.provider_id = p_provider_id;
    DROP TABLE IF EXISTS pg_temp.report_cohort, pg_temp.report_result_blocks, pg_temp.report_result_terms;
    -- The primary key is added after the rows: building it once costs less than keeping it up
    -- to date row by row.
    CREATE TEMPORARY TABLE report_cohort OF student_disadvantage_facts ON COMMIT DROP;
    -- No census day (a year not in census_days), no term or no provider: no students.
    v_count := 0;
    IF v_census_date IS NOT NULL AND v_starts_on IS NOT NULL AND v_kind IS NOT NULL THEN
        DROP TABLE IF EXISTS pg_temp.report_cohort_members;
        CREATE TEMPORARY TABLE report_cohort_members ON COMMIT DROP AS
            SELECT DISTINCT e.student_id
            FROM enrolments e
            WHERE e.academic_year = p_academic_year
              -- The provider's own enrolments, by the key that leads with the provider (sql/022):
              -- without it every school's enrolments of the year are read.
              AND e.provider_id = p_provider_id
              AND e.start_date <= v_ends_on
              AND coalesce(e.leave_date, v_ends_on) >= v_starts_on
              AND CASE
                  -- The whole school, college or university (docs/methodology.md §7.2).
                  WHEN lower(p_cohort) = 'all' THEN true
                  -- A key stage: the DfE's year groups of each (docs/methodology.md §7.2).
                  WHEN lower(p_cohort) LIKE 'ks_' THEN e.year_group = ANY (report_key_stage_years(substr(lower(p_cohort), 3)::int))
                  WHEN lower(p_cohort) LIKE 'year-%' THEN lower(e.year_group) = substr(lower(p_cohort), 6)
                  WHEN lower(p_cohort) LIKE 'course-%' THEN lower(e.course) = substr(lower(p_cohort), 8)
                  WHEN lower(p_cohort) LIKE 'intake-%' THEN v_kind <> 'school'
                       AND left(coalesce(e.intake_year, (SELECT min(x.academic_year) FROM enrolments x WHERE x.provider_id = p_provider_id AND x.student_id = e.student_id)), 4)
                           = substr(lower(p_cohort), 8)
                  ELSE false
              END;
        ANALYZE pg_temp.report_cohort_members;
        -- The facts kept current on every write (student_census_facts, made by the same rules:
        -- sql/functions/student_census_facts.sql), read by the provider's census day.
        INSERT INTO report_cohort
            SELECT (f.facts).* FROM student_census_facts f
            WHERE f.provider_id = p_provider_id AND f.census_date = v_census_date
              AND f.student_id IN (SELECT m.student_id FROM pg_temp.report_cohort_members m);
        GET DIAGNOSTICS v_count = ROW_COUNT;
        DROP TABLE pg_temp.report_cohort_members;
    END IF;
    ALTER TABLE pg_temp.report_cohort ADD PRIMARY KEY (student_id);
    ANALYZE report_cohort;
    RETURN v_count;
END
$$;

-- The national curriculum year groups of a key stage, as the DfE defines them (docs/methodology.md
-- §7.2): KS1 years 1–2, KS2 3–6, KS3 7–9, KS4 10–11, and 16–19 study (called key stage 5 in
-- schools) years 12–13. Written once in Swift too (CohortCode.keyStageYears), which a test compares.
CREATE OR REPLACE FUNCTION report_key_stage_years(p_stage integer)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_stage
        WHEN 1 THEN ARRAY['1', '2']
        WHEN 2 THEN ARRAY['3', '4', '5', '6']
        WHEN 3 THEN ARRAY['7', '8', '9']
        WHEN 4 THEN ARRAY['10', '11']
        WHEN 5 THEN ARRAY['12', '13']
        ELSE ARRAY[]::text[]
    END
$$;

-- Narrows the loaded cohort to the students a report is filtered to (docs/methodology.md §7.8):
-- every condition given must hold (AND); a NULL or empty argument is no condition. Runs after
-- report_load_cohort and before anything reads report_cohort, so every section of the report is
-- computed over the same filtered students. Markers are read from the census-day facts
-- (p_markers: boolean columns of student_disadvantage_facts); sen is 'any', 'k', 'e' or 'none';
-- form groups compare without regard to case. Returns the number of students left.
CREATE OR REPLACE FUNCTION report_filter_cohort(
    p_provider_id bigint, p_academic_year text, p_gender text, p_sen text, p_eal boolean, p_form_group text,
    p_markers text[], p_groups text[])
RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_count bigint;
BEGIN
    PERFORM report_require_cohort();
    -- coalesce: a condition that is NULL for a student (no SEN recorded, say) does not hold.
    DELETE FROM pg_temp.report_cohort c
    WHERE NOT coalesce((
        (p_gender IS NULL OR EXISTS (SELECT FROM students s WHERE s.student_id = c.student_id AND s.gender = p_gender))
        AND (p_sen IS NULL
             OR (p_sen = 'any' AND c.sen IS NOT NULL)
             OR (p_sen = 'none' AND c.sen IS NULL)
             OR c.sen = upper(p_sen))
        AND (p_eal IS NULL OR coalesce(c.eal, false) = p_eal)
        AND (p_form_group IS NULL OR EXISTS (
                SELECT FROM enrolments e
                WHERE e.provider_id = p_provider_id AND e.student_id = c.student_id AND e.academic_year = p_academic_year AND lower(e.form_group) = lower(p_form_group)))
        AND (coalesce(cardinality(p_markers), 0) = 0
             OR (SELECT bool_and(coalesce(to_jsonb(c) ->> m, 'false') = 'true') FROM unnest(p_markers) AS m))
        AND (coalesce(cardinality(p_groups), 0) = 0
             OR (SELECT count(DISTINCT g.code) FROM student_group_members g
                 WHERE g.provider_id = p_provider_id AND g.student_id = c.student_id AND g.code = ANY (p_groups))
                = cardinality(ARRAY(SELECT DISTINCT unnest(p_groups))))
    ), false);
    ANALYZE pg_temp.report_cohort;
    SELECT count(*) INTO v_count FROM pg_temp.report_cohort;
    RETURN v_count;
END
$$;

-- Refuses, with what to do, when report_load_cohort has not been called in this transaction.
CREATE OR REPLACE FUNCTION report_require_cohort() RETURNS void
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    IF to_regclass('pg_temp.report_cohort') IS NULL THEN
        RAISE EXCEPTION 'no report cohort is loaded'
            USING ERRCODE = 'undefined_table',
                  HINT = 'Call report_load_cohort(provider_id, academic_year, term, cohort) first, in the same transaction.';
    END IF;
END
$$;
