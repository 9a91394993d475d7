// Corporate networks, for real: a TLS server whose certificate comes from a CA generated for
// this run, in front of the local postcore server, and an HTTP CONNECT proxy (both from
// target/debug/postcore-testnet, built by test.sh). The unknown CA is refused; trusting it
// through `extraCaCerts`, NODE_EXTRA_CA_CERTS or SSL_CERT_FILE works; requests go through the
// proxy given as `proxy` or in HTTPS_PROXY, and the proxy sees them.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'

import { Postcore, APIConnectionError } from 'postcore'
import { API_KEY, ROOT, startMock } from './helpers.mjs'

const TESTNET = path.join(ROOT, 'target', 'debug', 'postcore-testnet')
let mock
let testnet
let dir
let net
const proxied = []

before(async () => {
  assert.ok(existsSync(TESTNET), `${TESTNET} is missing: run \`cargo build -p postcore-testnet\``)
  mock = await startMock()
  dir = mkdtempSync(path.join(tmpdir(), 'postcore-tls-'))
  const caFile = path.join(dir, 'ca.pem')
  testnet = spawn(TESTNET, ['--upstream', mock.url.replace('http://', ''), '--ca-out', caFile], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const lines = createInterface({ input: testnet.stdout })
  net = await new Promise((resolve, reject) => {
    testnet.once('exit', (code) => reject(new Error(`postcore-testnet exited with ${code}`)))
    lines.once('line', (line) => resolve({ ...JSON.parse(line), caFile }))
  })
  lines.on('line', (line) => {
    if (line.startsWith('proxy: ')) proxied.push(line.slice('proxy: '.length))
  })
})

after(async () => {
  testnet?.kill()
  await mock?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `body` with the environment variables of `vars` set, restoring them afterwards. */
async function withEnv (vars, body) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  Object.assign(process.env, vars)
  try {
    return await body()
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

async function proxiedCount (count) {
  for (let i = 0; i < 200 && proxied.length < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return proxied.length
}

const options = (extra = {}) => ({ apiKey: API_KEY, baseUrl: net.https_url, maxRetries: 0, ...extra })

test('an unknown CA is refused', async () => {
  await assert.rejects(new Postcore(options()).profiles.list(), (error) => {
    assert.ok(error instanceof APIConnectionError)
    assert.match(error.message, /certificate/i)
    return true
  })
})

test('the CA is trusted through extraCaCerts, NODE_EXTRA_CA_CERTS and SSL_CERT_FILE', async () => {
  const viaOption = await new Postcore(options({ extraCaCerts: net.caFile })).profiles.create({ profileName: 'option' })
  assert.match(viaOption.profileKey, /^prof_/)
  await withEnv({ NODE_EXTRA_CA_CERTS: net.caFile }, async () => {
    assert.deepEqual(await new Postcore(options()).profiles.list().then((p) => p.length), 1)
  })
  await withEnv({ SSL_CERT_FILE: net.caFile }, async () => {
    await new Postcore(options()).profiles.create({ profileName: 'ssl_cert_file' })
  })
})

test('requests go through the proxy option and HTTPS_PROXY', async () => {
  const port = net.https_url.split(':').pop()
  const before = proxied.length
  await new Postcore(options({ extraCaCerts: net.caFile, proxy: net.proxy_url })).profiles.list()
  assert.equal(await proxiedCount(before + 1), before + 1)
  assert.equal(proxied.at(-1), `CONNECT 127.0.0.1:${port} HTTP/1.1`)
  await withEnv({ HTTPS_PROXY: net.proxy_url }, async () => {
    await new Postcore(options({ extraCaCerts: net.caFile })).profiles.list()
  })
  assert.equal(await proxiedCount(before + 2), before + 2)
})
