# Shared by the README's two commands (deploy/demo.sh and deploy/test.sh). Sourced, not run.
# Installs what a fresh Debian machine lacks, and decides which PostgreSQL to use.
set -euo pipefail

GAPTRACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GAPTRACK_HOME="$GAPTRACK_ROOT"
cd "$GAPTRACK_ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Run as root directly, otherwise through sudo (a normal user needs sudo only when something is missing).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# install_missing PACKAGE... : apt-get install only the Debian packages that are not installed yet.
install_missing() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        say "Installing ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

require_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "Swift 6 is needed (https://www.swift.org/install/linux/); 'swift' is not on PATH." >&2
        exit 1
    fi
}

# True when the user named a server through the environment; then the private cluster is not used.
server_named_in_environment() {
    [ -n "${GAPTRACK_DATABASE:-}${PGHOST:-}${PGHOSTADDR:-}${PGPORT:-}${PGDATABASE:-}${PGUSER:-}${PGSERVICE:-}${PGSERVICEFILE:-}" ]
}

# Debian installs the server programs in /usr/lib/postgresql/N/bin and starts a system cluster on
# install; gaptrack does not need that one, but leaves it alone.
ensure_postgres_packages() {
    install_missing postgresql libpq-dev postgresql-contrib pkg-config ca-certificates
    choose_cluster_folder
}

# As root the server runs as the 'postgres' user, who must be able to reach the cluster folder.
# A clone inside a private folder (e.g. /root) is out of its reach: keep the cluster in /var/tmp.
choose_cluster_folder() {
    if [ "$(id -u)" -eq 0 ] && [ -z "${GAPTRACK_CLUSTER_DIR:-}" ] \
        && ! runuser -u postgres -- test -x "$GAPTRACK_ROOT" 2>/dev/null; then
        export GAPTRACK_CLUSTER_DIR="/var/tmp/gaptrack-cluster-$(printf '%s' "$GAPTRACK_ROOT" | md5sum | cut -c1-12)"
        say "The postgres user cannot reach $GAPTRACK_ROOT; the private cluster goes in $GAPTRACK_CLUSTER_DIR"
    fi
}
