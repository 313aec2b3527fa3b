#!/usr/bin/env bash
# Builds and runs one libFuzzer harness against the project's own sources.
#
#   Fuzz/run.sh csv  [seconds]   the CSV reader and writer (Sources/CSVFormat)
#   Fuzz/run.sh json [seconds]   the service's strict JSON body reader (Sources/GapTrackService/StrictJSON.swift)
#   Fuzz/run.sh ctf  [seconds]   the Common Transfer File reader (Sources/CommonTransferFile)
#
# Default 30 seconds; deploy/test.sh runs each for a short while, README gives the long run.
# Seeds are Fuzz/corpus/HARNESS (kept in git); inputs the fuzzer finds interesting go to
# .gaptrack/fuzz/HARNESS/corpus, and a failing input to .gaptrack/fuzz/HARNESS/crash-* (the
# script exits non-zero and prints how to reproduce it). Extra arguments after the seconds go to
# libFuzzer (e.g. -jobs=4 -workers=4).
set -euo pipefail

harness="${1:?usage: Fuzz/run.sh csv|json|ctf [seconds] [libFuzzer options]}"
seconds="${2:-30}"
shift $(( $# >= 2 ? 2 : 1 ))

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
swiftc="${SWIFTC:-$(command -v swiftc)}"
work="$root/.gaptrack/fuzz/$harness"
mkdir -p "$work/corpus" "$work/build"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6)
# The linker warns once per sanitizer helper it cannot export; that says nothing about the harness.
compile() { "$swiftc" "$@" 2> >(grep -v "Cannot export local symbol" >&2); }

harness_options=()
case "$harness" in
csv)
    sources=("$root"/Sources/CSVFormat/*.swift "$root/Fuzz/harnesses/csv.swift")
    compile "${flags[@]}" -module-name FuzzCSV "${sources[@]}" -o "$work/build/fuzz-csv"
    max_len=4096
    ;;
json)
    # GapTrackDomain first, as the module StrictJSON.swift imports.
    (cd "$work/build" && compile "${flags[@]}" -module-name GapTrackDomain -emit-module -emit-library -static \
        "$root"/Sources/GapTrackDomain/*.swift -o "$work/build/libGapTrackDomain.a")
    compile "${flags[@]}" -module-name FuzzJSON -I "$work/build" -L "$work/build" -lGapTrackDomain \
        "$root/Sources/GapTrackService/StrictJSON.swift" "$root/Fuzz/harnesses/json.swift" -o "$work/build/fuzz-json"
    max_len=8192
    ;;
ctf)
    # GapTrackDomain first, as the module the CTF reader imports (UPN, dates, academic years).
    (cd "$work/build" && compile "${flags[@]}" -module-name GapTrackDomain -emit-module -emit-library -static \
        "$root"/Sources/GapTrackDomain/*.swift -o "$work/build/libGapTrackDomain.a")
    compile "${flags[@]}" -module-name FuzzCTF -I "$work/build" -L "$work/build" -lGapTrackDomain \
        "$root"/Sources/CommonTransferFile/*.swift "$root/Fuzz/harnesses/ctf.swift" -o "$work/build/fuzz-ctf"
    max_len=16384
    # Foundation's XMLParser leaks the error object libxml2 reports for every malformed file
    # (_CFErrorCreateFromXMLInterface, in swift-corelibs-foundation, not this project): leak
    # detection would stop on the first malformed seed, so it is off for this harness only, in
    # libFuzzer and in the sanitizer's check at exit.
    harness_options+=(-detect_leaks=0)
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    ;;
*)
    echo "Fuzz/run.sh: no harness '$harness'; choose csv, json or ctf" >&2
    exit 2
    ;;
esac

cd "$work"
# A failing input should be saved at once, not after a long Swift backtrace.
export SWIFT_BACKTRACE=enable=no
set +e
"$work/build/fuzz-$harness" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/" "${harness_options[@]}" "$@" "$work/corpus" "$root/Fuzz/corpus/$harness" 2>&1 | tee "$work/last-run.log" \
    | grep -E "^(#[0-9]+ +(INITED|DONE)|stat::number_of_executed_units|stat::new_units_added|==[0-9]+==|invariant broken|SUMMARY|Done )" 
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
    echo "Fuzz/run.sh $harness: the fuzzer stopped on a failing input (status $status); see $work/last-run.log" >&2
    ls "$work"/crash-* "$work"/timeout-* "$work"/oom-* 2>/dev/null >&2 || true
    echo "reproduce: $work/build/fuzz-$harness FILE" >&2
fi
exit "$status"
