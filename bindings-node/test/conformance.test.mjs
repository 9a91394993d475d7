// Replays every cross-language scenario in tests/scenarios/ through the Node package against
// the local postcore server over real HTTP (see tests/README.md for the format).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

import * as postcore from 'postcore'
import { ROOT, API_KEY, WRONG_KEY, startMock, refusedUrl } from './helpers.mjs'

const SCENARIO_DIR = path.join(ROOT, 'tests', 'scenarios')
const files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).sort()

let mock
before(async () => { mock = await startMock() })
after(() => mock?.stop())

test('the scenario set is present', () => {
  assert.ok(files.length >= 30, `expected the full scenario set, found ${files.length}`)
})

for (const file of files) {
  const scenario = JSON.parse(readFileSync(path.join(SCENARIO_DIR, file), 'utf8'))
  test(`scenario ${scenario.name}`, async () => {
    await replay(scenario)
  })
}

async function replay (scenario) {
  await mock.reset()
  await mock.faults(scenario.faults ?? [])

  const spec = scenario.client
  const savedKey = process.env.POSTCORE_API_KEY
  delete process.env.POSTCORE_API_KEY
  const apiKey = { valid: API_KEY, invalid: WRONG_KEY }[spec.api_key]
  const options = { baseUrl: spec.base_url === 'refused' ? await refusedUrl() : mock.url }
  if (apiKey !== undefined) options.apiKey = apiKey
  if (spec.timeout_ms !== undefined) options.timeout = spec.timeout_ms
  if (spec.max_retries !== undefined) options.maxRetries = spec.max_retries

  const params = {}
  if (scenario.call.params?.profile_name !== undefined) {
    params.profileName = scenario.call.params.profile_name
  }
  const callOptions = {}
  if (scenario.call.options?.timeout_ms !== undefined) callOptions.timeout = scenario.call.options.timeout_ms
  if (scenario.call.options?.max_retries !== undefined) callOptions.maxRetries = scenario.call.options.max_retries
  assert.equal(scenario.call.method, 'create_profile')

  const started = performance.now()
  let result
  let error
  try {
    const client = new postcore.Postcore(options)
    result = await client.createProfile(params, callOptions)
  } catch (e) {
    error = e
  } finally {
    if (savedKey !== undefined) process.env.POSTCORE_API_KEY = savedKey
  }
  const elapsed = performance.now() - started

  const expect = scenario.expect
  if (expect.result !== undefined) {
    assert.equal(error, undefined, `expected a result, got ${error?.name}: ${error?.message}`)
    checkProfile(result, expect.result)
  } else {
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
  if (expect.min_elapsed_ms !== undefined) {
    assert.ok(elapsed >= expect.min_elapsed_ms, `took ${elapsed} ms, expected >= ${expect.min_elapsed_ms}`)
  }
  if (expect.max_elapsed_ms !== undefined) {
    assert.ok(elapsed <= expect.max_elapsed_ms, `took ${elapsed} ms, expected <= ${expect.max_elapsed_ms}`)
  }
  if (expect.request !== undefined) {
    const first = requests[0]
    assert.ok(first, 'no request recorded')
    assert.equal(first.method, expect.request.method)
    assert.equal(first.path, expect.request.path)
    for (const [name, value] of Object.entries(expect.request.headers ?? {})) {
      assert.equal(first.headers[name], value === '$API_KEY' ? apiKey : value, `header ${name}`)
    }
    assert.match(first.headers['user-agent'] ?? '', /^postcore-node\//)
    assert.deepEqual(JSON.parse(first.body), expect.request.json)
  }
}

function checkProfile (got, want) {
  assert.equal(Object.getPrototypeOf(got), Object.prototype, 'the profile is a plain object')
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort())
  for (const [key, wanted] of Object.entries(want)) {
    if (typeof wanted === 'string' && wanted.endsWith('*')) {
      const prefix = wanted.slice(0, -1)
      assert.ok(typeof got[key] === 'string' && got[key].startsWith(prefix) && got[key].length > prefix.length,
        `${key}: ${got[key]} does not match ${wanted}`)
    } else {
      assert.deepEqual(got[key], wanted, `profile field ${key}`)
    }
  }
}

function checkError (error, want) {
  const Class = postcore[want.type]
  assert.equal(typeof Class, 'function', `${want.type} is exported`)
  assert.ok(error instanceof Class, `expected ${want.type}, got ${error?.name}: ${error?.message}`)
  assert.ok(error instanceof postcore.PostcoreError)
  assert.ok(error instanceof Error)
  assert.equal(error.name, want.type)
  if ('status' in want) assert.equal(error.status, want.status, 'status')
  if ('code' in want) assert.equal(error.code, want.code, 'code')
  if (want.message_contains !== undefined) {
    assert.ok(error.message.includes(want.message_contains), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(want.message_contains)}`)
  }
  if (want.body_contains !== undefined) {
    // `body` is the parsed JSON when the body was JSON, else the raw text.
    const text = typeof error.body === 'string' ? error.body : JSON.stringify(error.body)
    assert.ok(text.includes(want.body_contains), `body ${text} lacks ${JSON.stringify(want.body_contains)}`)
  }
  for (const [key, value] of Object.entries(want.body_json ?? {})) {
    assert.ok(error.body !== null && typeof error.body === 'object', `body ${JSON.stringify(error.body)} is not JSON`)
    assert.deepEqual(error.body[key], value, `body JSON ${key}`)
  }
  if (want.retry_after !== undefined) assert.equal(error.retryAfter, want.retry_after, 'retryAfter')
}
