#!/usr/bin/env bash
# Everything the Node package's CI checks, on a fresh machine with Node >= 20, npm and Rust:
#   npm ci; build the addon (debug) and fail if the generated loader (native.js / native.d.ts)
#   changed; build postcore-mock; npm pack with lib/ removed first, so its `prepack` must build
#   lib/ (not committed), and fail unless the tarball holds exactly what a fresh build of lib/
#   writes (build-lib.mjs); run the test suite from the tarball installed in a fresh project
#   under Node, Bun and Deno (test/runtimes/run.sh); type-check the README example and the
#   whole-flow snippet with tsc --strict; run examples/node/whole_flow.mjs against a mock;
#   then install the tarball into another fresh project and call a mock from there (the
#   library, ESM and CommonJS, typed both ways, and `npx postcore`).
# Works from any directory.
set -euo pipefail
pkg=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$pkg/.." && pwd)
cd "$pkg"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== node bindings: npm ci"
npm ci --no-audit --no-fund --loglevel=error

# The generated loader is committed (napi writes it; users and the bench load it without a
# build step), so a rebuild must reproduce it exactly: the check keeps a copy of the committed
# files, rebuilds in place (leaving the new output to commit), and compares.
stale=()
mkdir -p "$work/committed"
cp native.js native.d.ts "$work/committed/" 2>/dev/null || true

echo "== node bindings: napi build (debug)"
npx --no-install napi build --platform --js native.js --dts native.d.ts
for f in native.js native.d.ts; do
    cmp -s "$f" "$work/committed/$f" || stale+=("$f")
done
if [ ${#stale[@]} -gt 0 ]; then
    echo "error: ${stale[*]} changed when rebuilt: commit the regenerated files (bash bindings-node/build.sh)" >&2
    exit 1
fi

echo "== node bindings: tsc (ts/ -> lib/), ESM entries (build-lib.mjs), for comparison"
node build-lib.mjs "$work/lib"

echo "== node bindings: build postcore-mock"
(cd "$root" && cargo build --locked --quiet -p postcore-mock -p postcore-testnet)

echo "== node bindings: npm pack (its prepack builds lib/)"
# lib/ is not committed: without it, only `prepack` can put it in the tarball.
rm -rf lib
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
tar -tzf "$work/$tarball" | sort > "$work/contents"
[ -f lib/index.js ] || { echo "error: npm pack did not build lib/ (the prepack script)" >&2; exit 1; }
# Exactly a fresh build's files: none missing, none left over from an earlier build.
(cd "$work" && find lib -type f | sed 's|^|package/|' | sort) > "$work/built"
grep '^package/lib/' "$work/contents" > "$work/packed-lib" || true
if ! diff -u "$work/built" "$work/packed-lib" >&2; then
    echo "error: lib/ in $tarball differs from a fresh build of it (- built, + packed)" >&2; exit 1
fi
for f in package/package.json package/native.js package/native.d.ts package/lib/index.js \
         package/lib/index.d.ts package/lib/index.mjs package/lib/index.d.mts package/lib/testing.mjs \
         package/lib/testing.d.mts package/lib/client.js package/lib/cli.js package/lib/errors.js \
         package/lib/resources.d.ts package/lib/webhooks.js package/lib/webhooks.mjs \
         package/lib/webhooks.d.mts; do
    grep -qx "$f" "$work/contents" || { echo "error: $f missing from $tarball" >&2; exit 1; }
done
grep -q '^package/postcore\..*\.node$' "$work/contents" || { echo "error: no .node addon in $tarball" >&2; exit 1; }
if grep -q '^package/ts/\|^package/src/\|^package/test/' "$work/contents"; then
    echo "error: sources or tests packed into $tarball" >&2; exit 1
fi

echo "== node bindings: the test suite from the tarball, under Node, Bun and Deno"
bash test/runtimes/run.sh "$work/$tarball"

echo "== node bindings: tsc --strict (README example, whole-flow snippet, ESM entries)"
npx --no-install tsc -p test/types/tsconfig.json

echo "== node bindings: examples/node/whole_flow.mjs against a mock"
mkdir -p "$root/examples/node/node_modules"
ln -sfn ../../../bindings-node "$root/examples/node/node_modules/postcore"
(cd "$root" && scripts/with-mock.sh --key pc_example_key -- node examples/node/whole_flow.mjs)

echo "== node bindings: install the tarball into a fresh project, call the mock"
mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$work/$tarball"
cat > smoke.mjs <<'JS'
import { Postcore, AuthenticationError } from 'postcore'
import { createRequire } from 'node:module'
const cjs = createRequire(import.meta.url)('postcore')
const { profileKey } = await new Postcore().createProfile({ profileName: 'User: john@example.com' })
const { data: fromCjs, response } = await cjs.createProfile({ profileName: 'cjs' }).withResponse()
let code = null
try { await new Postcore({ apiKey: 'pc_wrong_key' }).profiles.list() } catch (e) { if (e instanceof cjs.AuthenticationError && e instanceof AuthenticationError) code = e.code }
console.log(profileKey, fromCjs.profileKey, response.status, code)
JS
cat > smoke.ts <<'TS'
import { Postcore } from 'postcore'
export async function run (): Promise<string> {
  const client = new Postcore({ apiKey: 'k' })
  const { data, response } = await client.profiles.create({ profileName: 'x' }).withResponse()
  const remaining: number | null = response.rateLimit?.remaining ?? null
  return `${data.profileKey} ${remaining}`
}
TS
# The ESM entry's types (lib/index.d.mts), as an ES module written in TypeScript sees them.
cat > smoke.mts <<'TS'
import { Postcore, NotFoundError, type CreatedProfile } from 'postcore'
import { startMockServer } from 'postcore/testing'
export async function run (): Promise<string> {
  const server = await startMockServer()
  const client: Postcore = server.client()
  const profile: CreatedProfile = await client.profiles.create({ profileName: 'x' })
  const missing = await client.posts.retrieve('post_x').catch((e: unknown) => e instanceof NotFoundError ? e.status : null)
  await server.close()
  return `${profile.profileKey} ${missing}`
}
TS
"$pkg/node_modules/.bin/tsc" --strict --noEmit --module node16 --moduleResolution node16 \
    --target es2022 --types node --typeRoots "$pkg/node_modules/@types" smoke.ts smoke.mts

out=$("$root/scripts/with-mock.sh" --key pc_pack_smoke_key -- node smoke.mjs)
echo "installed package: $out"
case "$out" in
    "prof_"*" prof_"*" 201 INVALID_API_KEY") ;;
    *) echo "error: smoke call from the installed tarball failed: $out" >&2; exit 1 ;;
esac
# The package's bin, as `npx postcore` finds it in an installed project.
cli=$("$root/scripts/with-mock.sh" --key pc_pack_smoke_key -- \
    npx --no-install postcore --json profiles create --name 'npx smoke')
echo "npx postcore: $cli"
case "$cli" in
    *'"profileKey": "prof_'*) ;;
    *) echo "error: npx postcore from the installed tarball failed: $cli" >&2; exit 1 ;;
esac
echo "node bindings: all checks passed"
