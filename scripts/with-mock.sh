#!/usr/bin/env bash
# Runs a command against a fresh local postcore server (postcore-mock), then stops the server.
#
#   scripts/with-mock.sh [--release] [--key KEY] [-- mock options...] -- COMMAND [ARGS...]
#
# The server listens on a free loopback port; COMMAND gets POSTCORE_BASE_URL (its URL) and
# POSTCORE_API_KEY (KEY, default: $POSTCORE_API_KEY, else pc_test_key) in its environment.
# The mock binary must already be built (target/debug or, with --release, target/release).
# If the server does not come up within 10 s, this stops with an error: it never leaves
# POSTCORE_BASE_URL empty, which would send the key to the production API.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
profile=debug
key=${POSTCORE_API_KEY:-pc_test_key}
mock_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --release) profile=release; shift ;;
        --key) key=$2; shift 2 ;;
        --mock-arg) mock_args+=("$2"); shift 2 ;;
        --) shift; break ;;
        *) echo "with-mock.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || { echo "with-mock.sh: no command given" >&2; exit 2; }

mock="${CARGO_TARGET_DIR:-$root/target}/$profile/postcore-mock"
if [ ! -x "$mock" ]; then
    echo "with-mock.sh: $mock is not built (cargo build -p postcore-mock${profile/debug/})" >&2
    exit 1
fi
out=$(mktemp)
err=$(mktemp)
"$mock" --port 0 --api-key "$key" "${mock_args[@]}" >"$out" 2>"$err" &
mock_pid=$!
cleanup() {
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
    rm -f "$out" "$err"
}
trap cleanup EXIT
for _ in $(seq 200); do
    [ -s "$out" ] && break
    kill -0 "$mock_pid" 2>/dev/null || break
    sleep 0.05
done
url=$(head -n 1 "$out" 2>/dev/null || true)
case "$url" in
    http://127.0.0.1:*) ;;
    *)
        echo "with-mock.sh: postcore-mock did not start; its output:" >&2
        cat "$err" >&2
        exit 1
        ;;
esac
status=0
POSTCORE_BASE_URL=$url POSTCORE_API_KEY=$key "$@" || status=$?
exit "$status"
