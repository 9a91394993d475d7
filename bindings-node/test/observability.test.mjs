// Seeing what the SDK does (issue 24): `hooks` on every attempt, response, retry and wait; a
// `logger`; OpenTelemetry spans through the application's own @opentelemetry/api (one INTERNAL
// span per call, one CLIENT span per attempt, `traceparent` on the wire); nothing of it loaded
// without OpenTelemetry in use. Under Node the calls run on the JavaScript-thread driver, under
// Bun and Deno on the thread driver (test/runtimes/run.sh): both deliver the events here.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'

import { context, propagation, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'

import { Postcore, NotFoundError, APITimeoutError } from 'postcore'
import { startMockServer } from 'postcore/testing'
import { API_KEY, fixture, runNode, startMock } from './helpers.mjs'

const RETRY_503 = { status: 503, body: { error: 'UNAVAILABLE', message: 'try again' } }
const RETRY_429 = { status: 429, body: { error: 'RATE_LIMIT_EXCEEDED', message: 'x', retry_after: 0 } }
const APP_PASSWORD = 'abcd-efgh-ijkl-mnop'

let mock
const exporter = new InMemorySpanExporter()
const contextManager = new AsyncLocalStorageContextManager()

before(async () => {
  mock = await startMock()
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  context.setGlobalContextManager(contextManager.enable())
})
after(() => {
  // Bun and Deno run every test file in one process: leave no provider to the others.
  trace.disable()
  propagation.disable()
  context.disable()
  mock?.stop()
})
beforeEach(async () => {
  exporter.reset()
  await mock.reset()
})

function client (options = {}) {
  return new Postcore({ apiKey: API_KEY, baseUrl: mock.url, ...options })
}

/** Hooks recording `[hook, attempt, status]` and each event. */
function recorder (overrides = {}) {
  const calls = []
  const hook = (name) => (event) => { calls.push([name, event]) }
  const hooks = {
    onRequest: hook('onRequest'),
    onResponse: hook('onResponse'),
    onRetry: hook('onRetry'),
    onRateLimitWait: hook('onRateLimitWait'),
    ...overrides
  }
  return { calls, hooks, names: () => calls.map(([name, e]) => [name, e.attempt, e.status]) }
}

const named = (name) => exporter.getFinishedSpans().filter((s) => s.name === name)
const parentOf = (span) => span.parentSpanContext?.spanId
const sentTraceparents = async () => (await mock.requests()).map((r) => r.headers.traceparent)

// ---------------------------------------------------------------------------------- hooks

test('hooks see every attempt of a retried call, in order, with its fields', async () => {
  const seen = recorder()
  await mock.faults([RETRY_503])
  assert.deepEqual(await client({ hooks: seen.hooks, tracing: false }).posts.list(), [])
  assert.deepEqual(seen.names(), [
    ['onRequest', 1, undefined],
    ['onResponse', 1, 503],
    ['onRetry', 1, undefined],
    ['onRequest', 2, undefined],
    ['onResponse', 2, 200]
  ])
  for (const [, event] of seen.calls) {
    assert.deepEqual([event.operation, event.method, event.path], ['posts.list', 'GET', '/posts'])
    assert.ok(event.elapsed >= 0)
  }
  const retry = seen.calls[2][1]
  assert.equal(retry.reason, '503')
  assert.ok(retry.delay > 0 && retry.delay <= 1000, `delay ${retry.delay} ms`)
})

test('a hook that throws or rejects is reported and ignored', async () => {
  const errors = []
  const logger = { debug () {}, info () {}, warn () {}, error: (message, error) => errors.push([message, error]) }
  const seen = recorder({
    onRequest () { throw new Error('hook bug') },
    async onRetry () { throw new Error('async hook bug') }
  })
  await mock.faults([RETRY_429])
  const profile = await client({ hooks: seen.hooks, logger }).profiles.create({ profileName: 'still created' })
  assert.equal(profile.profileName, 'still created')
  assert.deepEqual(seen.names(), [['onResponse', 1, 429], ['onResponse', 2, 201]])
  await new Promise((resolve) => setImmediate(resolve))
  const messages = errors.map(([message, error]) => `${message}: ${error.message}`).sort()
  assert.deepEqual(messages, [
    'postcore: the onRequest hook threw (ignored; the call goes on): hook bug',
    'postcore: the onRequest hook threw (ignored; the call goes on): hook bug',
    'postcore: the onRetry hook threw (ignored; the call goes on): async hook bug'
  ])
})

test('hooks see the waits for the rate budget', async () => {
  // Two requests per second: the third call waits for the next window.
  const server = await startMockServer({ rateLimit: 2, rateWindow: 1000 })
  try {
    const seen = recorder()
    const c = server.client({ hooks: seen.hooks, store: 'memory://node-hooks-rate-budget' })
    for (let i = 0; i < 3; i++) await c.profiles.list()
    const waits = seen.calls.filter(([name]) => name === 'onRateLimitWait').map(([, e]) => e)
    assert.ok(waits.length > 0, JSON.stringify(seen.names()))
    for (const wait of waits) {
      assert.deepEqual([wait.budget, wait.method, wait.path], ['general', 'GET', '/profiles'])
      assert.ok(wait.delay > 0 && wait.delay <= 2000, `delay ${wait.delay} ms`)
      assert.equal(wait.seconds, wait.delay / 1000)
    }
  } finally {
    await server.close()
  }
})

test('a logger receives each attempt and retry at debug, never the key', async () => {
  const lines = []
  const logger = { debug: (l) => lines.push(['debug', l]), info () {}, warn: (l) => lines.push(['warn', l]), error () {} }
  await mock.faults([RETRY_429])
  await client({ logger, tracing: false }).profiles.create({ profileName: 'logged' })
  const text = lines.map(([level, line]) => `${level} ${line}`)
  assert.match(text[0], /^debug POST \/profiles\/create attempt=1\/3 status=429 elapsed_ms=\d+$/)
  assert.equal(text[1], 'debug retrying in 0.000s')
  assert.match(text[2], /^debug POST \/profiles\/create attempt=2\/3 status=201 elapsed_ms=\d+$/)
  assert.equal(lines.length, 3)
  assert.ok(!JSON.stringify(lines).includes(API_KEY))
})

test('options are checked', () => {
  assert.throws(() => client({ hooks: { onRetry: 5 } }), { name: 'TypeError', message: /options\.hooks\.onRetry must be a function/ })
  assert.throws(() => client({ hooks: { onRetryy () {} } }), { name: 'TypeError', message: /unknown hook "onRetryy"/ })
  assert.throws(() => client({ logger: { debug () {} } }), { name: 'TypeError', message: /options\.logger must have debug, info, warn and error/ })
  assert.throws(() => client({ tracing: 'yes' }), { name: 'TypeError', message: /options\.tracing must be a boolean/ })
})

test('hooks and spans hold no secrets', async () => {
  const seen = recorder()
  await client({ hooks: seen.hooks }).profiles.connectBluesky({ handle: 'ann.bsky.social', appPassword: APP_PASSWORD })
  const text = JSON.stringify([seen.calls, exporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.events])])
  assert.ok(seen.calls.length > 0 && text.includes('profiles.connect_bluesky'))
  assert.ok(!text.includes(APP_PASSWORD) && !text.includes(API_KEY))
})

// -------------------------------------------------------------------------- OpenTelemetry

test('a call is a span under the caller\'s, with a CLIENT span per attempt and its traceparent', async () => {
  const c = client()
  const parent = trace.getTracer('app').startSpan('handle signup')
  const profile = await context.with(trace.setSpan(context.active(), parent), () =>
    c.profiles.create({ profileName: 'traced' }))
  parent.end()
  assert.equal(profile.profileName, 'traced')
  const [call] = named('profiles.create')
  const [attempt] = named('POST /profiles/create')
  assert.equal(call.kind, SpanKind.INTERNAL)
  assert.equal(attempt.kind, SpanKind.CLIENT)
  assert.equal(parentOf(call), parent.spanContext().spanId)
  assert.equal(parentOf(attempt), call.spanContext().spanId)
  assert.deepEqual(call.attributes, { 'postcore.operation': 'profiles.create', 'postcore.attempts': 1 })
  const { hostname, port } = new URL(mock.url)
  assert.deepEqual(attempt.attributes, {
    'http.request.method': 'POST',
    'server.address': hostname,
    'server.port': Number(port),
    'url.full': `${mock.url}/profiles/create`,
    'url.template': '/profiles/create',
    'http.response.status_code': 201
  })
  assert.equal(call.status.code, SpanStatusCode.UNSET)
  const [sent] = await sentTraceparents()
  const [version, traceId, spanId] = sent.split('-')
  assert.equal(version, '00')
  assert.equal(traceId, attempt.spanContext().traceId)
  assert.equal(traceId, parent.spanContext().traceId)
  assert.equal(spanId, attempt.spanContext().spanId)
})

test('a retried GET has one CLIENT span per attempt, the second a resend', async () => {
  await mock.faults([RETRY_503])
  await client().posts.list()
  const [call] = named('posts.list')
  const [first, second] = named('GET /posts').sort((a, b) => a.startTime[1] - b.startTime[1] + (a.startTime[0] - b.startTime[0]) * 1e9)
  assert.equal(call.attributes['postcore.attempts'], 2)
  assert.equal(parentOf(first), call.spanContext().spanId)
  assert.equal(parentOf(second), call.spanContext().spanId)
  assert.equal(first.attributes['http.response.status_code'], 503)
  assert.equal(first.attributes['error.type'], '503')
  assert.equal(first.status.code, SpanStatusCode.ERROR)
  assert.equal(first.attributes['http.request.resend_count'], undefined)
  assert.equal(second.attributes['http.request.resend_count'], 1)
  assert.equal(second.status.code, SpanStatusCode.UNSET)
  const retry = call.events.find((e) => e.name === 'postcore.retry')
  assert.equal(retry.attributes['postcore.reason'], '503')
  const sent = (await sentTraceparents()).map((t) => t.split('-')[2])
  assert.deepEqual(sent, [first.spanContext().spanId, second.spanContext().spanId])
})

test('a 404 fails the call\'s span and its attempt\'s', async () => {
  await assert.rejects(client().posts.retrieve('post_missing'), NotFoundError)
  const [call] = named('posts.retrieve')
  const [attempt] = named('GET /posts/{postId}')
  assert.equal(call.attributes['error.type'], 'NotFoundError')
  assert.equal(call.status.code, SpanStatusCode.ERROR)
  assert.equal(attempt.attributes['error.type'], '404')
  assert.equal(attempt.attributes['url.full'], `${mock.url}/posts/post_missing`)
})

test('a timeout is the attempt\'s error.type', async () => {
  await mock.faults([{ delay_ms: 2000 }])
  await assert.rejects(client({ timeout: 300, maxRetries: 0 }).profiles.list(), APITimeoutError)
  const [call] = named('profiles.list')
  const [attempt] = named('GET /profiles')
  assert.equal(attempt.attributes['error.type'], 'timeout')
  assert.equal(attempt.attributes['http.response.status_code'], undefined)
  assert.equal(attempt.status.code, SpanStatusCode.ERROR)
  assert.equal(call.attributes['error.type'], 'APITimeoutError')
})

test('a wait is one span with its polls and the pauses between them', async () => {
  await mock.seed({
    profiles: [{ profileKey: 'prof_t', connect: ['bluesky'] }],
    posts: [{ postId: 'post_t', profileKey: 'prof_t', platform: 'bluesky', content: 'soon', scheduledFor: '$NOW+2' }]
  })
  const post = await client().posts.wait('post_t', { timeout: 10000, interval: 200 })
  assert.equal(post.status, 'published')
  const [call] = named('posts.wait')
  const polls = named('GET /posts/{postId}')
  assert.ok(polls.length >= 2)
  assert.ok(polls.every((p) => parentOf(p) === call.spanContext().spanId))
  assert.equal(call.attributes['postcore.attempts'], polls.length)
  assert.equal(call.events.filter((e) => e.name === 'postcore.poll_wait').length, polls.length - 1)
  assert.deepEqual(named('posts.retrieve'), [])
})

test('tracing: false makes no spans and sends no traceparent', async () => {
  await client({ tracing: false }).profiles.list()
  assert.deepEqual(exporter.getFinishedSpans(), [])
  assert.deepEqual(await sentTraceparents(), [undefined])
})

test('without OpenTelemetry in use, require(\'postcore\') loads none of it', async () => {
  const run = await runNode([fixture('no-otel.cjs')], {
    env: { ...process.env, POSTCORE_API_KEY: API_KEY, POSTCORE_BASE_URL: mock.url }
  })
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(JSON.parse(run.stdout), { loaded: [], listed: true })
})
