-- The student-level set behind a university's cost-of-living impact report (docs/methodology.md §6).
-- depends on: impact_intervention_records.sql, student_continuation.sql, student_disadvantage.sql
-- after version: 22

-- Students from lower socio-economic backgrounds (LSEB) in higher education, as gaptrack defines
-- them for cost-of-living reports: IMD quintile 1 or 2, or POLAR4 quintile 1 or 2, or first in
-- family, or care leaver, or estranged from both parents. These are the access and participation
-- characteristics of the Office for Students (docs/methodology.md §1); the OfS publishes no
-- single LSEB definition, so the report states this one.
--
-- One row per student enrolled at the provider in p_academic_year: their course and intake year;
-- LSEB status on the autumn census day of the year (first Thursday of October, after the usual
-- September start); the cost-of-living support types (p_types) delivered to them during the year;
-- continuation (student_continuation: still enrolled, completed or transferred one
-- year and 15 days after entry; NULL when that day is after p_known_by, the date of the report's
-- data cut, so that the same data always gives the same report; NULL p_known_by = today); and the
-- mean of their module marks (scale he_mark) in the year.
CREATE OR REPLACE FUNCTION impact_cost_of_living_students(p_provider_id bigint, p_academic_year text, p_types text[], p_known_by date)
RETURNS TABLE (
    student_id bigint, course text, intake_year text, lseb boolean, supported_types text[],
    continued boolean, mean_mark double precision)
LANGUAGE sql STABLE AS $$
    WITH enrolled AS (
        SELECT e.student_id, coalesce(e.course, e.year_group) AS course
        FROM enrolments e
        WHERE e.provider_id = p_provider_id AND e.academic_year = p_academic_year
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
          AND r.provider_id = p_provider_id
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
