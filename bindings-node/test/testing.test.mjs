// The testing kit, `postcore/testing`: the mock server compiled into the addon, its controls,
// the docs' `fetch` snippet against it, and a process that forgets `close()`. No external
// server is involved (helpers.mjs's `startMock` is not used here; its `runNode` is).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import net from 'node:net'

import * as postcore from 'postcore'
import { startMockServer, MockServer, DEFAULT_API_KEY } from 'postcore/testing'
import { fixture, runNode } from './helpers.mjs'

const require = createRequire(import.meta.url)
const APP_PASSWORD = 'abcd-efgh-ijkl-mnop'

/** Whether 127.0.0.1:port refuses connections (polling: a stop is asynchronous). */
async function refusesConnections (port, within = 2000) {
  const deadline = Date.now() + within
  for (;;) {
    const refused = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => { socket.destroy(); resolve(false) })
      socket.once('error', (e) => resolve(e.code === 'ECONNREFUSED'))
    })
    if (refused) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

test('the issue\'s API: client, requests, profiles, posts, advance, reset', async () => {
  const server = await startMockServer()
  try {
    assert.match(server.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.equal(server.apiKey, DEFAULT_API_KEY)
    assert.equal(DEFAULT_API_KEY, 'pc_test_key')
    assert.equal(server.dashboardUrl, `${server.baseUrl}/`)
    const client = server.client()
    assert.ok(client instanceof postcore.Postcore)
    assert.equal(client.baseUrl, server.baseUrl)
    const { profileKey } = await client.profiles.create({ profileName: 'User: a@example.com' })
    await client.profiles.connectBluesky({ profileKey, handle: 'ann.bsky.social', appPassword: APP_PASSWORD })
    const due = new Date(server.now().getTime() + 60_000)
    const { posts: [{ postId }] } = await client.posts.create({ profileKey, content: 'Hello', platforms: ['bluesky'], scheduledFor: due })

    assert.deepEqual(server.profiles.map((p) => p.profileKey), [profileKey])
    assert.equal(server.profiles[0].connectedPlatforms[0].username, 'ann.bsky.social')
    assert.deepEqual(server.posts.map((p) => [p.postId, p.status, p.content]), [[postId, 'pending', 'Hello']])

    const before = server.now()
    const after = server.advance({ seconds: 120 })
    assert.ok(after instanceof Date && after.getTime() - before.getTime() >= 119_000)
    assert.equal(server.posts[0].status, 'published')
    assert.equal((await client.posts.retrieve(postId)).status, 'published')

    const [first] = server.requests
    assert.deepEqual([first.method, first.path, first.status], ['POST', '/profiles/create', 201])
    assert.deepEqual(first.body, { profileName: 'User: a@example.com' })
    assert.equal(first.bodyText, '{"profileName":"User: a@example.com"}')
    assert.equal(first.headers['x-api-key'], server.apiKey)
    assert.equal(first.headers['content-type'], 'application/json')
    assert.match(first.headers['user-agent'], /^postcore-node\//)
    assert.match(first.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const last = server.requests.at(-1)
    assert.equal(last.path, `/posts/${postId}`)
    assert.equal(last.body, null)

    server.reset()
    assert.deepEqual([server.requests, server.profiles, server.posts], [[], [], []])
    assert.ok(Math.abs(server.now().getTime() - before.getTime()) < 60_000, 'the clock is back')
  } finally {
    await server.close()
  }
  assert.equal(server.running, false)
  assert.ok(await refusesConnections(server.port))
})

test('the docs\' fetch snippet against the kit', async () => {
  const server = await startMockServer({ apiKey: 'pc_fetch_key_1234' })
  try {
    const response = await fetch(`${server.baseUrl}/profiles/create`, {
      method: 'POST',
      headers: { 'x-api-key': server.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ profileName: 'User: john@example.com' })
    })
    assert.equal(response.status, 201)
    const { profileKey } = await response.json()
    assert.match(profileKey, /^prof_/)
    assert.equal(response.headers.get('x-ratelimit-limit'), '1000000000') // no limit enforced by default
    assert.equal(server.profiles[0].profileKey, profileKey)
    const wrong = await fetch(`${server.baseUrl}/profiles`, { headers: { 'x-api-key': 'nope' } })
    assert.equal(wrong.status, 401)
    assert.equal((await wrong.json()).error, 'INVALID_API_KEY')
  } finally {
    await server.close()
  }
})

test('failNext: status, body, headers, times, delay, drop, process, truncate', async () => {
  const server = await startMockServer()
  try {
    let client = server.client({ maxRetries: 0 })
    server.failNext({ status: 503 })
    await assert.rejects(client.profiles.list(), (e) => e instanceof postcore.InternalServerError && e.status === 503)
    assert.equal(server.requests.at(-1).status, 503)
    assert.deepEqual(await client.profiles.list(), [])

    server.failNext() // nothing said: a 500
    await assert.rejects(client.profiles.list(), (e) => e.status === 500)

    server.failNext({
      status: 429,
      body: { error: 'RATE_LIMIT_EXCEEDED', message: 'Slow down', retry_after: 600 },
      headers: { 'Retry-After': '600' }
    })
    await assert.rejects(client.profiles.create({ profileName: 'x' }),
      (e) => e instanceof postcore.RateLimitError && e.retryAfter === 600 && e.code === 'RATE_LIMIT_EXCEEDED')
    // The client now keeps to that pause by itself: nothing more reaches the server.
    const seen = server.requests.length
    await assert.rejects(client.profiles.list(),
      (e) => e instanceof postcore.RateLimitError && e.attempts === 0 && e.retryAfter > 590 && e.retryAfter <= 600)
    assert.equal(server.requests.length, seen)
    // A reset gives the clients made afterwards a fresh budget.
    server.reset()
    client = server.client({ maxRetries: 0 })

    server.failNext({ status: 502, times: 2 })
    for (let i = 0; i < 2; i++) await assert.rejects(client.profiles.list(), postcore.InternalServerError)
    assert.deepEqual(await client.profiles.list(), [])

    // The client retries a GET after a 503 by itself (default maxRetries: 2).
    server.failNext({ status: 503 })
    assert.deepEqual(await server.client().profiles.list(), [])
    assert.deepEqual(server.requests.slice(-2).map((r) => r.status), [503, 200])

    server.failNext({ status: 500, body: 'plain text' })
    await assert.rejects(client.profiles.list(), (e) => e.body === 'plain text')
    server.failNext({ status: 500, body: Buffer.from([0xff, 0xfe]) })
    await assert.rejects(client.profiles.list(), postcore.InternalServerError)

    server.failNext({ headers: { 'x-extra': 'yes' } }) // the real answer, with a header added
    const { response } = await client.profiles.list().withResponse()
    assert.equal(response.status, 200)
    assert.equal(response.headers['x-extra'], 'yes')

    server.failNext({ delay: 1500 }) // the real answer, late: later than the client waits
    let started = Date.now()
    await assert.rejects(client.profiles.list({ timeout: 300 }), postcore.APITimeoutError)
    assert.ok(Date.now() - started < 1400)
    server.failNext({ delay: 200 })
    started = Date.now()
    await client.profiles.list()
    assert.ok(Date.now() - started >= 190)

    server.failNext({ action: 'drop' })
    await assert.rejects(client.profiles.list(), postcore.APIConnectionError)
    assert.equal(server.requests.at(-1).status, null)

    // Processed, then the answer lost: the profile exists although the call failed.
    server.failNext({ action: 'drop', process: true })
    await assert.rejects(client.profiles.create({ profileName: 'ghost' }),
      (e) => e instanceof postcore.APIConnectionError && e.mayHaveBeenProcessed === true)
    assert.deepEqual(server.profiles.map((p) => p.profileName), ['ghost'])

    server.failNext({ action: 'truncate' })
    await assert.rejects(client.profiles.list(), postcore.APIConnectionError)
  } finally {
    await server.close()
  }
})

test('failNext and advance refuse nonsense before queuing anything', async () => {
  const server = await startMockServer()
  try {
    assert.throws(() => server.failNext({ action: 'explode' }), RangeError)
    assert.throws(() => server.failNext({ status: 42 }), RangeError)
    assert.throws(() => server.failNext({ status: 503, action: 'drop' }), RangeError)
    assert.throws(() => server.failNext({ delay: -1 }), RangeError)
    assert.throws(() => server.failNext({ times: 0 }), RangeError)
    assert.throws(() => server.failNext({ delay: '1' }), TypeError)
    assert.throws(() => server.failNext({ headers: { x: 1 } }), TypeError)
    assert.throws(() => server.failNext({ process: 'yes' }), TypeError)
    assert.throws(() => server.failNext('503'), TypeError)
    assert.throws(() => server.advance({ seconds: -5 }), RangeError)
    assert.throws(() => server.advance({ seconds: Number.NaN }), RangeError)
    assert.throws(() => server.advance({}), TypeError)
    assert.throws(() => server.seed({ profiles: [{ nope: 1 }] }), RangeError)
    assert.deepEqual(await server.client().profiles.list(), [], 'nothing was queued')
  } finally {
    await server.close()
  }
})

test('options: rateLimit, rateWindow, postsPerMonth, port; bad ones are refused', async () => {
  const server = await startMockServer({ rateLimit: 2, rateWindow: 30_000, postsPerMonth: 1 })
  try {
    let client = server.client({ maxRetries: 0 })
    const { response } = await client.profiles.list().withResponse()
    assert.equal(response.rateLimit.limit, 2)
    await client.profiles.list()
    // The window is spent: the client would wait for it, up to maxRateLimitWait.
    await assert.rejects(client.withOptions({ maxRateLimitWait: 0 }).profiles.list(),
      (e) => e instanceof postcore.RateLimitError && e.retryAfter <= 30 && e.attempts === 0)
    assert.equal(server.requests.length, 2)
    // Without the client's pacing, the server refuses the third request itself.
    server.advance({ seconds: 31 }) // a new window
    const statuses = []
    for (let i = 0; i < 3; i++) {
      statuses.push((await fetch(`${server.baseUrl}/profiles`, { headers: { 'x-api-key': server.apiKey } })).status)
    }
    assert.deepEqual(statuses, [200, 200, 429])
    server.reset() // a new window, and a fresh budget for the clients made from now on
    client = server.client({ maxRetries: 0 })
    const { profiles: [key] } = server.seed({ profiles: [{ connect: ['bluesky'] }] })
    const due = server.now().getTime() + 300_000
    await client.posts.create({ profileKey: key, content: 'one', platforms: ['bluesky'], scheduledFor: new Date(due) })
    await assert.rejects(
      client.posts.create({ profileKey: key, content: 'two', platforms: ['bluesky'], scheduledFor: new Date(due + 300_000) }),
      (e) => e.code === 'MONTHLY_LIMIT_EXCEEDED')

    // A taken port: Node's code, like node:net.
    await assert.rejects(startMockServer({ port: server.port }), (e) => e.code === 'EADDRINUSE' && e.port === server.port)
  } finally {
    await server.close()
  }
  for (const bad of [{ port: -1 }, { port: 70000 }, { rateWindow: 0 }, { rateWindow: 1500 }, { postsPerMonth: 1.5 }, { apiKey: '' }]) {
    await assert.rejects(startMockServer(bad), RangeError, JSON.stringify(bad))
  }
  await assert.rejects(startMockServer({ port: '4010' }), TypeError)
  await assert.rejects(startMockServer('fast'), TypeError)
})

test('close frees the port at once; a closed server refuses controls; close twice is harmless', async () => {
  const server = await startMockServer()
  const { port } = server
  await server.client().profiles.create()
  await server.close()
  assert.ok(await refusesConnections(port))
  assert.throws(() => server.requests, /closed/)
  assert.throws(() => server.failNext({ status: 503 }), /closed/)
  await server.close()
  assert.equal(String(server).includes(DEFAULT_API_KEY), false)
  const again = await startMockServer({ port })
  assert.equal(again.port, port)
  assert.deepEqual(again.profiles, [])
  await again.close()
  assert.equal(typeof MockServer, 'function')
  assert.throws(() => new MockServer(), TypeError) // not constructible by hand: use startMockServer()
})

test('require(\'postcore/testing\') is the same module as the ESM import', () => {
  const cjs = require('postcore/testing')
  assert.equal(cjs.startMockServer, startMockServer)
  assert.equal(cjs.MockServer, MockServer)
})

test('127.0.0.1 only', async () => {
  const server = await startMockServer()
  try {
    const ipv6 = await new Promise((resolve) => {
      const socket = net.connect(server.port, '::1')
      socket.once('connect', () => { socket.destroy(); resolve('connected') })
      socket.once('error', (e) => resolve(e.code))
    })
    assert.notEqual(ipv6, 'connected')
    const page = await fetch(server.dashboardUrl)
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type'), /text\/html/)
  } finally {
    await server.close()
  }
})

test('a process that forgets close() still exits', async () => {
  const { code, stdout, stderr, elapsed } = await runNode([fixture('kit-forgotten.mjs')], { timeoutMs: 20_000 })
  assert.equal(code, 0, stderr)
  assert.equal(stdout.trim(), '200 1')
  assert.ok(elapsed < 10_000, `exited after ${elapsed} ms`)
})

test('a garbage-collected server, or one whose worker ends, stops', async () => {
  const { code, stdout, stderr } = await runNode(['--expose-gc', fixture('kit-collected.mjs')], { timeoutMs: 20_000 })
  assert.equal(code, 0, stderr)
  assert.equal(stdout.trim(), 'true true true')
})
