// Wrong argument types and values reject with TypeError / RangeError before any request,
// from the public API and from the native binding called directly.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'

import { Postcore, createProfile } from 'postcore'
import { API_KEY, declaredInterfaces, native as binding, startMock } from './helpers.mjs'

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

// Every endpoint's arguments are checked by the core before anything is sent.
const later = new Date(Date.now() + 3_600_000)
const post = (fields) => ({ profileKey: 'prof_x', content: 'Hello', platforms: ['linkedin'], scheduledFor: later, ...fields })
const badEndpointCalls = [
  ['posts.create: empty content', () => client.posts.create(post({ content: '' })), RangeError, 'content'],
  ['posts.create: blank content', () => client.posts.create(post({ content: ' \n ' })), RangeError, 'content'],
  ['posts.create: 3001 characters', () => client.posts.create(post({ content: 'a'.repeat(3001) })), RangeError, '3000'],
  ['posts.create: 301 graphemes for Bluesky', () => client.posts.create(post({ content: 'é'.repeat(301), platforms: ['linkedin', 'bluesky'] })), RangeError, 'Bluesky'],
  ['posts.create: no platforms', () => client.posts.create(post({ platforms: [] })), RangeError, 'platforms'],
  ['posts.create: a platform twice', () => client.posts.create(post({ platforms: ['bluesky', 'bluesky'] })), RangeError, 'twice'],
  ['posts.create: an unknown platform', () => client.posts.create(post({ platforms: ['myspace'] })), RangeError, 'myspace'],
  ['posts.create: platforms not a list', () => client.posts.create(post({ platforms: 'linkedin' })), TypeError, 'platforms'],
  ['posts.create: an invalid Date', () => client.posts.create(post({ scheduledFor: new Date('soon') })), RangeError, 'scheduledFor'],
  ['posts.create: a date string that is not ISO 8601', () => client.posts.create(post({ scheduledFor: 'tomorrow' })), RangeError, 'scheduledFor'],
  ['posts.create: a date as a number', () => client.posts.create(post({ scheduledFor: Date.now() })), TypeError, 'scheduledFor'],
  ['posts.create: no scheduledFor', () => client.posts.create(post({ scheduledFor: undefined })), TypeError, 'scheduledFor'],
  ['posts.create: an unknown argument', () => client.posts.create(post({ publishNow: true })), TypeError, 'publishNow'],
  ['posts.create: no arguments', () => client.posts.create(), TypeError, 'profileKey'],
  ['connectBluesky: a malformed app password', () => client.profiles.connectBluesky({ handle: 'a.bsky.social', appPassword: 'hunter2' }), RangeError, 'appPassword'],
  ['connectBluesky: no handle', () => client.profiles.connectBluesky({ appPassword: 'abcd-efgh-ijkl-mnop' }), TypeError, 'handle'],
  ['posts.retrieve: a number', () => client.posts.retrieve(123), TypeError, 'postId'],
  ['posts.delete: an empty id', () => client.posts.delete(''), RangeError, 'postId'],
  ['profiles.delete: no key', () => client.profiles.delete(), TypeError, 'profileKey'],
  ['posts.wait: interval 0', () => client.posts.wait('post_x', { interval: 0 }), RangeError, 'interval'],
  ['posts.wait: interval NaN', () => client.posts.wait('post_x', { interval: NaN }), RangeError, 'interval'],
  ['posts.wait: timeout "5s"', () => client.posts.wait('post_x', { timeout: '5s' }), TypeError, 'timeout'],
  ['headers: x-api-key', () => client.profiles.list({ headers: { 'X-Api-Key': 'other' } }), RangeError, 'x-api-key'],
  ['headers: content-type', () => client.profiles.list({ headers: { 'content-type': 'text/plain' } }), RangeError, 'content-type'],
  ['headers: a line break in a value', () => client.profiles.list({ headers: { 'x-note': 'a\r\nx-api-key: b' } }), RangeError, 'x-note'],
  ['headers: a bad name', () => client.profiles.list({ headers: { 'bad name': 'x' } }), RangeError, 'bad name'],
  ['headers: a number value', () => client.profiles.list({ headers: { 'x-n': 5 } }), TypeError, 'x-n'],
  ['headers: a string', () => client.profiles.list({ headers: 'x-a: b' }), TypeError, 'headers']
]

for (const [name, call, ErrorClass, mentions] of badEndpointCalls) {
  test(`${name}: ${ErrorClass.name} before any request`, async () => {
    await mock.reset()
    let promise
    assert.doesNotThrow(() => { promise = call() }, 'reported through the promise, not thrown')
    await assert.rejects(promise, (error) => {
      assert.equal(error.constructor, ErrorClass, `${error.name}: ${error.message}`)
      assert.ok(error.message.includes(mentions), `${JSON.stringify(error.message)} names ${mentions}`)
      assert.ok(!error.message.includes('hunter2'), 'the app password is not echoed')
      return true
    })
    await assertNoRequest()
  })
}

test('300 graphemes are fine for Bluesky even when they are many more characters', async () => {
  await mock.reset()
  const family = '👨‍👩‍👧'.repeat(300)
  // Passes the checks and reaches the server, which does not know the profile.
  await assert.rejects(client.posts.create(post({ content: family, platforms: ['bluesky'] })), { name: 'NotFoundError' })
  assert.equal((await mock.requests()).length, 1)
})

test('linkedInConnectUrl: bad arguments throw synchronously, without the key', () => {
  const secret = new Postcore({ apiKey: 'pc_secret_for_urls', baseUrl: mock.url })
  for (const [params, ErrorClass] of [
    [{ returnUrl: 'http://app.example.com/cb' }, RangeError], // http only on loopback
    [{ returnUrl: 'not a url' }, RangeError],
    [{ returnUrl: 'ftp://app.example.com' }, RangeError],
    [{ returnUrl: 'https://app.example.com', profileKey: '' }, RangeError],
    [{}, TypeError],
    [{ returnUrl: 5 }, TypeError],
    ['https://app.example.com', TypeError]
  ]) {
    assert.throws(() => secret.profiles.linkedInConnectUrl(params), (error) => {
      assert.equal(error.constructor, ErrorClass, `${JSON.stringify(params)}: ${error.name}: ${error.message}`)
      assert.ok(!error.message.includes('pc_secret_for_urls'))
      return true
    })
  }
  const url = new URL(secret.profiles.linkedInConnectUrl({ returnUrl: 'https://app.example.com/cb?a=1', profileKey: 'prof_a' }))
  assert.equal(url.origin + url.pathname, `${mock.url}/profiles/connect`)
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    apiKey: 'pc_secret_for_urls', platform: 'linkedin', profileKey: 'prof_a', returnUrl: 'https://app.example.com/cb?a=1'
  })
})

test('defaultHeaders the SDK owns are refused by the constructor and by withOptions', () => {
  for (const headers of [{ 'x-api-key': 'k' }, { 'Content-Type': 'text/plain' }, { 'x-a': 'line\nbreak' }]) {
    assert.throws(() => new Postcore({ apiKey: API_KEY, defaultHeaders: headers }), RangeError)
    assert.throws(() => client.withOptions({ defaultHeaders: headers }), RangeError)
  }
  assert.throws(() => new Postcore({ apiKey: API_KEY, defaultHeaders: { 'x-a': 1 } }), TypeError)
  assert.throws(() => client.withOptions({ timeout: -1 }), RangeError)
  assert.throws(() => client.withOptions({ maxRetries: '1' }), TypeError)
  assert.throws(() => client.withOptions('fast'), TypeError)
})

const badConstructors = [
  ['options: a string', () => new Postcore('pc_key'), TypeError],
  ['apiKey: 123', () => new Postcore({ apiKey: 123 }), TypeError],
  ['baseUrl: 5', () => new Postcore({ apiKey: API_KEY, baseUrl: 5 }), TypeError],
  ['timeout: -1', () => new Postcore({ apiKey: API_KEY, timeout: -1 }), RangeError],
  ['timeout: "5s"', () => new Postcore({ apiKey: API_KEY, timeout: '5s' }), TypeError],
  ['maxRetries: -1', () => new Postcore({ apiKey: API_KEY, maxRetries: -1 }), RangeError],
  ['maxRetries: 2 ** 40', () => new Postcore({ apiKey: API_KEY, maxRetries: 2 ** 40 }), RangeError],
  ['maxConnections: 0', () => new Postcore({ apiKey: API_KEY, maxConnections: 0 }), RangeError],
  ['maxConnections: 1.5', () => new Postcore({ apiKey: API_KEY, maxConnections: 1.5 }), RangeError],
  ['maxConnections: "10"', () => new Postcore({ apiKey: API_KEY, maxConnections: '10' }), TypeError],
  ['proxy: 8080', () => new Postcore({ apiKey: API_KEY, proxy: 8080 }), TypeError],
  ['extraCaCerts: 5', () => new Postcore({ apiKey: API_KEY, extraCaCerts: 5 }), TypeError],
  ['defaultHeaders: an array', () => new Postcore({ apiKey: API_KEY, defaultHeaders: [['a', 'b']] }), TypeError]
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
  assert.throws(() => new binding.NativeClient({ apiKey: API_KEY, maxConnections: 0 }), RangeError)
  assert.throws(() => new binding.NativeClient({ apiKey: API_KEY, defaultHeaders: [['x-api-key', 'k']] }), RangeError)
  const native = new binding.NativeClient({ apiKey: API_KEY, baseUrl: mock.url })
  assert.throws(() => native.call('profiles.create', { profileName: 5 }), TypeError)
  assert.throws(() => native.call('profiles.create', { nope: 1 }), TypeError)
  assert.throws(() => native.call('no.such_operation', {}), RangeError)
  assert.throws(() => native.call('profiles.create', 'a string'), TypeError)
  assert.throws(() => native.call('profiles.create', {}, { timeout: 'soon' }), TypeError)
  assert.throws(() => native.call('profiles.create', {}, { maxRetries: 1.5 }), RangeError)
  assert.throws(() => native.call('profiles.create', {}, 'fast'), TypeError)
  assert.throws(() => native.call('profiles.create', {}, { timeout: -5 }), RangeError)
  assert.throws(() => native.call('profiles.create', {}, null, {}))
  assert.throws(() => native.call('profiles.linkedin_connect_url', { returnUrl: 'ftp://x' }), RangeError)
  assert.throws(() => native.call('profiles.linkedin_connect_url', { returnUrl: 'https://x.example' }, { timeout: 5 }), TypeError)
  // A local operation answers at once, not with a promise.
  const url = native.call('profiles.linkedin_connect_url', { returnUrl: 'https://x.example/' })
  assert.equal(typeof url, 'string')
  assert.ok(url.startsWith(mock.url), url)
  await assertNoRequest()
  const profile = await native.call('profiles.create', { profileName: 'direct' })
  assert.deepEqual(Object.keys(profile).sort(), ['profileKey', 'profileName'])
})

test('unknown client and per-call options are refused, naming the closest valid one', async () => {
  await mock.reset()
  const refused = (fn, pattern) => assert.throws(fn, (e) => e instanceof TypeError && pattern.test(e.message))
  refused(() => new Postcore({ apiKey: API_KEY, maxRetry: 3 }), /unknown option "maxRetry" for new Postcore\(\): did you mean maxRetries\?/)
  refused(() => new Postcore({ apiKey: API_KEY, baseURL: mock.url }), /did you mean baseUrl\?/)
  const client = new Postcore({ apiKey: API_KEY, baseUrl: mock.url })
  refused(() => client.withOptions({ timout: 5 }), /"timout" for withOptions\(\): did you mean timeout\?/)
  await assert.rejects(client.profiles.list({ timout: 5 }), (e) => e instanceof TypeError && /did you mean timeout\?/.test(e.message))
  await assert.rejects(client.posts.wait('post_1', { intervall: 5 }), /did you mean interval\?/)
  await assert.rejects(client.posts.waitMany(['post_1'], { intervall: 5 }), /for posts\.waitMany\(\): did you mean interval\?/)
  refused(() => client.events({ intervall: 5 }), /for client\.events\(\): did you mean interval\?/)
  await assert.rejects(client.createProfile({}, { header: {} }), /did you mean headers\?/)
  await assertNoRequest()
  // Every option of the core is declared in the types, and no other.
  const names = binding.optionNames()
  const interfaces = declaredInterfaces()
  const fields = (...names) => [...new Set(names.flatMap((name) => interfaces.get(name).fields))].sort()
  assert.deepEqual([...names.client].sort(), fields('ClientOptions'))
  assert.deepEqual([...names.with_options].sort(), fields('WithOptions'))
  assert.deepEqual([...names.request].sort(), fields('RequestOptions'))
  assert.deepEqual([...names.wait].sort(), fields('RequestOptions', 'WaitOptions'))
  assert.deepEqual([...names.wait_many].sort(), fields('RequestOptions', 'WaitOptions'))
  assert.deepEqual([...names.events].sort(), fields('EventsOptions'))
  assert.deepEqual([...names.verify_webhook].sort(), fields('VerifyWebhookOptions'))
  assert.deepEqual(Object.keys(names).sort(), ['client', 'events', 'request', 'verify_webhook', 'wait', 'wait_many', 'with_options'])
  assert.ok(new Postcore({ apiKey: API_KEY, baseUrl: mock.url, hooks: {}, logger: console, tracing: false }))
  assert.ok(await client.profiles.list({ signal: null, timeout: 5000, maxRetries: 0, headers: {} }))
})

test('a Date or an ISO 8601 string: type errors say it in JavaScript terms', async () => {
  const client = new Postcore({ apiKey: API_KEY, baseUrl: mock.url })
  await assert.rejects(
    client.posts.create(post({ scheduledFor: 1.5 })),
    { name: 'TypeError', message: 'scheduledFor must be a Date or an ISO 8601 string, not a number (1.5)' }
  )
  await assert.rejects(client.posts.create(post({ platforms: 'linkedin' })), { message: /platforms must be an array, not a string "linkedin"/ })
})
