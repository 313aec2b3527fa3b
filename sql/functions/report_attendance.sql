-- Attendance by report group, set-based (docs/methodology.md §3).
-- depends on: report_groups.sql, report_load_cohort.sql

-- Each student's sessions in the term are counted from their marks and the code table
-- (attendance_codes: what counts as possible, as attendance, as absence); never by listing
-- codes here. Then, per report group, the sums the report needs:
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
-- the planner reads only that term's partition of attendance_marks.
-- Students are grouped by their facts column by column first (report_combination_sql), so that
-- report_groups_of runs once per combination of facts rather than once per student.
CREATE OR REPLACE FUNCTION report_attendance(p_marks_year text, p_marks_term term_name)
RETURNS TABLE (
    group_id text, students bigint, possible bigint, attended bigint,
    sum_attended_squared float8, sum_possible_squared float8, sum_attended_possible float8,
    persistently_absent bigint, severely_absent bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_from date;
    v_to date;
    v_sql record;
BEGIN
    PERFORM report_require_cohort();
    SELECT t.starts_on, t.ends_on INTO STRICT v_from, v_to FROM terms t WHERE t.academic_year = p_marks_year AND t.term = p_marks_term;
    SELECT * INTO v_sql FROM report_combination_sql();
    RETURN QUERY EXECUTE format(
        $query$
        WITH sessions AS (
            SELECT m.student_id,
                   count(*) FILTER (WHERE k.counts_as_possible) AS possible,
                   count(*) FILTER (WHERE k.counts_as_attendance) AS attended,
                   count(*) FILTER (WHERE k.counts_as_absence) AS absent
            FROM attendance_marks m
            JOIN attendance_codes k ON k.code = m.code
            WHERE m.session_date BETWEEN $1 AND $2
              AND m.student_id IN (SELECT x.student_id FROM pg_temp.report_cohort x)
            GROUP BY m.student_id
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
        USING v_from, v_to;
END
$$;
