#!/usr/bin/env bash
# The fleet test (tests/fleet/fleet.py): eight processes (Python sync and asyncio, Node, a CLI
# import) sharing one key and one small rate limit through sqlite://, redis:// and memory://,
# and through a Redis killed mid-run. Needs the packages built by `make test-python` and
# `make test-node`; installs redis-server when missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
bash scripts/ensure-redis.sh
cargo build --locked --quiet -p postcore-mock -p postcore-cli
mkdir -p tests/fleet/node_modules
ln -sfn ../../../bindings-node tests/fleet/node_modules/postcore
started=$(date +%s)
.venv/bin/python tests/fleet/fleet.py --json target/fleet.json "$@"
echo "fleet test took $(( $(date +%s) - started )) s"
