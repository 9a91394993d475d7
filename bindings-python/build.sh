#!/usr/bin/env bash
# Builds the postcore Python package and installs it into <repo>/.venv (created if missing),
# with the pinned development tools of requirements-dev.txt. Works from any directory.
#
#   bindings-python/build.sh            debug build (quick; what the tests and the demo use)
#   POSTCORE_PY_RELEASE=1 bindings-python/build.sh   optimised build
#
# Afterwards: .venv/bin/python examples/python/create_profile.py
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "build.sh: creating $venv" >&2
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$here/requirements-dev.txt"

profile_args=()
if [ "${POSTCORE_PY_RELEASE:-0}" = "1" ]; then
    profile_args=(--release)
fi
# `maturin develop` builds the abi3 extension and installs the package (editable) into the
# venv; VIRTUAL_ENV tells it which one.
VIRTUAL_ENV="$venv" "$venv/bin/maturin" develop --quiet "${profile_args[@]}" \
    --manifest-path "$here/Cargo.toml"
"$venv/bin/python" -c 'import postcore; print(f"postcore {postcore.__version__} installed in '"$venv"'")'
