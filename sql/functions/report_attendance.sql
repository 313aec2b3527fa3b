-- Attendance by report group, set-based (docs/methodology.md §3).
-- depends on: report_groups.sql, report_load_cohort.sql, school_calendar.sql
-- after version: 22

-- Possible sessions come from the school calendar and each student's on-roll dates
-- (docs/methodology.md §3.3): two sessions for every day the school is open
-- (school_calendar.sql) while the student is on roll in the marks' academic year (their
-- enrolment's start to leave date), up to the last day the register was taken for the cohort in
-- the term, less the sessions marked with a code that is not a possible session (attendance_codes:
-- what counts as possible and as attendance; never by listing codes here). A session on roll with
-- no mark is possible and not attended, so it counts as absence; a mark on a day that is not a
-- school day or outside the student's on-roll dates counts for nothing. Students with no mark
-- in the term have no register for it and are not counted. Then, per report group, the sums the
-- report needs:
--   attendance = Σ attended / Σ possible (the DfE overall rate, as attendance);
--   Σ attended², Σ possible², Σ attended × possible, for the ratio estimator's variance over
--   students (Cochran, Sampling Techniques, 1977, §6.4), which treats a student's sessions as
--   one unit rather than as independent trials;
--   persistent absence: absent × 10 ≥ possible (10% or more of the student's own possible
--   sessions); severe: absent × 2 ≥ possible (50% or more), compared in whole numbers, as
--   GapTrackDomain.AbsenceSummary does.
-- Students with no possible session in the term are not counted.
--
-- As for attainment, the cohort and its disadvantage are the loaded report_cohort and
-- the marks may come from any term (the trend). The term's dates are looked up first so that
-- the planner reads only that term's partition of attendance_marks, and the cohort's students are
-- passed as an array of known size with their provider, so that it looks up only their marks and
-- enrolments by the keys (provider, student, ...) instead of walking every school's marks of the
-- term and enrolments of the year.
-- Each step is MATERIALIZED: with the planner's guess of one row for a freshly loaded term (no
-- statistics yet), an inlined step was joined by a nested loop that computed it again for every
-- student of the cohort, and one report of a small test school took 44 s. The attendance import
-- now analyses the partitions it wrote before it commits (sql/functions/attendance_term_tables.sql),
-- but marks written through the service are counted only by autovacuum, so the steps stay
-- MATERIALIZED (plans without them after an import's ANALYZE have not been compared).
-- The marks are read by the school's provider and the term's dates, so the planner reads only the
-- school's own partition of the term (and the defaults, for marks written outside a bulk load).
-- Students are grouped by their facts column by column first (report_combination_sql), so that
-- report_groups_of runs once per combination of facts rather than once per student.
CREATE OR REPLACE FUNCTION report_attendance(p_marks_year text, p_marks_term term_name)
RETURNS TABLE (
    group_id text, students bigint, possible bigint, attended bigint,
    sum_attended_squared float8, sum_possible_squared float8, sum_attended_possible float8,
    persistently_absent bigint, severely_absent bigint)
-- No JIT: when a term's marks were one partition of every school's, the planner costed the whole
-- of it, and with many schools in the database compiling the query took twice as long as running
-- it on the cohort's few thousand marks (BENCHMARKS.md, "Many schools"); compiling is not worth it
-- for one school's partition either.
LANGUAGE plpgsql SET jit = off AS $$
#variable_conflict use_column
DECLARE
    v_from date;
    v_to date;
    v_sql record;
    v_provider_id bigint;
BEGIN
    PERFORM report_require_cohort();
    SELECT t.starts_on, t.ends_on INTO STRICT v_from, v_to FROM terms t WHERE t.academic_year = p_marks_year AND t.term = p_marks_term;
    SELECT s.provider_id INTO v_provider_id
    FROM pg_temp.report_cohort x JOIN students s ON s.student_id = x.student_id LIMIT 1;
    SELECT * INTO v_sql FROM report_combination_sql();
    RETURN QUERY EXECUTE format(
        $query$
        WITH marks AS (
            SELECT m.student_id, m.session_date, k.counts_as_possible, k.counts_as_attendance
            FROM attendance_marks m
            JOIN attendance_codes k ON k.code = m.code
            WHERE m.session_date BETWEEN $1 AND $2
              AND m.provider_id = $3 AND m.student_id = ANY ($5)
        ), open_days AS (
            SELECT d AS day FROM school_days($3, $1, (SELECT max(session_date) FROM marks)) AS d
        ), on_roll AS MATERIALIZED (
            SELECT r.student_id, 2 * count(o.day) AS sessions
            FROM (SELECT DISTINCT student_id FROM marks) r
            JOIN enrolments e ON e.provider_id = $3 AND e.student_id = r.student_id AND e.academic_year = $4 AND e.student_id = ANY ($5)
            JOIN open_days o ON o.day BETWEEN e.start_date AND coalesce(e.leave_date, o.day)
            GROUP BY r.student_id
        ), counted AS MATERIALIZED (
            SELECT m.student_id,
                   count(*) FILTER (WHERE NOT m.counts_as_possible) AS not_possible,
                   count(*) FILTER (WHERE m.counts_as_attendance) AS attended
            FROM marks m
            JOIN open_days o ON o.day = m.session_date
            JOIN enrolments e ON e.provider_id = $3 AND e.student_id = m.student_id AND e.academic_year = $4 AND e.student_id = ANY ($5)
             AND m.session_date BETWEEN e.start_date AND coalesce(e.leave_date, m.session_date)
            GROUP BY m.student_id
        ), sessions AS MATERIALIZED (
            SELECT r.student_id,
                   r.sessions - coalesce(c.not_possible, 0) AS possible,
                   coalesce(c.attended, 0) AS attended,
                   r.sessions - coalesce(c.not_possible, 0) - coalesce(c.attended, 0) AS absent
            FROM on_roll r
            LEFT JOIN counted c ON c.student_id = r.student_id
        ), combinations AS (
            SELECT %s AS facts,
                   count(*) AS students, sum(s.possible) AS possible, sum(s.attended) AS attended,
                   sum(s.attended::float8 * s.attended) AS aa, sum(s.possible::float8 * s.possible) AS pp,
                   sum(s.attended::float8 * s.possible) AS ap,
                   count(*) FILTER (WHERE s.absent * 10 >= s.possible) AS persistent,
                   count(*) FILTER (WHERE s.absent * 2 >= s.possible) AS severe
            FROM pg_temp.report_cohort c
            JOIN sessions s ON s.student_id = c.student_id AND s.possible > 0
            GROUP BY %s
        )
        SELECT g.group_id, sum(x.students)::bigint, sum(x.possible)::bigint, sum(x.attended)::bigint,
               sum(x.aa), sum(x.pp), sum(x.ap), sum(x.persistent)::bigint, sum(x.severe)::bigint
        FROM combinations x
        CROSS JOIN LATERAL report_groups_of(x.facts) AS g (group_id)
        GROUP BY g.group_id
        ORDER BY g.group_id
        $query$, v_sql.facts_row, v_sql.group_keys)
        USING v_from, v_to, v_provider_id, p_marks_year, ARRAY(SELECT x.student_id FROM pg_temp.report_cohort x ORDER BY x.student_id);
END
$$;
