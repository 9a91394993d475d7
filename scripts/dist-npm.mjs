// Packs the npm packages for `make dist`, as napi-rs lays them out: one package per platform
// holding only its prebuilt addon (`postcore-linux-x64-gnu`, with `os`/`cpu`/`libc` so npm
// installs only the matching one), and the main `postcore` package, without any addon, listing
// every platform package as an optional dependency. Its native.js loader requires the local
// addon file first, then the platform package.
//
// Usage: node scripts/dist-npm.mjs ADDON_DIR DIST_DIR WORK_DIR
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const [addonDir, distDir, workDir] = process.argv.slice(2).map((p) => path.resolve(p))
const root = path.resolve(import.meta.dirname, '..')
const pkgDir = path.join(root, 'bindings-node')
const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))

// napi-rs's platform names for the targets the release workflow builds.
const platforms = {
  'x86_64-unknown-linux-gnu': { name: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' },
  'aarch64-unknown-linux-gnu': { name: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'x86_64-unknown-linux-musl': { name: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl' },
  'aarch64-unknown-linux-musl': { name: 'linux-arm64-musl', os: 'linux', cpu: 'arm64', libc: 'musl' },
  'x86_64-apple-darwin': { name: 'darwin-x64', os: 'darwin', cpu: 'x64' },
  'aarch64-apple-darwin': { name: 'darwin-arm64', os: 'darwin', cpu: 'arm64' },
  'x86_64-pc-windows-msvc': { name: 'win32-x64-msvc', os: 'win32', cpu: 'x64' }
}

function pack (dir) {
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', distDir], { cwd: dir, encoding: 'utf8' })
  return out.trim().split('\n').pop()
}

// 1. The platform package this machine built.
const linux = platforms['x86_64-unknown-linux-gnu']
const platformDir = path.join(workDir, 'npm', linux.name)
mkdirSync(platformDir, { recursive: true })
const addon = `postcore.${linux.name}.node`
cpSync(path.join(addonDir, addon), path.join(platformDir, addon))
writeFileSync(path.join(platformDir, 'package.json'), `${JSON.stringify({
  name: `${pkg.name}-${linux.name}`,
  version: pkg.version,
  description: `The prebuilt ${linux.name} addon of the postcore package (installed by it, not directly).`,
  license: pkg.license,
  homepage: pkg.homepage,
  os: [linux.os],
  cpu: [linux.cpu],
  libc: [linux.libc],
  main: addon,
  files: [addon],
  engines: pkg.engines
}, null, 2)}\n`)
writeFileSync(path.join(platformDir, 'README.md'), `# ${pkg.name}-${linux.name}\n\nThe prebuilt addon of [postcore](https://www.npmjs.com/package/postcore) for ${linux.name}. Install \`postcore\`, not this.\n`)
console.log(`packed ${pack(platformDir)}`)

// 2. The main package: what `npm pack` ships (its prepack builds lib/, which is not committed),
// minus any addon, plus the optional dependencies.
const stage = path.join(workDir, 'npm', 'main')
mkdirSync(stage, { recursive: true })
const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', stage], { cwd: pkgDir, encoding: 'utf8' }).trim().split('\n').pop()
execFileSync('tar', ['-xzf', path.join(stage, tarball), '-C', stage])
rmSync(path.join(stage, tarball))
const main = path.join(stage, 'package')
for (const file of readdirSync(main)) {
  if (file.endsWith('.node')) rmSync(path.join(main, file))
}
const manifest = JSON.parse(readFileSync(path.join(main, 'package.json'), 'utf8'))
manifest.optionalDependencies = Object.fromEntries(
  Object.values(platforms).map((p) => [`${pkg.name}-${p.name}`, pkg.version])
)
delete manifest.devDependencies
delete manifest.scripts
writeFileSync(path.join(main, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
console.log(`packed ${pack(main)}`)
