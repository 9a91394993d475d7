#!/usr/bin/env bash
# The Node package's test suite from its packed tarball, under Node, Bun and Deno:
#
#   bash bindings-node/test/runtimes/run.sh TARBALL
#
# installs TARBALL into a fresh project, copies the test files (test/*.test.*, helpers.mjs,
# fixtures/) beside it and runs them there, so `postcore` is the installed package, as a user
# gets it: every file with `node --test`; with `bun test` and `deno test` the files that test
# the package rather than Node itself (see BUN_SKIP / DENO_SKIP). Bun and Deno come from this
# folder's package.json (pinned, with its own lockfile, so the package's own `npm ci` stays
# light): their npm platform packages carry the binaries. Needs target/debug/postcore-mock and
# postcore-testnet (test.sh builds them). Prints one `runtime: N passed, N failed` line each.
# Then, in each runtime, named imports from a project whose node_modules/postcore is a symlink
# to the package folder (a local checkout; Deno applies no CommonJS export detection there).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pkg=$(cd "$here/../.." && pwd)
root=$(cd "$pkg/.." && pwd)
tarball=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Bun: tls.test.mjs sets HTTPS_PROXY and SSL_CERT_FILE through process.env while running, and
# Bun's process.env does not reach the native side's environment (Node's and Deno's do): there
# those variables apply when set before the process starts (the README says so).
BUN_SKIP=(tls.test.mjs)
# Deno: every file. (`deno test` runs each file on a thread of its own, so the thread that
# first loaded the addon has exited by the later files; that crashed the addon's allocator
# while it was mimalloc 3: see Cargo.toml and test/fixtures/workers-only.mjs.)
DENO_SKIP=()

echo "== runtimes: npm ci (bun, deno)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
version() { node -p "require('$here/package.json').devDependencies['$1']"; }
# The platform package's binary; bun's postinstall moves it to bun/bin/bun.exe.
pick() {
    local want=$1; shift
    for candidate in "$@"; do
        if [ -x "$candidate" ] && "$candidate" --version 2>/dev/null | grep -q "$want"; then
            echo "$candidate"; return 0
        fi
    done
    echo "error: no working binary of version $want among: $*" >&2
    return 1
}
bun=$(pick "$(version bun)" "$here/node_modules/@oven/bun-linux-x64/bin/bun" "$here/node_modules/bun/bin/bun.exe")
deno=$(pick "$(version deno)" "$here/node_modules/@deno/linux-x64-glibc/deno" "$here/node_modules/deno/deno")

echo "== runtimes: install $(basename "$tarball") into a fresh project, with the test files"
app="$work/app"
mkdir -p "$app/test"
(cd "$app" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "$tarball")
# The application's OpenTelemetry (observability.test.mjs): the package's pinned dev
# dependencies (npm ci, from its lockfile), copied in beside it as an app would install them.
cp -R "$pkg/node_modules/@opentelemetry" "$app/node_modules/"
cp "$pkg"/test/*.test.mjs "$pkg"/test/*.test.cjs "$pkg/test/helpers.mjs" "$app/test/"
cp -R "$pkg/test/fixtures" "$app/test/"
cd "$app"
export POSTCORE_REPO="$root"
export NO_COLOR=1

files() {
    local skip=" $* "
    for f in test/*.test.mjs test/*.test.cjs; do
        case "$skip" in *" $(basename "$f") "*) ;; *) echo "$f" ;; esac
    done
}
summary=()
times=()
# Runs one runtime's command, keeping its output to count passes and failures.
run() {
    local name=$1 pass_re=$2 fail_re=$3; shift 3
    echo "== runtimes: $name ($*)"
    local started status=0
    started=$(date +%s)
    "$@" 2>&1 | tee "$work/$name.log" || status=$?
    local passed failed
    passed=$(grep -aoE "$pass_re" "$work/$name.log" | tail -n 1 | grep -oE '[0-9]+' | head -n 1 || true)
    failed=$(grep -aoE "$fail_re" "$work/$name.log" | tail -n 1 | grep -oE '[0-9]+' | head -n 1 || true)
    summary+=("$name: ${passed:-0} passed, ${failed:-?} failed")
    times+=("$name $(( $(date +%s) - started )) s")
    if [ "$status" -ne 0 ] || [ "${failed:-1}" != 0 ] || [ "${passed:-0}" = 0 ]; then
        printf '%s\n' "${summary[@]}"
        echo "error: the suite failed under $name" >&2
        exit 1
    fi
}

mapfile -t all < <(files)
mapfile -t bun_files < <(files "${BUN_SKIP[@]}")
mapfile -t deno_files < <(files "${DENO_SKIP[@]}")
run node '^# pass [0-9]+' '^# fail [0-9]+' node --test --test-reporter=tap "${all[@]}"
run bun '^ *[0-9]+ pass' '^ *[0-9]+ fail' "$bun" test --timeout 60000 "${bun_files[@]/#/./}"
run deno '\| [0-9]+ passed' '\| [0-9]+ failed' "$deno" test -A --no-check "${deno_files[@]}"
printf '%s\n' "${summary[@]}"
echo "times: ${times[*]}"

echo "== runtimes: named imports through a symlinked node_modules/postcore"
linked="$work/linked"
mkdir -p "$linked/node_modules"
ln -s "$pkg" "$linked/node_modules/postcore"
printf '{ "name": "linked", "private": true, "dependencies": { "postcore": "file:%s" } }\n' "$pkg" > "$linked/package.json"
cp "$pkg/test/fixtures/named-imports.mjs" "$linked/"
cd "$linked"
for name in node bun deno; do
    case $name in
        node) out=$(node named-imports.mjs 2>&1) || true ;;
        bun) out=$("$bun" named-imports.mjs 2>&1) || true ;;
        deno) out=$("$deno" run -A named-imports.mjs 2>&1) || true ;;
    esac
    echo "$name: $out"
    [ "$out" = "true true" ] || { echo "error: named imports through a symlink failed under $name" >&2; exit 1; }
done
