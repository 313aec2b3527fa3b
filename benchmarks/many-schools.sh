#!/usr/bin/env bash
# The many-schools benchmark (BENCHMARKS.md, "Many schools"; docs/scaling.md): whether one school's
# cost stays flat as a hosted deployment grows. In one database of its own:
#   1. at 1 school: the first school (the demo school, seed 1, as first-school) imported file by
#      file through `gaptrack import` (each import timed), then its `report gap` and `report
#      termly` timed cold (--recompute) and warm (asked again, nothing changed);
#   2. N - 1 more demo schools loaded with `gaptrack demo load --only school --as-provider
#      school-K --seed K` (each load timed), then ANALYZE;
#   3. at N schools: the first school's reports again, cold and warm (the JSON must equal the one
#      made at 1 school byte for byte), and the imports timed again, as the same files imported
#      for a last school (last-school: the first school's data under another code), which loads
#      its attendance into terms that now hold every other school's marks; then the first
#      school's report once more, which must still be served from the cache (another school's
#      write costs it nothing).
# It prints each measure at 1 and at N with the ratio and PASS (N/1 <= 1.2) or MISS, and writes
# benchmarks/results/many-schools-latest.json (many-schools-latest-N.json below 200 schools).
#
# Usage: benchmarks/many-schools.sh [--schools N] [--repeat R] [--keep] [--binary PATH]
#   --schools N    schools in the database at the end (default 200; at least 2)
#   --repeat R     timed repetitions of each report, best taken (default 3)
#   --keep         keep the database gaptrack_bench_many afterwards (dropped by default)
#   --binary PATH  time this gaptrack instead of building the release one (e.g. .build/debug/gaptrack
#                  on a machine too busy for a release build; say so when quoting the numbers)
# About 35 MB and, in release, a few seconds of loading per school: 200 schools take about 7 GB and
# 20 to 30 minutes on 2 cores. The private cluster is used unless PG* variables name a server; only
# the database gaptrack_bench_many is created and dropped.

# One block, read whole by bash before it runs (as benchmarks/run.sh, for the same reason).
{
source "$(dirname "$0")/../deploy/common.sh"
source "$GAPTRACK_ROOT/benchmarks/lib.sh"

SCHOOLS=200
REPEAT=3
KEEP=false
BINARY=""
while [ $# -gt 0 ]; do
    case "$1" in
        --schools) SCHOOLS="$2"; shift ;;
        --repeat) REPEAT="$2"; shift ;;
        --keep) KEEP=true ;;
        --binary) BINARY="$2"; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "unknown option '$1' (see benchmarks/many-schools.sh --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ $SCHOOLS =~ ^[0-9]+$ ]] && [ "$SCHOOLS" -ge 2 ] || { echo "--schools must be a whole number of at least 2, not '$SCHOOLS'" >&2; exit 2; }
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "--repeat must be a whole number of at least 1, not '$REPEAT'" >&2; exit 2; }

# Its own folder, so that a run of benchmarks/run.sh beside it keeps its measurements.
WORK="$BENCH_DIR/many-schools"
RUNS="$WORK/runs.txt"
FACTS="$WORK/facts.txt"
DATABASE=gaptrack_bench_many
FIRST=first-school
LAST=last-school
COHORT=year-11
TERM=2024/25-summer
STARTED=$(date +%s)

ensure_postgres_packages
for program in psql python3 /usr/bin/time; do
    command -v "$program" >/dev/null || { echo "$program is needed (apt-get install postgresql-client python3 time)" >&2; exit 1; }
done
if [ -n "$BINARY" ]; then
    GAPTRACK="$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")"
    BUILD=given
else
    require_swift
    say "Building gaptrack (release)"
    swift build -c release --product gaptrack --quiet
    GAPTRACK="$(swift build -c release --show-bin-path)/gaptrack"
    BUILD=release
fi

rm -rf "$WORK"
mkdir -p "$WORK" benchmarks/results
: >"$RUNS"
: >"$FACTS"
choose_server
say "Many schools: $SCHOOLS demo schools in $DATABASE on $SERVER (best of $REPEAT)"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() { [ -n "${ADMIN:-}" ] && ! $KEEP && drop_database "$DATABASE" 2>/dev/null || true; }
trap cleanup EXIT
CONNINFO="$(conninfo_for "$DATABASE")"

fact schools "$SCHOOLS"
fact repeat "$REPEAT"
fact build "$BUILD"
fact server "$(psql "$ADMIN" -X -A -t -c 'SHOW server_version' | head -n 1)"
fact cpus "$(nproc)"
fact gaptrack_commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

say "Generating the first school's files (demo generator, seed 1)"
"$GAPTRACK" demo generate --out "$WORK/files" --only school --seed 1 >"$WORK/generate.log"
FILES="$WORK/files/demo-academy"
warm "$FILES"/*.csv

fresh_database "$DATABASE"
"$GAPTRACK" migrate --database "$CONNINFO" >/dev/null

add_school() {
    "$GAPTRACK" provider add --database "$CONNINFO" --code "$1" --name "School $1" --kind school \
        --urn "$2" --la-code 801 >/dev/null
}

# import_files CODE AT: the first school's files through `gaptrack import` for the school CODE, in
# the order `demo load` imports them, each timed as import_KIND_AT.
import_files() {
    local code="$1" at="$2" kind
    for kind in calendar students markers attendance assessments support; do
        timed "import_${kind}_$at" "$GAPTRACK" import "$kind" "$FILES/$kind.csv" --provider "$code" --database "$CONNINFO"
    done
}

# same_report A B: whether two JSON reports are the same, but for a refusal's text, which quotes a
# slope at full double precision whose last digit depends on the order PostgreSQL sums in (the
# figures themselves are rounded).
same_report() { cmp -s <(grep -v '"refusal"' "$1") <(grep -v '"refusal"' "$2"); }

# reports AT: the first school's gap and termly reports, cold (--recompute, best of REPEAT) and
# warm (best of REPEAT, each JSON equal to the cold one), as report_KIND_AT and report_KIND_AT_warm.
reports() {
    local at="$1" report
    # Dirty pages of the loads (and of a dropped database) written out first, so that the
    # measures do not share the disk with the checkpointer; needs superuser or pg_checkpoint.
    sql "$DATABASE" "CHECKPOINT" >/dev/null 2>&1 || true
    for report in gap termly; do
        local command=("$GAPTRACK" report "$report" --provider "$FIRST" --cohort "$COHORT" --term "$TERM" --format json
            --database "$CONNINFO")
        [ "$report" = termly ] && command+=(--no-drill-down)
        local _
        for _ in $(seq "$REPEAT"); do
            timed "report_${report}_$at" "${command[@]}" --recompute --output "$WORK/report_${report}_$at.json"
        done
        for _ in $(seq "$REPEAT"); do
            timed "report_${report}_${at}_warm" "${command[@]}" --output "$WORK/report_${report}_${at}_warm.json"
            same_report "$WORK/report_${report}_$at.json" "$WORK/report_${report}_${at}_warm.json" \
                || fact "warm_differs_${report}_$at" yes
        done
    done
}

say "At 1 school: importing the first school's files, then its reports"
add_school "$FIRST" 140000
import_files "$FIRST" 1
sql "$DATABASE" "ANALYZE" >/dev/null
reports 1

say "Loading $((SCHOOLS - 1)) more demo schools (gaptrack demo load --as-provider)"
for k in $(seq 2 "$SCHOOLS"); do
    label=load_other
    [ "$k" = 2 ] && label=load_school_2
    [ "$k" = "$SCHOOLS" ] && label=load_school_n
    timed "$label" "$GAPTRACK" demo load --only school --as-provider "$(printf 'school-%04d' "$k")" \
        --urn "$((140000 + k))" --seed "$k" --database "$CONNINFO"
done
sql "$DATABASE" "ANALYZE" >/dev/null
fact database_mb "$(sql "$DATABASE" "SELECT pg_database_size(current_database()) / 1048576")"
fact attendance_marks "$(sql "$DATABASE" "SELECT count(*) FROM attendance_marks")"

say "At $SCHOOLS schools: the first school's reports again"
reports n
for report in gap termly; do
    same_report "$WORK/report_${report}_1.json" "$WORK/report_${report}_n.json" || fact "differs_${report}" yes
done

say "At $SCHOOLS schools: the same files imported for one school more ($LAST)"
# Adding a provider is a write with no provider bound (it invalidates every cached report), so the
# first school's report is made once more after it and before the imports; after the imports it
# must be served from the cache: another school's imports cost it nothing.
# Served from the cache is told by the stored snapshots of the report's parts, which a computed
# part replaces.
add_school "$LAST" 139999
"$GAPTRACK" report gap --provider "$FIRST" --cohort "$COHORT" --term "$TERM" --format json --database "$CONNINFO" \
    --output "$WORK/report_gap_before_other_import.json"
entry() {
    sql "$DATABASE" "SELECT s.snapshot::text FROM report_snapshots s JOIN providers p ON p.provider_id = report_snapshot_provider(s.cache_key)
                     WHERE p.code = '$FIRST' AND s.cache_key LIKE '%impact candidates no%' ORDER BY s.cache_key"
}
BEFORE="$(entry)"
import_files "$LAST" n
timed report_gap_after_other_import "$GAPTRACK" report gap --provider "$FIRST" --cohort "$COHORT" --term "$TERM" \
    --format json --database "$CONNINFO" --output "$WORK/report_gap_after_other_import.json"
cmp -s "$WORK/report_gap_before_other_import.json" "$WORK/report_gap_after_other_import.json" || fact differs_gap_after_other_import yes
[ -n "$BEFORE" ] && [ "$(entry)" = "$BEFORE" ] || fact recomputed_gap_after_other_import yes

fact elapsed_seconds "$(($(date +%s) - STARTED))"
say "Summary"
RESULTS="benchmarks/results/many-schools-latest$([ "$SCHOOLS" -ge 200 ] || echo "-$SCHOOLS").json"
python3 benchmarks/many_schools_summary.py "$WORK" "$RESULTS"
exit
}
