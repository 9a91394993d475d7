// The network options: `proxy` (requests go through it; its password is never shown) and the
// extra CA certificates (`extraCaCerts`, `NODE_EXTRA_CA_CERTS`), which reach the core and are
// checked at construction. TLS servers and CONNECT proxies are tested elsewhere (issue 10).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { inspect } from 'node:util'
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { Postcore, ConfigurationError, APIConnectionError } from 'postcore'
import { API_KEY, fixture, refusedUrl } from './helpers.mjs'

const CA = fixture('test-ca.pem')
let dir
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'postcore-node-')) })
after(() => rmSync(dir, { recursive: true, force: true }))

/** Runs `body` with `NODE_EXTRA_CA_CERTS` set to `value`, restoring it afterwards. */
function withExtraCaEnv (value, body) {
  const saved = process.env.NODE_EXTRA_CA_CERTS
  process.env.NODE_EXTRA_CA_CERTS = value
  try {
    return body()
  } finally {
    if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS
    else process.env.NODE_EXTRA_CA_CERTS = saved
  }
}

test('extraCaCerts: PEM files are loaded at construction; a bad one is a ConfigurationError', () => {
  assert.ok(new Postcore({ apiKey: API_KEY, extraCaCerts: CA }))
  assert.ok(new Postcore({ apiKey: API_KEY, extraCaCerts: [CA, CA] }))
  const missing = path.join(dir, 'missing.pem')
  assert.throws(() => new Postcore({ apiKey: API_KEY, extraCaCerts: missing }), (error) => {
    assert.ok(error instanceof ConfigurationError)
    assert.ok(error.message.includes(missing), error.message)
    return true
  })
  const garbage = path.join(dir, 'garbage.pem')
  writeFileSync(garbage, 'not a certificate\n')
  assert.throws(() => new Postcore({ apiKey: API_KEY, extraCaCerts: [CA, garbage] }), ConfigurationError)
  assert.throws(() => new Postcore({ apiKey: API_KEY, extraCaCerts: [CA, 5] }), TypeError)
})

test('NODE_EXTRA_CA_CERTS is honoured like extraCaCerts, and named when it is wrong', () => {
  withExtraCaEnv(CA, () => assert.ok(new Postcore({ apiKey: API_KEY })))
  const missing = path.join(dir, 'nope.pem')
  withExtraCaEnv(missing, () => {
    assert.throws(() => new Postcore({ apiKey: API_KEY }), (error) => {
      assert.ok(error instanceof ConfigurationError)
      assert.match(error.message, /NODE_EXTRA_CA_CERTS/)
      assert.ok(error.message.includes(missing))
      return true
    })
  })
  // Its content reaches the core: a file that is not PEM is refused there.
  const garbage = path.join(dir, 'env-garbage.pem')
  writeFileSync(garbage, 'still not a certificate\n')
  withExtraCaEnv(garbage, () => assert.throws(() => new Postcore({ apiKey: API_KEY }), ConfigurationError))
  // Empty means unset, as for Node.
  withExtraCaEnv('', () => assert.ok(new Postcore({ apiKey: API_KEY })))
})

/** An HTTP proxy that answers every request itself, recording what it received. */
async function startProxy () {
  const seen = []
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers })
    req.resume()
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ profileKey: 'prof_via_proxy', profileName: null }))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, seen, port: server.address().port }
}

test('proxy: every request goes through it, with its credentials, which are never shown', async () => {
  const proxy = await startProxy()
  try {
    // The API address is not listening: only the proxy can answer.
    const api = await refusedUrl()
    const client = new Postcore({ apiKey: API_KEY, baseUrl: api, proxy: `http://user:s3cret-proxy-pw@127.0.0.1:${proxy.port}` })
    const profile = await client.profiles.create({ profileName: 'via proxy' })
    assert.equal(profile.profileKey, 'prof_via_proxy')
    assert.equal(proxy.seen.length, 1)
    const [request] = proxy.seen
    assert.equal(request.method, 'POST')
    assert.equal(request.url, `${api}/profiles/create`, 'absolute-form request line, as sent to a proxy')
    assert.equal(request.headers['proxy-authorization'], `Basic ${Buffer.from('user:s3cret-proxy-pw').toString('base64')}`)
    assert.equal(request.headers['x-api-key'], API_KEY)
    for (const shown of [inspect(client), String(client), JSON.stringify(client)]) {
      assert.ok(!shown.includes('s3cret-proxy-pw') && !shown.includes(API_KEY), shown)
    }
  } finally {
    proxy.server.close()
  }
  // A proxy that is down: a connection error that does not show the password.
  const down = await refusedUrl()
  const client = new Postcore({ apiKey: API_KEY, baseUrl: 'https://api.postcore.dev', proxy: down.replace('http://', 'http://u:hidden-pw@'), maxRetries: 0 })
  const error = await client.profiles.list().then(() => null, (e) => e)
  assert.ok(error instanceof APIConnectionError, `${error?.name}: ${error?.message}`)
  assert.ok(!error.message.includes('hidden-pw') && !inspect(error).includes('hidden-pw'), error.message)
})

test('a proxy URL that is not http(s) is a ConfigurationError', () => {
  assert.throws(() => new Postcore({ apiKey: API_KEY, proxy: 'socks5://127.0.0.1:1080' }), ConfigurationError)
  assert.throws(() => new Postcore({ apiKey: API_KEY, proxy: 'not a url' }), ConfigurationError)
})
