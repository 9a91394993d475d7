// Whole-process behaviour, in child processes: the process exits on its own after the last
// call, CommonJS and ESM entry points both work and share their classes, and which driver runs
// the calls (the runtime's, or POSTCORE_NODE_IO's choice).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'

import { API_KEY, fixture, startMock, refusedUrl, runNode } from './helpers.mjs'

let mock
let env
before(async () => {
  mock = await startMock()
  env = { ...process.env, POSTCORE_API_KEY: API_KEY, POSTCORE_BASE_URL: mock.url }
})
after(() => mock?.stop())

test('require(): one call, then the process exits on its own', async () => {
  const run = await runNode([fixture('one-call.cjs')], { env })
  assert.equal(run.signal, null, `killed: ${run.stderr}`)
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout.trim(), /^prof_[a-z0-9]+$/)
  assert.ok(run.elapsed < 5000, `took ${run.elapsed} ms to exit`)
})

test('import: one call, then the process exits on its own', async () => {
  const run = await runNode([fixture('one-call.mjs')], { env })
  assert.equal(run.signal, null, `killed: ${run.stderr}`)
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout.trim(), /^prof_[a-z0-9]+$/)
  assert.ok(run.elapsed < 5000, `took ${run.elapsed} ms to exit`)
})

test('a failed call (connection refused) also lets the process exit', async () => {
  const run = await runNode([fixture('one-call.cjs')], {
    env: { ...env, POSTCORE_BASE_URL: await refusedUrl() }
  })
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout, /^APIConnectionError\|true\|/)
  assert.ok(run.elapsed < 10000, `took ${run.elapsed} ms to exit`)
})

test('a missing key rejects with ConfigurationError naming POSTCORE_API_KEY', async () => {
  const { POSTCORE_API_KEY: _unused, ...withoutKey } = env
  const run = await runNode([fixture('one-call.cjs')], { env: withoutKey })
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout, /^ConfigurationError\|true\|.*POSTCORE_API_KEY/)
})

test('an aborted call leaves nothing running: the process exits long before the server answers', async () => {
  await mock.reset()
  await mock.faults([{ delay_ms: 8000 }])
  const run = await runNode([fixture('abort-slow.mjs')], { env })
  assert.equal(run.code, 0, run.stderr)
  const [name, ms] = run.stdout.trim().split(' ')
  assert.equal(name, 'AbortError')
  assert.ok(Number(ms) < 1000, `rejected after ${ms} ms`)
  assert.ok(run.elapsed < 4000, `process took ${run.elapsed} ms to exit`)
  await mock.reset()
})

test('on napi\'s shared runtime instead of the event loop (POSTCORE_NODE_IO=thread): calls, errors, aborts, exit', async () => {
  const threaded = { ...env, POSTCORE_NODE_IO: 'thread' }
  const run = await runNode([fixture('one-call.cjs')], { env: threaded })
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout.trim(), /^prof_[a-z0-9]+$/)
  const refused = await runNode([fixture('one-call.cjs')], { env: { ...threaded, POSTCORE_BASE_URL: await refusedUrl() } })
  assert.equal(refused.code, 0, refused.stderr)
  assert.match(refused.stdout, /^APIConnectionError\|true\|/)
  await mock.reset()
  await mock.faults([{ delay_ms: 8000 }])
  const aborted = await runNode([fixture('abort-slow.mjs')], { env: threaded })
  assert.equal(aborted.code, 0, aborted.stderr)
  assert.match(aborted.stdout, /^AbortError \d+/)
  assert.ok(aborted.elapsed < 4000, `process took ${aborted.elapsed} ms to exit`)
  await mock.reset()
})

test('calls run on the JavaScript thread only in Node; POSTCORE_NODE_IO=thread|js chooses, never crashing', async () => {
  // The JavaScript-thread driver (a libuv poll on tokio's epoll descriptor) aborts Bun and
  // Deno, so there the thread driver is used whatever is asked.
  const node = !process.versions.bun && !process.versions.deno
  const expected = { '': node ? 'js' : 'thread', thread: 'thread', js: node ? 'js' : 'thread', bogus: node ? 'js' : 'thread' }
  for (const [io, driver] of Object.entries(expected)) {
    const run = await runNode([fixture('io-driver.mjs')], { env: { ...env, POSTCORE_NODE_IO: io } })
    assert.equal(run.signal, null, `POSTCORE_NODE_IO=${io}: killed: ${run.stderr}`)
    assert.equal(run.code, 0, `POSTCORE_NODE_IO=${io}: ${run.stderr}`)
    assert.match(run.stdout.trim(), new RegExp(`^${driver} prof_[a-z0-9]+$`), `POSTCORE_NODE_IO=${io}`)
  }
})

test('import and require give the same exports (instanceof works across both)', async () => {
  const run = await runNode([fixture('dual.mjs')], { env })
  assert.equal(run.code, 0, run.stderr)
  const result = JSON.parse(run.stdout)
  assert.equal(result.same, true)
  assert.deepEqual(result.esmNames, result.names)
  for (const name of ['Postcore', 'createProfile', 'PostcoreError', 'APIError', 'AuthenticationError',
    'RateLimitError', 'APIConnectionError', 'APITimeoutError', 'ConfigurationError']) {
    assert.ok(result.names.includes(name), `${name} is exported`)
  }
})

test('POSTCORE_LOG=debug prints each attempt on stderr, never the key', async () => {
  const run = await runNode([fixture('one-call.cjs')], { env: { ...env, POSTCORE_LOG: 'debug' } })
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stderr, /\[postcore\] POST \/profiles\/create attempt=1\/3 status=201 elapsed_ms=\d+/)
  assert.ok(!run.stderr.includes(API_KEY) && !run.stdout.includes(API_KEY))
})
