-- gaptrack reports, part 11: the results of every term of a report read in one pass.
--
-- Why: a termly report ranks the results of its term and of the five terms of its trend
-- (TermlyReportQueries.trendTerms). report_attainment (021, 061) read them term by term: each call
-- scanned all of assessment_results for its own sixth of them, and joined every result twice,
-- to report_cohort for the group and to students for the date of birth. At 600,000 pupils that
-- was six scans of 11.3 million rows and two hash joins per result, about 2 s a term
-- (BENCHMARKS.md, "The gap report").
--
-- How: report_load_results reads the results of all the report's terms at once and keeps, per
-- assessment point and score, the tie block report_attainment ranks: the number of
-- disadvantaged and of other students on that score and the sum and sum of squares of their ages
-- in completed months. report_attainment then ranks the blocks of its term (a few hundred rows)
-- instead of the results. Nothing else changes: the same students (report_cohort, with
-- disadvantaged NULL left out, as 061 does), the same blocks, the same ranking.
--
-- The date of birth is joined once per student, not once per result: the cohort with each
-- student's group, month of birth (12 × year + month) and day of birth goes into a small table of
-- its own first. And the age is not worked out per result either. A student born in month B on
-- day b and assessed in month A on day a is, in completed months (as age() counts them, and as
-- 021 wrote it with date_part),
--   age = A − B − (1 if a < b else 0),
-- so within a group of results with the same point, score, day of assessment, group and day of
-- birth the correction c = (a < b) is the same for all, and with k = A − c
--   Σ age = n·k − Σ B,  Σ age² = n·k² − 2k·Σ B + Σ B².
-- The results are aggregated by those keys (a few thousand groups) and the sums, exact in
-- integers, are added up per block. From them, for a block of n students,
--   mean age = Σ age ÷ n (what avg() gave: a sum of whole numbers is exact in float8),
--   Σ (age − mean)² = (n·Σ age² − (Σ age)²) ÷ n (the exact value; 021's var_pop() × n is the same
--   quantity, accumulated with rounding at each row).
-- At 600,000 pupils the six terms took 12.9 s of server CPU; report_load_results takes 3.5 s and
-- the six rankings 0.01 s, and the gap index and mean score gap of all 18 points are the same to
-- the last bit. The small tables are temporary, so no parallel worker can read them; passing the
-- cohort as arrays instead was tried, and PostgreSQL, with no statistics on unnest's columns,
-- then hashed the 10 million results rather than the cohort: slower, so they stay temporary.
--
-- The blocks live in temporary tables dropped at commit, like report_cohort (020). They follow
-- the cohort they were made from: report_load_cohort (070) drops them with the cohort it
-- replaces, and a trigger on report_cohort drops them when the cohort's rows change
-- (report_use_comparison, 061, rewrites who is compared), so that report_attainment never ranks
-- blocks of another comparison; the next call reads the results again. The blocks are the
-- results as they were when read: a transaction that changes assessment results after making a
-- report calls report_load_cohort again before the next one (a report transaction only reads).

-- Drops the blocks of report_load_results: the cohort they were made from has changed.
CREATE FUNCTION report_forget_results() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DROP TABLE IF EXISTS pg_temp.report_result_blocks, pg_temp.report_result_terms;
    RETURN NULL;
END
$$;

-- Reads the loaded cohort's results at the provider's assessment points of the given terms
-- (parallel arrays of academic years and terms; terms already read in this transaction are
-- skipped) into the tie blocks report_attainment ranks. Call it once with every term a report
-- needs; report_attainment calls it with its own term otherwise. Returns the number of blocks
-- added.
CREATE FUNCTION report_load_results(p_provider_id bigint, p_academic_years text[], p_terms term_name[])
RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_points bigint[];
    v_blocks bigint;
BEGIN
    PERFORM report_require_cohort();
    IF to_regclass('pg_temp.report_result_terms') IS NULL THEN
        CREATE TEMPORARY TABLE report_result_terms (
            provider_id bigint, academic_year text, term term_name, PRIMARY KEY (provider_id, academic_year, term)
        ) ON COMMIT DROP;
        -- One row per assessment point and score: d and o students on it (float8, as the ranking
        -- computes with them), the sum and the sum of squares of their ages in months.
        CREATE TEMPORARY TABLE report_result_blocks (
            assessment_point_id bigint, score float8, d float8, o float8, age_sum numeric, age_sum_squares numeric,
            PRIMARY KEY (assessment_point_id, score)
        ) ON COMMIT DROP;
        CREATE OR REPLACE TRIGGER report_cohort_changed
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pg_temp.report_cohort
            FOR EACH STATEMENT EXECUTE FUNCTION report_forget_results();
    END IF;

    WITH wanted AS (
        SELECT DISTINCT w.academic_year, w.term
        FROM unnest(p_academic_years, p_terms) AS w (academic_year, term)
        WHERE NOT EXISTS (
            SELECT 1 FROM pg_temp.report_result_terms x
            WHERE x.provider_id = p_provider_id AND x.academic_year = w.academic_year AND x.term = w.term)
    ), marked AS (
        INSERT INTO pg_temp.report_result_terms SELECT p_provider_id, academic_year, term FROM wanted
    )
    SELECT array_agg(p.assessment_point_id) INTO v_points
    FROM assessment_points p
    JOIN wanted w ON w.academic_year = p.academic_year AND w.term = p.term
    WHERE p.provider_id = p_provider_id;
    IF v_points IS NULL THEN
        RETURN 0;
    END IF;

    -- The compared students (061: NULL is in neither group) with their birth month and day.
    DROP TABLE IF EXISTS pg_temp.report_result_births;
    CREATE TEMPORARY TABLE report_result_births ON COMMIT DROP AS
        SELECT c.student_id, c.disadvantaged,
               (date_part('year', s.date_of_birth) * 12 + date_part('month', s.date_of_birth))::integer AS birth_month,
               date_part('day', s.date_of_birth)::integer AS birth_day
        FROM pg_temp.report_cohort c
        JOIN students s ON s.student_id = c.student_id
        WHERE c.disadvantaged IS NOT NULL;
    ANALYZE pg_temp.report_result_births;

    INSERT INTO pg_temp.report_result_blocks
    WITH groups AS (
        SELECT r.assessment_point_id AS point, r.score, r.assessed_on, b.disadvantaged, b.birth_day,
               count(*) AS n, sum(b.birth_month) AS sum_b, sum(b.birth_month * b.birth_month) AS sum_bb
        FROM assessment_results r
        JOIN pg_temp.report_result_births b ON b.student_id = r.student_id
        WHERE r.assessment_point_id = ANY (v_points)
        GROUP BY 1, 2, 3, 4, 5
    ), aged AS (
        SELECT g.point, g.score::float8 AS score, g.disadvantaged, g.n, g.sum_b, g.sum_bb,
               (date_part('year', g.assessed_on) * 12 + date_part('month', g.assessed_on))::integer
                   - CASE WHEN date_part('day', g.assessed_on) < g.birth_day THEN 1 ELSE 0 END AS k
        FROM groups g
    )
    SELECT point, score,
           coalesce(sum(n) FILTER (WHERE disadvantaged), 0)::float8,
           coalesce(sum(n) FILTER (WHERE NOT disadvantaged), 0)::float8,
           sum(n * k - sum_b),
           sum(n::numeric * k * k - 2::numeric * k * sum_b + sum_bb)
    FROM aged
    GROUP BY point, score;
    GET DIAGNOSTICS v_blocks = ROW_COUNT;
    DROP TABLE pg_temp.report_result_births;
    ANALYZE pg_temp.report_result_blocks;
    RETURN v_blocks;
END
$$;
COMMENT ON FUNCTION report_load_results(bigint, text[], term_name[]) IS
    'Reads the loaded report cohort''s results of the given terms, in one pass, into the tie blocks report_attainment ranks (pg_temp.report_result_blocks, dropped at commit or when report_cohort changes).';

-- report_attainment (061) again, ranking the blocks of report_load_results instead of reading
-- the results. Same rows, same figures: only the age spread of a block is now the exact value
-- (see above).
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
