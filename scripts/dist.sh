#!/usr/bin/env bash
# make dist: the release artifacts for the platform this machine can build, in dist/, each
# installed somewhere fresh and used against a local postcore server:
#
#   postcore-<v>-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl   (maturin --zig, checked by auditwheel)
#   postcore-<v>.tar.gz              the sdist, which `pip install` builds (needs Rust)
#   postcore-<v>.tgz                 the main npm package (no addon inside; optionalDependencies)
#   postcore-linux-x64-gnu-<v>.tgz   the prebuilt, release-built, stripped addon for Linux x64 (glibc >= 2.17)
#   postcore-<v>.crate               the Rust crate (cargo package)
#
# Other platforms are built by .github/workflows/release.yml.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dist="$root/dist"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { printf '\n== dist: %s\n' "$*" >&2; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
export POSTCORE_API_KEY=pc_dist_key

rm -rf "$dist"
mkdir -p "$dist"

step "tools (pinned): maturin, ziglang, auditwheel, cargo-zigbuild"
python3 -m venv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/dist-requirements.txt
export PATH="$work/tools/bin:$PATH"
zigbuild_root="$root/target/tools"
if [ ! -x "$zigbuild_root/bin/cargo-zigbuild" ]; then
    cargo install --quiet --locked --root "$zigbuild_root" cargo-zigbuild --version 0.20.1
fi
export PATH="$zigbuild_root/bin:$PATH"
cargo build --quiet --locked -p postcore-mock

step "Python wheel (manylinux2014: glibc >= 2.17) and sdist"
maturin build --release --locked --strip --zig --compatibility manylinux2014 \
    --manifest-path bindings-python/Cargo.toml --out "$dist"
maturin sdist --manifest-path bindings-python/Cargo.toml --out "$dist"
wheel=$(ls "$dist"/postcore-*.whl)
auditwheel show "$wheel" | tee "$work/auditwheel.txt"
grep -q 'manylinux_2_17_x86_64' "$work/auditwheel.txt" || {
    echo "dist: the wheel is not manylinux2014-compatible" >&2
    exit 1
}

step "npm packages: the main one and linux-x64-gnu (release addon, stripped, glibc >= 2.17)"
(cd bindings-node && npm ci --no-audit --no-fund --loglevel=error)
CARGO_PROFILE_RELEASE_STRIP=symbols cargo zigbuild --quiet --locked --release -p postcore-node \
    --target x86_64-unknown-linux-gnu.2.17
mkdir -p "$work/addon"
cp target/x86_64-unknown-linux-gnu/release/libpostcore_node.so "$work/addon/postcore.linux-x64-gnu.node"
node scripts/dist-npm.mjs "$work/addon" "$dist" "$work"

step "Rust crate"
cargo package --quiet --locked -p postcore --allow-dirty
cp "target/package/postcore-$version.crate" "$dist/"

step "smoke tests: each artifact installed fresh, creating a profile against the local server"
scripts/with-mock.sh --key "$POSTCORE_API_KEY" -- bash scripts/dist-smoke.sh "$dist" "$work" "$version"

step "done"
ls -l "$dist"
