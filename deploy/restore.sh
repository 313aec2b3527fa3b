#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh into an empty database (docs/data-protection.md §7).
# The connection comes from the environment as for psql (PGHOST, PGPORT, PGUSER, PGDATABASE or
# PGSERVICE); the database must exist and hold no tables, so that nothing is overwritten:
#
#   createdb gaptrack_restored
#   PGDATABASE=gaptrack_restored deploy/restore.sh /var/backups/gaptrack/gaptrack-gaptrack-20250301T020000Z.dump
#
# Roles are cluster-wide and not in a dump: every role the schema grants to, with its memberships,
# is created first when the server lacks it (deploy/cluster-roles.sql, as the migrations do). The
# restore is one transaction and stops at the first error, so it either lands whole or leaves the
# database empty.
set -euo pipefail

if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: deploy/restore.sh BACKUP.dump   (into the empty database named by PGDATABASE or PGSERVICE)" >&2
    exit 2
fi
if [ -z "${PGDATABASE:-}" ] && [ -z "${PGSERVICE:-}" ]; then
    echo "restore.sh: set PGDATABASE (and PGHOST, PGUSER as needed) or PGSERVICE to the empty database to restore into" >&2
    exit 2
fi

tables=$(psql --no-password --no-psqlrc -Atc "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'")
if [ "$tables" != "0" ]; then
    echo "restore.sh: the database already has $tables tables; restore into a new, empty database (createdb NAME)" >&2
    exit 1
fi

psql --no-password --no-psqlrc -q -v ON_ERROR_STOP=1 -f "$(dirname "$0")/cluster-roles.sql"

pg_restore --no-password --exit-on-error --single-transaction --dbname="${PGDATABASE:-service=$PGSERVICE}" "$1"
echo "restored $1"
