// `npx postcore`: the package's bin (lib/cli.js), the Rust command line built into the addon,
// run as a user runs it, in a process of its own, against a local server.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { API_KEY, PACKAGE_DIR, startMock } from './helpers.mjs'

const BIN = path.join(PACKAGE_DIR, 'lib', 'cli.js')

/**
 * Runs `postcore ARGS` against `server`; resolves to `{ code, signal, stdout, stderr, elapsed }`.
 * `onStart(child)` runs once it started; `stdin` is written to it.
 */
function postcore (server, args, { stdin = '', onStart = () => {}, cwd = PACKAGE_DIR } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const env = { ...process.env, POSTCORE_API_KEY: API_KEY, POSTCORE_BASE_URL: server.url }
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000)
    child.once('error', reject)
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, elapsed: Date.now() - started })
    })
    child.stdin.end(stdin)
    onStart(child)
  })
}

test('the package declares the bin', async () => {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'))
  assert.deepEqual(manifest.bin, { postcore: 'lib/cli.js' })
  assert.match(readFileSync(BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/)
})

test('profiles from the command line, the key never printed', async (t) => {
  const server = await startMock()
  t.after(() => server.stop())
  const created = await postcore(server, ['--json', 'profiles', 'create', '--name', 'User: cli@example.com'])
  assert.equal(created.code, 0, created.stderr)
  const { profileKey } = JSON.parse(created.stdout)
  assert.deepEqual((await server.profiles()).map((p) => p.profileKey), [profileKey])
  const listed = await postcore(server, ['profiles', 'list'])
  assert.equal(listed.code, 0, listed.stderr)
  assert.ok(listed.stdout.includes(profileKey))
  assert.ok(!(listed.stdout + listed.stderr).includes(API_KEY))
})

test('exit codes: 1 for an API error with its code, 2 for a usage error', async (t) => {
  const server = await startMock()
  t.after(() => server.stop())
  const missing = await postcore(server, ['profiles', 'delete', 'prof_nobody'])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /PROFILE_NOT_FOUND/)
  const usage = await postcore(server, ['profiles', 'frobnicate'])
  assert.equal(usage.code, 2)
  const version = await postcore(server, ['--version'])
  assert.equal(version.code, 0)
  assert.match(version.stdout, /^postcore \d+\.\d+\.\d+/)
})

test('the Bluesky app password is read from stdin', async (t) => {
  const server = await startMock()
  t.after(() => server.stop())
  const done = await postcore(server, ['--json', 'profiles', 'connect-bluesky', '--handle', 'ann.bsky.social'], {
    stdin: 'abcd-efgh-ijkl-mnop\n'
  })
  assert.equal(done.code, 0, done.stderr)
  assert.equal(JSON.parse(done.stdout).username, 'ann.bsky.social')
  assert.ok(!(done.stdout + done.stderr).includes('abcd-efgh-ijkl-mnop'))
})

test("Ctrl-C during an import is the command's: it finishes the request in flight, saves, exits 130, and the rerun resumes", async (t) => {
  const server = await startMock()
  const dir = mkdtempSync(path.join(tmpdir(), 'postcore-node-cli-'))
  t.after(() => { server.stop(); rmSync(dir, { recursive: true, force: true }) })
  const names = Array.from({ length: 5 }, (_, i) => `user${i}@example.com`)
  writeFileSync(path.join(dir, 'users.csv'), `email\n${names.join('\n')}\n`)
  const args = ['profiles', 'import', 'users.csv', '--name-column', 'email', '--state', 'state.db', '--out', 'keys.csv']
  // The first request's answer is held back 2 s; Ctrl-C comes 0.3 s after the command said
  // what it will do (its handler is in place by then, however slowly the runtime started).
  // Node's own SIGINT handler would end the process at once, killed by the signal.
  await server.faults([{ delay_ms: 2000 }])
  const interrupted = await postcore(server, args, {
    cwd: dir,
    onStart: (child) => {
      let said = ''
      const listen = (chunk) => {
        said += chunk
        if (!said.includes('to do')) return
        child.stderr.off('data', listen)
        setTimeout(() => child.kill('SIGINT'), 300)
      }
      child.stderr.on('data', listen)
    }
  })
  if (process.versions.deno) {
    // Deno ends its process by the signal once the command has returned 130: its own SIGINT
    // handling, after the command's (which did finish the request and save, as checked below).
    assert.match(interrupted.stderr, /stopped \(interrupted\); progress is saved/)
    assert.ok(interrupted.signal === 'SIGINT' || interrupted.code === 130, interrupted.stderr)
  } else {
    assert.equal(interrupted.signal, null, interrupted.stderr)
    assert.equal(interrupted.code, 130, interrupted.stderr)
  }
  assert.ok(interrupted.elapsed >= 1500, `exited after ${interrupted.elapsed} ms, before the answer`)
  assert.ok((await server.profiles()).length < names.length)

  const resumed = await postcore(server, args, { cwd: dir })
  assert.equal(resumed.code, 0, resumed.stderr)
  const profiles = await server.profiles()
  assert.deepEqual(profiles.map((p) => p.profileName).sort(), [...names].sort())
  const keys = readFileSync(path.join(dir, 'keys.csv'), 'utf8')
  for (const { profileKey } of profiles) assert.ok(keys.includes(profileKey))
})

test('npx postcore mcp: an MCP server on stdin/stdout, as MCP clients start it', async (t) => {
  const server = await startMock()
  t.after(() => server.stop())
  const env = { ...process.env, POSTCORE_API_KEY: API_KEY, POSTCORE_BASE_URL: server.url }
  // Node's pipes to a child are sockets: the case of every MCP client written in Node.
  const child = spawn(process.execPath, [BIN, 'mcp'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  const timer = setTimeout(() => child.kill('SIGKILL'), 30000)
  let stderr = ''
  child.stderr.on('data', (c) => { stderr += c })
  const answers = new Map()
  const waiters = new Map()
  let buffered = ''
  child.stdout.on('data', (chunk) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop()
    for (const line of lines.filter(Boolean)) {
      const message = JSON.parse(line)
      answers.set(message.id, message)
      waiters.get(message.id)?.()
    }
  })
  const exited = new Promise((resolve) => child.once('close', (code) => { clearTimeout(timer); resolve(code) }))
  const request = (id, method, params) => new Promise((resolve) => {
    waiters.set(id, () => resolve(answers.get(id)))
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`)
  })

  const init = await request(1, 'initialize', {
    protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'node-test', version: '0' }
  })
  assert.equal(init.result.serverInfo.name, 'postcore')
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`)
  const tools = await request(2, 'tools/list', {})
  assert.ok(tools.result.tools.some((tool) => tool.name === 'schedule_post'))
  const created = await request(3, 'tools/call', { name: 'create_profile', arguments: { profile_name: 'Ann' } })
  assert.equal(created.result.isError, false)
  const { profileKey } = created.result.structuredContent
  assert.deepEqual((await server.profiles()).map((p) => p.profileKey), [profileKey])
  const refused = await request(4, 'tools/call', { name: 'get_post', arguments: { post_id: 7 } })
  assert.equal(refused.result.isError, true)
  assert.equal(refused.result.structuredContent.error, 'INVALID_ARGUMENT')

  child.stdin.end()
  assert.equal(await exited, 0, stderr)
  assert.ok(!JSON.stringify([...answers.values()]).includes(API_KEY))
})
