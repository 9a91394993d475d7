#!/usr/bin/env bash
# Soak: CALLS create_profile calls through the Python sync client, the Python async client and
# Node, each against a fresh local server. `make test` runs a short soak; `make soak` the full one.
# Expects the Python package in .venv and the Node addon built (bindings-*/build.sh).
set -euo pipefail
calls=${1:-100000}
profile=${2:-debug}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export POSTCORE_API_KEY=pc_soak_key
flag=()
[ "$profile" = release ] && flag=(--release)

run() {
    scripts/with-mock.sh "${flag[@]}" --key "$POSTCORE_API_KEY" -- "$@"
}

run .venv/bin/python tests/soak/soak.py sync "$calls"
run .venv/bin/python tests/soak/soak.py async "$calls"
run node --expose-gc tests/soak/soak.mjs "$calls"
