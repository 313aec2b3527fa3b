-- The cluster-wide roles a gaptrack database grants to, and their memberships. Roles live in the
-- cluster, not in a database, so pg_dump leaves them out and a restore onto a new server must make
-- them first (deploy/restore.sh runs this file). The migrations create the same roles as they go
-- (sql/001_baseline.sql, sql/003_least_privilege.sql, sql/004_report_audience.sql); the test
-- "cluster-roles.sql names every role the migrations create" keeps the two lists equal.
-- Each role is created only if missing and stated again with the attributes that matter, as the
-- migrations do; no role gets a login here (docs/security.md says who turns gaptrack_app's on).
DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['gaptrack_service', 'gaptrack_governor', 'gaptrack_report', 'gaptrack_app'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION', name);
        END IF;
        EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION', name);
    END LOOP;
    -- The restoring login owns the restored objects and must be able to SET ROLE to the service
    -- roles, as the migrator is (sql/001_baseline.sql).
    IF NOT pg_has_role(current_user, 'gaptrack_service', 'MEMBER') THEN
        EXECUTE format('GRANT gaptrack_service TO %I', current_user);
    END IF;
    IF NOT pg_has_role(current_user, 'gaptrack_governor', 'MEMBER') THEN
        EXECUTE format('GRANT gaptrack_governor TO %I', current_user);
    END IF;
END
$$;

GRANT gaptrack_service, gaptrack_governor TO gaptrack_app;
GRANT gaptrack_report TO gaptrack_service, gaptrack_governor;
