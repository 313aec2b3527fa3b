-- Where a cold `report gap` spends its time: the SQL calls of TermlyReportQueries, in their
-- order, each timed by psql (\timing) in one REPEATABLE READ transaction, as the report runs them
-- (BENCHMARKS.md, "Where the cold report's time goes"). Run it on a kept benchmark database:
--   psql "$(gaptrack db conninfo --dbname gaptrack_bench_60000)" -v provider=1 -f benchmarks/report_steps.sql
-- For the plans, prefix a step with EXPLAIN (ANALYZE, BUFFERS); the functions' inner statements
-- show with auto_explain (SET auto_explain.log_nested_statements = on).
\set ON_ERROR_STOP on
\timing on
BEGIN ISOLATION LEVEL REPEATABLE READ;
\echo report_load_cohort
SELECT report_load_cohort(:provider, '2024/25', 'summer', 'year-11');
\echo report_dfe_disadvantaged_count
SELECT report_dfe_disadvantaged_count();
\echo report_group_counts
SELECT count(*) FROM report_group_counts();
\echo report_support
SELECT count(*) FROM report_support(:provider, '2024/25', 'summer');
\echo report_load_results (six terms)
SELECT report_load_results(:provider, ARRAY['2023/24', '2023/24', '2023/24', '2024/25', '2024/25', '2024/25'],
                           ARRAY['autumn', 'spring', 'summer', 'autumn', 'spring', 'summer']::term_name[]);
\echo report_attainment with report_progress_rate (the term of the report)
SELECT count(*) FROM report_attainment(:provider, '2024/25', 'summer') a
    LEFT JOIN report_progress_rate(:provider, '2024/25', 'summer') p ON p.assessment_point_id = a.assessment_point_id;
\echo report_attainment (the five trend terms)
SELECT count(*) FROM report_attainment(:provider, '2024/25', 'spring');
SELECT count(*) FROM report_attainment(:provider, '2024/25', 'autumn');
SELECT count(*) FROM report_attainment(:provider, '2023/24', 'summer');
SELECT count(*) FROM report_attainment(:provider, '2023/24', 'spring');
SELECT count(*) FROM report_attainment(:provider, '2023/24', 'autumn');
\echo report_attendance (six terms)
SELECT count(*) FROM report_attendance('2024/25', 'summer');
SELECT count(*) FROM report_attendance('2024/25', 'spring');
SELECT count(*) FROM report_attendance('2024/25', 'autumn');
SELECT count(*) FROM report_attendance('2023/24', 'summer');
SELECT count(*) FROM report_attendance('2023/24', 'spring');
SELECT count(*) FROM report_attendance('2023/24', 'autumn');
\echo funding, spend by type and fund, KS4 headlines
SELECT count(*) FROM report_support_funding(:provider, '2024/25', 'summer');
SELECT count(*) FROM report_support_type_fund(:provider, '2024/25', 'summer');
SELECT count(*) FROM report_ks4_headlines(:provider, '2024/25', 'summer');
COMMIT;
