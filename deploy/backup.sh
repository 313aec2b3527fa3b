#!/usr/bin/env bash
# Backs up one gaptrack database with pg_dump, custom format, into a timestamped file in DIRECTORY
# (docs/data-protection.md §7). The server and database come from the environment as for psql
# (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSERVICE; the password from ~/.pgpass, PGPASSFILE or the
# service file): never a password on the command line, where other users could read it.
#
#   PGDATABASE=gaptrack deploy/backup.sh /var/backups/gaptrack
#
# The file is written under a temporary name and renamed once pg_dump has finished and
# pg_restore can list it, so a file with the final name is always a whole, readable backup.
# Restore it with deploy/restore.sh. Prints the file's path.
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: deploy/backup.sh DIRECTORY   (connection from PGHOST, PGPORT, PGUSER, PGDATABASE or PGSERVICE)" >&2
    exit 2
fi
if [ -z "${PGDATABASE:-}" ] && [ -z "${PGSERVICE:-}" ]; then
    echo "backup.sh: set PGDATABASE (and PGHOST, PGUSER as needed) or PGSERVICE to the database to back up" >&2
    exit 2
fi

directory=$1
umask 077
mkdir -p "$directory"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
name=${PGDATABASE:-$PGSERVICE}
file="$directory/gaptrack-${name//[^A-Za-z0-9_.-]/_}-$stamp.dump"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --no-password --file="$partial"
pg_restore --list "$partial" >/dev/null
mv "$partial" "$file"
trap - EXIT
echo "$file"
