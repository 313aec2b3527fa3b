-- pgbench script: the same row as insert_support_record.sql, stored the way the service must
-- store it (docs/security.md): as the service's login, in one transaction that binds the
-- service's role, the provider (row-level security), the actor and token (the audit log) and the
-- changing provider (the report cache) with set_config(..., true), then inserts. Four round
-- trips, as pgbench sends them: PostgreSQL's rate for a write that keeps the service's
-- guarantees, printed for information beside the bare insert (BENCHMARKS.md, "The service").
-- Used by benchmarks/wrk/run.sh, connected as gaptrack_app:
--   pgbench -n -c 16 -j 2 -T 15 -f insert_support_record_scoped.sql DATABASE
\set student random(1, 200)
BEGIN;
SELECT set_config('role', 'gaptrack_service', true), set_config('gaptrack.provider_id', '1', true),
       set_config('gaptrack.role', 'data_lead', true), set_config('gaptrack.actor', 'token:1 pgbench', true),
       set_config('gaptrack.token_id', '1', true), set_config('gaptrack.changing_provider', '1', true);
INSERT INTO support_records (student_id, provider_id, reference, type, starts_on, hours, sessions, amount, funding_source, staff)
SELECT s.student_id, s.provider_id, 'pgbench-scoped-' || gen_random_uuid(), 'tutoring', '2025-01-06', 1.5, 1, 12.50, 'pupil_premium', 'Benchmark'
FROM students s ORDER BY s.student_id OFFSET :student - 1 LIMIT 1;
COMMIT;
