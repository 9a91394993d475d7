// The CommonJS entry point: require('postcore') works and its errors are the exported classes.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const postcore = require('postcore')

let mock
let helpers
before(async () => {
  helpers = await import('./helpers.mjs')
  mock = await helpers.startMock()
})
after(() => mock?.stop())

test('require(): create a profile, destructure profileKey', async () => {
  const client = new postcore.Postcore({ apiKey: helpers.API_KEY, baseUrl: mock.url, timeout: 5000, maxRetries: 1 })
  const { profileKey, profileName } = await client.createProfile({ profileName: 'User: john@example.com' })
  assert.match(profileKey, /^prof_/)
  assert.equal(profileName, 'User: john@example.com')
})

test('require(): errors are instances of the exported classes', async () => {
  await mock.reset()
  await mock.faults([{ status: 404, body: { error: 'PROFILE_NOT_FOUND', message: 'Profile not found' } }])
  const client = new postcore.Postcore({ apiKey: helpers.API_KEY, baseUrl: mock.url })
  await assert.rejects(client.createProfile({}), (error) => {
    assert.ok(error instanceof postcore.NotFoundError)
    assert.ok(error instanceof postcore.APIError)
    assert.ok(error instanceof postcore.PostcoreError)
    assert.equal(error.code, 'PROFILE_NOT_FOUND')
    assert.equal(error.status, 404)
    return true
  })
})

test('require(): VERSION matches package.json and the User-Agent', async () => {
  assert.equal(postcore.VERSION, require('postcore/package.json').version)
  await mock.reset()
  const client = new postcore.Postcore({ apiKey: helpers.API_KEY, baseUrl: mock.url })
  await client.createProfile({})
  const [request] = await mock.requests()
  assert.equal(request.headers['user-agent'], `postcore-node/${postcore.VERSION}`)
})
