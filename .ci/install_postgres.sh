#!/usr/bin/env bash
# Make the PostgreSQL server binaries (initdb, pg_ctl, postgres) available for the tests.
# Idempotent and quiet: a no-op when they are already installed. Installs the Debian `postgresql`
# package otherwise, without starting its system service: the tests run their own throwaway cluster
# (tests/support/postgres_server.py). Never fails the build: without root (and without PostgreSQL)
# it says so and exits 0, and the PostgreSQL tests then skip with the reason.
set -euo pipefail

find_bindir() {
    # Newest /usr/lib/postgresql/<version>/bin holding initdb, else the directory of initdb on PATH.
    local dir found=""
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        [[ -x "$dir/initdb" && -x "$dir/postgres" ]] && found="$dir"
    done
    if [[ -z "$found" ]] && command -v initdb >/dev/null 2>&1; then
        found="$(dirname "$(readlink -f "$(command -v initdb)")")"
    fi
    [[ -n "$found" ]] && echo "$found"
}

report() {
    echo "install_postgres: $("$1/postgres" --version) available in $1${2:+ ($2)}"
}

if bindir="$(find_bindir)"; then
    report "$bindir"
    exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
    echo "install_postgres: PostgreSQL server not installed and not running as root; skipping install" \
         "(run 'apt-get install postgresql' as root; the PostgreSQL tests will be skipped)."
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_postgres: PostgreSQL server not installed and apt-get not found; the PostgreSQL tests will be skipped."
    exit 0
fi

start=$SECONDS
# policy-rc.d exit code 101 tells invoke-rc.d not to start services during the install
# (the package would otherwise start the system cluster where an init system runs).
policy=/usr/sbin/policy-rc.d
created_policy=""
# Quiet: the maintainer scripts talk a lot on stderr; show their output only when something fails.
log="$(mktemp)"
trap '[[ -n "$created_policy" ]] && rm -f "$policy"; rm -f "$log"' EXIT
if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "install_postgres: installing the Debian package postgresql failed (output above)" >&2
    exit 1
fi

bindir="$(find_bindir)" || { echo "install_postgres: installed postgresql but found no initdb" >&2; exit 1; }
report "$bindir" "installed in $((SECONDS - start))s"
