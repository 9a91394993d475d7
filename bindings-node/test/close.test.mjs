// Shutting a client down (close(), every pooled socket closed) and what an error from a call
// tells about where it was made (its stack goes through the caller's frames).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'

import { APIConnectionError, AuthenticationError, Postcore } from 'postcore'
import { API_KEY, WRONG_KEY, startMock } from './helpers.mjs'

let mock
before(async () => { mock = await startMock() })
after(() => mock?.stop())

/** The client connections open at the server, once they drop to `atMost` (or after 3 s). */
async function settledOpen (atMost) {
  const deadline = Date.now() + 3000
  for (;;) {
    const { open } = await mock.connections()
    if (open <= atMost || Date.now() > deadline) return open
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test('close() closes every pooled connection, of the clients made with withOptions too', async () => {
  const before = await settledOpen(1) // the control requests keep one socket open
  const client = new Postcore({ apiKey: API_KEY, baseUrl: mock.url, maxConnections: 20 })
  const patient = client.withOptions({ timeout: 30_000 })
  await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? client : patient).profiles.list()))
  assert.ok((await mock.connections()).open > before, 'the pool keeps its connections')
  assert.equal(client.closed, false)
  patient.close()
  assert.equal(client.closed, true)
  assert.equal(await settledOpen(before), before)
  await assert.rejects(client.profiles.list(), (e) => e instanceof APIConnectionError && /closed/.test(e.message))
  client.close() // twice is harmless
})

test('an error from a call has a stack through the caller, not only the package', async () => {
  const client = new Postcore({ apiKey: WRONG_KEY, baseUrl: mock.url, maxRetries: 0 })
  async function loadTheProfilesOfMyApp () {
    return await client.profiles.list()
  }
  const error = await loadTheProfilesOfMyApp().then(() => null, (e) => e)
  assert.ok(error instanceof AuthenticationError)
  assert.match(error.stack, /^AuthenticationError: /)
  assert.match(error.stack, /loadTheProfilesOfMyApp/)
  assert.match(error.stack, /close\.test\.mjs/)
  assert.doesNotMatch(error.stack, /fromNative/)
  // The same through .withResponse() and .catch().
  const viaResponse = await client.posts.list().withResponse().then(() => null, (e) => e)
  assert.match(viaResponse.stack, /close\.test\.mjs/)
  const viaCatch = await client.posts.list().catch((e) => e)
  assert.match(viaCatch.stack, /close\.test\.mjs/)
})
