// Test helpers: start the local postcore server (`postcore-mock`) and script it over HTTP.
//
// The suite runs in place (bindings-node/test, importing the package by its own name) and, for
// other runtimes, copied into a fresh project where the packed tarball is installed
// (test/runtimes/run.sh): there POSTCORE_REPO names the repository, and the package is the
// installed one.
import { spawn } from 'node:child_process'
import http from 'node:http'
import { createServer } from 'node:net'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** The repository root: POSTCORE_REPO, else two levels up from bindings-node/test. */
export const ROOT = process.env.POSTCORE_REPO ?? fileURLToPath(new URL('../../', import.meta.url))
/** The directory of the test files (and their `fixtures/`). */
export const TEST_DIR = fileURLToPath(new URL('.', import.meta.url))
/** The package under test: the directory `postcore` resolves to (bindings-node, or installed). */
export const PACKAGE_DIR = path.dirname(path.dirname(require.resolve('postcore')))
/** The package's native binding (`native.js`), which the public API wraps. */
export const native = require(path.join(PACKAGE_DIR, 'native.js'))
/** A file of `fixtures/`. */
export const fixture = (name) => path.join(TEST_DIR, 'fixtures', name)
/** The key the test server accepts. */
export const API_KEY = 'pc_node_test_key'
/** A key the server refuses. */
export const WRONG_KEY = 'pc_wrong_key'

const MOCK_BIN = path.join(ROOT, 'target', 'debug', 'postcore-mock')

/**
 * Starts `postcore-mock --port 0` and resolves once it printed its URL.
 * @returns {Promise<MockServer>}
 */
export async function startMock () {
  if (!existsSync(MOCK_BIN)) {
    throw new Error(`${MOCK_BIN} is missing: run \`cargo build -p postcore-mock\` first`)
  }
  const child = spawn(MOCK_BIN, ['--port', '0', '--api-key', API_KEY], {
    stdio: ['ignore', 'pipe', 'ignore']
  })
  const url = await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('postcore-mock did not start')), 10000)
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`postcore-mock exited with ${code}`)))
    child.stdout.on('data', (chunk) => {
      out += chunk
      const newline = out.indexOf('\n')
      if (newline >= 0) {
        clearTimeout(timer)
        resolve(out.slice(0, newline).trim())
      }
    })
  })
  child.stdout.resume()
  return new MockServer(child, url)
}

/** A running `postcore-mock`, controlled through its `/__mock/*` endpoints. */
export class MockServer {
  constructor (child, url) {
    this.child = child
    this.url = url
    // Control requests share one keep-alive connection, so that they add exactly one socket
    // to the server's connection statistics (`connections()`), however many are made.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  }

  #control (method, route, body) {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    return new Promise((resolve, reject) => {
      const request = http.request(`${this.url}/__mock/${route}`, {
        method,
        agent: this.agent,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' }
      }, (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => { text += chunk })
        response.on('end', () => {
          if (response.statusCode >= 300) {
            reject(new Error(`${method} /__mock/${route}: ${response.statusCode} ${text}`))
          } else {
            resolve(response.headers['content-type']?.includes('json') ? JSON.parse(text) : null)
          }
        })
      })
      request.on('error', reject)
      request.end(payload)
    })
  }

  /** Forgets faults, recorded requests, profiles and rate-limit counts. */
  reset () { return this.#control('POST', 'reset') }
  /** Queues faults (a list, as in the scenario files) for the next API requests. */
  faults (list) { return this.#control('POST', 'faults', list) }
  /** Every API request the server saw since the last reset. */
  async requests () { return (await this.#control('GET', 'requests')).requests }
  /** Every profile the server stores. */
  async profiles () { return (await this.#control('GET', 'profiles')).profiles }
  /** Every post the server stores (due posts decided first). */
  async posts () { return (await this.#control('GET', 'posts')).posts }
  /** Adds profiles, connections and posts (see mock/src/lib.rs); `$NOW+n` templates allowed. */
  seed (seed) { return this.#control('POST', 'seed', seed) }
  /** Moves the server's clock by `seconds`; resolves to its new time (a `Date`). */
  async advance (seconds) { return new Date((await this.#control('POST', 'advance', { seconds })).now) }
  /** The server's clock (a `Date`, whole seconds). */
  async now () { return new Date((await this.#control('GET', 'clock')).now) }
  /** TCP connection counts: `{ open, max_open, total }`. */
  async connections () { return (await this.#control('GET', 'stats')).connections }
  /** Flags a profile's LinkedIn connection (`{ needsReconnect: true }`, `{ expired: true }`). */
  linkedin (profileKey, flags) { return this.#control('POST', 'linkedin', { profileKey, ...flags }) }

  /** Stops the server. */
  stop () {
    this.agent.destroy()
    this.child.kill()
  }
}

/** A loopback URL where nothing listens. */
export async function refusedUrl () {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}`
}

/**
 * Runs `node` with `args` in `cwd`, resolving to `{ code, signal, stdout, stderr, elapsed }`;
 * the child is killed after `timeoutMs`.
 */
export function runNode (args, { cwd = PACKAGE_DIR, env = process.env, timeoutMs = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', reject)
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, elapsed: Date.now() - started })
    })
  })
}

/** `export interface Name { ... }` blocks of every lib/*.d.ts, with their own field names. */
export function declaredInterfaces () {
  const interfaces = new Map()
  const lib = path.join(PACKAGE_DIR, 'lib')
  for (const file of readdirSync(lib).filter((f) => f.endsWith('.d.ts'))) {
    const text = readFileSync(path.join(lib, file), 'utf8')
    for (const match of text.matchAll(/export interface (\w+)(?:<[^>]*>)? (?:extends [^{]+)?\{\n([\s\S]*?)\n\}/g)) {
      const fields = [...match[2].matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1])
      interfaces.set(match[1], { file, fields })
    }
  }
  return interfaces
}
