// Node clients under test. Each factory returns `call()`, an async function that creates one
// profile and resolves to its key. Libraries load inside the factory, so a worker process
// only loads the one it measures.

import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

const BASE_URL = process.env.POSTCORE_BASE_URL
const API_KEY = process.env.POSTCORE_API_KEY
const URL = `${BASE_URL}/profiles/create`
const NAME = 'User: john@example.com'

export const CLIENTS = {
  // Our package, loaded by relative path from the working tree (its package.json `main`).
  postcore () {
    const { Postcore } = require('../../bindings-node')
    const client = new Postcore({ apiKey: API_KEY, baseUrl: BASE_URL })
    return async () => (await client.createProfile({ profileName: NAME })).profileKey
  },

  // Ours with a no-op hook on every attempt and response: the cost of the hooks' plumbing.
  postcoreHook () {
    const { Postcore } = require('../../bindings-node')
    const noop = () => {}
    const client = new Postcore({ apiKey: API_KEY, baseUrl: BASE_URL, hooks: { onRequest: noop, onResponse: noop } })
    return async () => (await client.createProfile({ profileName: NAME })).profileKey
  },

  // Ours with OpenTelemetry on, as an application configures it: a registered SDK tracer
  // provider and the W3C propagator (no exporter: only the SDK's and our own work is measured).
  // OpenTelemetry is the Node package's pinned dev dependency.
  postcoreOtel () {
    const fromPackage = createRequire(new globalThis.URL('../../bindings-node/package.json', import.meta.url))
    const { trace, propagation } = fromPackage('@opentelemetry/api')
    const { BasicTracerProvider } = fromPackage('@opentelemetry/sdk-trace-base')
    const { W3CTraceContextPropagator } = fromPackage('@opentelemetry/core')
    trace.setGlobalTracerProvider(new BasicTracerProvider())
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    return CLIENTS.postcore()
  },

  // The docs' snippet: global fetch (undici inside Node, keep-alive through its global agent).
  fetch () {
    return async () => {
      const response = await fetch(URL, {
        method: 'POST',
        headers: { 'x-api-key': API_KEY, 'Content-Type': 'application/json' },
        body: JSON.stringify({ profileName: NAME })
      })
      const { profileKey } = await response.json()
      return profileKey
    }
  },

  // undici's request API (the pinned package, not Node's bundled copy).
  undici () {
    const { request } = require('undici')
    return async () => {
      const { statusCode, body } = await request(URL, {
        method: 'POST',
        headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ profileName: NAME })
      })
      const { profileKey } = await body.json()
      if (statusCode !== 201) throw new Error(`status ${statusCode}`)
      return profileKey
    }
  },

  // undici's Pool bound to the origin: what a performance-minded Node user would pick (no
  // global dispatcher lookup, no URL parsing per call; keep-alive sockets of its own).
  undiciPool () {
    const { Pool } = require('undici')
    const pool = new Pool(BASE_URL)
    const headers = { 'x-api-key': API_KEY, 'content-type': 'application/json' }
    return async () => {
      const { statusCode, body } = await pool.request({
        path: '/profiles/create',
        method: 'POST',
        headers,
        body: JSON.stringify({ profileName: NAME })
      })
      const { profileKey } = await body.json()
      if (statusCode !== 201) throw new Error(`status ${statusCode}`)
      return profileKey
    }
  }
}
