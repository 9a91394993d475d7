#!/usr/bin/env bash
# Everything the Node package's CI checks, on a fresh machine with Node >= 20, npm and Rust:
#   npm ci, build the addon (debug), fail if the generated index.js / index.d.ts changed,
#   build postcore-mock, run the test suite (node --test), type-check the README example
#   with tsc --strict, then npm pack, install the tarball into a fresh project and call a
#   local postcore-mock from there. Works from any directory.
set -euo pipefail
pkg=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$pkg/.." && pwd)
cd "$pkg"

echo "== node bindings: npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== node bindings: napi build (debug)"
npx --no-install napi build --platform

echo "== node bindings: generated index.js / index.d.ts are up to date"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    if ! git -C "$root" diff --exit-code -- bindings-node/index.js bindings-node/index.d.ts; then
        echo "error: the generated bindings changed; commit the regenerated index.js / index.d.ts" >&2
        exit 1
    fi
else
    echo "(not a git checkout: skipped)"
fi

echo "== node bindings: build postcore-mock"
(cd "$root" && cargo build --locked --quiet -p postcore-mock)

echo "== node bindings: node --test"
node --test test/*.test.mjs test/*.test.cjs

echo "== node bindings: tsc --strict (README example)"
npx --no-install tsc -p test/types/tsconfig.json

echo "== node bindings: npm pack, install into a fresh project, call the mock"
work=$(mktemp -d)
mock_out="$work/mock.out"
mock_pid=
cleanup() {
    if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
tar -tzf "$work/$tarball" | sort > "$work/contents"
for f in package/package.json package/index.js package/index.d.ts package/lib/index.js \
         package/lib/index.mjs package/lib/index.d.ts package/lib/errors.js; do
    grep -qx "$f" "$work/contents" || { echo "error: $f missing from $tarball" >&2; exit 1; }
done
grep -q '^package/postcore\..*\.node$' "$work/contents" || { echo "error: no .node addon in $tarball" >&2; exit 1; }

mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$work/$tarball"
cat > smoke.mjs <<'JS'
import { Postcore, AuthenticationError } from 'postcore'
import { createRequire } from 'node:module'
const cjs = createRequire(import.meta.url)('postcore')
const { profileKey } = await new Postcore().createProfile({ profileName: 'User: john@example.com' })
const { profileKey: fromCjs } = await cjs.createProfile({ profileName: 'cjs' })
let code = null
try { await new Postcore({ apiKey: 'pc_wrong_key' }).createProfile() } catch (e) { if (e instanceof cjs.AuthenticationError && e instanceof AuthenticationError) code = e.code }
console.log(profileKey, fromCjs, code)
JS
cat > smoke.ts <<'TS'
import { Postcore } from 'postcore'
export async function run (): Promise<string> {
  const { profileKey } = await new Postcore({ apiKey: 'k' }).createProfile({ profileName: 'x' })
  return profileKey
}
TS
"$pkg/node_modules/.bin/tsc" --strict --noEmit --module node16 --moduleResolution node16 \
    --target es2022 --types node --typeRoots "$pkg/node_modules/@types" smoke.ts

export POSTCORE_API_KEY=pc_pack_smoke_key
"$root/target/debug/postcore-mock" --port 0 --api-key "$POSTCORE_API_KEY" >"$mock_out" 2>/dev/null &
mock_pid=$!
for _ in $(seq 100); do [ -s "$mock_out" ] && break; sleep 0.05; done
POSTCORE_BASE_URL=$(head -n 1 "$mock_out")
export POSTCORE_BASE_URL
out=$(node smoke.mjs)
echo "installed package: $out"
case "$out" in
    "prof_"*" prof_"*" INVALID_API_KEY") ;;
    *) echo "error: smoke call from the installed tarball failed: $out" >&2; exit 1 ;;
esac
echo "node bindings: all checks passed"
