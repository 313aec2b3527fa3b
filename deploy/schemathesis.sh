#!/usr/bin/env bash
# Property-based tests of the HTTP API against its own description (openapi.yaml) with
# schemathesis (https://schemathesis.readthedocs.io): a real `gaptrack serve` on a fresh, seeded
# database of the private cluster, with a data-lead token. Every generated request must get an
# answer that is not a server error (5xx) and that matches the document's status codes, content
# types and schemas. Run by deploy/test.sh after the Swift tests; on its own:
#
#   deploy/schemathesis.sh [max examples per operation, default 25] [extra schemathesis options]
#
# The run stops after SCHEMATHESIS_MAX_TIME seconds (default 80). schemathesis is installed into
# .gaptrack/venv the first time (pip, from PyPI); without python3 the run is skipped.
source "$(dirname "$0")/common.sh"

if ! command -v python3 >/dev/null 2>&1; then
    say "python3 is missing: skipping the schemathesis run"
    exit 0
fi

examples="${1:-25}"
shift $(( $# >= 1 ? 1 : 0 ))
GAPTRACK="$(swift build --show-bin-path)/gaptrack"
venv="$GAPTRACK_ROOT/.gaptrack/venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
    say "Installing schemathesis into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis>=4,<5"
fi

# A fresh database on the private cluster, so that the run never touches anyone's data.
"$GAPTRACK" db start >/dev/null
socket="$("$GAPTRACK" db status | grep -o "host='[^']*'" | head -1 | cut -d"'" -f2)"
admin="host=$socket dbname=postgres user=gaptrack"
database="gaptrack_schemathesis"
psql -q "$admin" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"
export GAPTRACK_DATABASE="host=$socket dbname=$database user=gaptrack"
"$GAPTRACK" demo load --cohort-size 12 --attendance-days 5 --only school >/dev/null
token="$("$GAPTRACK" token create --provider demo-academy --role admin --label schemathesis | head -1)"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$GAPTRACK_ROOT/.gaptrack/schemathesis-serve.log"
# The service logs in as its own login, never the owner that loaded the data (docs/security.md).
GAPTRACK_DATABASE="$("$GAPTRACK" db conninfo --service --dbname "$database")" "$GAPTRACK" serve --port "$port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
python3 - "$port" <<'WAIT'
import sys, time, urllib.request
for _ in range(200):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=1)
        break
    except Exception:
        time.sleep(0.1)
else:
    sys.exit("gaptrack serve did not answer /health; see .gaptrack/schemathesis-serve.log")
WAIT

say "schemathesis: at most $examples examples per operation against http://127.0.0.1:$port"
report="$GAPTRACK_ROOT/.gaptrack/schemathesis"
# schemathesis keeps a cache (.schemathesis/) in the folder it runs in: keep it in .gaptrack.
cd "$GAPTRACK_ROOT/.gaptrack"
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.yaml" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --header "Authorization: Bearer $token" --max-examples "$examples" --seed 2024 --workers 2 \
    --request-timeout 10 --max-time "${SCHEMATHESIS_MAX_TIME:-80}" --no-color --report junit --report-dir "$report" "$@"
