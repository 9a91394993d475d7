#!/usr/bin/env bash
# Runs the testing kit's examples (README.md) from the INSTALLED packages, as a user
# would, so that the examples users copy are the ones that pass:
#
#   Python: the wheel `maturin build` makes (debug), installed into a fresh venv with pytest
#           only, then `pytest test_with_postcore.py` in a directory outside the repository.
#   Node:   the `npm pack` tarball of bindings-node, installed into a fresh npm project, then
#           `node --test with_postcore.test.mjs` there.
#
# Builds what it needs (bindings-node/build.sh for the addon and lib/). No server is started
# here: the examples start their own, inside the packages. Works from any directory.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { printf '== test-kit: %s\n' "$*" >&2; }
# The examples must not lean on the developer's environment: no key, no server URL.
unset POSTCORE_API_KEY POSTCORE_BASE_URL
pin() { grep -E "^$1==" "$root/bindings-python/requirements-dev.txt"; }

step "README.md shows exactly these examples"
# In its section "Testing code that uses postcore", the first ```python block is
# test_with_postcore.py and the ```js block with_postcore.test.mjs; the other ```python blocks
# are complete scripts, run below from the fresh venv.
mkdir "$work/snippets"
python3 - "$root/README.md" "$here" "$work/snippets" <<'PY'
import re, sys
from pathlib import Path
doc, here, out = Path(sys.argv[1]).read_text(), Path(sys.argv[2]), Path(sys.argv[3])
# The README's "Testing code that uses postcore" section, up to the next section.
start = doc.index("## Testing code that uses postcore")
end = doc.find("\n## ", start + 1)
doc = doc[start:] if end < 0 else doc[start:end]
python = re.findall(r"```python\n(.*?)```", doc, re.S)
js = re.findall(r"```js\n(.*?)```", doc, re.S)
for block, name in ((python[0] if python else "", "test_with_postcore.py"),
                    (js[0] if js else "", "with_postcore.test.mjs")):
    if block != (here / name).read_text():
        sys.exit(f"README.md: its example differs from examples/testing/{name}")
for i, block in enumerate(python[1:]):
    (out / f"snippet_{i}.py").write_text(block)
PY

step "Python: build the wheel (maturin build, debug)"
maturin="$root/.venv/bin/maturin"
if [ ! -x "$maturin" ]; then
    python3 -m venv "$work/tools"
    "$work/tools/bin/python" -m pip install --quiet --disable-pip-version-check "$(pin maturin)"
    maturin="$work/tools/bin/maturin"
fi
"$maturin" build --quiet --manifest-path "$root/bindings-python/Cargo.toml" --out "$work/wheel"
wheel=$(ls "$work"/wheel/postcore-*.whl)

step "Python: a fresh venv with $(basename "$wheel") and pytest"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel" "$(pin pytest)"
mkdir "$work/python-app"
cp "$here/test_with_postcore.py" "$work/python-app/"
cd "$work/python-app"
"$work/venv/bin/python" - "$work/venv" <<'PY'
import sys
import postcore
# The installed package, not the repository's sources.
assert postcore.__file__.startswith(sys.argv[1]), postcore.__file__
PY
step "Python: pytest test_with_postcore.py"
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider test_with_postcore.py
for snippet in "$work"/snippets/*.py; do
    step "Python: README.md's other example ($(basename "$snippet"))"
    "$work/venv/bin/python" "$snippet"
done

step "Node: build and pack bindings-node"
bash "$root/bindings-node/build.sh" >/dev/null
tarball=$(cd "$root/bindings-node" && npm pack --silent --pack-destination "$work" | tail -n 1)

step "Node: a fresh project with $tarball"
mkdir "$work/node-app"
cd "$work/node-app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$work/$tarball"
cp "$here/with_postcore.test.mjs" .
step "Node: node --test with_postcore.test.mjs"
node --test with_postcore.test.mjs

step "both examples passed from the installed packages"
