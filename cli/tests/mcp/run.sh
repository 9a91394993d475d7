#!/usr/bin/env bash
# The tests of `postcore mcp` (make test-mcp): the built `postcore` binary spoken to over stdio by
# the official MCP client (the Python `mcp` package, pinned in bindings-python/requirements-dev.txt,
# installed into <repo>/.venv), against `postcore mock`; then mypy --strict on the tests.

set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
venv="$root/.venv"

if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/bindings-python/requirements-dev.txt"
(cd "$root" && cargo build --locked --quiet -p postcore-cli)

echo "== postcore mcp: pytest (cli/tests/mcp)"
(cd "$here" && POSTCORE_BIN="$root/target/debug/postcore" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider)
echo "== postcore mcp: mypy --strict (cli/tests/mcp)"
(cd "$here" && "$venv/bin/python" -m mypy --strict --no-incremental .)
