// Per-call AbortSignal: an abort drops the native request and rejects promptly with the
// signal's reason (a DOMException named AbortError by default), like fetch.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'

import { Postcore, createProfile, PostcoreError } from 'postcore'
import { API_KEY, startMock } from './helpers.mjs'

let mock
let client
before(async () => {
  mock = await startMock()
  client = new Postcore({ apiKey: API_KEY, baseUrl: mock.url })
})
after(() => mock?.stop())

test('aborting an in-flight call rejects at once with an AbortError', async () => {
  await mock.reset()
  await mock.faults([{ delay_ms: 5000 }])
  const controller = new AbortController()
  const started = performance.now()
  const call = client.createProfile({ profileName: 'slow' }, { signal: controller.signal })
  setTimeout(() => controller.abort(), 100)
  await assert.rejects(call, (error) => {
    assert.equal(error.name, 'AbortError')
    assert.ok(error instanceof DOMException)
    assert.ok(!(error instanceof PostcoreError))
    return true
  })
  const elapsed = performance.now() - started
  assert.ok(elapsed < 1000, `rejected after ${elapsed} ms`)
  assert.equal((await mock.requests()).length, 1, 'the request had been sent')
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'listener removed')
})

test('an already aborted signal rejects before any request', async () => {
  await mock.reset()
  const signal = AbortSignal.abort()
  await assert.rejects(client.createProfile({ profileName: 'x' }, { signal }), { name: 'AbortError' })
  await assert.rejects(createProfile({ profileName: 'x' }, { signal }), { name: 'AbortError' })
  assert.equal((await mock.requests()).length, 0)
})

test('the abort reason is passed through, as fetch does', async () => {
  await mock.reset()
  await mock.faults([{ delay_ms: 3000 }])
  const controller = new AbortController()
  const reason = new Error('user navigated away')
  const call = client.createProfile({}, { signal: controller.signal })
  setTimeout(() => controller.abort(reason), 50)
  await assert.rejects(call, (error) => error === reason)
})

test('AbortSignal.timeout() works as a deadline for the whole call', async () => {
  await mock.reset()
  await mock.faults([{ delay_ms: 3000 }])
  const started = performance.now()
  await assert.rejects(
    client.createProfile({}, { signal: AbortSignal.timeout(150) }),
    { name: 'TimeoutError' }
  )
  assert.ok(performance.now() - started < 1000)
})

test('a signal that never fires changes nothing, and its listener is removed', async () => {
  await mock.reset()
  const controller = new AbortController()
  for (let i = 0; i < 5; i++) {
    const { profileKey } = await client.createProfile({ profileName: `n${i}` }, { signal: controller.signal })
    assert.match(profileKey, /^prof_/)
  }
  await assert.rejects(
    new Postcore({ apiKey: 'pc_wrong_key', baseUrl: mock.url }).createProfile({}, { signal: controller.signal }),
    { name: 'AuthenticationError' }
  )
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
  controller.abort() // after completion: no effect, nothing thrown
})

test('the client keeps working after an aborted call', async () => {
  await mock.reset()
  await mock.faults([{ delay_ms: 2000 }])
  const controller = new AbortController()
  const call = client.createProfile({}, { signal: controller.signal })
  setTimeout(() => controller.abort(), 50)
  await assert.rejects(call, { name: 'AbortError' })
  const { profileKey } = await client.createProfile({ profileName: 'after abort' })
  assert.match(profileKey, /^prof_/)
})

test('one signal shared by many calls: one listener, all of them aborted, no warning', async () => {
  await mock.reset()
  await mock.faults([{ delay_ms: 3000, times: 50 }])
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  const controller = new AbortController()
  const calls = Array.from({ length: 50 }, () => client.createProfile({}, { signal: controller.signal }))
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
  const started = performance.now()
  controller.abort()
  const results = await Promise.allSettled(calls)
  assert.ok(performance.now() - started < 1000)
  assert.ok(results.every((r) => r.status === 'rejected' && r.reason.name === 'AbortError'))
  await new Promise((resolve) => setImmediate(resolve))
  process.off('warning', onWarning)
  assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), [])
  await mock.reset()
  const second = new AbortController()
  await Promise.all(Array.from({ length: 20 }, () => client.createProfile({}, { signal: second.signal })))
  assert.equal(getEventListeners(second.signal, 'abort').length, 0, 'removed after the last call')
})
