-- gaptrack performance, part 2: the intervention impact sections of a termly report (migration
-- 040), faster; same definitions, same results.
--
-- A school's termly report adds an impact section for every intervention type delivered to the
-- cohort (TermlyImpactSections.automatic), and each section runs impact_school_students over the
-- whole cohort. At 600,000 pupils these sections were most of the report's time
-- (benchmarks/run.sh; BENCHMARKS.md has the measurements). Two changes:
--
-- * impact_school_students: the cohort's intake year, which report_cohort_codes (020) reads only
--   at a college or university, was looked up for every enrolment, a sub-query per row (about
--   2 s at 600,000 pupils, in every section). It is now looked up only where it is read.
-- * impact_assessment_held: whether the provider holds any result at an assessment point, as
--   ImpactQueries asks before it builds a section. It asked by counting
--   impact_assessment_results, which sorts every result of the point to keep one per student;
--   EXISTS over the same points stops at the first result.

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
        JOIN students s ON s.student_id = e.student_id
        JOIN providers pr ON pr.provider_id = s.provider_id
        WHERE s.provider_id = p_provider_id
          AND e.academic_year = p_before_year
          AND (p_cohort IS NULL OR lower(p_cohort) = ANY (report_cohort_codes(pr.kind, e.year_group, e.course,
                  -- A school has no intake cohorts (report_cohort_codes ignores the intake there),
                  -- so the earliest enrolment is only looked up at a college or university.
                  CASE WHEN pr.kind <> 'school' THEN
                      coalesce(e.intake_year, (SELECT min(x.academic_year) FROM enrolments x WHERE x.student_id = e.student_id))
                  END)))
    ), status AS (
        SELECT d.student_id, d.disadvantaged
        FROM student_disadvantage(p_provider_id,
            (SELECT c.census_date FROM census_days c WHERE c.academic_year = p_before_year AND c.collection = p_before_term)) d
    ), before_results AS (
        SELECT * FROM impact_assessment_results(p_provider_id, p_before_subject, p_before_name, p_before_year, p_before_term)
    ), after_results AS (
        SELECT * FROM impact_assessment_results(p_provider_id, p_after_subject, p_after_name, p_after_year, p_after_term)
    ), intervention_records AS (
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
    ), attendance AS (
        SELECT m.student_id,
               count(*) FILTER (WHERE m.session_date BETWEEN t.before_start AND t.before_end AND k.counts_as_possible) AS possible_before,
               count(*) FILTER (WHERE m.session_date BETWEEN t.before_start AND t.before_end AND k.counts_as_attendance) AS attended_before,
               count(*) FILTER (WHERE m.session_date BETWEEN t.after_start AND t.after_end AND k.counts_as_possible) AS possible_after,
               count(*) FILTER (WHERE m.session_date BETWEEN t.after_start AND t.after_end AND k.counts_as_attendance) AS attended_after
        FROM attendance_marks m
        JOIN attendance_codes k ON k.code = m.code
        CROSS JOIN terms_compared t
        WHERE m.student_id IN (SELECT c.student_id FROM cohort c)
          AND (m.session_date BETWEEN t.before_start AND t.before_end OR m.session_date BETWEEN t.after_start AND t.after_end)
        GROUP BY m.student_id
    )
    SELECT c.student_id, c.cohort, coalesce(st.disadvantaged, false),
           CASE WHEN d.student_id IS NOT NULL THEN 'participant'
                WHEN k.student_id IS NOT NULL THEN 'excluded'
                ELSE 'comparison' END,
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
    LEFT JOIN delivered d ON d.student_id = c.student_id
    LEFT JOIN same_kind k ON k.student_id = c.student_id
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
CREATE FUNCTION impact_assessment_held(
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
