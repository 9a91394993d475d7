#!/usr/bin/env bash
# make bench: build everything in release, start one postcore-mock, measure create_profile from
# Rust, Python and Node (ours and the usual alternatives), print the tables and write
# bench/results.json; then the CLI's bulk import against a rate limit (bench/import.sh,
# bench/import-results.json); the shared stores and the fleet (bench/stores.py,
# bench/stores-results.json); and the cost of events (bench/events.sh,
# bench/events-results.json). See BENCHMARKS.md. Knobs (environment): BENCH_REPS (>= 5),
# BENCH_SEQ_CALLS, BENCH_CONC_CALLS, BENCH_CONCURRENCY, BENCH_THREADS, BENCH_ONLY.
set -euo pipefail
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench/.." && pwd)
cd "$root"
start=$(date +%s)
step() { echo "bench: $* ($(( $(date +%s) - start )) s)" >&2; }

export POSTCORE_API_KEY=pc_bench_key
# A debug sink or similar must not slow the clients under test.
unset POSTCORE_DEBUG POSTCORE_LOG 2>/dev/null || true

step "building postcore-mock and the Rust bench (release)"
cargo build --quiet --release -p postcore-mock -p postcore-bench

step "building the Python extension (release) into .venv"
POSTCORE_PY_RELEASE=1 bash bindings-python/build.sh >/dev/null
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt

step "building the Node addon (release) and lib/"
(
    cd bindings-node
    npm ci --no-audit --no-fund --loglevel=error
    # --no-js / --dts elsewhere: leave the committed generated native.js / native.d.ts untouched.
    npx --no-install napi build --platform --release --no-js --dts ../target/bench-napi.d.ts >/dev/null
    node build-lib.mjs  # lib/ (ts/ compiled) is not committed
)
(cd bench && npm ci --no-audit --no-fund --loglevel=error)

step "measuring against a release postcore-mock (compiles running now: $(pgrep -c rustc || true))"
scripts/with-mock.sh --release --key "$POSTCORE_API_KEY" -- .venv/bin/python bench/driver.py

# The CLI's bulk import against an enforced rate limit (its own mocks): how close it runs to
# the limit's theoretical minimum time. Prints one line, writes bench/import-results.json.
step "bulk import vs the rate limit (bench/import.sh)"
PYTHON=.venv/bin/python bash bench/import.sh

# The shared stores: per-call cost of memory://, sqlite:// and redis://, and the fleet's use of
# the windows (bench/stores.py, bench/stores-results.json).
step "the shared stores and the fleet (bench/stores.py)"
bash scripts/ensure-redis.sh
cargo build --quiet -p postcore-mock -p postcore-cli
mkdir -p tests/fleet/node_modules && ln -sfn ../../../bindings-node tests/fleet/node_modules/postcore
.venv/bin/python bench/stores.py

# Events without webhooks: wait_many, publication-to-event latency, one poll at 1k-100k posts.
step "events: requests per post, latency, poll cost (bench/events.sh)"
PYTHON=.venv/bin/python bash bench/events.sh
step "done"
