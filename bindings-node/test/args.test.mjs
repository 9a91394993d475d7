// Wrong argument types and values reject with TypeError / RangeError before any request,
// from the public API and from the native binding called directly.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import { Postcore, createProfile } from 'postcore'
import { API_KEY, startMock } from './helpers.mjs'

const binding = createRequire(import.meta.url)('../index.js')

let mock
let client
before(async () => {
  mock = await startMock()
  client = new Postcore({ apiKey: API_KEY, baseUrl: mock.url })
})
after(() => mock?.stop())

async function assertNoRequest () {
  assert.deepEqual(await mock.requests(), [], 'no request reached the server')
}

const badCalls = [
  ['profileName: 123', () => client.createProfile({ profileName: 123 }), TypeError],
  ['profileName: {}', () => client.createProfile({ profileName: {} }), TypeError],
  ['params: a string', () => client.createProfile('User: x'), TypeError],
  ['params: an array', () => client.createProfile([]), TypeError],
  ['options: a number', () => client.createProfile({}, 5), TypeError],
  ['timeout: -1', () => client.createProfile({}, { timeout: -1 }), RangeError],
  ['timeout: 0', () => client.createProfile({}, { timeout: 0 }), RangeError],
  ['timeout: NaN', () => client.createProfile({}, { timeout: NaN }), RangeError],
  ['timeout: Infinity', () => client.createProfile({}, { timeout: Infinity }), RangeError],
  ['timeout: over a day', () => client.createProfile({}, { timeout: 90_000_000 }), RangeError],
  ['timeout: "100"', () => client.createProfile({}, { timeout: '100' }), TypeError],
  ['maxRetries: -1', () => client.createProfile({}, { maxRetries: -1 }), RangeError],
  ['maxRetries: 1.5', () => client.createProfile({}, { maxRetries: 1.5 }), RangeError],
  ['maxRetries: "2"', () => client.createProfile({}, { maxRetries: '2' }), TypeError],
  ['signal: {}', () => client.createProfile({}, { signal: {} }), TypeError],
  ['signal: true', () => client.createProfile({}, { signal: true }), TypeError],
  ['top-level profileName: 123', () => createProfile({ profileName: 123 }), TypeError]
]

for (const [name, call, ErrorClass] of badCalls) {
  test(`createProfile with ${name} rejects with ${ErrorClass.name} before any request`, async () => {
    await mock.reset()
    let promise
    assert.doesNotThrow(() => { promise = call() }, 'reported through the promise, not thrown')
    await assert.rejects(promise, (error) => error.constructor === ErrorClass)
    await assertNoRequest()
  })
}

const badConstructors = [
  ['options: a string', () => new Postcore('pc_key'), TypeError],
  ['apiKey: 123', () => new Postcore({ apiKey: 123 }), TypeError],
  ['baseUrl: 5', () => new Postcore({ apiKey: API_KEY, baseUrl: 5 }), TypeError],
  ['timeout: -1', () => new Postcore({ apiKey: API_KEY, timeout: -1 }), RangeError],
  ['timeout: "5s"', () => new Postcore({ apiKey: API_KEY, timeout: '5s' }), TypeError],
  ['maxRetries: -1', () => new Postcore({ apiKey: API_KEY, maxRetries: -1 }), RangeError],
  ['maxRetries: 2 ** 40', () => new Postcore({ apiKey: API_KEY, maxRetries: 2 ** 40 }), RangeError]
]

for (const [name, make, ErrorClass] of badConstructors) {
  test(`new Postcore with ${name} throws ${ErrorClass.name}`, () => {
    assert.throws(make, (error) => error.constructor === ErrorClass)
  })
}

test('null and undefined mean "not given"', async () => {
  await mock.reset()
  const c = new Postcore({ apiKey: API_KEY, baseUrl: mock.url, timeout: undefined, maxRetries: null })
  const profile = await c.createProfile({ profileName: null }, { signal: null, timeout: undefined })
  assert.equal(profile.profileName, null)
  const unnamed = await c.createProfile()
  assert.equal(unnamed.profileName, null)
  const requests = await mock.requests()
  assert.equal(requests.length, 2)
  assert.deepEqual(JSON.parse(requests[0].body), {})
})

test('strings that are hard to encode are sent as they are', async () => {
  await mock.reset()
  const names = ['', 'a "quoted" \\ name\nwith newline', 'emoji 🎉 and ünïcödé', 'lone surrogate \uD800']
  for (const name of names) {
    const profile = await client.createProfile({ profileName: name })
    assert.equal(typeof profile.profileKey, 'string')
  }
  const sent = (await mock.requests()).map((r) => JSON.parse(r.body).profileName)
  assert.deepEqual(sent.slice(0, 3), names.slice(0, 3))
  assert.equal(sent[3], 'lone surrogate \uFFFD')
})

test('the native binding itself refuses bad input without crashing the process', async () => {
  await mock.reset()
  assert.throws(() => new binding.NativeClient({ apiKey: 5 }))
  assert.throws(() => new binding.NativeClient({ apiKey: API_KEY, timeout: -1 }), RangeError)
  assert.throws(() => new binding.NativeClient({ apiKey: API_KEY, maxRetries: -1 }), RangeError)
  assert.throws(() => new binding.NativeClient({ apiKey: API_KEY, maxRetries: 0.5 }), RangeError)
  const native = new binding.NativeClient({ apiKey: API_KEY, baseUrl: mock.url })
  assert.throws(() => native.createProfile({ profileName: 5 }))
  assert.throws(() => native.createProfile({}, { timeout: 'soon' }))
  assert.throws(() => native.createProfile({}, { timeout: -5 }), RangeError)
  assert.throws(() => native.createProfile({}, null, {}))
  await assertNoRequest()
  const profile = await native.createProfile({ profileName: 'direct' })
  assert.deepEqual(Object.keys(profile).sort(), ['profileKey', 'profileName'])
})
