#!/usr/bin/env bash
# Builds the postcore Node package in place (debug addon) from the committed lockfiles, and
# links it as examples/node/node_modules/postcore so `node examples/node/create_profile.mjs`
# imports 'postcore' exactly as an installed user would. Works from any directory.
set -euo pipefail
pkg=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$pkg/.." && pwd)

cd "$pkg"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install napi build --platform

mkdir -p "$root/examples/node/node_modules"
ln -sfn ../../../bindings-node "$root/examples/node/node_modules/postcore"
