// The package in worker_threads: each worker loads the addon, builds its own clients (the
// environment-configured one included) and makes real calls; terminating a worker with a call
// in flight does not disturb the others; the testing kit runs in a worker; and a process with
// all of that at once (workers and the main thread calling together, workers ending with calls
// in flight) exits on its own, with either driver; and a process whose main thread never loads
// the package, only workers one after another, does not crash.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Worker } from 'node:worker_threads'
import { once } from 'node:events'

import { Postcore } from 'postcore'
import { API_KEY, fixture, runNode, startMock } from './helpers.mjs'

const workerUrl = new URL('./fixtures/worker.mjs', import.meta.url)
const slowWorkerUrl = new URL('./fixtures/worker-slow.mjs', import.meta.url)

let mock
let env
before(async () => {
  mock = await startMock()
  env = { ...process.env, POSTCORE_API_KEY: API_KEY, POSTCORE_BASE_URL: mock.url }
})
after(() => mock?.stop())

function runWorker (id, calls) {
  const worker = new Worker(workerUrl, { workerData: { id, calls }, env })
  return new Promise((resolve, reject) => {
    let message
    worker.once('message', (m) => { message = m })
    worker.once('error', reject)
    worker.once('exit', (code) => (code === 0 && message ? resolve(message) : reject(new Error(`worker exited with ${code}`))))
  })
}

test('three workers make calls concurrently, each with its own clients', async () => {
  await mock.reset()
  const results = await Promise.all([1, 2, 3].map((id) => runWorker(id, 10)))
  const keys = results.flatMap((r) => r.keys)
  assert.equal(keys.length, 60)
  assert.equal(new Set(keys).size, 60, 'every key is distinct')
  for (const r of results) assert.equal(r.authError, 'INVALID_API_KEY')
  assert.equal((await mock.profiles()).length, 60)
  // The main thread still works after the workers are gone.
  const client = new Postcore({ apiKey: API_KEY, baseUrl: mock.url })
  const { profileKey } = await client.createProfile({ profileName: 'main' })
  assert.match(profileKey, /^prof_/)
})

test('terminating a worker with a call in flight leaves the process healthy', async () => {
  await mock.reset()
  await mock.faults([{ delay_ms: 1500 }])
  const worker = new Worker(slowWorkerUrl, { env })
  const [first] = await once(worker, 'message')
  assert.equal(first, 'started')
  await new Promise((resolve) => setTimeout(resolve, 200))
  const exitCode = await worker.terminate()
  assert.equal(exitCode, 1)
  // Wait past the server's answer to the dropped worker's request.
  await new Promise((resolve) => setTimeout(resolve, 1600))
  const client = new Postcore({ apiKey: API_KEY, baseUrl: mock.url })
  const { profileKey } = await client.createProfile({ profileName: 'after terminate' })
  assert.match(profileKey, /^prof_/)
  // A fresh worker loads the addon again and works.
  const result = await runWorker(4, 2)
  assert.equal(result.keys.length, 4)
})

test('the testing kit in workers: servers, calls, scripted failures; closed or left to the worker\'s end', async () => {
  const run = (close) => new Promise((resolve, reject) => {
    const worker = new Worker(fixture('worker-kit.mjs'), { workerData: { close } })
    let message
    worker.once('message', (m) => { message = m })
    worker.once('error', reject)
    worker.once('exit', (code) => resolve({ code, message }))
  })
  const results = await Promise.all([run(true), run(false), run(false)])
  for (const { code, message } of results) {
    assert.equal(code, 0)
    assert.deepEqual([message.created, message.failed, message.listed], [8, 503, 8])
  }
  assert.equal(results[1].message.stored, 8)
  assert.equal(new Set(results.map((r) => r.message.port)).size, 3, 'a server of its own in each worker')
})

test('workers and the main thread at once, workers ending with calls in flight, the kit in workers: the process exits (both drivers)', async () => {
  for (const io of ['js', 'thread']) {
    const run = await runNode([fixture('workers-exit.mjs')], { env: { ...env, POSTCORE_NODE_IO: io }, timeoutMs: 30_000 })
    assert.equal(run.signal, null, `POSTCORE_NODE_IO=${io}: killed (did not exit): ${run.stderr}`)
    assert.equal(run.code, 0, `POSTCORE_NODE_IO=${io}: ${run.stderr}`)
    const { connected, ...seen } = JSON.parse(run.stdout)
    // Calls of the ending workers reached the silent server: they were in flight.
    assert.ok(connected > 0, `POSTCORE_NODE_IO=${io}: no call was in flight`)
    assert.deepEqual(seen, {
      main: 40,
      busy: [[0, 10, 'INVALID_API_KEY'], [0, 10, 'INVALID_API_KEY'], [0, 10, 'INVALID_API_KEY']],
      kits: [[0, 8, 503, 8], [0, 8, 503, 8]],
      terminated: [1, 1, 1],
      exited: [0, 3],
      after: true
    }, `POSTCORE_NODE_IO=${io}`)
  }
})

test('a process whose main thread never loads the package: workers one after another, each ending before the next (both drivers)', async () => {
  for (const io of ['js', 'thread']) {
    const run = await runNode([fixture('workers-only.mjs')], { env: { ...env, POSTCORE_NODE_IO: io }, timeoutMs: 30_000 })
    assert.equal(run.signal, null, `POSTCORE_NODE_IO=${io}: killed by ${run.signal}: ${run.stderr}`)
    assert.equal(run.code, 0, `POSTCORE_NODE_IO=${io}: ${run.stderr}`)
    assert.deepEqual(JSON.parse(run.stdout).workers, Array.from({ length: 8 }, () => [0, 4, 'INVALID_API_KEY']), `POSTCORE_NODE_IO=${io}`)
  }
})
