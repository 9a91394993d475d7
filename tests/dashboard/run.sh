#!/usr/bin/env bash
# Browser tests of the local server's dashboard (`make test-dashboard`): Debian's headless
# Chromium, driven by playwright-core, against a fresh postcore-mock; the app side goes through
# the Node SDK. Sets up what it needs on a fresh machine: installs Chromium if /usr/bin/chromium
# is missing (apt, as root), builds the mock and the Node package, runs `npm ci` here.
# Writes target/dashboard.png; DASHBOARD_SCREENSHOT_DOCS=1 also refreshes docs/dashboard.png.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cargo=${CARGO:-cargo}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs a setup step quietly; shows its output only if it fails.
quietly() {
    if ! "$@" >"$log" 2>&1; then
        echo "tests/dashboard: failed: $*" >&2
        cat "$log" >&2
        exit 1
    fi
}

if [ ! -x /usr/bin/chromium ]; then
    echo "tests/dashboard: installing Debian's chromium (once)" >&2
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >"$log" 2>&1; then
        quietly "${sudo[@]}" apt-get update -qq
        quietly "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium
    fi
fi

quietly "$cargo" build --locked -p postcore-mock
quietly bash "$root/bindings-node/build.sh"
cd "$here"
quietly npm ci --no-audit --no-fund --loglevel=error

exec "$root/scripts/with-mock.sh" --key pc_dashboard_test_key_5f2c9a81e7 -- \
    node --test --test-reporter=spec "$here/dashboard.test.mjs"
