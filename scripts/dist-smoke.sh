#!/usr/bin/env bash
# Installs each artifact of dist/ somewhere fresh and creates a profile with it against the
# local server (run by scripts/dist.sh under scripts/with-mock.sh, which sets
# POSTCORE_BASE_URL / POSTCORE_API_KEY). Usage: dist-smoke.sh DIST WORK VERSION
set -euo pipefail
dist=$1 work=$2 version=$3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
check() {
    case "$2" in
        prof_*) printf 'dist: %-28s created profile %s\n' "$1" "$2" ;;
        *) echo "dist: $1 printed no profile key: $2" >&2; exit 1 ;;
    esac
}
py_smoke='import postcore; print(postcore.Postcore().profiles.create(profile_name="dist smoke").profile_key)'

# The wheel, in a fresh virtualenv (no Rust involved).
python3 -m venv "$work/venv-wheel"
"$work/venv-wheel/bin/pip" install --quiet --disable-pip-version-check --no-index "$dist"/postcore-*.whl
check "wheel" "$("$work/venv-wheel/bin/python" -c "$py_smoke")"
check "wheel's postcore script" "$("$work/venv-wheel/bin/postcore" --json profiles create --name 'dist cli' |
    "$work/venv-wheel/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["profileKey"])')"

# The sdist: pip builds it (maturin from PyPI, the Rust toolchain of this machine).
python3 -m venv "$work/venv-sdist"
CARGO_TARGET_DIR="$work/sdist-target" "$work/venv-sdist/bin/pip" install --quiet \
    --disable-pip-version-check "$dist/postcore-$version.tar.gz"
check "sdist" "$("$work/venv-sdist/bin/python" -c "$py_smoke")"

# npm: the main package and the platform one, as `npm install postcore` would fetch them.
mkdir "$work/node-app"
(
    cd "$work/node-app"
    npm init -y >/dev/null
    npm install --no-audit --no-fund --loglevel=error \
        "$dist/postcore-linux-x64-gnu-$version.tgz" "$dist/postcore-$version.tgz"
    if find node_modules/postcore -name '*.node' | grep -q .; then
        echo "dist: the main npm package ships an addon" >&2
        exit 1
    fi
    cat > smoke.mjs <<'JS'
import { Postcore } from 'postcore'
const profile = await new Postcore().profiles.create({ profileName: 'dist smoke' })
console.log(profile.profileKey)
JS
    check "npm (postcore + linux-x64-gnu)" "$(node smoke.mjs)"
    check "npx postcore" "$(npx --no-install postcore --json profiles create --name 'dist cli' |
        node -e 'let s = ""; process.stdin.on("data", (c) => { s += c }).on("end", () => console.log(JSON.parse(s).profileKey))')"
)

# The crate, unpacked and used as a dependency of a fresh project (newest compatible deps).
mkdir -p "$work/crate" "$work/rust-app/src"
tar -xzf "$dist/postcore-$version.crate" -C "$work/crate"
cat > "$work/rust-app/Cargo.toml" <<TOML
[package]
name = "dist-smoke"
version = "0.0.0"
edition = "2021"

[dependencies]
postcore = { path = "$work/crate/postcore-$version" }
tokio = { version = "1", features = ["macros", "rt"] }
TOML
cat > "$work/rust-app/src/main.rs" <<'RS'
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), postcore::Error> {
    let client = postcore::Client::from_env()?;
    let profile = client.create_profile(postcore::CreateProfile::named("dist smoke")).await?;
    println!("{}", profile.profile_key);
    Ok(())
}
RS
check "crate" "$(cd "$work/rust-app" && CARGO_TARGET_DIR="$root/target/dist-smoke" cargo run --quiet)"
