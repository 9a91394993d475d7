// The exported error classes: hierarchy, names, instanceof, and the fields a real failure
// carries (status, code, message, body, headers, retryAfter).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'

import * as postcore from 'postcore'
import { API_KEY, WRONG_KEY, startMock, refusedUrl } from './helpers.mjs'

const {
  Postcore, PostcoreError, APIError, BadRequestError, AuthenticationError, PermissionDeniedError,
  NotFoundError, ConflictError, UnprocessableEntityError, RateLimitError, InternalServerError,
  APIResponseValidationError, APIConnectionError, APITimeoutError, ConfigurationError,
  PlatformsNotConnectedError, InvalidCredentialsError, WaitTimeoutError
} = postcore

let mock
before(async () => { mock = await startMock() })
after(() => mock?.stop())

// Each client has a rate budget of its own: a 429 one test provokes pauses no other test.
let clients = 0
const client = () => new Postcore({ apiKey: API_KEY, baseUrl: mock.url, store: `memory://errors-${++clients}` })

test('the class hierarchy matches the Python package', () => {
  const parents = new Map([
    [PostcoreError, Error],
    [APIError, PostcoreError],
    [BadRequestError, APIError],
    [PlatformsNotConnectedError, BadRequestError],
    [InvalidCredentialsError, BadRequestError],
    [AuthenticationError, APIError],
    [PermissionDeniedError, APIError],
    [NotFoundError, APIError],
    [ConflictError, APIError],
    [UnprocessableEntityError, APIError],
    [RateLimitError, APIError],
    [InternalServerError, APIError],
    [APIResponseValidationError, APIError],
    [APIConnectionError, PostcoreError],
    [APITimeoutError, APIConnectionError],
    [ConfigurationError, PostcoreError],
    [WaitTimeoutError, PostcoreError]
  ])
  for (const [Class, Parent] of parents) {
    assert.equal(Object.getPrototypeOf(Class), Parent, `${Class.name} extends ${Parent.name}`)
    const error = new Class('boom', { status: 418 })
    assert.equal(error.name, Class.name)
    assert.ok(error instanceof Error && error instanceof Parent)
    assert.equal(error.message, 'boom')
    assert.equal(error.status, 418)
    assert.equal(error.code, null)
    assert.equal(error.body, null)
    assert.equal(error.headers, null)
    assert.equal(error.retryAfter, null)
    assert.equal(error.bodyText, null)
    assert.equal(error.rateLimit, null)
    assert.equal(error.attempts, 0)
    assert.equal(error.mayHaveBeenProcessed, false)
    assert.ok(String(error).startsWith(`${Class.name}: boom`))
    assert.ok(typeof error.stack === 'string')
  }
})

test('401 INVALID_API_KEY: AuthenticationError with every field', async () => {
  await mock.reset()
  const bad = new Postcore({ apiKey: WRONG_KEY, baseUrl: mock.url })
  const error = await bad.createProfile({ profileName: 'x' }).then(() => null, (e) => e)
  assert.ok(error instanceof AuthenticationError)
  assert.ok(error instanceof APIError)
  assert.ok(error instanceof PostcoreError)
  assert.equal(error.name, 'AuthenticationError')
  assert.equal(error.status, 401)
  assert.equal(error.code, 'INVALID_API_KEY')
  assert.match(error.message, /Invalid API key/)
  assert.deepEqual(error.body, { error: 'INVALID_API_KEY', message: 'Invalid API key' })
  assert.equal(error.bodyText, '{"error":"INVALID_API_KEY","message":"Invalid API key"}')
  assert.equal(error.attempts, 1)
  assert.equal(error.mayHaveBeenProcessed, false)
  assert.equal(error.rateLimit.limit, 1_000_000_000) // the mock enforces no limit by default
  assert.equal(typeof error.rateLimit.remaining, 'number')
  assert.ok(error.rateLimit.reset instanceof Date)
  assert.equal(error.headers['content-type'], 'application/json')
  assert.ok('x-ratelimit-limit' in error.headers)
  for (const name of Object.keys(error.headers)) assert.equal(name, name.toLowerCase())
  assert.equal(error.retryAfter, null)
  assert.ok(!error.message.includes(WRONG_KEY), 'the key is not in the message')
  assert.ok(!inspect(error).includes(WRONG_KEY), 'the key is not in inspect()')
})

test('429 with retry_after: RateLimitError carrying retryAfter and the extra headers', async () => {
  await mock.reset()
  await mock.faults([{
    status: 429,
    body: { error: 'RATE_LIMIT_EXCEEDED', message: 'Rate limit exceeded. Try again in 243 seconds', retry_after: 243 },
    headers: { 'X-Request-Id': 'req_1' }
  }])
  const error = await client().createProfile({ profileName: 'x' }).then(() => null, (e) => e)
  assert.ok(error instanceof RateLimitError)
  assert.equal(error.status, 429)
  assert.equal(error.code, 'RATE_LIMIT_EXCEEDED')
  assert.equal(error.retryAfter, 243)
  assert.equal(error.body.retry_after, 243)
  assert.equal(error.headers['x-request-id'], 'req_1')
})

test('a non-JSON error body is kept as text', async () => {
  await mock.reset()
  await mock.faults([{ status: 503, body: 'upstream exploded' }])
  const error = await client().createProfile({}).then(() => null, (e) => e)
  assert.ok(error instanceof InternalServerError)
  assert.equal(error.status, 503)
  assert.equal(error.code, null)
  assert.equal(error.body, 'upstream exploded')
  assert.equal(error.bodyText, 'upstream exploded')
})

test('an unexpected status maps to APIError, keeping the code', async () => {
  await mock.reset()
  await mock.faults([{ status: 418, body: { error: 'TEAPOT', message: 'short and stout' } }])
  const error = await client().createProfile({}).then(() => null, (e) => e)
  assert.equal(error.constructor, APIError)
  assert.equal(error.name, 'APIError')
  assert.equal(error.code, 'TEAPOT')
})

test('connection refused: APIConnectionError without response fields', async () => {
  const refused = new Postcore({ apiKey: API_KEY, baseUrl: await refusedUrl(), maxRetries: 0 })
  const error = await refused.createProfile({}).then(() => null, (e) => e)
  assert.ok(error instanceof APIConnectionError)
  assert.ok(!(error instanceof APITimeoutError))
  assert.equal(error.name, 'APIConnectionError')
  assert.equal(error.status, null)
  assert.equal(error.code, null)
  assert.equal(error.body, null)
  assert.equal(error.headers, null)
  assert.equal(error.rateLimit, null)
  assert.equal(error.attempts, 1)
  assert.equal(error.mayHaveBeenProcessed, false)
})

test('a timeout: APITimeoutError, also an APIConnectionError', async () => {
  await mock.reset()
  await mock.faults([{ delay_ms: 1000 }])
  const error = await client().createProfile({}, { timeout: 150 }).then(() => null, (e) => e)
  assert.ok(error instanceof APITimeoutError)
  assert.ok(error instanceof APIConnectionError)
  assert.equal(error.name, 'APITimeoutError')
  assert.equal(error.status, null)
})

test('a 201 with an unusable body: APIResponseValidationError keeping the body', async () => {
  await mock.reset()
  await mock.faults([{ status: 201, body: { profileName: 'x' } }])
  const error = await client().createProfile({}).then(() => null, (e) => e)
  assert.ok(error instanceof APIResponseValidationError)
  assert.equal(error.status, 201)
  assert.deepEqual(error.body, { profileName: 'x' })
  assert.match(error.message, /profileKey/)
})

test('no API key anywhere: the constructor throws ConfigurationError naming POSTCORE_API_KEY', () => {
  const saved = process.env.POSTCORE_API_KEY
  delete process.env.POSTCORE_API_KEY
  try {
    assert.throws(() => new Postcore({ baseUrl: mock.url }), (error) => {
      assert.ok(error instanceof ConfigurationError)
      assert.ok(error instanceof PostcoreError)
      assert.equal(error.name, 'ConfigurationError')
      assert.match(error.message, /POSTCORE_API_KEY/)
      return true
    })
  } finally {
    if (saved !== undefined) process.env.POSTCORE_API_KEY = saved
  }
})

test('an unsafe base URL or a key with a newline: ConfigurationError that does not echo the key', () => {
  assert.throws(() => new Postcore({ apiKey: API_KEY, baseUrl: 'http://api.example.com' }), ConfigurationError)
  assert.throws(() => new Postcore({ apiKey: API_KEY, baseUrl: 'not a url' }), ConfigurationError)
  assert.throws(() => new Postcore({ apiKey: 'pc_secret\n', baseUrl: mock.url }), (error) => {
    assert.ok(error instanceof ConfigurationError)
    assert.ok(!error.message.includes('pc_secret'))
    return true
  })
})

test('the client does not show its key in inspect() or toString()', () => {
  const c = new Postcore({ apiKey: 'pc_very_secret', baseUrl: mock.url })
  assert.ok(!inspect(c).includes('pc_very_secret'))
  assert.ok(!String(c).includes('pc_very_secret'))
  assert.ok(!JSON.stringify(c).includes('pc_very_secret'))
  assert.equal(c.baseUrl, mock.url)
  assert.equal(c.timeout, 60000)
  assert.equal(c.maxRetries, 2)
})

test('class-specific fields: missingPlatforms, platform / nextAvailable, post', () => {
  const missing = new PlatformsNotConnectedError('x', { missingPlatforms: ['linkedin'] })
  assert.deepEqual(missing.missingPlatforms, ['linkedin'])
  assert.deepEqual(new PlatformsNotConnectedError('x').missingPlatforms, [])
  const spacing = new RateLimitError('x', { platform: 'linkedin', nextAvailable: '2025-01-15T14:01:00Z' })
  assert.equal(spacing.platform, 'linkedin')
  assert.equal(spacing.nextAvailable, '2025-01-15T14:01:00Z')
  assert.equal(new RateLimitError('x').platform, null)
  assert.equal(new WaitTimeoutError('x').post, null)
})

test('rateLimit and attempts on errors: a GET retried on 503 until it gives up', async () => {
  await mock.reset()
  const headers = { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '1736949660' }
  await mock.faults([{ status: 503, body: 'busy', headers, times: 2 }])
  const error = await client().profiles.list({ maxRetries: 1 }).then(() => null, (e) => e)
  assert.ok(error instanceof InternalServerError)
  assert.equal(error.attempts, 2)
  assert.deepEqual(error.rateLimit, { limit: 100, remaining: 7, reset: new Date(1736949660 * 1000) })
  assert.equal((await mock.requests()).length, 2)
})

test('a POST whose connection dropped after sending: mayHaveBeenProcessed, not resent', async () => {
  await mock.reset()
  await mock.faults([{ action: 'drop', process: true }])
  const error = await client().profiles.create({ profileName: 'maybe' }).then(() => null, (e) => e)
  assert.ok(error instanceof APIConnectionError)
  assert.equal(error.mayHaveBeenProcessed, true)
  assert.equal(error.attempts, 1)
  assert.equal((await mock.requests()).length, 1)
  assert.equal((await mock.profiles()).length, 1, 'the server did create it')
})

test('PlatformsNotConnectedError, InvalidCredentialsError and the spacing RateLimitError from the server', async () => {
  await mock.reset()
  await mock.seed({ profiles: [{ profileKey: 'prof_bsky', connect: ['bluesky'] }, { profileKey: 'prof_li', connect: ['linkedin'] }] })
  const c = client()
  const at = new Date((await mock.now()).getTime() + 3_600_000)
  const missing = await c.posts.create({ profileKey: 'prof_bsky', content: 'x', platforms: ['linkedin', 'bluesky'], scheduledFor: at })
    .then(() => null, (e) => e)
  assert.ok(missing instanceof PlatformsNotConnectedError && missing instanceof BadRequestError)
  assert.deepEqual(missing.missingPlatforms, ['linkedin'])
  assert.equal(missing.code, 'PLATFORMS_NOT_CONNECTED')

  const refused = await c.profiles.connectBluesky({ handle: 'x.bsky.social', appPassword: '0000-0000-0000-0000', profileKey: 'prof_li' })
    .then(() => null, (e) => e)
  assert.ok(refused instanceof InvalidCredentialsError && refused instanceof BadRequestError)
  assert.ok(!refused.message.includes('0000-0000-0000-0000') && !inspect(refused).includes('0000-0000-0000-0000'))

  await c.posts.create({ profileKey: 'prof_li', content: 'first', platforms: ['linkedin'], scheduledFor: at })
  const started = performance.now()
  const spacing = await c.posts.create({ profileKey: 'prof_li', content: 'second', platforms: ['linkedin'], scheduledFor: new Date(at.getTime() + 10_000) })
    .then(() => null, (e) => e)
  assert.ok(spacing instanceof RateLimitError)
  assert.equal(spacing.platform, 'linkedin')
  assert.equal(spacing.nextAvailable, new Date(at.getTime() + 60_000).toISOString().replace('.000Z', 'Z'))
  assert.equal(spacing.retryAfter, null)
  assert.ok(performance.now() - started < 2000, 'a wait beyond 30 s is not waited out')
})

test('WaitTimeoutError carries the post as last seen', async () => {
  await mock.reset()
  await mock.seed({
    profiles: [{ profileKey: 'prof_w', connect: ['bluesky'] }],
    posts: [{ postId: 'post_later', profileKey: 'prof_w', platform: 'bluesky', content: 'later', scheduledFor: '$NOW+3600' }]
  })
  const error = await client().posts.wait('post_later', { timeout: 300, interval: 50 }).then(() => null, (e) => e)
  assert.ok(error instanceof WaitTimeoutError && error instanceof PostcoreError)
  assert.equal(error.post.postId, 'post_later')
  assert.equal(error.post.status, 'pending')
  assert.match(error.message, /post_later/)
})
