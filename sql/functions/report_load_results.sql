-- The results of every term of a termly report, read in one pass into tie blocks that
-- report_attainment ranks (docs/methodology.md §4, §5).
-- depends on: report_load_cohort.sql

-- A termly report ranks the results of its term and of the five terms of its trend.
-- report_load_results reads the results of all the report's terms at once and keeps, per
-- assessment point and score, the tie block report_attainment ranks: the number of
-- disadvantaged and of other students on that score and the sum and sum of squares of their ages
-- in completed months. report_attainment then ranks the blocks of its term (a few hundred rows)
-- instead of the results. Nothing else changes: the same students (report_cohort, with
-- disadvantaged NULL left out).
--
-- The date of birth is joined once per student, not once per result: the cohort with each
-- student's group, month of birth (12 × year + month) and day of birth goes into a small table of
-- its own first. And the age is not worked out per result either. A student born in month B on
-- day b and assessed in month A on day a is, in completed months (as age() counts them),
--   age = A − B − (1 if a < b else 0),
-- so within a group of results with the same point, score, day of assessment, group and day of
-- birth the correction c = (a < b) is the same for all, and with k = A − c
--   Σ age = n·k − Σ B,  Σ age² = n·k² − 2k·Σ B + Σ B².
-- The results are aggregated by those keys (a few thousand groups) and the sums, exact in
-- integers, are added up per block. From them, for a block of n students,
--   mean age = Σ age ÷ n (what avg() gave: a sum of whole numbers is exact in float8),
--   Σ (age − mean)² = (n·Σ age² − (Σ age)²) ÷ n (the exact value).
-- The small tables are temporary (so no parallel worker reads them) rather than arrays, because
-- PostgreSQL has no statistics on unnest's columns and would hash the results rather than the
-- cohort (BENCHMARKS.md).
--
-- The blocks live in temporary tables dropped at commit, like report_cohort. They follow
-- the cohort they were made from: report_load_cohort drops them with the cohort it
-- replaces, and a trigger on report_cohort drops them when the cohort's rows change
-- (report_use_comparison rewrites who is compared), so that report_attainment never ranks
-- blocks of another comparison; the next call reads the results again. The blocks are the
-- results as they were when read: a transaction that changes assessment results after making a
-- report calls report_load_cohort again before the next one (a report transaction only reads).

-- Drops the blocks of report_load_results: the cohort they were made from has changed.
CREATE OR REPLACE FUNCTION report_forget_results() RETURNS trigger
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
CREATE OR REPLACE FUNCTION report_load_results(p_provider_id bigint, p_academic_years text[], p_terms term_name[])
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

    -- The compared students (NULL is in neither group) with their birth month and day.
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
