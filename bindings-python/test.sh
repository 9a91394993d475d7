#!/usr/bin/env bash
# Builds the Python package into <repo>/.venv (see build.sh), builds the local postcore server,
# then runs the Python test suite against it, runs the examples against it, and type-checks the
# package, the examples and the README's snippets with mypy --strict, and a typed user app
# (tests/typing) with mypy --strict and pyright --strict. Works from any directory;
# exits non-zero on the first failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$root/.venv"

"$here/build.sh"
(cd "$root" && cargo build --quiet --locked -p postcore-mock -p postcore-testnet)

echo "== pytest (bindings-python/tests)"
(cd "$here" && "$venv/bin/python" -m pytest tests -q -rxX -p no:cacheprovider)

echo "== examples against postcore-mock"
# A 30 s rate-limit window (instead of the documented 15 minutes) lets `posts.wait`, which
# paces its polls to the window, poll every fraction of a second: the flow takes seconds.
(cd "$root" && scripts/with-mock.sh --key pc_example_key -- \
    "$venv/bin/python" examples/python/create_profile.py)
(cd "$root" && scripts/with-mock.sh --key pc_example_key --mock-arg --rate-window --mock-arg 30 -- \
    "$venv/bin/python" examples/python/whole_flow.py)

echo "== mypy --strict (examples, package, README examples)"
(cd "$root" && "$venv/bin/python" -m mypy --strict --no-incremental \
    "$root/examples/python/create_profile.py" "$root/examples/python/whole_flow.py" \
    "$root/examples/testing/test_with_postcore.py")
(cd "$here" && "$venv/bin/python" -m mypy --strict --no-incremental -p postcore)
echo "== mypy.stubtest: the native module's stub (_postcore.pyi) against the built module"
(cd "$here" && "$venv/bin/python" -m mypy.stubtest postcore._postcore)
echo "== a typed user app (tests/typing): mypy --strict, pyright --strict"
"$venv/bin/python" -m mypy --strict --no-incremental "$here/tests/typing/typed_app.py"
[ -x "$root/tools/lint/node_modules/.bin/pyright" ] ||
    npm ci --prefix "$root/tools/lint" --no-audit --no-fund --loglevel=error
"$root/tools/lint/node_modules/.bin/pyright" -p "$here/tests/typing" --pythonpath "$venv/bin/python"
# Every ```python block of the package README, as its own file.
snippets="$(mktemp -d)"
trap 'rm -rf "$snippets"' EXIT
"$venv/bin/python" - "$here/README.md" "$snippets" <<'PY'
import re, sys
from pathlib import Path
blocks = re.findall(r"```python\n(.*?)```", Path(sys.argv[1]).read_text(), re.S)
assert blocks, "no python example in the README"
for i, block in enumerate(blocks):
    Path(sys.argv[2], f"readme_example_{i}.py").write_text(block)
PY
(cd "$snippets" && "$venv/bin/python" -m mypy --strict --no-incremental ./*.py)

echo "== ruff"
"$venv/bin/ruff" format --check --config "$here/pyproject.toml" "$here/python" "$here/tests" "$root/examples/python" "$root/examples/testing"
"$venv/bin/ruff" check --config "$here/pyproject.toml" "$here/python" "$here/tests" "$root/examples/python" "$root/examples/testing"
echo "bindings-python: all checks passed"
