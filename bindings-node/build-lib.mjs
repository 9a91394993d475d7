// Builds the package's public layer, lib/ (not committed): ts/ compiled by tsc (CommonJS .js +
// .d.ts), the ESM entries esm.mjs writes next to it, and the bin (lib/cli.js) made executable.
// Run by `npm run build`, by `prepack` (so `npm pack` / `npm publish` always ship a fresh lib/)
// and by build.sh.
//
// lib/ holds only this output: it is compiled into a fresh directory (so a source removed from
// ts/ leaves nothing behind), then swapped in at once.
//
//   node build-lib.mjs [OUT_DIR]      (default: lib)
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = path.dirname(fileURLToPath(import.meta.url))
const outDir = path.resolve(process.argv[2] ?? path.join(pkg, 'lib'))
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')

const fresh = mkdtempSync(path.join(path.dirname(outDir), '.lib.'))
try {
  const lib = path.join(fresh, 'lib')
  execFileSync(process.execPath, [tsc, '-p', path.join(pkg, 'tsconfig.json'), '--outDir', lib], { stdio: 'inherit' })
  execFileSync(process.execPath, [path.join(pkg, 'esm.mjs'), lib], { stdio: 'inherit' })
  chmodSync(path.join(lib, 'cli.js'), 0o755) // the package's bin, run through node_modules/.bin
  rmSync(outDir, { recursive: true, force: true })
  renameSync(lib, outDir)
} catch (error) {
  console.error(`build-lib.mjs: ${error.message}`)
  process.exitCode = 1
} finally {
  rmSync(fresh, { recursive: true, force: true })
}
