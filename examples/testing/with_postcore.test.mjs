// Testing code that uses postcore, with node:test: `npm install postcore`, then
// `node --test`. `postcore/testing` comes with the package: a local postcore server running
// inside the test process. Nothing reaches the real API.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { InternalServerError } from 'postcore'
import { startMockServer } from 'postcore/testing'

// The code under test: your app's own functions around postcore.
async function onboard (client, email) {
  const { profileKey } = await client.profiles.create({ profileName: `User: ${email}` })
  return profileKey
}

async function scheduleWelcome (client, profileKey, inMinutes) {
  const scheduledFor = new Date(Date.now() + inMinutes * 60_000)
  const { posts } = await client.posts.create({ profileKey, content: 'Hello from my app!', platforms: ['bluesky'], scheduledFor })
  return posts[0].postId
}

// The tests: one server for the file, emptied before each test.
let server
before(async () => { server = await startMockServer() })
beforeEach(() => server.reset())
after(() => server.close())

test('onboarding creates a profile', async () => {
  const key = await onboard(server.client(), 'ann@example.com')

  assert.deepEqual(server.profiles.map((p) => p.profileKey), [key])
  const [request] = server.requests // what your code sent
  assert.deepEqual([request.method, request.path], ['POST', '/profiles/create'])
  assert.deepEqual(request.body, { profileName: 'User: ann@example.com' })
})

test('onboarding reports an outage', async () => {
  server.failNext({ status: 503 }) // also body, headers, delay (ms), action: 'drop'

  await assert.rejects(onboard(server.client(), 'ann@example.com'), InternalServerError)
  assert.deepEqual(server.profiles, [])
})

test('the welcome post goes out', async () => {
  const client = server.client()
  const { profileKey } = await client.profiles.connectBluesky({ handle: 'ann.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' })
  const postId = await scheduleWelcome(client, profileKey, 5)
  assert.equal((await client.posts.retrieve(postId)).status, 'pending')

  server.advance({ seconds: 600 }) // the server's clock: the post is due, so it goes out

  assert.equal((await client.posts.retrieve(postId)).status, 'published')
})

test('any HTTP client can use it: the API docs\' fetch example', async () => {
  const response = await fetch(`${server.baseUrl}/profiles/create`, {
    method: 'POST',
    headers: { 'x-api-key': server.apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ profileName: 'User: john@example.com' })
  })
  const { profileKey } = await response.json()

  assert.equal(response.status, 201)
  assert.equal(server.profiles[0].profileKey, profileKey)
})
