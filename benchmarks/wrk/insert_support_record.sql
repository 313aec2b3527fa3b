-- pgbench script: PostgreSQL's own rate for the row POST /v1/support-records stores, so that the
-- service's rate can be judged against it (BENCHMARKS.md, "The service"). One INSERT of the same
-- columns and values as the wrk script's request (a new reference each time, a student of the
-- provider's 200), into the same table with its indexes, foreign keys and triggers, as one
-- transaction of one round trip; the service adds the token look-up, its scope and role, the
-- HTTP and JSON work and the RETURNING of the stored row. Used by benchmarks/wrk/run.sh:
--   pgbench -n -c 16 -j 2 -T 15 -f insert_support_record.sql DATABASE
\set student random(1, 200)
INSERT INTO support_records (student_id, provider_id, reference, type, starts_on, hours, sessions, amount, funding_source, staff)
SELECT s.student_id, s.provider_id, 'pgbench-' || gen_random_uuid(), 'tutoring', '2025-01-06', 1.5, 1, 12.50, 'pupil_premium', 'Benchmark'
FROM students s ORDER BY s.student_id OFFSET :student - 1 LIMIT 1;
