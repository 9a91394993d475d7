// A server that closes idle keep-alive connections (as Node's http server does after
// keepAliveTimeout, nginx after keepalive_timeout): a call that comes after the close gets a
// fresh connection, never the dead one, including on the JavaScript-thread I/O path, where the
// runtime is not run while no call is in flight. POSTs are not retried on a broken connection,
// so a stale one would surface as an APIConnectionError.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'

import { Postcore } from 'postcore'

test('calls after the server closed an idle connection succeed', async () => {
  let requests = 0
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      requests++
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ profileKey: `prof_${requests}`, profileName: null }))
    })
  })
  server.keepAliveTimeout = 150
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const client = new Postcore({ apiKey: 'k', baseUrl: `http://127.0.0.1:${server.address().port}`, maxRetries: 0 })
    for (let i = 0; i < 12; i++) {
      const profile = await client.profiles.create({})
      assert.equal(profile.profileKey, `prof_${i + 1}`)
      // Around and past the server's idle timeout.
      await new Promise((resolve) => setTimeout(resolve, i % 2 ? 300 : 140))
    }
    assert.equal(requests, 12)
  } finally {
    server.close()
  }
})
