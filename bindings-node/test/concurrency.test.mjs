// Many calls at once on one client (one connection pool) and through the top-level function.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'

import { Postcore, createProfile } from 'postcore'
import { API_KEY, startMock } from './helpers.mjs'

let mock
before(async () => { mock = await startMock() })
after(() => mock?.stop())

test('1,000 concurrent createProfile calls with Promise.all complete', async () => {
  await mock.reset()
  const client = new Postcore({ apiKey: API_KEY, baseUrl: mock.url })
  const profiles = await Promise.all(
    Array.from({ length: 1000 }, (_, i) => client.createProfile({ profileName: `user ${i}` }))
  )
  assert.equal(profiles.length, 1000)
  assert.equal(new Set(profiles.map((p) => p.profileKey)).size, 1000)
  profiles.forEach((p, i) => assert.equal(p.profileName, `user ${i}`))
  assert.equal((await mock.profiles()).length, 1000)
  assert.equal((await mock.requests()).length, 1000, 'no call was retried')
})

test('the top-level createProfile() reads POSTCORE_API_KEY / POSTCORE_BASE_URL and is reused', async () => {
  await mock.reset()
  process.env.POSTCORE_API_KEY = API_KEY
  process.env.POSTCORE_BASE_URL = mock.url
  const profiles = await Promise.all(
    Array.from({ length: 100 }, (_, i) => createProfile({ profileName: `env ${i}` }))
  )
  assert.equal(new Set(profiles.map((p) => p.profileKey)).size, 100)
  const requests = await mock.requests()
  assert.equal(requests.length, 100)
  assert.equal(requests[0].headers['x-api-key'], API_KEY)
  assert.match(requests[0].headers['user-agent'], /^postcore-node\/\d+\.\d+\.\d+/)
})
