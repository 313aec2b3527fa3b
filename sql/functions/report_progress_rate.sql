-- The progress rate, for the gap in months of learning (docs/methodology.md §5).
-- depends on: report_load_cohort.sql

-- docs/methodology.md §5 gives two conversions of a gap into months: the age
-- gradient within the cohort (report_attainment) and the *progress rate*, "the mean change in score
-- per month between two assessments of the same students (e.g. autumn to summer)". This is the
-- second, set-based: for every assessment point of a term, the aggregates that
-- GapStatistics.ProgressRateConversion(first:second:monthsBetween:) computes from the students'
-- scores, so that the report can divide the score gap by the rate.
--
-- Which earlier assessment: a point of the same provider, academic year, subject (ignoring case
-- and surrounding spaces, as staff type it) and scale, in an earlier term of the year, at which
-- students of the loaded cohort also have a result. Of these, the one in the earliest term is
-- taken (the longest interval gives the most precise rate, and autumn to summer is the span
-- docs/methodology.md §5 names), then the one with most students paired, then the lowest id. Students
-- count when they have a result at both points ("paired"); the cohort is report_cohort,
-- so the rate is that of the report's own students.
--
-- Rate = mean(second − first) ÷ months between, where months between = the mean, over the paired
-- students, of the days between their two results, ÷ 30.4375 (the mean length of a Gregorian
-- month, 365.25 ÷ 12). Calendar months rather than school months: two points of one academic
-- year never span the summer holiday, and the EPI's months of learning are calendar months too.
-- The change's sample variance (divisor n − 1) gives the rate's standard error,
-- sqrt(variance ÷ n) ÷ months between, as in ProgressRateConversion.
--
-- Nothing is returned per student: one row per point of the term that has an earlier partner.
--
-- For each point, the earliest term with at least one such candidate is found first, by asking
-- each candidate whether one cohort student has a result at both points (EXISTS stops at the
-- first), and only the candidates of that term are paired in full: their counts are still needed
-- to choose between two points of the same term (an autumn mock and an autumn test of the same
-- subject). The chosen pairs are then read with both sides' points known, one scan of the results
-- per side rather than one per point.
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
