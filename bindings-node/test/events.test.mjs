// Many posts on one list call, events, and webhook signatures, against the local server with
// its clock moved rather than real waits (the Node face of core/tests/events.rs): waitMany,
// `for await (const event of client.events())` with break and AbortSignal, and verifyWebhook
// (also from `postcore/webhooks`) against tampered, replayed, malformed and rotated inputs.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import {
  Postcore, Events, NotFoundError, PostcoreError, WaitTimeoutError, WebhookSignatureError, signWebhook, verifyWebhook
} from 'postcore'
import * as webhooks from 'postcore/webhooks'
import { startMockServer } from 'postcore/testing'
import { API_KEY, native, startMock } from './helpers.mjs'

let mock
before(async () => { mock = await startMock() })
after(() => mock?.stop())

let stores = 0
/** A client of the subprocess mock with a store of its own (no budget or consumer shared). */
const clientOf = (options = {}) =>
  new Postcore({ apiKey: API_KEY, baseUrl: mock.url, store: `memory://events-test-${process.pid}-${++stores}`, ...options })
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `condition()` holds (polled), failing with `what` after `ms`. */
async function until (condition, what, ms = 10000) {
  const end = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/** A consumer's first poll (its starting point: no events for what exists). */
async function firstPoll () {
  await until(async () => (await mock.requests()).some((r) => r.path === '/profiles'), 'a first poll')
  await sleep(50)
}

// ------------------------------------------------------------------------------ waitMany

test('waitMany follows 1,000 posts across 50 profiles with one listing per poll and no 429', async () => {
  // The documented limit, enforced: the wait must stay inside it.
  const server = await startMockServer({ rateLimit: 100, postsPerMonth: 100000 })
  try {
    const { profiles } = server.seed({ profiles: [{ connect: ['linkedin', 'bluesky'], count: 50 }] })
    const { posts: ids } = server.seed({
      posts: Array.from({ length: 1000 }, (_, i) => ({
        profileKey: profiles[i % 50],
        platform: i % 2 === 0 ? 'linkedin' : 'bluesky',
        content: `post ${i}`,
        scheduledFor: `$NOW+${60 + i * 3}` // due over the next hour
      }))
    })
    const client = server.client()
    const waiting = client.posts.waitMany(ids, { timeout: 60000, interval: 100 })
    // The hour goes by in ten-minute steps.
    for (let i = 0; i < 7; i++) {
      await sleep(400)
      server.advance({ seconds: 600 })
    }
    const done = await waiting
    assert.deepEqual(done.map((p) => p.postId), ids, 'in the given order')
    assert.ok(done.every((p) => p.status === 'published' || p.status === 'failed'))
    const requests = server.requests
    assert.deepEqual([...new Set(requests.map((r) => `${r.method} ${r.path}`))], ['GET /posts'], 'only listings')
    assert.ok(requests.every((r) => r.status !== 429), 'no 429')
    assert.ok(requests.length <= 40, `${requests.length} listings`)
    client.close()
  } finally {
    await server.close()
  }
})

async function seedSoonAndLater () {
  await mock.seed({ profiles: [{ profileKey: 'prof_many', connect: ['bluesky'] }] })
  const { posts } = await mock.seed({
    posts: [
      { profileKey: 'prof_many', platform: 'bluesky', content: 'soon', scheduledFor: '$NOW-1' },
      { profileKey: 'prof_many', platform: 'bluesky', content: 'later', scheduledFor: '$NOW+3600' }
    ]
  })
  return posts
}

test('waitMany: a timeout carries every post as last seen; a post not listed is NotFoundError', async () => {
  await mock.reset()
  const ids = await seedSoonAndLater()
  const client = clientOf()
  const error = await client.posts.waitMany(ids, { timeout: 400, interval: 50 }).then(() => null, (e) => e)
  assert.ok(error instanceof WaitTimeoutError && error instanceof PostcoreError, String(error))
  assert.deepEqual(error.posts.map((p) => [p.postId, p.status]), [[ids[0], 'published'], [ids[1], 'pending']])
  assert.equal(error.post.postId, ids[1])
  assert.match(error.message, /1 of 2 posts were still pending/)
  await assert.rejects(client.posts.waitMany(['post_nosuchpost1'], { timeout: 5000 }), NotFoundError)
  // A single wait's timeout carries its post in `posts` too.
  const single = await client.posts.wait(ids[1], { timeout: 100, interval: 50 }).then(() => null, (e) => e)
  assert.deepEqual(single.posts.map((p) => p.postId), [ids[1]])
  client.close()
})

test('waitMany: in the given order, withResponse, options checked, abort stops it', async () => {
  await mock.reset()
  const ids = await seedSoonAndLater()
  await mock.advance(3601)
  const client = clientOf()
  const reversed = [...ids].reverse()
  const posts = await client.posts.waitMany(reversed, { timeout: 10000 })
  assert.deepEqual(posts.map((p) => p.postId), reversed)
  const { data, response } = await client.posts.waitMany(ids).withResponse()
  assert.deepEqual(data.map((p) => p.status), ['published', 'published'])
  assert.equal(response.status, 200)
  assert.equal(response.attempts, 1)
  assert.deepEqual((await mock.requests()).map((r) => r.path), ['/posts', '/posts'])
  // Refused before sending anything, named as the caller spelled them.
  await assert.rejects(client.posts.waitMany('post_1'), { name: 'TypeError', message: /postIds must be an array/ })
  await assert.rejects(client.posts.waitMany(['post_1', '']), { name: 'RangeError', message: /postIds/ })
  await assert.rejects(client.posts.waitMany(ids, { interval: 0 }), { name: 'RangeError', message: /interval/ })
  await assert.rejects(client.posts.waitMany(ids, { intervall: 5 }), {
    name: 'TypeError', message: /unknown option "intervall" for posts\.waitMany\(\): did you mean interval\?/
  })
  assert.equal((await mock.requests()).length, 2)
  // Aborted while waiting for a post due in an hour: rejects with the reason, polls stop.
  const { posts: [later] } = await mock.seed({
    posts: [{ profileKey: 'prof_many', platform: 'bluesky', content: 'much later', scheduledFor: '$NOW+3600' }]
  })
  const controller = new AbortController()
  const waiting = client.posts.waitMany([later], { interval: 50, signal: controller.signal })
  await sleep(200)
  const reason = new Error('stop waiting')
  controller.abort(reason)
  await assert.rejects(waiting, (e) => e === reason)
  const polls = (await mock.requests()).length
  await sleep(300)
  assert.equal((await mock.requests()).length, polls, 'no poll after the abort')
  client.close()
})

// --------------------------------------------------------------------------------- events

/** What an event is about: the post id, the profile key, or `key:platform`. */
function about (event) {
  if (event.type.startsWith('post.')) return event.data.postId
  if (event.type.startsWith('profile.')) return event.data.profileKey
  return `${event.data.profileKey}:${event.data.platform}`
}

/** Collects a consumer's events in the background, with `for await`; `stop()` breaks out. */
function collect (client, options) {
  const seen = []
  let stopping = false
  let failure
  const events = client.events(options)
  const loop = (async () => {
    try {
      for await (const event of events) {
        seen.push(event)
        if (stopping) break
      }
    } catch (error) {
      failure = error
    }
  })()
  return {
    seen,
    events,
    async expect (...wanted) {
      await until(() => {
        if (failure !== undefined) throw failure
        return wanted.every(([type, what]) => seen.some((e) => e.type === type && about(e) === what))
      }, `${JSON.stringify(wanted)}; seen ${JSON.stringify(seen.map((e) => `${e.type} ${about(e)}`))}`)
    },
    async stop () {
      stopping = true
      // `break` needs an event to run; return() ends a waiting next() at once.
      await events.return()
      await loop
      if (failure !== undefined) throw failure
    }
  }
}

test('every event type comes exactly once, as the JSON listen sends', async () => {
  await mock.reset()
  const { profiles: [before] } = await mock.seed({ profiles: [{ connect: ['bluesky'] }] })
  const client = clientOf()
  const watcher = collect(client, { consumer: 'all-types', interval: 100 })
  await firstPoll()
  // A profile with both platforms, a post due in a minute, one in two hours, one too long
  // for Bluesky (it fails when due).
  const { profiles: [key] } = await mock.seed({ profiles: [{ connect: ['linkedin', 'bluesky'] }] })
  const { posts } = await mock.seed({
    posts: [
      { profileKey: key, platform: 'linkedin', content: 'soon', scheduledFor: '$NOW+60' },
      { profileKey: key, platform: 'linkedin', content: 'later', scheduledFor: '$NOW+7200' },
      { profileKey: key, platform: 'bluesky', content: 'x'.repeat(301), scheduledFor: '$NOW+60' }
    ]
  })
  const li = `${key}:linkedin`
  const bs = `${key}:bluesky`
  await watcher.expect(['profile.created', key], ['connection.connected', li], ['connection.connected', bs])
  await mock.advance(120)
  await watcher.expect(['post.published', posts[0]], ['post.failed', posts[2]])
  await client.posts.delete(posts[1])
  await watcher.expect(['post.deleted', posts[1]])
  // LinkedIn's token: 53 days on, 7 days left; 59 days on, 1 day left; then flagged.
  await mock.advance(53 * 86400)
  await watcher.expect(['connection.expiring', li])
  await mock.advance(6 * 86400)
  await until(() => watcher.seen.filter((e) => e.type === 'connection.expiring').length >= 2, 'a second expiring event')
  await mock.linkedin(key, { needsReconnect: true })
  await watcher.expect(['connection.needs_reconnect', li])
  await client.profiles.delete(key)
  await watcher.expect(['profile.deleted', key], ['connection.disconnected', li], ['connection.disconnected', bs])
  // Nothing more, nothing twice, nothing about what existed before the consumer started.
  await sleep(400)
  await watcher.stop()
  const seen = watcher.seen
  assert.deepEqual(seen.map((e) => `${e.type} ${about(e)}`).sort(), [
    `profile.created ${key}`,
    `connection.connected ${li}`,
    `connection.connected ${bs}`,
    `post.published ${posts[0]}`,
    `post.failed ${posts[2]}`,
    `post.deleted ${posts[1]}`,
    `connection.expiring ${li}`,
    `connection.expiring ${li}`,
    `connection.needs_reconnect ${li}`,
    `profile.deleted ${key}`,
    `connection.disconnected ${li}`,
    `connection.disconnected ${bs}`
  ].sort())
  assert.deepEqual([...new Set(seen.map((e) => e.type))].sort(), [...native.eventTypes()].sort())
  assert.equal(new Set(seen.map((e) => e.id)).size, seen.length, 'an event came twice')
  assert.ok(!seen.some((e) => about(e).startsWith(before)))
  const clock = await mock.now()
  for (const event of seen) {
    assert.deepEqual(Object.keys(event).sort(), ['createdAt', 'data', 'id', 'type'])
    assert.match(event.id, /^evt_/)
    assert.ok(new Date(event.createdAt) <= clock, `${event.createdAt} <= ${clock.toISOString()}`)
  }
  const published = seen.find((e) => e.type === 'post.published')
  assert.match(published.data.platformUrl, /^https:/)
  const flagged = seen.find((e) => e.type === 'connection.needs_reconnect')
  assert.equal(flagged.data.needsReconnect, true)
  assert.equal(flagged.data.profileKey, key)
  client.close()
})

test('events: break ends it; the event it broke on is given again, then the rest once each', async () => {
  await mock.reset()
  const client = clientOf()
  const options = { consumer: 'resume', interval: 100 }
  const first = client.events(options)
  const pending = first.next()
  await firstPoll()
  const { profiles: keys } = await mock.seed({ profiles: [{ count: 3 }] })
  const one = (await pending).value
  assert.equal(one.type, 'profile.created')
  assert.deepEqual(await first.return(), { done: true, value: undefined })
  assert.deepEqual(await first.next(), { done: true, value: undefined }, 'ended')
  const got = []
  for await (const event of client.events(options)) {
    got.push(event)
    if (got.length === 3) break
  }
  assert.equal(got[0].id, one.id, 'not acknowledged: given again, with the same id')
  assert.deepEqual(got.map((e) => e.data.profileKey).sort(), [...keys].sort())
  // The third was handed out and not acknowledged (break): it comes back; nothing else.
  const again = client.events(options)
  assert.equal((await again.next()).value.id, got[2].id)
  const more = again.next()
  await sleep(400)
  await again.return()
  assert.deepEqual(await more, { done: true, value: undefined }, 'return() ends a waiting next()')
  client.close()
})

test('events: aborting the signal rejects the waiting next() with its reason and ends it', async () => {
  await mock.reset()
  const client = clientOf()
  const controller = new AbortController()
  const events = client.events({ consumer: 'aborted', interval: 100, signal: controller.signal })
  assert.ok(events instanceof Events)
  assert.equal(events.consumer, 'aborted')
  const waiting = events.next()
  await firstPoll()
  const reason = new Error('shutting down')
  controller.abort(reason)
  await assert.rejects(waiting, (e) => e === reason)
  const polls = (await mock.requests()).length
  await sleep(300)
  assert.equal((await mock.requests()).length, polls, 'no poll after the abort')
  assert.deepEqual(await events.next(), { done: true, value: undefined })
  // Already aborted: the first next() rejects like fetch, without a request.
  await mock.reset()
  const aborted = client.events({ consumer: 'x', signal: AbortSignal.abort() })
  await assert.rejects(aborted.next(), { name: 'AbortError' })
  assert.deepEqual(await mock.requests(), [])
  client.close()
})

test('events: bad options throw at once, and nothing is sent before the first next()', async () => {
  await mock.reset()
  const client = clientOf()
  assert.throws(() => client.events({ consumer: '' }), { name: 'RangeError', message: /consumer/ })
  assert.throws(() => client.events({ consumer: 'x'.repeat(201) }), { name: 'RangeError', message: /consumer/ })
  assert.throws(() => client.events({ consumer: 5 }), { name: 'TypeError', message: /consumer/ })
  assert.throws(() => client.events({ interval: 0 }), { name: 'RangeError', message: /interval/ })
  assert.throws(() => client.events({ interval: '1s' }), { name: 'TypeError', message: /interval/ })
  assert.throws(() => client.events({ signal: 'no' }), { name: 'TypeError', message: /signal/ })
  assert.throws(() => client.events({ consumr: 'a' }), {
    name: 'TypeError', message: /unknown option "consumr" for client\.events\(\): did you mean consumer\?/
  })
  assert.throws(() => client.events('billing'), TypeError)
  const events = client.events()
  assert.equal(events.consumer, 'default')
  assert.equal(events[Symbol.asyncIterator](), events)
  assert.equal(String(events), 'Events { consumer: "default" }')
  assert.deepEqual(await mock.requests(), [])
  client.close()
})

// ------------------------------------------------------------------------------- webhooks

const SECRET = 'whsec_node_test'
const BODY = JSON.stringify({
  id: 'evt_0123456789abcdef01234567',
  type: 'post.published',
  createdAt: '2030-01-01T00:00:00Z',
  data: { postId: 'post_abc123', profileKey: 'prof_abc123', platform: 'bluesky', status: 'published' }
})
const nowMs = () => Date.now()

test('verifyWebhook: a signed delivery verifies from a string, a Buffer, a Uint8Array or an ArrayBuffer', () => {
  const header = signWebhook(BODY, SECRET)
  const [t, v1] = header.split(',')
  assert.ok(Math.abs(Number(t.slice(2)) - Date.now() / 1000) < 3, header)
  assert.match(v1, /^v1=[0-9a-f]{64}$/)
  const buffer = Buffer.from(BODY)
  for (const payload of [BODY, buffer, new Uint8Array(buffer), buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length)]) {
    const event = verifyWebhook(payload, header, SECRET)
    assert.deepEqual(event, JSON.parse(BODY))
  }
  assert.equal(webhooks.SIGNATURE_HEADER, 'Postcore-Signature')
  assert.equal(webhooks.DEFAULT_TOLERANCE, 300000)
  // One function from both entries, CommonJS and ESM.
  const require = createRequire(import.meta.url)
  assert.equal(webhooks.verifyWebhook, verifyWebhook)
  assert.equal(require('postcore/webhooks').verifyWebhook, verifyWebhook)
  assert.equal(require('postcore').signWebhook, signWebhook)
  assert.equal(webhooks.WebhookSignatureError, WebhookSignatureError)
})

test('verifyWebhook: rotated secrets, any v1 matches', () => {
  const t = nowMs()
  const sig = (secret) => signWebhook(BODY, secret, t).split('v1=')[1]
  const seconds = Math.floor(t / 1000)
  for (const header of [`t=${seconds},v1=${sig('whsec_new')},v1=${sig(SECRET)}`, `v1=${sig(SECRET)}, t=${seconds}, v1=${sig('whsec_new')}`]) {
    assert.equal(verifyWebhook(BODY, header, SECRET).type, 'post.published')
    assert.equal(verifyWebhook(BODY, header, 'whsec_new').type, 'post.published')
  }
  assert.throws(() => verifyWebhook(BODY, `t=${seconds},v1=${sig('whsec_new')}`, SECRET), WebhookSignatureError)
  assert.equal(signWebhook(BODY, SECRET, new Date(t)), signWebhook(BODY, SECRET, t))
})

test('verifyWebhook: tampered, replayed and malformed deliveries are refused, each saying why', () => {
  const t = nowMs()
  const s = Math.floor(t / 1000)
  const header = signWebhook(BODY, SECRET, t)
  const refused = [
    [BODY.replace('post_abc123', 'post_evil00'), header, SECRET, undefined, /does not match/],
    [`${BODY} `, header, SECRET, undefined, /does not match/],
    [BODY, header, 'whsec_other', undefined, /does not match/],
    [BODY, signWebhook(BODY, SECRET, t - 301000), SECRET, undefined, /301 s old.*replayed/],
    [BODY, signWebhook(BODY, SECRET, t + 301000), SECRET, undefined, /in the future/],
    [BODY, signWebhook(BODY, SECRET, t - 20000), SECRET, { tolerance: 10000 }, /tolerance of 10 s/],
    [BODY, undefined, SECRET, undefined, /no Postcore-Signature header/],
    [BODY, null, SECRET, undefined, /no Postcore-Signature header/],
    [BODY, '', SECRET, undefined, /no Postcore-Signature header/],
    [BODY, 'nonsense', SECRET, undefined, /malformed/],
    [BODY, 't=abc,v1=00', SECRET, undefined, /not a Unix time/],
    [BODY, 'v1=00', SECRET, undefined, /no t=/],
    [BODY, `t=${s}`, SECRET, undefined, /no v1/],
    [BODY, `t=${s},t=${s},${header.split(',')[1]}`, SECRET, undefined, /more than one t/],
    [BODY, `t=${s},v1=zz`, SECRET, undefined, /does not match/],
    [BODY, header, '', undefined, /secret is empty/],
    ['{}', signWebhook('{}', SECRET, t), SECRET, undefined, /not a postcore event/]
  ]
  for (const [payload, signature, secret, options, message] of refused) {
    assert.throws(() => verifyWebhook(payload, signature, secret, options), (error) => {
      assert.ok(error instanceof WebhookSignatureError && error instanceof PostcoreError, String(error))
      assert.equal(error.name, 'WebhookSignatureError')
      assert.match(error.message, message)
      assert.ok(!error.message.includes(SECRET))
      return true
    }, String(message))
  }
  // Within a wider tolerance (in ms, as every Node time), an older delivery is fine.
  assert.equal(verifyWebhook(BODY, signWebhook(BODY, SECRET, t - 301000), SECRET, { tolerance: 400000 }).id, JSON.parse(BODY).id)
})

test('verifyWebhook: arguments of the wrong type', () => {
  const header = signWebhook(BODY, SECRET)
  assert.throws(() => verifyWebhook(JSON.parse(BODY), header, SECRET), { name: 'TypeError', message: /parsed body.*express\.raw/ })
  assert.throws(() => verifyWebhook(BODY, 5, SECRET), { name: 'TypeError', message: /header/ })
  assert.throws(() => verifyWebhook(BODY, header, Buffer.from(SECRET)), { name: 'TypeError', message: /secret/ })
  assert.throws(() => verifyWebhook(BODY, header, SECRET, { tolerance: '5' }), { name: 'TypeError', message: /tolerance/ })
  assert.throws(() => verifyWebhook(BODY, header, SECRET, { tolerance: -1 }), { name: 'RangeError', message: /tolerance/ })
  assert.throws(() => verifyWebhook(BODY, header, SECRET, { tolerence: 1 }), {
    name: 'TypeError', message: /unknown option "tolerence" for verifyWebhook\(\): did you mean tolerance\?/
  })
  assert.throws(() => signWebhook(BODY, ''), { name: 'RangeError', message: /secret/ })
  assert.throws(() => signWebhook(BODY, SECRET, '2030'), { name: 'TypeError', message: /timestamp/ })
})

test('a real event, signed and verified, is the same event', async () => {
  await mock.reset()
  const client = clientOf()
  const events = client.events({ consumer: 'signed', interval: 100 })
  const waiting = events.next()
  await firstPoll()
  await mock.seed({ profiles: [{ connect: ['linkedin'] }] })
  const { value: event } = await waiting
  await events.return()
  const body = JSON.stringify(event)
  assert.deepEqual(verifyWebhook(body, signWebhook(body, SECRET), SECRET), event)
  client.close()
})
