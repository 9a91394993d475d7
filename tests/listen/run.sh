#!/usr/bin/env bash
# `make test-listen`: `postcore listen --forward-to` into a webhook receiver in Python and one in
# Node (tests/listen/receiver.{py,mjs}), each verifying every delivery with its package's helper
# (postcore.webhooks.verify, verifyWebhook) while failing some attempts; driven by drive.py
# against a fresh local server. Needs the packages that test-python / test-node build (.venv
# with postcore, bindings-node built); builds the CLI and the mock itself.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
cargo=${CARGO:-cargo}
"$cargo" build --locked -q -p postcore-cli -p postcore-mock
if ! .venv/bin/python -c 'import postcore.webhooks' 2>/dev/null; then
    echo "tests/listen: the Python package is not in .venv: run bash bindings-python/build.sh (make test-python)" >&2
    exit 1
fi
exec scripts/with-mock.sh --key pc_listen_test_key_7a3e -- .venv/bin/python tests/listen/drive.py
