#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install what is missing, build, and run every test
# against a real PostgreSQL (the private cluster unless PG* variables name a server).
source "$(dirname "$0")/common.sh"

require_swift
ensure_postgres_packages
# Chromium renders the HTML report in a test; fonts so that its text is drawn.
install_missing chromium fonts-dejavu-core

say "Building gaptrack and its tests"
swift build --build-tests --quiet

if ! server_named_in_environment; then
    say "Starting the private PostgreSQL cluster in .gaptrack/postgres"
    "$(swift build --show-bin-path)/gaptrack" db start
fi

say "Running the tests"
swift test --skip-build "$@"
