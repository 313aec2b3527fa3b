# Helpers for benchmarks/run.sh. Sourced, not run; deploy/common.sh is sourced first (say,
# install_missing, server_named_in_environment, choose_cluster_folder).

# Where this run keeps its generated files and measurements (gitignored: .gaptrack/ is).
BENCH_DIR="${GAPTRACK_BENCH_DIR:-$GAPTRACK_ROOT/.gaptrack/bench}"
WORK="$BENCH_DIR/run"
# One line per timed run: "label seconds peak_rss_kb"; and "key value" facts for the summary.
RUNS="$WORK/runs.txt"
FACTS="$WORK/facts.txt"

note() { printf '    %s\n' "$*" >&2; }

fact() { printf '%s %s\n' "$1" "$2" >>"$FACTS"; }

# timed LABEL CMD...: runs CMD under /usr/bin/time -v, its output to $WORK/LABEL.log, and records
# its wall-clock time (whole process: start-up, connection, work, exit) and peak resident memory.
timed() {
    local label="$1"
    shift
    local usage="$WORK/$label.time" start end seconds rss
    start=$(date +%s%N)
    if ! /usr/bin/time -v -o "$usage" "$@" >"$WORK/$label.log" 2>&1; then
        echo "benchmark step '$label' failed: $*" >&2
        tail -n 20 "$WORK/$label.log" >&2
        return 1
    fi
    end=$(date +%s%N)
    seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$usage")
    printf '%s %s %s\n' "$label" "$seconds" "$rss" >>"$RUNS"
    note "$(printf '%-28s %8.3f s  %7d KB peak' "$label" "$seconds" "$rss")"
}

# best LABEL: the shortest recorded time of LABEL.
best() { awk -v l="$1" '$1 == l { if (b == "" || $2 < b) b = $2 } END { print b }' "$RUNS"; }

# warm FILE...: reads files once so that every timed run finds them in the page cache.
warm() { cat "$@" >/dev/null; }

# --- Which server -------------------------------------------------------------------------

# Sets ADMIN (a conninfo for CREATE/DROP DATABASE) and defines conninfo_for NAME.
choose_server() {
    if server_named_in_environment; then
        if [ -z "${PGHOST:-}${PGHOSTADDR:-}${PGPORT:-}${PGDATABASE:-}${PGUSER:-}${PGSERVICE:-}${PGSERVICEFILE:-}" ]; then
            echo "The benchmark creates and drops databases of its own, so it needs a server named with the PG* variables" >&2
            echo "(PGHOST, PGPORT, PGUSER, PGPASSWORD...), not GAPTRACK_DATABASE; unset GAPTRACK_DATABASE or set those." >&2
            exit 2
        fi
        PRIVATE_CLUSTER=false
        SERVER="the server named by the PG* environment variables"
        # An explicit dbname wins over PGDATABASE; libpq takes everything else from the environment.
        ADMIN="dbname=postgres"
        conninfo_for() { printf 'dbname=%s' "$1"; }
    else
        PRIVATE_CLUSTER=true
        choose_cluster_folder
        "$GAPTRACK" db start >/dev/null
        SERVER="the private cluster ($("$GAPTRACK" db status | head -n 1 | sed 's/^Private cluster in //; s/: running$//'))"
        ADMIN="$("$GAPTRACK" db conninfo --dbname postgres)"
        conninfo_for() { "$GAPTRACK" db conninfo --dbname "$1"; }
    fi
}

# Notices ("database ... does not exist, skipping") are not news here.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

admin_sql() { psql "$ADMIN" -X -q -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }

# fresh_database NAME [TEMPLATE]: drops NAME if it exists and creates it again.
fresh_database() {
    admin_sql "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
    if [ -n "${2:-}" ]; then
        admin_sql "CREATE DATABASE \"$1\" TEMPLATE \"$2\""
    else
        admin_sql "CREATE DATABASE \"$1\""
    fi
}

drop_database() { admin_sql "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"; }

# sql DATABASE SQL: runs SQL in a benchmark database, printing unaligned rows without headers.
sql() { psql "$(conninfo_for "$1")" -X -q -A -t -v ON_ERROR_STOP=1 -c "$2"; }

# --- Data --------------------------------------------------------------------------------

# prepare_database NAME: migrations and the demo school's provider row.
prepare_database() {
    local database
    database="$(conninfo_for "$1")"
    "$GAPTRACK" migrate --database "$database" >/dev/null
    "$GAPTRACK" provider add --database "$database" --code demo-academy --name "Demo Academy" --kind school \
        --urn 100000 --la-code 801 >/dev/null
}

# load_cohort NAME FOLDER LABEL: a prepared database, then every file of a generated demo school
# through gaptrack's own importer, students first; each import's time is recorded as LABEL_KIND.
load_cohort() {
    local name="$1" folder="$2" label="$3" kind
    fresh_database "$name"
    prepare_database "$name"
    for kind in students markers assessments attendance support; do
        timed "${label}_load_$kind" "$GAPTRACK" import "$kind" "$folder/$kind.csv" --provider demo-academy \
            --database "$(conninfo_for "$name")"
    done
    sql "$name" "VACUUM ANALYZE" >/dev/null
}

# data_signature FOLDER: what a loaded cohort database was made from: a checksum of the generated
# files' checksums, kept as the database's comment ("data:SIGNATURE"). The migrations are not part
# of it: the database's own schema_migrations records which are applied, and `gaptrack migrate`
# brings a kept database up to date far faster than reloading it (12 minutes at 600,000 pupils).
data_signature() {
    printf 'data:%s' "$( (cd "$1" && sha256sum -- *.csv) | sha256sum | cut -c1-32)"
}

database_comment() {
    psql "$ADMIN" -X -A -t -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$1'" 2>/dev/null
}

# reuse_cohort SIZE NAME SIGNATURE: with --reuse, whether the kept database NAME can stand for a
# fresh load of the generated files SIGNATURE names. It can when it was loaded from them (its
# comment is SIGNATURE); migrations added since are then applied with `gaptrack migrate` (timed
# as migrate_SIZE, then VACUUM ANALYZE as a load ends) and the cohort is recorded as
# "migrated", otherwise as "reused". Returns 1 when the cohort must be loaded: no
# such database, other data, or a migration that does not apply (an applied file was changed).
# Called in a condition, where `set -e` does not hold: every failure is checked here.
reuse_cohort() {
    local size="$1" name="$2" signature="$3" comment applied
    comment="$(database_comment "$name")"
    if [ -z "$comment" ]; then
        note "no kept $size-pupil cohort (database $name): loading it"
        return 1
    fi
    if [ "$comment" != "$signature" ]; then
        note "the kept $name was loaded from other generated data: reloading it"
        return 1
    fi
    if ! timed "migrate_$size" "$GAPTRACK" migrate --database "$(conninfo_for "$name")"; then
        note "gaptrack migrate could not bring $name up to date (above): reloading it"
        return 1
    fi
    applied="$(sed -n 's/^applied \([0-9]*\)_.*/\1/p' "$WORK/migrate_$size.log" | paste -sd, -)"
    if [ -n "$applied" ]; then
        say "Reusing the loaded $size-pupil cohort (database $name, same data), migrated: $applied"
        timed "migrate_${size}_analyze" psql "$(conninfo_for "$name")" -X -q -v ON_ERROR_STOP=1 -c "VACUUM ANALYZE" \
            || return 1
        fact "load_$size" migrated
        fact "migrations_applied_$size" "$applied"
    else
        say "Reusing the loaded $size-pupil cohort (database $name, same data and migrations)"
        fact "load_$size" reused
    fi
    admin_sql "COMMENT ON DATABASE \"$name\" IS '$signature'" || return 1
}
