#!/usr/bin/env bash
# Builds the postcore Node package in place from the committed lockfiles: the debug addon and
# its generated loader (native.js / native.d.ts), then the public layer (ts/ -> lib/ with tsc,
# plus the ESM entries esm.mjs writes next to it).
# Links it as examples/node/node_modules/postcore so `node examples/node/create_profile.mjs`
# imports 'postcore' exactly as an installed user would. Works from any directory.
set -euo pipefail
pkg=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$pkg/.." && pwd)

cd "$pkg"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install napi build --platform --js native.js --dts native.d.ts
# lib/ holds only tsc's output: compiled afresh (so a source removed from ts/ leaves nothing
# behind), then swapped in at once (so a concurrent run never sees lib/ missing).
fresh=$(mktemp -d "$pkg/.lib.XXXXXX")
trap 'rm -rf "$fresh"' EXIT
npx --no-install tsc -p tsconfig.json --outDir "$fresh/lib"
node esm.mjs "$fresh/lib"
chmod +x "$fresh/lib/cli.js"  # the package's bin, run through node_modules/.bin
rm -rf lib && mv "$fresh/lib" lib

mkdir -p "$root/examples/node/node_modules"
ln -sfn ../../../bindings-node "$root/examples/node/node_modules/postcore"
