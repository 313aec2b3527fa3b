-- gaptrack schema, part 40: the student-level sets behind `gaptrack report impact` (issue 5;
-- domain reference, section 6). Each function returns one row per student of a cohort, set-based
-- (no loop, no per-student function call), with the facts the impact report aggregates by
-- stratum: who took part, who is available for comparison, the stratum a student is matched in,
-- and the outcomes. The aggregation, and the statistics on the aggregates, live next to the one
-- Swift type that runs them (Sources/GapTrackReports/ImpactQueries.swift).

-- One result per student at an assessment point named by subject (and optionally by name), year
-- and term. Subjects and names are compared ignoring case and surrounding spaces, because staff
-- type them. Different year groups sit differently named assessments in the same subject and
-- term ("Autumn mock" in Year 11, "Autumn assessment" in Year 8), so without a name every
-- matching point is taken; a student with results at two such points keeps the later one.
CREATE FUNCTION impact_assessment_results(
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

-- The support records of an intervention that overlap [p_from, p_to], whatever their status: the
-- records of the types p_types, or, with p_programme, of one programme, i.e. the records whose
-- reference starts with that text (case ignored), e.g. 'NTP-2024' for NTP-2024-0001 ... A
-- programme is named by a reference prefix because support.csv has no programme column and
-- providers already number a programme's records under one prefix. Impact counts a record as
-- delivered when its status is active or ended (GapTrackDomain.SupportStatus.wasDelivered).
CREATE FUNCTION impact_intervention_records(
    p_provider_id bigint, p_types text[], p_programme text, p_from date, p_to date)
RETURNS SETOF support_records
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT r.*
    FROM support_records r
    WHERE r.provider_id = p_provider_id
      AND CASE WHEN p_programme IS NULL THEN r.type = ANY (p_types)
               ELSE lower(left(r.reference, length(p_programme))) = lower(p_programme) END
      AND daterange(r.starts_on, r.ends_on, '[]') && daterange(p_from, p_to, '[]')
$$;

-- The students of a school or college cohort for an intervention's impact, one row each.
--
-- Cohort: students enrolled in the academic year of the "before" assessment whose cohort codes
-- (report_cohort_codes, migration 020: 'year-11', 'course-bsc-psy', 'intake-2024', the codes the
-- termly report takes) include p_cohort; NULL takes every student. Standardisation and matching
-- are within each year group (or course, where the enrolment has no year group): the `cohort`
-- column.
--
-- Roles: 'participant' = a delivered (active or ended) record of the intervention
-- (impact_intervention_records) that overlaps [p_from, p_to]. 'excluded' = no delivered record of
-- the intervention, but some other record of the same type(s) in the period that was not
-- cancelled (support planned but not recorded as delivered, or the same kind of support from
-- another programme): such students are neither treated nor untreated, so they are left out of
-- both groups. 'comparison' = everyone else.
--
-- Disadvantaged: the DfE definition (student_disadvantage, migration 005) on the census day of the
-- "before" term.
--
-- Prior-attainment band (the coarsened variable of the exact matching):
-- * 'ks2': the mean of the student's KS2 scaled scores held at the provider (reading and maths
--   when both are held), banded < 100 (below the expected standard), 100-109, and 110 or more
--   (the high standard; Standards and Testing Agency). NULL when no KS2 result is held.
-- * 'pre_terciles': the cohort's thirds of the "before" score, cut at its 1/3 and 2/3 quantiles
--   (percentile_cont, linear interpolation), so that tied scores always share a band;
-- * 'auto': KS2 bands in a cohort where 90% or more of the students have a KS2 result, thirds of
--   the before score elsewhere (primary year groups, colleges). KS2 is preferred because it is
--   an earlier, separate test: banding on the before test itself ties the bands to that test's
--   own measurement error, which biases the change of pupils chosen on anything else (teacher
--   judgement, say) towards the mean; KS2 bands do not. The `banding` column says which was used.
--
-- Standardisation: change_sd is the student's change in standard deviations of the cohort's
-- "before" scores (all cohort students with a "before" result). When every "before" and "after"
-- result of the cohort is on one scale, change_sd = (after - before) / SD_before. When the scales
-- differ (e.g. KS2 scaled score then GCSE grade), raw differences mean nothing, so each result is
-- first turned into a z-score within the cohort and change_sd = z_after - z_before; the
-- `standardisation` column says which was done.
--
-- Attendance: percent of possible sessions attended in the term of each assessment
-- (attendance_codes decides what is possible and what is attended), NULL without a possible
-- session in that term.
CREATE FUNCTION impact_school_students(
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
                  coalesce(e.intake_year, (SELECT min(x.academic_year) FROM enrolments x WHERE x.student_id = e.student_id)))))
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
COMMENT ON FUNCTION impact_school_students(bigint, text[], text, date, date, text, text, text, term_name, text, text, text, term_name, text, text) IS
    'One row per student of the cohort for an intervention impact report: role (participant, comparison, excluded), matching stratum (cohort, disadvantaged, prior-attainment band), change in SD of the cohort''s before scores, and attendance in the before and after terms.';

-- Students from lower socio-economic backgrounds (LSEB) in higher education, as gaptrack defines
-- them for cost-of-living reports: IMD quintile 1 or 2, or POLAR4 quintile 1 or 2, or first in
-- family, or care leaver, or estranged from both parents. These are the access and participation
-- characteristics of the Office for Students (domain reference, section 1); the OfS publishes no
-- single LSEB definition, so the report states this one.
--
-- One row per student enrolled at the provider in p_academic_year: their course and intake year;
-- LSEB status on the autumn census day of the year (first Thursday of October, after the usual
-- September start); the cost-of-living support types (p_types) delivered to them during the year;
-- continuation (student_continuation, migration 003: still enrolled, completed or transferred one
-- year and 15 days after entry; NULL when that day is after p_known_by, the date of the report's
-- data cut, so that the same data always gives the same report; NULL p_known_by = today); and the
-- mean of their module marks (scale he_mark) in the year.
CREATE FUNCTION impact_cost_of_living_students(p_provider_id bigint, p_academic_year text, p_types text[], p_known_by date)
RETURNS TABLE (
    student_id bigint, course text, intake_year text, lseb boolean, supported_types text[],
    continued boolean, mean_mark double precision)
LANGUAGE sql STABLE AS $$
    WITH enrolled AS (
        SELECT e.student_id, coalesce(e.course, e.year_group) AS course
        FROM enrolments e
        JOIN students s ON s.student_id = e.student_id
        WHERE s.provider_id = p_provider_id AND e.academic_year = p_academic_year
    ), facts AS (
        SELECT d.student_id,
               coalesce(d.imd_quintile <= 2, false) OR coalesce(d.polar4_quintile <= 2, false)
                   OR d.first_in_family OR d.care_leaver OR d.estranged AS lseb
        FROM student_disadvantage(p_provider_id,
            (SELECT c.census_date FROM census_days c WHERE c.academic_year = p_academic_year AND c.collection = 'autumn')) d
    ), support AS (
        SELECT r.student_id, array_agg(DISTINCT r.type ORDER BY r.type) AS types
        FROM academic_years y
        CROSS JOIN LATERAL impact_intervention_records(p_provider_id, p_types, NULL, y.starts_on, y.ends_on) r
        WHERE y.academic_year = p_academic_year AND r.status IN ('active', 'ended')
        GROUP BY r.student_id
    ), marks AS (
        SELECT r.student_id, avg(r.score)::float8 AS mean_mark
        FROM assessment_results r
        JOIN assessment_points p ON p.assessment_point_id = r.assessment_point_id
        WHERE p.provider_id = p_provider_id AND p.academic_year = p_academic_year AND r.scale = 'he_mark'
        GROUP BY r.student_id
    )
    SELECT e.student_id, e.course, c.intake_year, coalesce(f.lseb, false), coalesce(s.types, '{}'),
           CASE WHEN c.continuation_date > coalesce(p_known_by, current_date) THEN NULL ELSE c.continued END,
           m.mean_mark
    FROM enrolled e
    LEFT JOIN facts f ON f.student_id = e.student_id
    LEFT JOIN support s ON s.student_id = e.student_id
    LEFT JOIN student_continuation(p_provider_id) c ON c.student_id = e.student_id
    LEFT JOIN marks m ON m.student_id = e.student_id
$$;
COMMENT ON FUNCTION impact_cost_of_living_students(bigint, text, text[], date) IS
    'One row per student enrolled in the academic year: course, intake year, LSEB status (IMD or POLAR4 quintile 1-2, first in family, care leaver or estranged), cost-of-living support types delivered in the year, continuation and mean module mark.';
