#!/usr/bin/env bash
# make demo: build the Rust example, the local postcore server and both packages, then start
# the server on a free port and create a profile through each language's example over real
# HTTP, printing the keys. Build progress is shown; the first run takes a few minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export POSTCORE_API_KEY=pc_demo_key

if [ "${1:-}" = "--run" ]; then
    # Second half, run by scripts/with-mock.sh with POSTCORE_BASE_URL set to the local server.
    case "${POSTCORE_BASE_URL:-}" in
        http://127.0.0.1:*) ;;
        *) echo "demo: no local server URL (got '${POSTCORE_BASE_URL:-}'); refusing to run" >&2; exit 1 ;;
    esac
    echo "demo: postcore-mock is serving at $POSTCORE_BASE_URL"
    run() {
        local lang=$1; shift
        local key
        key=$("$@")
        case "$key" in
            prof_*) printf '%-7s created profile %s\n' "$lang" "$key" ;;
            *) echo "demo: the $lang example printed no profile key: $key" >&2; exit 1 ;;
        esac
    }
    run rust ./target/debug/examples/create_profile
    run python .venv/bin/python examples/python/create_profile.py
    run node node examples/node/create_profile.mjs
    exit 0
fi

step() { printf '\n== demo: %s\n' "$*" >&2; }
step "building the local server (postcore-mock) and the Rust example"
cargo build --locked -p postcore-mock --bin postcore-mock
cargo build --locked -p postcore --example create_profile
step "building the Python package into .venv"
bash bindings-python/build.sh
step "building the Node package"
bash bindings-node/build.sh
step "creating a profile from each language"
exec scripts/with-mock.sh --key "$POSTCORE_API_KEY" -- bash scripts/demo.sh --run
