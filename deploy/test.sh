#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install what is missing, build, and run every test
# against a real PostgreSQL (the private cluster unless PG* variables name a server).
source "$(dirname "$0")/common.sh"

require_swift
ensure_postgres_packages
# Chromium renders the HTML report in a test; fonts so that its text is drawn.
install_missing chromium fonts-dejavu-core
# The web pages' journeys drive Chromium through chromium-driver with Selenium and axe
# (Tests/BrowserTests), from a venv under .gaptrack/.
install_missing chromium-driver python3-venv
# The service and the CLI are tested behind a real PgBouncer in transaction pooling mode (docs/scaling.md).
install_missing pgbouncer
browser_venv="$GAPTRACK_ROOT/.gaptrack/venv"
if ! "$browser_venv/bin/python" -c "import selenium, axe_selenium_python, pytest" >/dev/null 2>&1; then
    say "Installing Selenium, axe-selenium-python and pytest into $browser_venv"
    python3 -m venv "$browser_venv"
    "$browser_venv/bin/pip" install --quiet --disable-pip-version-check selenium axe-selenium-python pytest
fi

say "Building gaptrack and its tests"
swift build --build-tests --quiet

if ! server_named_in_environment; then
    say "Starting the private PostgreSQL cluster in .gaptrack/postgres"
    "$(swift build --show-bin-path)/gaptrack" db start
fi

# run_tests LABEL SWIFT-TEST-ARGUMENTS... : swift test, its output kept in .gaptrack/test-logs/LABEL.log.
# A test that fails is run once more on its own. If it passes then, the run goes on and the test is
# named at the end as flaky (both outputs kept); if it fails again, the stage fails. Either way the
# failures are printed again at the end: a CI log that keeps only its last lines still says which
# test failed and why, not only that one did.
run_tests() {
    local label="$1"; shift
    local log_folder="$GAPTRACK_ROOT/.gaptrack/test-logs"
    mkdir -p "$log_folder"
    local log="$log_folder/$label.log" results="$log_folder/$label.xml"
    rm -f "$log_folder/$label"*.xml "$log_folder/$label.log.retry"
    local status=0
    swift test --skip-build --xunit-output "$results" "$@" 2>&1 | tee "$log" || status=$?
    [ "$status" -eq 0 ] && return 0
    say "Failed in $label (whole output in $log):"
    print_failures "$log"
    local failed
    failed="$(failed_test_filter "$log_folder/$label-swift-testing.xml" || true)"
    if [ -z "$failed" ]; then
        say "No failed test is named in the results: not retried."
        return "$status"
    fi
    say "Running the failed tests once more, on their own"
    local retry_status=0
    swift test --skip-build --filter "$failed" 2>&1 | tee "$log.retry" || retry_status=$?
    if [ "$retry_status" -ne 0 ]; then
        say "Failed again in $label (output in $log.retry):"
        print_failures "$log.retry"
        return "$retry_status"
    fi
    say "FLAKY in $label: these failed once and passed when run again (outputs in $log and $log.retry):"
    print_failures "$log" 2>&1 | tee -a "$log_folder/flaky.txt" >&2
}

# Swift Testing marks a failed test and each issue it recorded with ✘ (continuation lines start
# with ↳); XCTest writes "error:" lines.
print_failures() {
    awk '/✘|: error: /{ print; keep = 1; next } keep && /^[[:space:]]*↳/{ print; next } { keep = 0 }' "$1" >&2
}

# failed_test_filter RESULTS.xml : a --filter pattern naming exactly the failed tests of a
# Swift Testing xUnit file (Suite/test(arguments:)), or nothing.
failed_test_filter() {
    [ -f "$1" ] || return 0
    python3 - "$1" <<'PYTHON'
import re, sys, xml.etree.ElementTree as tree
names = []
for case in tree.parse(sys.argv[1]).iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        # The suite as its last name: a nested suite's classname joins its types with "." where
        # the test's identifier, which the filter matches, joins them with "/".
        suite = re.split(r"[./]", case.get("classname", ""))[-1]
        names.append(re.escape(suite) + "/" + re.escape(case.get("name", "")))
print("|".join(sorted(set(names))))
PYTHON
}

rm -f "$GAPTRACK_ROOT/.gaptrack/test-logs/flaky.txt"
if [ "$#" -eq 0 ]; then
    # The HTTP service's and the web pages' suites (the browser journeys among them) run after the
    # rest, on their own. Their in-process servers answer on the test process's cooperative threads,
    # two on a two-core machine; the other suites' long synchronous steps (demo loads, Chromium
    # printing a PDF) can hold both for minutes, and the services' requests then miss their
    # deadlines for reasons that have nothing to do with what they test.
    served='GapTrackServiceTests|GapTrackWebTests'
    say "Running the tests"
    run_tests suites --skip "$served"
    say "Running the service's and the web pages' tests (with the browser journeys: Chromium, Selenium, axe)"
    run_tests served --filter "$served"
else
    say "Running the tests"
    run_tests chosen "$@"
fi

# With no arguments (the whole suite, as CI runs it): a short libFuzzer run of each harness and a
# bounded schemathesis run against a real server, about three minutes together. The long runs
# are in the README ("Fault and fuzz tests").
if [ "$#" -eq 0 ]; then
    say "Fuzzing the CSV reader, the JSON body reader and the CTF reader (20 s each)"
    "$GAPTRACK_ROOT/Fuzz/run.sh" csv 20
    "$GAPTRACK_ROOT/Fuzz/run.sh" json 20
    "$GAPTRACK_ROOT/Fuzz/run.sh" ctf 20
    say "schemathesis against the OpenAPI document"
    SCHEMATHESIS_MAX_TIME=60 "$GAPTRACK_ROOT/deploy/schemathesis.sh" 10
fi

if [ -s "$GAPTRACK_ROOT/.gaptrack/test-logs/flaky.txt" ]; then
    say "Passed, but these tests failed once and passed on their retry (flaky; logs in .gaptrack/test-logs):"
    cat "$GAPTRACK_ROOT/.gaptrack/test-logs/flaky.txt" >&2
fi
