#!/usr/bin/env bash
# Makes sure `redis-server` is installed: the Redis store's tests (core/src/store/redis/tests.rs)
# start their own servers. Installs Debian's package when it is missing (apt, as root or with
# sudo), waiting for another apt to finish if one holds the lock. Called by `make test-rust`.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0

log=$(mktemp)
trap 'rm -f "$log"' EXIT
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
apt=("${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 -y -qq)

# Runs a setup step quietly; shows its output only if it fails.
quietly() {
    if ! "$@" >"$log" 2>&1; then
        echo "scripts/ensure-redis.sh: failed: $*" >&2
        cat "$log" >&2
        exit 1
    fi
}

echo "scripts/ensure-redis.sh: installing Debian's redis-server (once)" >&2
if ! "${apt[@]}" install --no-install-recommends redis-server >"$log" 2>&1; then
    quietly "${apt[@]}" update
    quietly "${apt[@]}" install --no-install-recommends redis-server
fi
command -v redis-server >/dev/null 2>&1 || {
    echo "scripts/ensure-redis.sh: redis-server is still missing after installing it" >&2
    exit 1
}
