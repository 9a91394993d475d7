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
mock="target/$profile/postcore-mock"

run() {
    local out
    out=$(mktemp)
    "$mock" --port 0 --api-key "$POSTCORE_API_KEY" >"$out" 2>/dev/null &
    local pid=$!
    for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
    local status=0
    POSTCORE_BASE_URL=$(head -n 1 "$out") "$@" || status=$?
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$out"
    return "$status"
}

run .venv/bin/python tests/soak/soak.py sync "$calls"
run .venv/bin/python tests/soak/soak.py async "$calls"
run node --expose-gc tests/soak/soak.mjs "$calls"
