#!/usr/bin/env bash
# Measures POST /v1/support-records with wrk on loopback against a release build of gaptrack:
# creates a throwaway database in the server gaptrack would use, a provider with 200 students,
# a data-lead token; starts `gaptrack serve` on 127.0.0.1; runs wrk for a bounded time; stops the
# service with SIGTERM and drops the database.
#   benchmarks/wrk/run.sh [DURATION=15s] [CONNECTIONS=16] [POOL=8]
# Needs: wrk (apt-get install wrk), psql, and .build/release/gaptrack (swift build -c release).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration="${1:-15s}"; connections="${2:-16}"; pool="${3:-8}"
gaptrack="${GAPTRACK_BIN:-$root/.build/release/gaptrack}"
port="${GAPTRACK_BENCH_PORT:-18080}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ -x "$gaptrack" ] || { echo "no release build at $gaptrack: swift build -c release --product gaptrack" >&2; exit 1; }

# The server the CLI would use (or GAPTRACK_BENCH_CONNINFO, a keyword=value conninfo); a fresh database on it.
base="${GAPTRACK_BENCH_CONNINFO:-}"
if [ -z "$base" ]; then
    "$gaptrack" db start >/dev/null
    base="$("$gaptrack" db status | sed -n 's/^Connect with: psql "\(.*\)"$/\1/p')"
fi
[ -n "$base" ] || { echo "cannot find the server; set GAPTRACK_BENCH_CONNINFO" >&2; exit 1; }
db="gaptrack_bench_$$"
admin="$(echo "$base" | sed -E "s/dbname='?[^' ]*'?/dbname='postgres'/")"
psql "$admin" -qc "CREATE DATABASE $db"
conninfo="$(echo "$base" | sed -E "s/dbname='?[^' ]*'?/dbname='$db'/")"
cleanup() { [ -n "${service:-}" ] && kill -TERM "$service" 2>/dev/null && wait "$service" || true; psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; }
trap cleanup EXIT

GAPTRACK_HOME="$root" "$gaptrack" migrate --database "$conninfo" >/dev/null
psql "$conninfo" -q <<'SQL'
INSERT INTO providers (code, name, kind, urn, la_code) VALUES ('bench-school', 'Benchmark School', 'school', '199999', '801');
-- 200 students with valid UPNs: LA 801, school 2000, year 05, serials 000-199, check letter computed.
INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth)
SELECT 1, u.upn, 'Pupil' || n, 'Bench', '2010-01-01'
FROM generate_series(0, 199) AS n
CROSS JOIN LATERAL (
    SELECT l || body AS upn FROM (SELECT '801200005' || lpad(n::text, 3, '0') AS body) b,
         unnest(string_to_array('A,B,C,D,E,F,G,H,J,K,L,M,N,P,Q,R,T,U,V,W,X,Y,Z', ',')) AS l
    WHERE upn_is_valid(l || body)
) u;
SQL
token="$("$gaptrack" token create --database "$conninfo" --provider bench-school --role data-lead --label "wrk benchmark" 2>/dev/null)"
students="$(psql "$conninfo" -Atc "SELECT string_agg(upn, ',') FROM students")"
# The service runs as its own login, gaptrack_app (docs/security.md: it refuses the owner), as in
# production; on the private cluster that login needs no password (ServiceLogin).
psql "$conninfo" -qc "ALTER ROLE gaptrack_app LOGIN"
service_conninfo="$(echo "$conninfo" | sed -E "s/user='?[^' ]*'?/user='gaptrack_app'/")"
case "$service_conninfo" in *gaptrack_app*) ;; *) service_conninfo="$service_conninfo user='gaptrack_app'";; esac

"$gaptrack" serve --database "$service_conninfo" --host 127.0.0.1 --port "$port" --pool-size "$pool" &
service=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done

# Where the server's time goes (BENCHMARKS.md, "Where the service's time goes"): with
# GAPTRACK_BENCH_STATEMENTS=1 and pg_stat_statements in the server's shared_preload_libraries,
# every statement's calls and execution and planning time, per stored record.
statements="${GAPTRACK_BENCH_STATEMENTS:-}"
if [ -n "$statements" ]; then
    if [ "$(psql "$conninfo" -Atc "SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'")" = t ]; then
        psql "$conninfo" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
    else
        echo "statements: pg_stat_statements is not in shared_preload_libraries; not counted"; statements=""
    fi
fi
per_statement() {  # $1: what ran, $2: records it stored; rows: calls, execution and planning ms per stored record, the statement
    [ -n "$statements" ] || return 0
    psql "$conninfo" -At -F ' | ' -v label="$1" -v stored="$2" <<'SQL'
\echo statements per stored record, :label: calls | exec ms | plan ms | statement
WITH runs AS (SELECT greatest(:stored, 1) AS n)
SELECT round(s.calls::numeric / r.n, 2), round((s.total_exec_time / r.n)::numeric, 4), round((s.total_plan_time / r.n)::numeric, 4),
       left(regexp_replace(s.query, '\s+', ' ', 'g'), 110)
FROM pg_stat_statements s, runs r
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.calls >= r.n / 2
  AND s.query NOT LIKE '%pg_stat_statements%'
ORDER BY s.total_exec_time + s.total_plan_time DESC;
SQL
}
reset_statements() { [ -z "$statements" ] || psql "$conninfo" -qAtc "SELECT pg_stat_statements_reset()" >/dev/null; }

echo "wrk: $duration, $connections connections, pool $pool, $(nproc) cores, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
reset_statements
GAPTRACK_TOKEN="$token" GAPTRACK_STUDENTS="$students" \
    wrk -t2 -c"$connections" -d"$duration" --latency -s "$here/post_support_record.lua" "http://127.0.0.1:$port"
stored="$(psql "$conninfo" -Atc "SELECT count(*) FROM support_records")"
echo "records stored: $stored"
per_statement service "$stored"

# PostgreSQL's own rate for the same row at the same concurrency (insert_support_record.sql),
# with the service stopped so that it does not share the cores: the ceiling the service is judged
# against. Only when pgbench is installed (Debian's PostgreSQL packages bring it).
kill -TERM "$service" 2>/dev/null && wait "$service" || true
service=""
if command -v pgbench >/dev/null; then
    echo "pgbench: $duration, $connections connections, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    reset_statements
    pgbench -n -c "$connections" -j 2 -T "${duration%s}" -r -f "$here/insert_support_record.sql" "$conninfo" 2>&1 \
        | sed -n 's/^tps = \([0-9.]*\).*/pgbench tps: \1/p; s/^latency average = \([0-9.]*\) ms/pgbench latency average ms: \1/p'
    per_statement pgbench "$(( $(psql "$conninfo" -Atc "SELECT count(*) FROM support_records") - stored ))"
    # The same insert under the service's role, scope and audit identity (for information).
    stored="$(psql "$conninfo" -Atc "SELECT count(*) FROM support_records")"
    echo "pgbench scoped: $duration, $connections connections, as gaptrack_app"
    reset_statements
    pgbench -n -c "$connections" -j 2 -T "${duration%s}" -f "$here/insert_support_record_scoped.sql" "$service_conninfo" 2>&1 \
        | sed -n 's/^tps = \([0-9.]*\).*/pgbench scoped tps: \1/p; s/^latency average = \([0-9.]*\) ms/pgbench scoped latency average ms: \1/p'
    per_statement "pgbench scoped" "$(( $(psql "$conninfo" -Atc "SELECT count(*) FROM support_records") - stored ))"
else
    echo "pgbench: not installed"
fi
