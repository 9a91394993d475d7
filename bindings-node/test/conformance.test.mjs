// Replays every cross-language scenario in tests/scenarios/ through the Node package against
// the local postcore server over real HTTP. The format is tests/README.md's: single scenarios
// or families (a template deep-merged with each case), an optional seed and clock advance,
// faults, a client, one call, and the expectations checked below.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

import * as postcore from 'postcore'
import { ROOT, API_KEY, WRONG_KEY, native, startMock, refusedUrl } from './helpers.mjs'

const SCENARIO_DIR = path.join(ROOT, 'tests', 'scenarios')

/** Objects merge key by key; anything else in `over` replaces `base`. */
function merge (base, over) {
  if (isObject(base) && isObject(over)) {
    const out = { ...base }
    for (const [key, value] of Object.entries(over)) out[key] = key in base ? merge(base[key], value) : value
    return out
  }
  return over
}

function isObject (value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** Every scenario of every file, families expanded. */
function loadScenarios () {
  const scenarios = []
  for (const file of readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const data = JSON.parse(readFileSync(path.join(SCENARIO_DIR, file), 'utf8'))
    const cases = 'family' in data ? data.cases.map((c) => merge(data.template, c)) : [data]
    for (const scenario of cases) {
      assert.equal(typeof scenario.name, 'string', `a scenario in ${file} has no name`)
      scenarios.push({ file, scenario })
    }
  }
  return scenarios
}

const scenarios = loadScenarios()

let mock
before(async () => { mock = await startMock() })
after(() => mock?.stop())

test('the scenario set is present: every operation of the core is called by a scenario', (t) => {
  // No count of our own: the set is complete when it covers the core's table of operations
  // (as the Python and Rust runners check it).
  const called = new Set(scenarios.flatMap(({ scenario }) => [scenario, ...(scenario.then ?? [])])
    .map((s) => s.call?.method)
    .map((m) => (m === 'create_profile' ? 'profiles.create' : m)))
  const uncovered = native.operations().map((op) => op.name).filter((name) => !called.has(name))
  assert.deepEqual(uncovered, [], `operations without a scenario in tests/scenarios/ (${scenarios.length} loaded)`)
  // The format does not require unique names, but a repeated one makes reports ambiguous.
  const names = scenarios.map((s) => `${s.file}: ${s.scenario.name}`)
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))]
  if (repeated.length > 0) t.diagnostic(`scenario names used twice: ${repeated.join(', ')}`)
})

for (const { file, scenario } of scenarios) {
  test(`${file}: ${scenario.name}`, async () => {
    await replay(scenario)
  })
}

/**
 * How each operation is called in Node: (client, params, options) => result. Ids are
 * positional, `posts.wait` takes its timeout and interval in the options, and
 * `linkedInConnectUrl` is synchronous and takes no options.
 */
const CALLS = {
  create_profile: (c, p, o) => c.createProfile(p, o),
  'profiles.create': (c, p, o) => c.profiles.create(p, o),
  'profiles.list': (c, _p, o) => c.profiles.list(o),
  'profiles.delete': (c, p, o) => c.profiles.delete(p.profileKey, o),
  'profiles.linkedin_connect_url': (c, p) => c.profiles.linkedInConnectUrl(p),
  'profiles.connect_bluesky': (c, p, o) => c.profiles.connectBluesky(p, o),
  'posts.create': (c, p, o) => c.posts.create(p, o),
  'posts.list': (c, _p, o) => c.posts.list(o),
  'posts.retrieve': (c, p, o) => c.posts.retrieve(p.postId, o),
  'posts.delete': (c, p, o) => c.posts.delete(p.postId, o),
  'posts.wait': (c, { postId, timeout, interval }, o) => c.posts.wait(postId, { ...o, timeout, interval }),
  'posts.wait_many': (c, { postIds, timeout, interval }, o) => c.posts.waitMany(postIds, { ...o, timeout, interval }),
  // One step of a new iterator (so an event not acknowledged comes again).
  'events.next': async (c, p) => {
    const events = c.events(p)
    const { value } = await events.next()
    await events.return()
    return value
  }
}

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

/** The scenarios' seconds as Node's milliseconds, for the operations that take durations. */
function secondsToMs (method, params) {
  if (!['posts.wait', 'posts.wait_many', 'events.next'].includes(method)) return
  for (const name of ['timeout', 'interval']) {
    if (typeof params[name] === 'number') params[name] *= 1000
  }
}

/** `"$NOW+<n>"` / `"$NOW-<n>"`: seconds from the server's clock; else `undefined`. */
function nowOffset (value) {
  const match = typeof value === 'string' ? /^\$NOW([+-]\d+)?$/.exec(value) : null
  return match === null ? undefined : Number(match[1] ?? 0)
}

/** A timestamp as the API writes it: UTC, `Z`, no fraction when there is none. */
const apiTime = (date) => date.toISOString().replace('.000Z', 'Z')

/** Replaces `$NOW+n` strings (at any depth) with `convert(Date)`. */
function expandNow (value, now, convert) {
  const offset = nowOffset(value)
  if (offset !== undefined) return convert(new Date(now.getTime() + offset * 1000))
  if (Array.isArray(value)) return value.map((v) => expandNow(v, now, convert))
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandNow(v, now, convert)]))
  return value
}

const KNOWN_TOP = new Set(['name', 'description', 'client', 'call', 'seed', 'advance', 'faults', 'expect', 'then'])
const KNOWN_STEP_EXPECT = new Set(['result', 'same_result_as', 'error', 'server_requests', 'min_elapsed_ms', 'max_elapsed_ms'])
const KNOWN_EXPECT = new Set(['result', 'result_contains', 'result_exact', 'response', 'error', 'server_requests',
  'profiles_created', 'posts_stored', 'request', 'min_elapsed_ms', 'max_elapsed_ms'])

async function replay (scenario) {
  for (const key of Object.keys(scenario)) assert.ok(KNOWN_TOP.has(key), `unknown scenario key ${key}`)
  for (const key of Object.keys(scenario.expect)) assert.ok(KNOWN_EXPECT.has(key), `unknown expect key ${key}`)

  await mock.reset()
  if (scenario.seed !== undefined) await mock.seed(scenario.seed)
  if (scenario.advance !== undefined) await mock.advance(scenario.advance)
  await mock.faults(scenario.faults ?? [])
  const now = await mock.now()

  const spec = scenario.client
  const apiKey = { valid: API_KEY, invalid: WRONG_KEY, missing: undefined }[spec.api_key]
  assert.ok(['valid', 'invalid', 'missing'].includes(spec.api_key), `api_key ${spec.api_key}`)
  // A store of its own, so that no scenario's rate budget carries over to the next.
  const options = {
    baseUrl: spec.base_url === 'refused' ? await refusedUrl() : mock.url,
    store: `memory://scenario-${scenario.name}`
  }
  if (apiKey !== undefined) options.apiKey = apiKey
  if (spec.timeout_ms !== undefined) options.timeout = spec.timeout_ms
  if (spec.max_retries !== undefined) options.maxRetries = spec.max_retries
  if (spec.max_rate_limit_wait_ms !== undefined) options.maxRateLimitWait = spec.max_rate_limit_wait_ms

  const { method } = scenario.call
  const call = CALLS[method]
  assert.equal(typeof call, 'function', `no Node call for ${method}`)
  const params = {}
  for (const [name, value] of Object.entries(scenario.call.params ?? {})) {
    params[camel(name)] = expandNow(value, now, (date) => date)
  }
  secondsToMs(method, params)
  const callOptions = {}
  const given = scenario.call.options ?? {}
  if (given.timeout_ms !== undefined) callOptions.timeout = given.timeout_ms
  if (given.max_retries !== undefined) callOptions.maxRetries = given.max_retries
  if (given.headers !== undefined) callOptions.headers = given.headers

  const expect = scenario.expect
  const savedKey = process.env.POSTCORE_API_KEY
  delete process.env.POSTCORE_API_KEY
  const started = performance.now()
  let result
  let response
  let error
  let client
  try {
    client = new postcore.Postcore(options)
    const pending = call(client, params, callOptions)
    if (expect.response !== undefined) {
      assert.equal(typeof pending.withResponse, 'function', `${method} returns an APIPromise`);
      ({ data: result, response } = await pending.withResponse())
    } else {
      result = await pending
    }
  } catch (e) {
    error = e
  } finally {
    if (savedKey !== undefined) process.env.POSTCORE_API_KEY = savedKey
  }
  const elapsed = performance.now() - started

  const expected = (value) => expandNow(value, now, apiTime)
  if ('result' in expect || 'result_contains' in expect) {
    assert.equal(error, undefined, `expected a result, got ${error?.name}: ${error?.message}`)
    if ('result' in expect) matches(result, expected(expect.result), 'result', expect.result_exact === true)
    for (const part of expect.result_contains ?? []) {
      assert.equal(typeof result, 'string', 'result is a string')
      assert.ok(result.includes(part), `${result} lacks ${part}`)
    }
  }
  if (expect.response !== undefined) checkResponse(response, expect.response, 'response')
  if (expect.error !== undefined) {
    assert.notEqual(error, undefined, `expected an error, got ${JSON.stringify(result)}`)
    checkError(error, expect.error)
  }

  const requests = await mock.requests()
  if (expect.server_requests !== undefined) {
    assert.equal(requests.length, expect.server_requests, 'requests the server saw')
  }
  if (expect.profiles_created !== undefined) {
    assert.equal((await mock.profiles()).length, expect.profiles_created, 'profiles stored')
  }
  if (expect.posts_stored !== undefined) {
    assert.equal((await mock.posts()).length, expect.posts_stored, 'posts stored')
  }
  if (expect.min_elapsed_ms !== undefined) {
    assert.ok(elapsed >= expect.min_elapsed_ms, `took ${elapsed} ms, expected >= ${expect.min_elapsed_ms}`)
  }
  if (expect.max_elapsed_ms !== undefined) {
    assert.ok(elapsed <= expect.max_elapsed_ms, `took ${elapsed} ms, expected <= ${expect.max_elapsed_ms}`)
  }
  if (expect.request !== undefined) {
    const first = requests[0]
    assert.ok(first, 'no request recorded')
    const want = expect.request
    if (want.method !== undefined) assert.equal(first.method, want.method)
    if (want.path !== undefined) assert.equal(first.path, want.path)
    for (const [name, value] of Object.entries(want.headers ?? {})) {
      assert.equal(first.headers[name], value === '$API_KEY' ? apiKey : value, `header ${name}`)
    }
    assert.match(first.headers['user-agent'] ?? '', /^postcore-node\//)
    if ('json' in want) assert.deepEqual(JSON.parse(first.body), expected(want.json), 'request body')
  }

  // Further calls with the same client (what the first one left in its rate budget).
  // `same_result_as: k`: the result of call k (0 the main one, k the step then[k - 1]).
  const outcomes = [{ result, error }]
  for (const [i, step] of (scenario.then ?? []).entries()) {
    const where = `then[${i}]`
    for (const key of Object.keys(step.expect)) assert.ok(KNOWN_STEP_EXPECT.has(key), `${where}: unknown expect key ${key}`)
    assert.ok(client !== undefined, `${where}: the client was not built`)
    const stepCall = CALLS[step.call.method]
    assert.equal(typeof stepCall, 'function', `no Node call for ${step.call.method}`)
    const stepParams = {}
    for (const [name, value] of Object.entries(step.call.params ?? {})) {
      stepParams[camel(name)] = expandNow(value, now, (date) => date)
    }
    secondsToMs(step.call.method, stepParams)
    let stepResult
    let stepError
    const stepStarted = performance.now()
    try {
      stepResult = await stepCall(client, stepParams, {})
    } catch (e) {
      stepError = e
    }
    const stepElapsed = performance.now() - stepStarted
    const want = step.expect
    outcomes.push({ result: stepResult, error: stepError })
    if ('same_result_as' in want) {
      const earlier = outcomes[want.same_result_as]
      assert.ok(i >= want.same_result_as && earlier !== undefined, `${where}: same_result_as ${want.same_result_as}`)
      assert.equal(stepError, undefined, `${where}: expected a result, got ${stepError?.name}: ${stepError?.message}`)
      assert.equal(earlier.error, undefined, `${where}: call ${want.same_result_as} had no result`)
      assert.deepEqual(stepResult, earlier.result, `${where}: the result of call ${want.same_result_as}`)
    }
    if ('result' in want) {
      assert.equal(stepError, undefined, `${where}: expected a result, got ${stepError?.name}: ${stepError?.message}`)
      matches(stepResult, expected(want.result), `${where}.result`)
    }
    if (want.error !== undefined) {
      assert.notEqual(stepError, undefined, `${where}: expected an error, got ${JSON.stringify(stepResult)}`)
      checkError(stepError, want.error)
    }
    if (want.server_requests !== undefined) {
      assert.equal((await mock.requests()).length, want.server_requests, `${where}: requests the server saw in all`)
    }
    if (want.min_elapsed_ms !== undefined) assert.ok(stepElapsed >= want.min_elapsed_ms, `${where}: took ${stepElapsed} ms`)
    if (want.max_elapsed_ms !== undefined) assert.ok(stepElapsed <= want.max_elapsed_ms, `${where}: took ${stepElapsed} ms`)
  }
}

/**
 * README's matching: objects match when every key given matches, arrays item by item with the
 * same length, a string ending in `*` any string with that prefix, anything else by equality.
 * A `null` result also matches `undefined` (Node's deletions resolve to `undefined`).
 */
function matches (got, want, where, exact = false) {
  if (want === null) {
    assert.ok(got === null || got === undefined, `${where}: expected null, got ${JSON.stringify(got)}`)
  } else if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${where}: expected an array, got ${JSON.stringify(got)}`)
    assert.equal(got.length, want.length, `${where}: length`)
    want.forEach((item, i) => matches(got[i], item, `${where}[${i}]`, exact))
  } else if (isObject(want)) {
    assert.ok(isObject(got), `${where}: expected an object, got ${JSON.stringify(got)}`)
    assert.equal(Object.getPrototypeOf(got), Object.prototype, `${where} is a plain object`)
    for (const [key, value] of Object.entries(want)) {
      assert.ok(Object.hasOwn(got, key), `${where}.${key} is missing in ${JSON.stringify(got)}`)
      matches(got[key], value, `${where}.${key}`, exact)
    }
    if (exact) assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${where}: exactly these keys`)
  } else if (typeof want === 'string' && want.endsWith('*')) {
    const prefix = want.slice(0, -1)
    assert.ok(typeof got === 'string' && got.startsWith(prefix), `${where}: ${JSON.stringify(got)} does not match ${want}`)
  } else {
    assert.deepEqual(got, want, where)
  }
}

/** `response` (or an error's `rate_limit`): status, attempts, rate limit, headers. */
function checkResponse (response, want, where) {
  assert.ok(response, `${where}: no response metadata`)
  for (const key of Object.keys(want)) {
    assert.ok(['status', 'attempts', 'rate_limit', 'headers'].includes(key), `unknown ${where} key ${key}`)
  }
  if ('status' in want) assert.equal(response.status, want.status, `${where}.status`)
  if ('attempts' in want) assert.equal(response.attempts, want.attempts, `${where}.attempts`)
  if ('rate_limit' in want) checkRateLimit(response.rateLimit, want.rate_limit, `${where}.rateLimit`)
  for (const [name, value] of Object.entries(want.headers ?? {})) {
    assert.equal(response.headers[name], value, `${where}.headers[${name}]`)
  }
}

function checkRateLimit (got, want, where) {
  if (want === null) {
    assert.equal(got, null, where)
    return
  }
  assert.ok(got !== null && typeof got === 'object', `${where}: expected an object, got ${got}`)
  if ('limit' in want) assert.equal(got.limit, want.limit, `${where}.limit`)
  if ('remaining' in want) assert.equal(got.remaining, want.remaining, `${where}.remaining`)
  if (want.reset === true) {
    assert.ok(got.reset instanceof Date && !Number.isNaN(got.reset.getTime()), `${where}.reset is a Date`)
  }
}

const ERROR_KEYS = new Set(['type', 'status', 'code', 'message_contains', 'body_contains', 'body_json',
  'retry_after', 'retry_after_range', 'missing_platforms', 'platform', 'next_available', 'may_have_been_processed',
  'post_status', 'attempts', 'rate_limit'])

function checkError (error, want) {
  for (const key of Object.keys(want)) assert.ok(ERROR_KEYS.has(key), `unknown error key ${key}`)
  const builtin = { InvalidArgumentError: RangeError, InvalidArgumentTypeError: TypeError }[want.type]
  if (builtin !== undefined) {
    assert.equal(error?.constructor, builtin, `expected ${builtin.name}, got ${error?.name}: ${error?.message}`)
  } else {
    const Class = postcore[want.type]
    assert.equal(typeof Class, 'function', `${want.type} is exported`)
    assert.ok(error instanceof Class, `expected ${want.type}, got ${error?.name}: ${error?.message}`)
    assert.ok(error instanceof postcore.PostcoreError)
    assert.equal(error.name, want.type)
  }
  if ('status' in want) assert.equal(error.status, want.status, 'status')
  if ('code' in want) assert.equal(error.code, want.code, 'code')
  if (want.message_contains !== undefined) {
    assert.ok(error.message.includes(want.message_contains), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(want.message_contains)}`)
  }
  if (want.body_contains !== undefined) {
    assert.equal(typeof error.bodyText, 'string', 'bodyText')
    assert.ok(error.bodyText.includes(want.body_contains), `body ${error.bodyText} lacks ${JSON.stringify(want.body_contains)}`)
  }
  for (const [key, value] of Object.entries(want.body_json ?? {})) {
    assert.ok(isObject(error.body), `body ${JSON.stringify(error.body)} is not JSON`)
    assert.deepEqual(error.body[key], value, `body JSON ${key}`)
  }
  if ('retry_after' in want) assert.equal(error.retryAfter, want.retry_after, 'retryAfter')
  if ('retry_after_range' in want) {
    const [low, high] = want.retry_after_range
    assert.ok(error.retryAfter >= low && error.retryAfter <= high, `retryAfter ${error.retryAfter} not within [${low}, ${high}]`)
  }
  if ('missing_platforms' in want) assert.deepEqual(error.missingPlatforms, want.missing_platforms, 'missingPlatforms')
  if ('platform' in want) assert.equal(error.platform, want.platform, 'platform')
  if ('next_available' in want) {
    const present = typeof error.nextAvailable === 'string' && !Number.isNaN(Date.parse(error.nextAvailable))
    assert.equal(present, want.next_available, `nextAvailable ${error.nextAvailable}`)
  }
  if ('may_have_been_processed' in want) {
    assert.equal(error.mayHaveBeenProcessed, want.may_have_been_processed, 'mayHaveBeenProcessed')
  }
  if ('post_status' in want) assert.equal(error.post?.status, want.post_status, 'post.status')
  if ('attempts' in want) assert.equal(error.attempts, want.attempts, 'attempts')
  if ('rate_limit' in want) checkRateLimit(error.rateLimit, want.rate_limit, 'error.rateLimit')
}
