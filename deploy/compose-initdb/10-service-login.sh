#!/bin/sh
# Run once by the postgres image when it creates its data folder (deploy/compose.yaml): the
# service's own login, gaptrack_app, with the password from the db_app_password secret.
# `gaptrack migrate` then grants it what it needs (sql/003_least_privilege.sql). psql reads the
# secret itself (\set with backquotes), so the password is on no command line; docs/security.md.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
\set app_password `cat /run/secrets/db_app_password`
CREATE ROLE gaptrack_app LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'app_password';
SQL
