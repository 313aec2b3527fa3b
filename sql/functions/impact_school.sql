-- The student-level sets behind `gaptrack report impact` at a school and the impact sections of a
-- termly report (docs/methodology.md §6).
-- depends on: impact_intervention_records.sql, report_cohorts.sql, student_disadvantage.sql
-- after version: 22

-- Each function returns one row per student of a cohort, set-based
-- (no loop, no per-student function call), with the facts the impact report aggregates by
-- stratum: who took part, who is available for comparison, the stratum a student is matched in,
-- and the outcomes. The aggregation by stratum is read through ImpactReportRepository
-- (Sources/GapTrackStore/ReportData/ImpactReportRepository.swift), and the statistics on the
-- aggregates are GapStatistics' StratifiedEffect.

-- One result per student at an assessment point named by subject (and optionally by name), year
-- and term. Subjects and names are compared ignoring case and surrounding spaces, because staff
-- type them. Different year groups sit differently named assessments in the same subject and
-- term ("Autumn mock" in Year 11, "Autumn assessment" in Year 8), so without a name every
-- matching point is taken; a student with results at two such points keeps the later one.
CREATE OR REPLACE FUNCTION impact_assessment_results(
    p_provider_id bigint, p_subject text, p_name text, p_academic_year text, p_term term_name)
RETURNS TABLE (student_id bigint, score numeric, scale assessment_scale, assessed_on date)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT DISTINCT ON (r.student_id) r.student_id, r.score, r.scale, r.assessed_on
    FROM assessment_points p
    JOIN assessment_results r ON r.assessment_point_id = p.assessment_point_id
    WHERE p.provider_id = p_provider_id
      AND lower(btrim(p.subject)) = lower(btrim(p_subject))
      AND (p_name IS NULL OR lower(btrim(p.name)) = lower(btrim(p_name)))
      AND p.academic_year = p_academic_year
      AND p.term = p_term
    ORDER BY r.student_id, r.assessed_on DESC, p.assessment_point_id DESC
$$;

-- The students of the provider with a role other than 'comparison' for the intervention (the
-- types, or for a programme the types of its records) in the period p_from..p_to, whatever the
-- cohort: 'participant' for a delivered record, 'excluded' for only a non-cancelled record of the
-- same type(s). impact_school_students takes its roles from here.
CREATE OR REPLACE FUNCTION impact_school_roles(p_provider_id bigint, p_types text[], p_programme text, p_from date, p_to date)
RETURNS TABLE (student_id bigint, role text)
LANGUAGE sql STABLE AS $$
    WITH intervention_records AS (
        SELECT r.student_id, r.type, r.status
        FROM impact_intervention_records(p_provider_id, p_types, p_programme, p_from, p_to) r
    ), intervention_types AS (
        SELECT CASE WHEN p_programme IS NULL THEN p_types
                    ELSE coalesce((SELECT array_agg(DISTINCT i.type) FROM intervention_records i), '{}') END AS types
    ), delivered AS (
        SELECT DISTINCT i.student_id FROM intervention_records i WHERE i.status IN ('active', 'ended')
    ), same_kind AS (
        SELECT DISTINCT r.student_id
        FROM support_records r, intervention_types t
        WHERE r.provider_id = p_provider_id
          AND r.type = ANY (t.types)
          AND r.status <> 'cancelled'
          AND daterange(r.starts_on, r.ends_on, '[]') && daterange(p_from, p_to, '[]')
    )
    SELECT coalesce(d.student_id, k.student_id), CASE WHEN d.student_id IS NOT NULL THEN 'participant' ELSE 'excluded' END
    FROM delivered d
    FULL JOIN same_kind k ON k.student_id = d.student_id
$$;
COMMENT ON FUNCTION impact_school_roles(bigint, text[], text, date, date) IS
    'Students who took part in an intervention in a period (participant) or had a non-cancelled record of the same kind (excluded); all others are the comparison pool.';

-- The students of a school or college cohort for an intervention's impact, one row each.
--
-- Cohort: students enrolled in the academic year of the "before" assessment whose cohort codes
-- (report_cohort_codes: 'year-11', 'course-bsc-psy', 'intake-2024', the codes the termly report
-- takes) include p_cohort; NULL takes every student. The intake year, which report_cohort_codes
-- reads only at a college or university, is looked up only there. Standardisation and matching
-- are within each year group (or course, where the enrolment has no year group): the `cohort`
-- column.
--
-- Roles: 'participant' = a delivered (active or ended) record of the intervention
-- (impact_intervention_records) that overlaps [p_from, p_to]. 'excluded' = no delivered record of
-- the intervention, but some other record of the same type(s) in the period that was not
-- cancelled: such students are neither treated nor untreated, so they are left out of both
-- groups. 'comparison' = everyone else.
--
-- Disadvantaged: the DfE definition (student_disadvantage; docs/methodology.md §1) on the census
-- day of the "before" term. Prior-attainment band, standardisation of the change and attendance:
-- docs/methodology.md §6 and the COMMENT below.
CREATE OR REPLACE FUNCTION impact_school_students(
    p_provider_id bigint, p_types text[], p_programme text, p_from date, p_to date,
    p_before_subject text, p_before_name text, p_before_year text, p_before_term term_name,
    p_after_subject text, p_after_name text, p_after_year text, p_after_term term_name,
    p_cohort text, p_prior_band text)
RETURNS TABLE (
    student_id bigint, cohort text, disadvantaged boolean, role text, prior_band text,
    before_score numeric, after_score numeric, change_sd double precision, standardisation text,
    cohort_before_students integer, cohort_before_sd double precision, banding text,
    attendance_before double precision, attendance_after double precision)
LANGUAGE sql STABLE AS $$
    WITH cohort AS (
        SELECT e.student_id, coalesce(e.year_group, e.course) AS cohort
        FROM enrolments e
        JOIN providers pr ON pr.provider_id = e.provider_id
        -- The provider's own enrolments, by the key that leads with the provider (sql/022):
        -- joined through students alone, every school's enrolments of the year were read.
        WHERE e.provider_id = p_provider_id
          AND e.academic_year = p_before_year
          AND (p_cohort IS NULL OR lower(p_cohort) = ANY (report_cohort_codes(pr.kind, e.year_group, e.course,
                  -- A school has no intake cohorts (report_cohort_codes ignores the intake there),
                  -- so the earliest enrolment is only looked up at a college or university.
                  CASE WHEN pr.kind <> 'school' THEN
                      coalesce(e.intake_year, (SELECT min(x.academic_year) FROM enrolments x WHERE x.provider_id = e.provider_id AND x.student_id = e.student_id))
                  END)))
    ), status AS (
        SELECT d.student_id, d.disadvantaged
        FROM student_disadvantage(p_provider_id,
            (SELECT c.census_date FROM census_days c WHERE c.academic_year = p_before_year AND c.collection = p_before_term)) d
    ), before_results AS (
        SELECT * FROM impact_assessment_results(p_provider_id, p_before_subject, p_before_name, p_before_year, p_before_term)
    ), after_results AS (
        SELECT * FROM impact_assessment_results(p_provider_id, p_after_subject, p_after_name, p_after_year, p_after_term)
    ), roles AS (
        SELECT * FROM impact_school_roles(p_provider_id, p_types, p_programme, p_from, p_to)
    ), ks2 AS (
        SELECT r.student_id, avg(r.score) AS mean_score
        FROM assessment_results r
        JOIN assessment_points p ON p.assessment_point_id = r.assessment_point_id
        WHERE p.provider_id = p_provider_id AND r.scale = 'ks2_scaled_score'
        GROUP BY r.student_id
    ), banding AS (
        SELECT c.cohort,
               CASE WHEN p_prior_band = 'ks2' OR (p_prior_band = 'auto' AND count(k.student_id) >= 0.9 * count(*)) THEN 'ks2'
                    ELSE 'pre_terciles' END AS method
        FROM cohort c LEFT JOIN ks2 k ON k.student_id = c.student_id
        GROUP BY c.cohort
    ), before_by_cohort AS (
        SELECT c.cohort, count(*)::integer AS students, avg(b.score)::float8 AS mean, stddev_samp(b.score)::float8 AS sd,
               percentile_cont(ARRAY[1.0 / 3, 2.0 / 3]::float8[]) WITHIN GROUP (ORDER BY b.score) AS cuts,
               count(DISTINCT b.scale) AS scales, min(b.scale::text) AS scale
        FROM cohort c JOIN before_results b ON b.student_id = c.student_id
        GROUP BY c.cohort
    ), after_by_cohort AS (
        SELECT c.cohort, avg(a.score)::float8 AS mean, stddev_samp(a.score)::float8 AS sd,
               count(DISTINCT a.scale) AS scales, min(a.scale::text) AS scale
        FROM cohort c JOIN after_results a ON a.student_id = c.student_id
        GROUP BY c.cohort
    ), terms_compared AS (
        SELECT b.starts_on AS before_start, b.ends_on AS before_end, a.starts_on AS after_start, a.ends_on AS after_end
        FROM terms b, terms a
        WHERE b.academic_year = p_before_year AND b.term = p_before_term
          AND a.academic_year = p_after_year AND a.term = p_after_term
    ), marks_by_code AS (
        -- The marks counted by pupil, code and term first, so that the codes are looked up for a
        -- few thousand groups instead of for every mark (the planner joined each of some 50,000
        -- marks to the code list by a nested loop: BENCHMARKS.md, many schools).
        SELECT m.student_id, m.code,
               m.session_date BETWEEN t.before_start AND t.before_end AS in_before,
               m.session_date BETWEEN t.after_start AND t.after_end AS in_after,
               count(*) AS marks
        FROM attendance_marks m
        CROSS JOIN terms_compared t
        WHERE m.provider_id = p_provider_id AND m.student_id IN (SELECT c.student_id FROM cohort c)
          AND (m.session_date BETWEEN t.before_start AND t.before_end OR m.session_date BETWEEN t.after_start AND t.after_end)
        GROUP BY 1, 2, 3, 4
    ), attendance AS (
        SELECT x.student_id,
               coalesce(sum(x.marks) FILTER (WHERE x.in_before AND k.counts_as_possible), 0) AS possible_before,
               coalesce(sum(x.marks) FILTER (WHERE x.in_before AND k.counts_as_attendance), 0) AS attended_before,
               coalesce(sum(x.marks) FILTER (WHERE x.in_after AND k.counts_as_possible), 0) AS possible_after,
               coalesce(sum(x.marks) FILTER (WHERE x.in_after AND k.counts_as_attendance), 0) AS attended_after
        FROM marks_by_code x
        JOIN attendance_codes k ON k.code = x.code
        GROUP BY x.student_id
    )
    SELECT c.student_id, c.cohort, coalesce(st.disadvantaged, false),
           coalesce(ro.role, 'comparison'),
           CASE bd.method
               WHEN 'ks2' THEN CASE WHEN ks2.mean_score IS NULL THEN NULL
                                    WHEN ks2.mean_score < 100 THEN 'KS2 below 100'
                                    WHEN ks2.mean_score < 110 THEN 'KS2 100-109'
                                    ELSE 'KS2 110 or more' END
               ELSE CASE WHEN b.score IS NULL THEN NULL
                         WHEN b.score < bc.cuts[1] THEN 'lower third'
                         WHEN b.score < bc.cuts[2] THEN 'middle third'
                         ELSE 'upper third' END
           END,
           b.score, a.score,
           CASE WHEN b.score IS NULL OR a.score IS NULL OR NOT (bc.sd > 0) THEN NULL
                WHEN bc.scales = 1 AND ac.scales = 1 AND bc.scale = ac.scale THEN (a.score - b.score)::float8 / bc.sd
                WHEN ac.sd > 0 THEN (a.score::float8 - ac.mean) / ac.sd - (b.score::float8 - bc.mean) / bc.sd
           END,
           CASE WHEN bc.scales = 1 AND ac.scales = 1 AND bc.scale = ac.scale THEN 'change over before SD' ELSE 'z-scores' END,
           coalesce(bc.students, 0), bc.sd, bd.method,
           CASE WHEN att.possible_before > 0 THEN 100.0 * att.attended_before / att.possible_before END,
           CASE WHEN att.possible_after > 0 THEN 100.0 * att.attended_after / att.possible_after END
    FROM cohort c
    LEFT JOIN status st ON st.student_id = c.student_id
    LEFT JOIN roles ro ON ro.student_id = c.student_id
    LEFT JOIN ks2 ON ks2.student_id = c.student_id
    LEFT JOIN before_results b ON b.student_id = c.student_id
    LEFT JOIN after_results a ON a.student_id = c.student_id
    LEFT JOIN banding bd ON bd.cohort = c.cohort
    LEFT JOIN before_by_cohort bc ON bc.cohort = c.cohort
    LEFT JOIN after_by_cohort ac ON ac.cohort = c.cohort
    LEFT JOIN attendance att ON att.student_id = c.student_id
$$;

-- True when the provider holds at least one result at an assessment point named as
-- impact_assessment_results names it (subject, optionally name, year, term; case and surrounding
-- spaces ignored): the same points, so the same answer as count(*) > 0 over that function.
CREATE OR REPLACE FUNCTION impact_assessment_held(
    p_provider_id bigint, p_subject text, p_name text, p_academic_year text, p_term term_name)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1
        FROM assessment_points p
        JOIN assessment_results r ON r.assessment_point_id = p.assessment_point_id
        WHERE p.provider_id = p_provider_id
          AND lower(btrim(p.subject)) = lower(btrim(p_subject))
          AND (p_name IS NULL OR lower(btrim(p.name)) = lower(btrim(p_name)))
          AND p.academic_year = p_academic_year
          AND p.term = p_term)
$$;

-- A termly report adds an impact section for every intervention type delivered to the cohort.
-- Only who took part differs between the sections, so the work is split in two:
--
-- * impact_school_cohort: everything but the role, one row per cohort student (impact_school_students
--   for no intervention type, so one definition of the cohort-wide work); it depends only
--   on the before and after assessment points, the cohort and the prior-attainment banding.
--   The report works it out once into a temporary table that every section with the same
--   points reads.
-- * impact_school_roles: who took part ('participant') and who is left out of the comparison
--   pool ('excluded'); everyone else in the cohort is 'comparison'. A few thousand rows.
--
-- A role of 'comparison' from impact_school_students, replaced by the role from
-- impact_school_roles where there is one, gives impact_school_students' rows.

-- Every cohort student of impact_school_students, without the role: that function for no
-- intervention type, where nobody took part, so its cohort, status, results, banding,
-- standardisation and attendance are computed by the one definition.
CREATE OR REPLACE FUNCTION impact_school_cohort(
    p_provider_id bigint,
    p_before_subject text, p_before_name text, p_before_year text, p_before_term term_name,
    p_after_subject text, p_after_name text, p_after_year text, p_after_term term_name,
    p_cohort text, p_prior_band text)
RETURNS TABLE (
    student_id bigint, cohort text, disadvantaged boolean, prior_band text,
    before_score numeric, after_score numeric, change_sd double precision, standardisation text,
    cohort_before_students integer, cohort_before_sd double precision, banding text,
    attendance_before double precision, attendance_after double precision)
-- The planner cannot see through the nested set-returning functions (it guesses 1,000 rows
-- each), so it would cost this query far above its real work and JIT-compile some 200 functions,
-- which takes longer than the query itself and gains nothing (BENCHMARKS.md).
--
-- PL/pgSQL's EXECUTE, not a SQL function's body: a SQL function's statement is planned with its
-- arguments unknown, so the planner expanded every school's attendance partitions (three terms of
-- 200 schools: 85 ms of planning a call, three calls a termly report) and pruned them only when
-- the plan ran. EXECUTE plans the query once for these values, which keeps the planner to the
-- school's own partitions whatever the number of schools (BENCHMARKS.md, many schools).
LANGUAGE plpgsql STABLE SET jit = off AS $$
BEGIN
    RETURN QUERY EXECUTE
        'SELECT s.student_id, s.cohort, s.disadvantaged, s.prior_band, s.before_score, s.after_score, s.change_sd,
                s.standardisation, s.cohort_before_students, s.cohort_before_sd, s.banding, s.attendance_before,
                s.attendance_after
         FROM impact_school_students($1, ''{}''::text[], NULL, NULL, NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) s'
        USING p_provider_id, p_before_subject, p_before_name, p_before_year, p_before_term,
              p_after_subject, p_after_name, p_after_year, p_after_term, p_cohort, p_prior_band;
END
$$;
COMMENT ON FUNCTION impact_school_cohort(bigint, text, text, text, term_name, text, text, text, term_name, text, text) IS
    'Every student of an impact report''s cohort with disadvantage, prior-attainment band, before and after results, standardised change and attendance: the part of impact_school_students that does not depend on the intervention.';

