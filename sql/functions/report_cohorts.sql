-- Cohorts: which students a report is about, and which terms and cohorts a provider has
-- (docs/methodology.md §7).
-- after version: 22

-- A cohort is a set of enrolments in one term: a year group at a school (`year-11`, `year-r`), a
-- course (`course-bsc-psy`) or an intake (`intake-2024`, the students who started in 2024/25) at
-- a college or university. A student is in the cohort for a term when an enrolment of the
-- term's academic year overlaps the term's dates (`terms`). Their disadvantage is read on the
-- term's school census day (`census_days`), through student_disadvantage(), so that a
-- report for a term uses the same facts as the census.
--
-- Everything here is set-based: one query over the cohort, whatever its size. The Swift
-- statistics (GapTrackReports.AggregateStatistics, GapStatistics) are the reference the tests
-- compare these functions against.

-- The cohort codes an enrolment belongs to. Codes are lower case; users may type any case.
CREATE OR REPLACE FUNCTION report_cohort_codes(p_kind provider_kind, p_year_group text, p_course text, p_intake_year text)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_remove(ARRAY[
        CASE WHEN p_year_group IS NOT NULL THEN 'year-' || lower(p_year_group) END,
        CASE WHEN p_course IS NOT NULL THEN 'course-' || lower(p_course) END,
        CASE WHEN p_kind <> 'school' AND p_intake_year IS NOT NULL THEN 'intake-' || left(p_intake_year, 4) END
    ], NULL)
$$;

-- What a reader sees for a cohort code: "Year 11", "Reception", "Course BSC-PSY", "2024/25 intake".
CREATE OR REPLACE FUNCTION report_cohort_label(p_cohort text, p_course text)
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
-- the student's earliest enrolment. Without JIT: the intake subquery makes the planner cost the
-- query in the tens of millions, and compiling it took 0.75 s of 0.9 s for a 60,000-pupil school
-- whose rows it reads in 0.15 s (BENCHMARKS.md, 6 December 2026).
CREATE OR REPLACE FUNCTION report_cohorts(p_provider_id bigint, p_academic_year text, p_term term_name)
RETURNS TABLE (cohort text, label text, students bigint)
LANGUAGE sql STABLE PARALLEL SAFE SET jit = off AS $$
    WITH groups AS (
        SELECT pr.kind, e.year_group, e.course,
               CASE WHEN pr.kind <> 'school' THEN
                   coalesce(e.intake_year, (SELECT min(x.academic_year) FROM enrolments x WHERE x.provider_id = e.provider_id AND x.student_id = e.student_id))
               END AS intake_year,
               count(*) AS students
        FROM providers pr
        JOIN enrolments e ON e.provider_id = pr.provider_id
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
CREATE OR REPLACE FUNCTION report_terms(p_provider_id bigint)
RETURNS TABLE (academic_year text, term term_name)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT t.academic_year, t.term
    FROM terms t
    WHERE EXISTS (
        SELECT 1 FROM enrolments e
        WHERE e.provider_id = p_provider_id AND e.academic_year = t.academic_year)
    ORDER BY t.starts_on DESC
$$;
