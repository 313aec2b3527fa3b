-- gaptrack reports, part 1: cohorts and the groups students are counted in.
--
-- A cohort is a set of enrolments in one term: a year group at a school (`year-11`, `year-r`), a
-- course (`course-bsc-psy`) or an intake (`intake-2024`, the students who started in 2024/25) at
-- a college or university. A student is in the cohort for a term when an enrolment of the
-- term's academic year overlaps the term's dates (`terms`). Their disadvantage is read on the
-- term's school census day (`census_days`), through student_disadvantage() (005), so that a
-- report for a term uses the same facts as the census.
--
-- Everything here is set-based: one query over the cohort, whatever its size. The Swift
-- statistics (GapTrackReports.AggregateStatistics, GapStatistics) are the reference the tests
-- compare these functions against.

-- The cohort codes an enrolment belongs to. Codes are lower case; users may type any case.
CREATE FUNCTION report_cohort_codes(p_kind provider_kind, p_year_group text, p_course text, p_intake_year text)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_remove(ARRAY[
        CASE WHEN p_year_group IS NOT NULL THEN 'year-' || lower(p_year_group) END,
        CASE WHEN p_course IS NOT NULL THEN 'course-' || lower(p_course) END,
        CASE WHEN p_kind <> 'school' AND p_intake_year IS NOT NULL THEN 'intake-' || left(p_intake_year, 4) END
    ], NULL)
$$;

-- What a reader sees for a cohort code: "Year 11", "Reception", "Course BSC-PSY", "2024/25 intake".
CREATE FUNCTION report_cohort_label(p_cohort text, p_course text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN p_cohort = 'year-r' THEN 'Reception'
        WHEN p_cohort LIKE 'year-%' THEN 'Year ' || upper(substr(p_cohort, 6))
        WHEN p_cohort LIKE 'course-%' THEN 'Course ' || coalesce(p_course, upper(substr(p_cohort, 8)))
        WHEN p_cohort LIKE 'intake-%' THEN substr(p_cohort, 8) || '/' || lpad(((substr(p_cohort, 8)::int + 1) % 100)::text, 2, '0') || ' intake'
        ELSE p_cohort
    END
$$;

-- The cohorts that have students in a term, for reports and for the error that lists them.
-- Ordered as people expect: nursery, reception, years 1 to 14, then courses, then intakes.
-- Enrolments are grouped by (year group, course, intake) first, so the codes are worked out once
-- per group, not once per student; a student has one enrolment per academic year, so the
-- counts are of distinct students. An enrolment without an intake year belongs to the intake of
-- the student's earliest enrolment.
CREATE FUNCTION report_cohorts(p_provider_id bigint, p_academic_year text, p_term term_name)
RETURNS TABLE (cohort text, label text, students bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH groups AS (
        SELECT pr.kind, e.year_group, e.course,
               CASE WHEN pr.kind <> 'school' THEN
                   coalesce(e.intake_year, (SELECT min(x.academic_year) FROM enrolments x WHERE x.student_id = e.student_id))
               END AS intake_year,
               count(*) AS students
        FROM providers pr
        JOIN students s ON s.provider_id = pr.provider_id
        JOIN enrolments e ON e.student_id = s.student_id
        JOIN terms t ON t.academic_year = p_academic_year AND t.term = p_term
        WHERE pr.provider_id = p_provider_id
          AND e.academic_year = p_academic_year
          AND e.start_date <= t.ends_on
          AND coalesce(e.leave_date, t.ends_on) >= t.starts_on
        GROUP BY 1, 2, 3, 4
    )
    SELECT c.cohort, report_cohort_label(c.cohort, min(g.course) FILTER (WHERE c.cohort LIKE 'course-%')), sum(g.students)::bigint
    FROM groups g
    CROSS JOIN LATERAL unnest(report_cohort_codes(g.kind, g.year_group, g.course, g.intake_year)) AS c (cohort)
    GROUP BY c.cohort
    ORDER BY CASE WHEN c.cohort LIKE 'year-n%' THEN 0 WHEN c.cohort = 'year-r' THEN 1 WHEN c.cohort LIKE 'year-%' THEN 2
                  WHEN c.cohort LIKE 'course-%' THEN 3 ELSE 4 END,
             CASE WHEN c.cohort ~ '^year-[0-9]+$' THEN substr(c.cohort, 6)::int END,
             c.cohort
$$;

-- The terms of every academic year in which the provider has enrolments, latest first: what a
-- report's --term may name.
CREATE FUNCTION report_terms(p_provider_id bigint)
RETURNS TABLE (academic_year text, term term_name)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT t.academic_year, t.term
    FROM terms t
    WHERE EXISTS (
        SELECT 1 FROM enrolments e JOIN students s ON s.student_id = e.student_id
        WHERE e.academic_year = t.academic_year AND s.provider_id = p_provider_id)
    ORDER BY t.starts_on DESC
$$;

-- The students of a cohort in a term, each once, with their disadvantage facts on the term's
-- census day: the set every other report function starts from. The cohort code is read once
-- (year-…, course-…, intake-…) rather than worked out for every enrolment, and the census day is
-- joined rather than passed as a sub-select, so that student_disadvantage() is inlined into the
-- plan.
CREATE FUNCTION report_cohort_facts(p_provider_id bigint, p_academic_year text, p_term term_name, p_cohort text)
RETURNS SETOF student_disadvantage_facts
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT f.*
    FROM census_days c
    CROSS JOIN LATERAL student_disadvantage(p_provider_id, c.census_date) f
    WHERE c.academic_year = p_academic_year AND c.collection = p_term
      AND f.student_id IN (
        SELECT e.student_id
        FROM providers pr
        JOIN students s ON s.provider_id = pr.provider_id
        JOIN enrolments e ON e.student_id = s.student_id
        JOIN terms t ON t.academic_year = p_academic_year AND t.term = p_term
        WHERE pr.provider_id = p_provider_id
          AND e.academic_year = p_academic_year
          AND e.start_date <= t.ends_on
          AND coalesce(e.leave_date, t.ends_on) >= t.starts_on
          AND CASE
              WHEN lower(p_cohort) LIKE 'year-%' THEN lower(e.year_group) = substr(lower(p_cohort), 6)
              WHEN lower(p_cohort) LIKE 'course-%' THEN lower(e.course) = substr(lower(p_cohort), 8)
              WHEN lower(p_cohort) LIKE 'intake-%' THEN pr.kind <> 'school'
                   AND left(coalesce(e.intake_year, (SELECT min(x.academic_year) FROM enrolments x WHERE x.student_id = e.student_id)), 4)
                       = substr(lower(p_cohort), 8)
              ELSE false
          END)
$$;

-- A report works on one cohort for many queries (group sizes, attainment and attendance in
-- each trend term, support), so the cohort and its disadvantage facts, the costly part, are
-- worked out once into a temporary table of the session, report_cohort, dropped at the end of
-- the transaction. Call it inside a transaction (BEGIN … COMMIT), then the report_* functions
-- below, which read report_cohort. Returns the number of students.
CREATE FUNCTION report_load_cohort(p_provider_id bigint, p_academic_year text, p_term term_name, p_cohort text)
RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_count bigint;
BEGIN
    DROP TABLE IF EXISTS pg_temp.report_cohort;
    CREATE TEMPORARY TABLE report_cohort OF student_disadvantage_facts (PRIMARY KEY (student_id)) ON COMMIT DROP;
    INSERT INTO report_cohort SELECT * FROM report_cohort_facts(p_provider_id, p_academic_year, p_term, p_cohort);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    ANALYZE report_cohort;
    RETURN v_count;
END
$$;

-- Refuses, with what to do, when report_load_cohort has not been called in this transaction.
CREATE FUNCTION report_require_cohort() RETURNS void
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

-- The report groups a student belongs to (ids as GapTrackReports.ReportGroup): the whole cohort;
-- disadvantaged (DfE: FSM Ever 6, looked after, previously looked after) or the others; the
-- subgroups schools report; the OfS groups; the Social Mobility Commission groups, where
-- "not declared" is everyone without an answer that places them in a group.
CREATE FUNCTION report_groups_of(f student_disadvantage_facts)
RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT g.group_id
    FROM (VALUES
        ('cohort', true),
        ('disadvantaged', f.disadvantaged),
        ('others', NOT f.disadvantaged),
        ('fsm', f.fsm_now),
        ('fsm_ever_6', f.fsm_ever6),
        ('looked_after', f.looked_after OR f.previously_looked_after),
        ('eal', f.eal),
        ('sen', f.sen IS NOT NULL),
        ('sen_ehc_plan', f.sen = 'E'),
        ('sen_support', f.sen = 'K'),
        ('refugee_or_asylum_seeker', f.refugee_or_asylum_seeker),
        ('young_carer', f.young_carer),
        ('service_child', f.service_child),
        ('imd_q' || f.imd_quintile, f.imd_quintile IS NOT NULL),
        ('polar4_q' || f.polar4_quintile, f.polar4_quintile IS NOT NULL),
        ('first_in_family', f.first_in_family),
        ('care_leaver', f.care_leaver),
        ('estranged', f.estranged),
        ('smc_' || f.smc_group, f.smc_group IS NOT NULL),
        ('smc_declared', f.smc_group IS NOT NULL),
        ('smc_not_declared', f.smc_group IS NULL)
    ) AS g (group_id, member)
    WHERE g.member
$$;

-- Students of the loaded cohort in each group (groups with no student are left out).
--
-- Students are first grouped by their facts with the student id blanked out (there are at most a
-- few hundred distinct combinations), and report_groups_of runs once per combination rather than
-- once per student: over 600,000 students that is the difference between seconds and a fraction
-- of one. jsonb_populate_record keeps this independent of the columns of student_disadvantage_facts.
CREATE FUNCTION report_group_counts()
RETURNS TABLE (group_id text, students bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_require_cohort();
    RETURN QUERY
        WITH combinations AS (
            SELECT jsonb_populate_record(c, '{"student_id": null}') AS facts, count(*) AS students
            FROM report_cohort c
            GROUP BY 1
        )
        SELECT g.group_id, sum(x.students)::bigint
        FROM combinations x
        CROSS JOIN LATERAL report_groups_of(x.facts) AS g (group_id)
        GROUP BY g.group_id
        ORDER BY g.group_id;
END
$$;
