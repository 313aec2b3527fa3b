-- gaptrack reports, part 12: the progress rate paired with its chosen term only.
--
-- Why: report_progress_rate (060) paired each student's result at a point of the report's term
-- with their result at every earlier candidate point of the year, autumn and spring alike, and
-- only then kept the pairs of the earliest term. In a summer report half of the pairing, the
-- spring half, was thrown away: 4 of its 8.3 s at 600,000 pupils (BENCHMARKS.md).
--
-- How: the choice is the same (060): of the candidate points (same provider, academic year,
-- subject ignoring case and surrounding spaces, scale, earlier term) at which students of the
-- loaded cohort also have a result, the one in the earliest term, then the one with most
-- students paired, then the lowest id. So for each point, the earliest term with at least one
-- such candidate is found first, by asking each candidate whether one cohort student has a
-- result at both points (EXISTS stops at the first), and only the candidates of that term are
-- paired in full: their counts are still needed to choose between two points of the same term
-- (an autumn mock and an autumn test of the same subject). Same rows, same figures.
--
-- The chosen pairs are then read with both sides' points known: a point's results are spread
-- over the whole table (a student's results are stored together, in the order of the import), so
-- each side is one scan of the results filtered on its points, not one scan per point.
-- At 600,000 pupils: about 10 s before, 2.7 s now (1.4 s of it in the session's own process, the
-- rest in the two parallel workers PostgreSQL chooses for the scans).
CREATE OR REPLACE FUNCTION report_progress_rate(p_provider_id bigint, p_results_year text, p_results_term term_name)
RETURNS TABLE (
    assessment_point_id bigint, earlier_point_id bigint, earlier_assessment text, earlier_term text,
    paired bigint, mean_change float8, change_variance float8, months_between float8)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_points bigint[];
    v_earlier bigint[];
    v_names text[];
    v_terms term_name[];
BEGIN
    PERFORM report_require_cohort();
    WITH candidates AS (
        SELECT p.assessment_point_id AS point, e.assessment_point_id AS earlier, e.name, e.term
        FROM assessment_points p
        JOIN assessment_points e
          ON e.provider_id = p.provider_id AND e.academic_year = p.academic_year AND e.scale = p.scale
         AND lower(btrim(e.subject)) = lower(btrim(p.subject)) AND e.term < p.term
        WHERE p.provider_id = p_provider_id AND p.academic_year = p_results_year AND p.term = p_results_term
    ), chosen_term AS (
        SELECT k.point, min(k.term) AS term
        FROM candidates k
        WHERE EXISTS (
            SELECT 1
            FROM assessment_results after_result
            JOIN pg_temp.report_cohort c ON c.student_id = after_result.student_id
            JOIN assessment_results before_result
              ON before_result.assessment_point_id = k.earlier AND before_result.student_id = after_result.student_id
            WHERE after_result.assessment_point_id = k.point)
        GROUP BY k.point
    )
    SELECT array_agg(k.point), array_agg(k.earlier), array_agg(k.name), array_agg(k.term)
    INTO v_points, v_earlier, v_names, v_terms
    FROM candidates k
    JOIN chosen_term t ON t.point = k.point AND t.term = k.term;

    -- The pairs of the chosen candidates only: an earlier result is matched to the point it is
    -- paired with, then to the student's result there, a join on (student, point), so that a
    -- student's results in different subjects are never paired.
    RETURN QUERY
    WITH pairs AS (
        SELECT k.point, k.earlier, min(k.name) AS name, min(k.term) AS term, count(*) AS paired,
               avg((after_result.score - before_result.score)::float8) AS mean_change,
               coalesce(var_samp((after_result.score - before_result.score)::float8), 0) AS change_variance,
               avg(after_result.assessed_on - before_result.assessed_on)::float8 / 30.4375 AS months_between
        FROM unnest(v_points, v_earlier, v_names, v_terms) AS k (point, earlier, name, term)
        JOIN assessment_results before_result ON before_result.assessment_point_id = k.earlier
        JOIN assessment_results after_result
          ON after_result.assessment_point_id = k.point AND after_result.student_id = before_result.student_id
        JOIN pg_temp.report_cohort c ON c.student_id = after_result.student_id
        WHERE before_result.assessment_point_id = ANY (v_earlier) AND after_result.assessment_point_id = ANY (v_points)
        GROUP BY k.point, k.earlier
    )
    SELECT DISTINCT ON (x.point) x.point, x.earlier, x.name, x.term::text, x.paired, x.mean_change, x.change_variance, x.months_between
    FROM pairs x
    ORDER BY x.point, x.paired DESC, x.earlier;
END
$$;
