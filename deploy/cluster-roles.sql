-- The cluster-wide roles a gaptrack database grants to, and their memberships. Roles live in the
-- cluster, not in a database, so pg_dump leaves them out and a restore onto a new server must make
-- them first (deploy/restore.sh runs this file). The migrations create the same roles as they go
-- (sql/001_baseline.sql, sql/003_least_privilege.sql, sql/004_report_audience.sql); the test
-- "cluster-roles.sql names every role the migrations create" keeps the two lists equal.
-- Each role is created only if missing and corrected only if it has more than it should, and each
-- membership granted only if missing: on a server that already has them this file changes no
-- catalogue row, so it cannot collide with another session migrating or restoring at the same time.
-- No role gets a login here (docs/security.md says who turns gaptrack_app's on).
DO $$
DECLARE
    name text;
    grant_pair text[];
BEGIN
    FOREACH name IN ARRAY ARRAY['gaptrack_service', 'gaptrack_governor', 'gaptrack_report', 'gaptrack_app'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION', name);
        ELSIF EXISTS (SELECT FROM pg_roles WHERE rolname = name
                      AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls OR rolinherit OR rolreplication)) THEN
            EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION', name);
        END IF;
    END LOOP;
    -- role, member: the service's login may SET ROLE to both service roles, and they to the report
    -- role; the restoring login owns the restored objects and may SET ROLE to the service roles, as
    -- the migrator may (sql/001_baseline.sql).
    FOREACH grant_pair SLICE 1 IN ARRAY ARRAY[
        ['gaptrack_service', 'gaptrack_app'], ['gaptrack_governor', 'gaptrack_app'],
        ['gaptrack_report', 'gaptrack_service'], ['gaptrack_report', 'gaptrack_governor'],
        ['gaptrack_service', current_user::text], ['gaptrack_governor', current_user::text]
    ] LOOP
        IF NOT pg_has_role(grant_pair[2], grant_pair[1], 'MEMBER') THEN
            EXECUTE format('GRANT %I TO %I', grant_pair[1], grant_pair[2]);
        END IF;
    END LOOP;
END
$$;
