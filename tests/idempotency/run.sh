#!/usr/bin/env bash
# The cross-process idempotency test (tests/idempotency/race.py): Python sync and asyncio, Node
# and CLI processes creating one post with one idempotency key through sqlite:// and redis://
# (races, a process killed with SIGKILL mid-call, the key reused with other arguments). Needs
# the packages built by `make test-python` and `make test-node`; installs redis-server when
# missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
bash scripts/ensure-redis.sh
cargo build --locked -q -p postcore-mock -p postcore-cli
mkdir -p tests/idempotency/node_modules
ln -sfn ../../../bindings-node tests/idempotency/node_modules/postcore
started=$(date +%s)
.venv/bin/python tests/idempotency/race.py "$@"
echo "idempotency test took $(( $(date +%s) - started )) s"
