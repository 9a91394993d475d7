#!/usr/bin/env bash
# Builds the postcore Node package in place from the committed lockfiles: the debug addon and
# its generated loader (native.js / native.d.ts, committed), then the public layer (ts/ -> lib/
# with tsc, plus the ESM entries esm.mjs writes next to it: build-lib.mjs; lib/ is not committed).
# Links it as examples/node/node_modules/postcore so `node examples/node/create_profile.mjs`
# imports 'postcore' exactly as an installed user would. Works from any directory.
set -euo pipefail
pkg=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$pkg/.." && pwd)

cd "$pkg"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install napi build --platform --js native.js --dts native.d.ts
# lib/ (not committed): ts/ compiled afresh, the ESM entries, swapped in at once.
node build-lib.mjs

mkdir -p "$root/examples/node/node_modules"
ln -sfn ../../../bindings-node "$root/examples/node/node_modules/postcore"
