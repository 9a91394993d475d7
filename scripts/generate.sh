#!/usr/bin/env bash
# make generate: writes each package's typed face from the core's tables (tools/generate:
# the Python resources and models, the TypeScript resources, argument and model types), then
# formats the Python ones with the project's ruff.
#   scripts/generate.sh --check   writes them to a temporary folder and fails, naming them,
#                                 if any differs from the committed file (make lint).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ ! -x .venv/bin/ruff ]; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r bindings-python/requirements-dev.txt
fi
cargo build --locked -q -p postcore-generate
out=$root
if [ "${1:-}" = "--check" ]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi
./target/debug/postcore-generate --out "$out"
mapfile -t files < <(./target/debug/postcore-generate --list)
python=()
for f in "${files[@]}"; do
    case "$f" in *.py) python+=("$out/$f") ;; esac
done
ruff=(.venv/bin/ruff)
"${ruff[@]}" check --quiet --fix --select I --config bindings-python/pyproject.toml "${python[@]}"
"${ruff[@]}" format --quiet --config bindings-python/pyproject.toml "${python[@]}"
if [ "$out" != "$root" ]; then
    stale=0
    for f in "${files[@]}"; do
        if ! cmp -s "$out/$f" "$f"; then
            echo "generate: $f is stale: run make generate" >&2
            diff -u "$f" "$out/$f" | head -20 >&2 || true
            stale=1
        fi
    done
    exit "$stale"
fi
