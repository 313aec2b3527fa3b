-- The attainment gap of a term, set-based (docs/methodology.md §5).
-- depends on: report_load_results.sql

-- For every assessment point of a term, the aggregates GapTrackReports.TermlyGapReportBuilder
-- turns into the DfE gap index (with DeLong's interval), the score gap (Welch), Hedges' g and
-- the gap in months (educational age on the percentile-rank scale). Nothing is returned per
-- student: a cohort of 600,000 gives one row per assessment point.
--
-- How the ranks are done without sorting students one by one: results are first grouped into
-- tie blocks (one row per assessment point and score, with the number of disadvantaged and
-- other students on that score, and the mean and spread of their ages), and a running sum over
-- the blocks in score order gives, for each block, the students below it. Then, with b students
-- below a block of t tied students:
--   midrank = b + (t + 1)/2 (the average of positions b+1 … b+t), percentile rank = midrank / n;
--   placement of an other student = (disadvantaged below + ½ disadvantaged tied) / nD;
--   placement of a disadvantaged student = (others above + ½ others tied) / nO
-- (DeLong, DeLong and Clarke-Pearson, Biometrics 44(3), 1988; ties count ½). Every student of
-- a block shares these, so group means and variances are weighted sums over blocks, computed
-- in two passes (mean, then squared deviations) as GapStatistics.SampleSummary does.
--
-- The age gradient (least squares of percentile rank on age in months, for the months of
-- learning) is also made from the blocks: rank is constant within a block, so with each
-- block's student count n_b, mean age ā_b and sum of squared age deviations M_b,
--   Sxx = Σ M_b + Σ n_b (ā_b − ā)², Sxy = Σ n_b (ā_b − ā)(r_b − r̄), Syy = Σ n_b (r_b − r̄)²
-- (the pooled-variance decomposition, as in T. F. Chan, G. H. Golub and R. J. LeVeque,
-- "Algorithms for computing the sample variance", American Statistician 37(3), 1983), and
-- slope = Sxy/Sxx, residual sum of squares = Syy − Sxy²/Sxx. So the results are read once, in
-- one hash aggregate, with no sort and no join back to the students.
--
-- The cohort, disadvantage included, is the one loaded by report_load_cohort; the results
-- may come from any term (p_results_year, p_results_term), which is how the trend follows the
-- same students back through earlier terms.
--
--
-- The tie blocks are made by report_load_results (ages summed exactly there); this function ranks
-- the blocks of one term. Students whose `disadvantaged` is NULL are in neither group
-- (report_use_comparison).
CREATE OR REPLACE FUNCTION report_attainment(p_provider_id bigint, p_results_year text, p_results_term term_name)
RETURNS TABLE (
    assessment_point_id bigint, subject text, assessment text, scale text,
    d_count bigint, d_mean float8, d_variance float8, d_mean_rank float8, d_placement_variance float8,
    o_count bigint, o_mean float8, o_variance float8, o_mean_rank float8, o_placement_variance float8,
    age_count bigint, age_slope float8, age_intercept float8, age_sxx float8, age_rss float8)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_load_results(p_provider_id, ARRAY[p_results_year], ARRAY[p_results_term]);
    RETURN QUERY
    WITH blocks AS (
        SELECT b.assessment_point_id AS point, b.score, b.d, b.o,
               b.age_sum::float8 / (b.d + b.o) AS age_mean,
               ((b.d + b.o)::numeric * b.age_sum_squares - b.age_sum * b.age_sum)::float8 / (b.d + b.o) AS age_m2
        FROM pg_temp.report_result_blocks b
        JOIN assessment_points p ON p.assessment_point_id = b.assessment_point_id
        WHERE p.provider_id = p_provider_id AND p.academic_year = p_results_year AND p.term = p_results_term
    ), placed AS (
        SELECT point, score, d, o, age_mean, age_m2,
               sum(d + o) OVER running - (d + o) AS below,
               sum(d) OVER running - d AS d_below,
               sum(o) OVER running - o AS o_below,
               sum(d) OVER whole AS n_d,
               sum(o) OVER whole AS n_o
        FROM blocks
        WINDOW running AS (PARTITION BY point ORDER BY score ROWS UNBOUNDED PRECEDING),
               whole AS (PARTITION BY point)
    ), ranked AS (
        SELECT point, score, d, o, n_d, n_o, age_mean, age_m2,
               (below + (d + o + 1) / 2) / (n_d + n_o) AS pct,
               CASE WHEN n_d > 0 THEN (d_below + d / 2) / n_d END AS v_other,
               CASE WHEN n_o > 0 THEN (n_o - o_below - o / 2) / n_o END AS v_disadvantaged
        FROM placed
    ), means AS (
        SELECT point, max(n_d) AS n_d, max(n_o) AS n_o,
               sum(d * score) / nullif(max(n_d), 0) AS d_mean,
               sum(o * score) / nullif(max(n_o), 0) AS o_mean,
               sum(d * pct) / nullif(max(n_d), 0) AS d_rank,
               sum(o * pct) / nullif(max(n_o), 0) AS o_rank,
               sum(d * v_disadvantaged) / nullif(max(n_d), 0) AS d_place,
               sum(o * v_other) / nullif(max(n_o), 0) AS o_place,
               sum((d + o) * pct) / sum(d + o) AS all_rank,
               sum((d + o) * age_mean) / sum(d + o) AS all_age
        FROM ranked
        GROUP BY point
    ), spread AS (
        SELECT m.point,
               sum(r.d * (r.score - m.d_mean) ^ 2) FILTER (WHERE r.d > 0) / nullif(m.n_d - 1, 0) AS d_variance,
               sum(r.o * (r.score - m.o_mean) ^ 2) FILTER (WHERE r.o > 0) / nullif(m.n_o - 1, 0) AS o_variance,
               sum(r.d * (r.v_disadvantaged - m.d_place) ^ 2) FILTER (WHERE r.d > 0) / nullif(m.n_d - 1, 0) AS d_place_variance,
               sum(r.o * (r.v_other - m.o_place) ^ 2) FILTER (WHERE r.o > 0) / nullif(m.n_o - 1, 0) AS o_place_variance,
               (sum(r.d + r.o))::bigint AS n,
               sum(r.age_m2) + sum((r.d + r.o) * (r.age_mean - m.all_age) ^ 2) AS sxx,
               sum((r.d + r.o) * (r.age_mean - m.all_age) * (r.pct - m.all_rank)) AS sxy,
               sum((r.d + r.o) * (r.pct - m.all_rank) ^ 2) AS syy,
               max(m.all_rank) AS all_rank, max(m.all_age) AS all_age
        FROM means m
        JOIN ranked r ON r.point = m.point
        GROUP BY m.point, m.n_d, m.n_o
    )
    SELECT p.assessment_point_id, p.subject, p.name, p.scale::text,
           m.n_d::bigint, m.d_mean, coalesce(s.d_variance, 0), m.d_rank, s.d_place_variance,
           m.n_o::bigint, m.o_mean, coalesce(s.o_variance, 0), m.o_rank, s.o_place_variance,
           s.n,
           s.sxy / nullif(s.sxx, 0),
           s.all_rank - s.all_age * s.sxy / nullif(s.sxx, 0),
           s.sxx,
           greatest(s.syy - s.sxy ^ 2 / nullif(s.sxx, 0), 0)
    FROM means m
    JOIN spread s ON s.point = m.point
    JOIN assessment_points p ON p.assessment_point_id = m.point
    ORDER BY p.subject, p.name;
END
$$;
