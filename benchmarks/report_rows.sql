-- The rows the gap report ranks, and gaptrack's own unrounded figures for them, for the pandas
-- comparison in benchmarks/run.sh. Run with psql, with the variables provider (a provider code),
-- year ('2024/25'), term ('summer'), cohort ('year-11'), rows_csv and figures_csv (output files).
--
-- Everything goes through the report's own SQL, in one transaction, as TermlyReportQueries does:
-- report_load_cohort (sql/functions/report_load_cohort.sql) fixes the cohort and each student's disadvantage on the
-- term's census day; the report ranks the results of that cohort in its term and the five terms
-- before it (the trend, TermlyReportQueries.trendTerms); report_attainment (sql/functions/report_attainment.sql) gives the
-- aggregates from which GapTrackReports.AggregateStatistics takes the gap index,
-- 20 x (others' mean percentile rank - disadvantaged's), and the mean score gap, others' mean
-- score - disadvantaged's. Values reach SQL through psql variables (:'name'), which psql quotes;
-- the two file names (:name) must not contain spaces.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
BEGIN;
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
SET LOCAL work_mem = '64MB';
CREATE TEMPORARY TABLE bench_provider ON COMMIT DROP AS
    SELECT provider_id FROM providers WHERE code = :'provider';
SELECT report_load_cohort((SELECT provider_id FROM bench_provider), :'year', :'term', :'cohort') AS cohort_students \gset
CREATE TEMPORARY TABLE bench_terms ON COMMIT DROP AS
    SELECT t.academic_year, t.term
    FROM terms t
    WHERE t.starts_on <= (SELECT starts_on FROM terms WHERE academic_year = :'year' AND term = :'term')
    ORDER BY t.starts_on DESC
    LIMIT 6;

-- The rows report_attainment ranks (the results report_load_results reads): the cohort's results in those
-- terms, as float8, of the students in one of the two compared groups. psql writes COPY's
-- output to the file named after \g.
COPY (
    SELECT r.assessment_point_id AS point, r.score::float8 AS score, c.disadvantaged
    FROM assessment_points p
    JOIN assessment_results r ON r.assessment_point_id = p.assessment_point_id
    JOIN report_cohort c ON c.student_id = r.student_id
    JOIN students s ON s.student_id = r.student_id
    WHERE p.provider_id = (SELECT provider_id FROM bench_provider)
      AND (p.academic_year, p.term) IN (SELECT academic_year, term FROM bench_terms)
      AND c.disadvantaged IS NOT NULL
) TO STDOUT WITH (FORMAT csv, HEADER) \g :rows_csv

COPY (
    SELECT a.assessment_point_id AS point, a.d_count AS disadvantaged, a.o_count AS others,
           20 * (a.o_mean_rank - a.d_mean_rank) AS gap_index, a.o_mean - a.d_mean AS mean_score_gap,
           t.academic_year || '-' || t.term AS term, a.subject, a.assessment
    FROM bench_terms t
    CROSS JOIN LATERAL report_attainment((SELECT provider_id FROM bench_provider), t.academic_year, t.term) a
    ORDER BY 1
) TO STDOUT WITH (FORMAT csv, HEADER) \g :figures_csv

-- The assessment points of those terms, for the bare count(*) scan of the same rows.
SELECT string_agg(p.assessment_point_id::text, ',' ORDER BY p.assessment_point_id) AS points
FROM assessment_points p
WHERE p.provider_id = (SELECT provider_id FROM bench_provider)
  AND (p.academic_year, p.term) IN (SELECT academic_year, term FROM bench_terms) \gset
\echo points :points
\echo cohort_students :cohort_students
COMMIT;
