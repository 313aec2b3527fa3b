#!/usr/bin/env bash
# The main job, from a fresh clone: install what is missing, build, start the private PostgreSQL
# cluster (unless PG* variables name a server), migrate, load the demo school and university,
# and print the demo school's termly gap report (the HTML version is written to out/).
source "$(dirname "$0")/common.sh"

require_swift
ensure_postgres_packages

say "Building gaptrack (release)"
swift build -c release --product gaptrack --quiet
GAPTRACK="$(swift build -c release --show-bin-path)/gaptrack"

if ! server_named_in_environment; then
    say "Starting the private PostgreSQL cluster in .gaptrack/postgres"
    "$GAPTRACK" db start
fi

say "Migrating"
"$GAPTRACK" migrate
"$GAPTRACK" migrate --status

if "$GAPTRACK" help demo >/dev/null 2>&1; then
    say "Loading the demo data set (seed 2024)"
    "$GAPTRACK" demo load --seed 2024
fi

if "$GAPTRACK" help report >/dev/null 2>&1; then
    mkdir -p out
    say "Termly gap report: Demo Academy, Year 11, 2024/25 summer"
    "$GAPTRACK" report termly --provider demo-academy --cohort year-11 --term 2024/25-summer
    "$GAPTRACK" report termly --provider demo-academy --cohort year-11 --term 2024/25-summer --format html --output out/demo-academy-year-11-2024-25-summer.html
    say "HTML report written to out/demo-academy-year-11-2024-25-summer.html"
    "$GAPTRACK" report governors-pack --provider demo-academy --cohort year-11 --term 2024/25-summer --output out/demo-academy-governors-pack.html
    if command -v chromium >/dev/null 2>&1; then
        "$GAPTRACK" report governors-pack --provider demo-academy --cohort year-11 --term 2024/25-summer --format pdf --output out/demo-academy-governors-pack.pdf
    fi
fi

if "$GAPTRACK" help user >/dev/null 2>&1; then
    say "Demo accounts for the web pages"
    demo_password_file="$(mktemp)"
    existing="$("$GAPTRACK" user list --provider demo-academy)"
    for account in "data-lead lead@demo-academy.example" "staff staff@demo-academy.example" "governor governor@demo-academy.example"; do
        set -- $account
        if ! grep -q "$2" <<<"$existing"; then
            printf 'demo-%s-password\n' "$1" >"$demo_password_file"
            "$GAPTRACK" user add --provider demo-academy --email "$2" --role "$1" --password-file "$demo_password_file"
        fi
    done
    rm -f "$demo_password_file"
    cat <<'ACCOUNTS'

  The web pages: run   gaptrack serve   (or: swift run -c release gaptrack serve), then open
  http://127.0.0.1:8080/ and sign in with the code demo-academy and one of these accounts.

  DEMO ONLY: these passwords are printed here and known to everyone who reads this script.
  Never use them, or this database, for real pupils.

    role        email                             password
    data lead   lead@demo-academy.example         demo-data-lead-password
    staff       staff@demo-academy.example        demo-staff-password
    governor    governor@demo-academy.example     demo-governor-password

ACCOUNTS
fi
