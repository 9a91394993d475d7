#!/usr/bin/env bash
# make demo: start a local postcore server on a free port, create a profile through each
# language's example over real HTTP, print the keys, stop the server.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

export POSTCORE_API_KEY=${POSTCORE_API_KEY:-pc_demo_key}
cargo build --quiet -p postcore-mock -p postcore --example create_profile

out=$(mktemp)
./target/debug/postcore-mock --port 0 --api-key "$POSTCORE_API_KEY" >"$out" 2>/dev/null &
mock_pid=$!
trap 'kill $mock_pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
POSTCORE_BASE_URL=$(head -n 1 "$out")
export POSTCORE_BASE_URL
echo "postcore-mock is serving at $POSTCORE_BASE_URL"

run() {
    local lang=$1; shift
    local key
    key=$("$@")
    case "$key" in
        prof_*) printf '%-7s created profile %s\n' "$lang" "$key" ;;
        *) echo "$lang example printed no profile key: $key" >&2; exit 1 ;;
    esac
}

run rust ./target/debug/examples/create_profile
if [ -f bindings-python/build.sh ] && [ -f examples/python/create_profile.py ]; then
    bash bindings-python/build.sh >/dev/null
    run python .venv/bin/python examples/python/create_profile.py
fi
if [ -f bindings-node/build.sh ] && [ -f examples/node/create_profile.mjs ]; then
    bash bindings-node/build.sh >/dev/null
    run node node examples/node/create_profile.mjs
fi
