#!/usr/bin/env bash
# gaptrack's benchmarks, on one machine in one run (see BENCHMARKS.md):
#   1. generates the data with the demo generator: about 1,000,000 attendance marks, and cohorts of
#      60,000 and 600,000 pupils with markers, assessments, attendance and support;
#   2. times `gaptrack import attendance` against `psql \copy` of the same file into an unindexed
#      table of the same columns (and one with the import's key): into a new term, and into terms
#      that hold another school's marks and the school's own earlier weeks;
#   3. times `gaptrack report gap` on the 600,000-pupil cohort against a pandas script computing
#      the same gap index and mean score gap from the same rows exported as CSV, and against a
#      bare SELECT count(*) of the results at the same assessment points; checks that pandas and
#      gaptrack agree to 1e-9 (and `gaptrack report termly`, with its impact sections, once).
#      Where gaptrack caches the report's data (`report gap --recompute` exists), both "cold"
#      (computed from the data with --recompute) and "warm" (the same report asked again with
#      nothing changed, served from the cache) are timed and judged, each on its own row;
#   4. records the report's peak memory (/usr/bin/time -v) at 60,000 and 600,000 pupils;
#   5. if `gaptrack serve` exists, runs wrk against the record-support endpoint.
# It prints a summary table with each target and PASS or MISS, and writes
# benchmarks/results/latest.json. Release build only. About 20 minutes on 2 cores, most of it
# loading the 600,000-pupil cohort through `gaptrack import`; see --keep and --reuse.
#
# Usage: benchmarks/run.sh [--small] [--keep] [--reuse] [--repeat N]
#   --small     a quick check of the script itself: 1/100 of the sizes (the targets do not apply;
#               results go to benchmarks/results/latest-small.json)
#   --keep      keep the cohort databases afterwards (they are dropped by default)
#   --reuse     use a cohort database kept by an earlier --keep run when it was loaded from the
#               same generated files (skips the long loads); migrations added since are applied
#               to it with `gaptrack migrate` (recorded as "migrated", not "loaded")
#   --repeat N  timed repetitions of each quick measurement, best taken (default 3)
# The private cluster is used unless PG* variables name a server; either way only databases
# called gaptrack_bench_* are created and dropped, never the gaptrack database.

# The whole script is one block, which bash reads to the end before running any of it: bash reads
# a script as it runs, so an edit to this file during a 20-minute run would otherwise change (or
# break) what the run does next.
{
source "$(dirname "$0")/../deploy/common.sh"
source "$GAPTRACK_ROOT/benchmarks/lib.sh"

SMALL=false
KEEP=false
REUSE=false
REPEAT=3
while [ $# -gt 0 ]; do
    case "$1" in
        --small) SMALL=true ;;
        --keep) KEEP=true ;;
        --reuse) REUSE=true ;;
        --repeat) REPEAT="$2"; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "unknown option '$1' (see benchmarks/run.sh --help)" >&2; exit 2 ;;
    esac
    shift
done

if $SMALL; then
    PROFILE=small; ATTENDANCE_COHORT=6; LARGE=6000; MEDIUM=600
else
    PROFILE=full; ATTENDANCE_COHORT=543; LARGE=600000; MEDIUM=60000
fi
PROVIDER=demo-academy
COHORT=year-11
TERM=2024/25-summer
DB_ATTENDANCE=gaptrack_bench_attendance
DB_ATTENDANCE_RUN=gaptrack_bench_attendance_run
DB_MEDIUM=gaptrack_bench_${MEDIUM}
DB_LARGE=gaptrack_bench_${LARGE}

require_swift
ensure_postgres_packages
for program in psql python3 /usr/bin/time; do
    command -v "$program" >/dev/null || { echo "$program is needed (apt-get install postgresql-client python3 time)" >&2; exit 1; }
done
STARTED=$(date +%s)

say "Building gaptrack (release)"
swift build -c release --product gaptrack --quiet
GAPTRACK="$(swift build -c release --show-bin-path)/gaptrack"

# pandas from pip (benchmarks/requirements.txt); where the system Python refuses pip installs
# (Debian's PEP 668 marker), into a virtual environment kept with the generated data.
PYTHON=python3
[ -x "$BENCH_DIR/venv/bin/python3" ] && PYTHON="$BENCH_DIR/venv/bin/python3"
if ! "$PYTHON" -c 'import pandas' 2>/dev/null; then
    say "Installing pandas (pip install -r benchmarks/requirements.txt)"
    if ! python3 -m pip install --quiet -r benchmarks/requirements.txt; then
        install_missing python3-venv
        python3 -m venv "$BENCH_DIR/venv"
        "$BENCH_DIR/venv/bin/pip" install --quiet -r benchmarks/requirements.txt
        PYTHON="$BENCH_DIR/venv/bin/python3"
    fi
fi

case "$WORK" in *[[:space:]]*) echo "the benchmark's folder must not contain spaces: $WORK (set GAPTRACK_BENCH_DIR)" >&2; exit 2 ;; esac
rm -rf "$WORK"
mkdir -p "$WORK" "$BENCH_DIR" benchmarks/results
: >"$RUNS"
: >"$FACTS"
choose_server
say "Benchmarking on $SERVER ($PROFILE sizes, best of $REPEAT)"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    [ -n "${ADMIN:-}" ] || return 0
    drop_database "$DB_ATTENDANCE_RUN" 2>/dev/null || true
    drop_database "$DB_ATTENDANCE" 2>/dev/null || true
    if ! $KEEP; then
        drop_database "$DB_MEDIUM" 2>/dev/null || true
        drop_database "$DB_LARGE" 2>/dev/null || true
    fi
}
trap cleanup EXIT

fact profile "$PROFILE"
fact repeat "$REPEAT"
fact server "$(psql "$ADMIN" -X -A -t -c 'SHOW server_version' | head -n 1)"
fact cpus "$(nproc)"
fact memory_mb "$(awk '/MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)"
fact gaptrack_commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
fact pandas "$("$PYTHON" -c 'import pandas; print(pandas.__version__)')"

# --- 1. Data -------------------------------------------------------------------------------
say "Generating the data (demo generator, seed 2024)"
generate() {
    "$GAPTRACK" demo generate --out "$BENCH_DIR/$1" --only school --no-leavers "${@:2}" >"$WORK/generate-$1.log"
    note "$(grep -E 'pupils\)' "$WORK/generate-$1.log" | sed 's/^ *//'), in $BENCH_DIR/$1"
}
generate attendance --cohort-size "$ATTENDANCE_COHORT"
generate "cohort-$MEDIUM" --year-groups 11 --cohort-size "$MEDIUM" --attendance-days 1
generate "cohort-$LARGE" --year-groups 11 --cohort-size "$LARGE" --attendance-days 1
ATTENDANCE_FILE="$BENCH_DIR/attendance/$PROVIDER/attendance.csv"
MARKS=$(($(wc -l <"$ATTENDANCE_FILE") - 1))
fact attendance_marks "$MARKS"

# --- 2. Attendance import against psql \copy ---------------------------------------------------
say "Attendance: gaptrack import of $MARKS marks against psql \\copy into an unindexed table"
fresh_database "$DB_ATTENDANCE"
prepare_database "$DB_ATTENDANCE"
"$GAPTRACK" import students "$BENCH_DIR/attendance/$PROVIDER/students.csv" --provider "$PROVIDER" \
    --database "$(conninfo_for "$DB_ATTENDANCE")" >/dev/null
# Each import goes into a fresh copy of the same database (students loaded, no marks), each
# \copy into a new empty table; both after a checkpoint, with the file in the page cache.
sql "$DB_ATTENDANCE" "CREATE TABLE attendance_copy (student text, date date, session text, code text)"
# The same, with the import's key (one mark per student and session), for the ratio against a
# load that keeps a key as the import does.
sql "$DB_ATTENDANCE" "CREATE TABLE attendance_copy_keyed (student text, date date, session text, code text,
    PRIMARY KEY (student, date, session))"
# time_attendance SUFFIX FILE: REPEAT rounds of the import of FILE into a fresh copy of
# $DB_ATTENDANCE, \copy of it into the unindexed table and into the keyed one, alternating; the
# labels end in SUFFIX.
time_attendance() {
    local suffix="$1" file="$2"
    warm "$file"
    for _ in $(seq "$REPEAT"); do
        fresh_database "$DB_ATTENDANCE_RUN" "$DB_ATTENDANCE"
        sql "$DB_ATTENDANCE_RUN" "CHECKPOINT"
        timed "import_attendance$suffix" "$GAPTRACK" import attendance "$file" --provider "$PROVIDER" \
            --database "$(conninfo_for "$DB_ATTENDANCE_RUN")"
        sql "$DB_ATTENDANCE_RUN" "TRUNCATE attendance_copy; CHECKPOINT"
        timed "copy_attendance$suffix" psql "$(conninfo_for "$DB_ATTENDANCE_RUN")" -X -q -v ON_ERROR_STOP=1 \
            -c "\\copy attendance_copy FROM '$file' WITH (FORMAT csv, HEADER)"
        sql "$DB_ATTENDANCE_RUN" "TRUNCATE attendance_copy_keyed; CHECKPOINT"
        timed "copy_attendance_keyed$suffix" psql "$(conninfo_for "$DB_ATTENDANCE_RUN")" -X -q -v ON_ERROR_STOP=1 \
            -c "\\copy attendance_copy_keyed FROM '$file' WITH (FORMAT csv, HEADER)"
    done
}
time_attendance "" "$ATTENDANCE_FILE"
IMPORTED=$(sql "$DB_ATTENDANCE_RUN" "SELECT count(*) FROM attendance_marks")
COPIED=$(sql "$DB_ATTENDANCE_RUN" "SELECT count(*) FROM attendance_copy")
fact attendance_imported "$IMPORTED"
fact attendance_copied "$COPIED"

# The same school's marks into terms that already hold another school's marks (the same register
# under a second provider code: its whole year, loaded first) and the school's own earlier weeks
# (its marks before $ATTENDANCE_CUT, loaded first): the file timed is the school's marks from the
# cut on, against \copy of that same file. Spring (cut in it) merges into the school's own
# partition; summer is a term the school has no marks of yet, beside the other school's.
say "Attendance: the same into terms holding another school's marks and the school's earlier weeks"
OTHER_PROVIDER=other-academy
ATTENDANCE_CUT=2025-02-24
EARLY_FILE="$WORK/attendance-before-cut.csv"
LATE_FILE="$WORK/attendance-from-cut.csv"
awk -F, -v cut="$ATTENDANCE_CUT" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "date") d = i; print > early; print > late; next }
    { if ($d < cut) print > early; else print > late }' early="$EARLY_FILE" late="$LATE_FILE" "$ATTENDANCE_FILE"
LATE_MARKS=$(($(wc -l <"$LATE_FILE") - 1))
fact attendance_marks_shared "$LATE_MARKS"
"$GAPTRACK" provider add --database "$(conninfo_for "$DB_ATTENDANCE")" --code "$OTHER_PROVIDER" --name "Other Academy" \
    --kind school --urn 100001 --la-code 801 >/dev/null
"$GAPTRACK" import students "$BENCH_DIR/attendance/$PROVIDER/students.csv" --provider "$OTHER_PROVIDER" \
    --database "$(conninfo_for "$DB_ATTENDANCE")" >/dev/null
"$GAPTRACK" import attendance "$ATTENDANCE_FILE" --provider "$OTHER_PROVIDER" --database "$(conninfo_for "$DB_ATTENDANCE")" >/dev/null
"$GAPTRACK" import attendance "$EARLY_FILE" --provider "$PROVIDER" --database "$(conninfo_for "$DB_ATTENDANCE")" >/dev/null
sql "$DB_ATTENDANCE" "VACUUM ANALYZE"
time_attendance _shared "$LATE_FILE"
drop_database "$DB_ATTENDANCE_RUN"
drop_database "$DB_ATTENDANCE"

# --- 3 and 4. The gap report -----------------------------------------------------------------
# recompute_flag REPORT: "--recompute" when `gaptrack report REPORT` caches the report's data and
# offers that flag to compute it afresh; nothing for a gaptrack without the cache. (Not
# `--help | grep -q`: under pipefail, grep leaving early can fail the pipe.)
recompute_flag() {
    local help
    help="$("$GAPTRACK" report "$1" --help 2>&1 || true)"
    if [[ $help == *--recompute* ]]; then echo --recompute; fi
}
read -r -a RECOMPUTE_GAP <<<"$(recompute_flag gap)"
read -r -a RECOMPUTE_TERMLY <<<"$(recompute_flag termly)"
fact report_cache "$([ "${#RECOMPUTE_GAP[@]}" -gt 0 ] && echo yes || echo no)"

# report_size SIZE DATABASE: loads the cohort (unless --reuse finds it loaded from the same data,
# then migrated if need be), then times `gaptrack report gap` as a user runs it (report_runs). At
# the large size, `gaptrack report termly` once as well, cold: the same report with the automatic
# intervention impact sections (not a target).
report_size() {
    local size="$1" database="$2" folder="$BENCH_DIR/cohort-$1/$PROVIDER"
    local signature
    signature="$(data_signature "$folder")"
    if ! { $REUSE && reuse_cohort "$size" "$database" "$signature"; }; then
        say "Loading the $size-pupil cohort through gaptrack import"
        load_cohort "$database" "$folder" "load_$size"
        admin_sql "COMMENT ON DATABASE \"$database\" IS '$signature'"
        fact "load_$size" loaded
    fi
    local conninfo
    conninfo="$(conninfo_for "$database")"
    say "Timing gaptrack report gap on $size pupils"
    report_runs "report_$size" "$conninfo" gap
    if [ "$size" = "$LARGE" ]; then
        timed "termly_$size" "$GAPTRACK" report termly --provider "$PROVIDER" --cohort "$COHORT" --term "$TERM" \
            --format json --output "$WORK/termly_$size.json" --database "$conninfo" --no-drill-down "${RECOMPUTE_TERMLY[@]}"
    fi
}

# report_runs LABEL CONNINFO REPORT: the timed runs of `gaptrack report REPORT`.
# Cold (LABEL): computed from the data, with --recompute where the report is cached. The first run
# is timed too (the load has just filled the caches); a report that takes under 30 s is run
# REPEAT more times and the best is taken; its peak memory is the report's.
# Warm (LABEL_warm), only where the report is cached: the same report asked REPEAT more times with
# nothing changed since the last cold run refreshed the cache; best taken. Its JSON is compared
# byte for byte with the cold run's: a cached report must be the computed one.
report_runs() {
    local label="$1" conninfo="$2" report="$3"
    local command=("$GAPTRACK" report "$report" --provider "$PROVIDER" --cohort "$COHORT" --term "$TERM" --format json
        --database "$conninfo")
    timed "$label" "${command[@]}" --output "$WORK/$label.json" "${RECOMPUTE_GAP[@]}"
    if awk -v t="$(best "$label")" 'BEGIN { exit !(t < 30) }'; then
        for _ in $(seq "$REPEAT"); do timed "$label" "${command[@]}" --output "$WORK/$label.json" "${RECOMPUTE_GAP[@]}"; done
    fi
    [ "${#RECOMPUTE_GAP[@]}" -gt 0 ] || return 0
    local same=yes
    for _ in $(seq "$REPEAT"); do
        timed "${label}_warm" "${command[@]}" --output "$WORK/${label}_warm.json"
        cmp -s "$WORK/$label.json" "$WORK/${label}_warm.json" || same=no
    done
    fact "${label}_warm_same" "$same"
    [ "$same" = yes ] || note "the cached report DIFFERS from the computed one: diff $WORK/$label.json $WORK/${label}_warm.json"
}

report_size "$MEDIUM" "$DB_MEDIUM"
report_size "$LARGE" "$DB_LARGE"

say "The same rows for pandas and for count(*): exporting them through the report's SQL"
psql "$(conninfo_for "$DB_LARGE")" -X -q -A -t -v ON_ERROR_STOP=1 -v provider="$PROVIDER" -v year="${TERM%-*}" \
    -v term="${TERM#*-}" -v cohort="$COHORT" -v rows_csv="$WORK/rows.csv" -v figures_csv="$WORK/gaptrack-figures.csv" \
    -f benchmarks/report_rows.sql >"$WORK/export.log"
POINTS=$(awk '$1 == "points" { print $2 }' "$WORK/export.log")
RESULTS=$(($(wc -l <"$WORK/rows.csv") - 1))
fact ranked_results "$RESULTS"
fact cohort_students "$(awk '$1 == "cohort_students" { print $2 }' "$WORK/export.log")"
fact assessment_points "$(tr ',' '\n' <<<"$POINTS" | wc -l)"
note "$RESULTS results at $(tr ',' '\n' <<<"$POINTS" | wc -l) assessment points ($(du -h "$WORK/rows.csv" | cut -f1) of CSV)"
warm "$WORK/rows.csv"
for _ in $(seq "$REPEAT"); do
    timed pandas "$PYTHON" benchmarks/gap_pandas.py "$WORK/rows.csv" "$WORK/pandas.json"
    "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["seconds"])' "$WORK/pandas.json" \
        | awk '{ print "pandas_compute", $1, 0 }' >>"$RUNS"
    timed count_scan psql "$(conninfo_for "$DB_LARGE")" -X -q -A -t -v ON_ERROR_STOP=1 \
        -c "SELECT count(*) FROM assessment_results WHERE assessment_point_id IN ($POINTS)"
done
fact count_scan_rows "$(tr -d '[:space:]' <"$WORK/count_scan.log")"
python3 benchmarks/agreement.py "$WORK/pandas.json" "$WORK/gaptrack-figures.csv" "$WORK/report_$LARGE.json" \
    "$TERM" >"$WORK/agreement.json" || note "pandas and gaptrack DISAGREE: see $WORK/agreement.json"

# --- 5. The service -------------------------------------------------------------------------
# benchmarks/wrk/run.sh (the service's own load test) makes its own gaptrack_bench_* database,
# starts `gaptrack serve` on loopback, runs wrk against POST /v1/support-records, and stops it.
SERVE_HELP="$("$GAPTRACK" serve --help 2>&1 || true)"
if [[ $SERVE_HELP == *"USAGE: gaptrack serve"* ]]; then
    say "Service: wrk against the record-support endpoint"
    install_missing wrk curl
    $PRIVATE_CLUSTER || export GAPTRACK_BENCH_CONNINFO="${GAPTRACK_BENCH_CONNINFO:-$ADMIN}"
    GAPTRACK_BIN="$GAPTRACK" benchmarks/wrk/run.sh "${WRK_DURATION:-15s}" "${WRK_CONNECTIONS:-16}" >"$WORK/wrk.log" 2>&1 \
        || { tail -n 20 "$WORK/wrk.log" >&2; echo "the service benchmark failed (above)" >&2; }
    sed 's/^/    /' "$WORK/wrk.log" >&2
    python3 - "$WORK/wrk.log" "$WORK/service.json" <<'WRK' || fact service "failed (see $WORK/wrk.log)"
import json, re, sys
text = open(sys.argv[1]).read()
rate = re.search(r"requests: (\d+) in ([\d.]+) s = ([\d.]+) req/s", text)
p99 = re.search(r"latency ms: .*p99 ([\d.]+)", text)
wrk = re.search(r"wrk: (\S+), (\d+) connections", text)
failed = re.search(r"not 201: (\d+)", text)
pgbench = re.search(r"pgbench tps: ([\d.]+)", text)
scoped = re.search(r"pgbench scoped tps: ([\d.]+)", text)
load = re.search(r"load average: ([\d.]+)", text)
if not (rate and p99):
    sys.exit(1)
json.dump({"requests": int(rate.group(1)), "seconds": float(rate.group(2)), "requests_per_second": float(rate.group(3)),
           "p99_ms": float(p99.group(1)), "connections": int(wrk.group(2)) if wrk else None,
           "not_created": int(failed.group(1)) if failed else None,
           "pgbench_tps": float(pgbench.group(1)) if pgbench else None,
           "pgbench_scoped_tps": float(scoped.group(1)) if scoped else None,
           "load_average": float(load.group(1)) if load else None}, open(sys.argv[2], "w"), indent=2)
WRK
else
    say "Skipping the service benchmark: this gaptrack has no 'serve' command"
    fact service "skipped: this gaptrack has no 'serve' command"
fi

fact elapsed_seconds "$(($(date +%s) - STARTED))"
say "Summary"
# A --small run must not replace the full run's results.
python3 benchmarks/summary.py "$WORK" "benchmarks/results/latest$($SMALL && echo -small).json"
exit
}
