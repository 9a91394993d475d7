/**
 * `postcore/testing`: a local postcore server inside the package, for testing the code you
 * write around postcore without calling the real API (which posts to real LinkedIn and Bluesky
 * accounts and allows 100 requests per 15 minutes).
 *
 * It is the `postcore-mock` server compiled into the addon and running in your test process,
 * on 127.0.0.1 only: every endpoint with the documented bodies, status codes, errors and
 * rate-limit headers, a clock you can move, and scripted failures.
 *
 * ```ts
 * import { startMockServer } from 'postcore/testing'
 *
 * const server = await startMockServer()     // a free port on 127.0.0.1
 * const client = server.client()             // a Postcore pointed at it
 * const { profileKey } = await client.profiles.create({ profileName: 'User: a@example.com' })
 * server.failNext({ status: 503 })           // also body, headers, delay (ms), action: 'drop'
 * server.requests                            // what it received: method, path, headers, JSON body
 * server.profiles; server.posts              // what it stores
 * server.advance({ seconds: 120 })           // move its clock: scheduled posts get published
 * server.reset()
 * await server.close()
 * ```
 *
 * A process that forgets `close()` still exits: the server holds nothing that keeps Node's
 * event loop alive (and stops with its object, once garbage-collected, or with its worker).
 *
 * @module
 */

import { randomBytes } from 'node:crypto'
import native = require('../native.js')
import { Postcore } from './client.js'
import type { Post, Profile } from './models.js'
import type { ClientOptions } from './options.js'
import { toWire } from './wire.js'
import { checkObject, describe, headerPairs, optionalNumber, optionalString, rangeError, typeError } from './options.js'

/** The key a server accepts when none is given (`"pc_test_key"`). */
export const DEFAULT_API_KEY: string = native.mockDefaultApiKey()

/** Options of `startMockServer()`. */
export interface MockServerOptions {
  /** The key it accepts in `x-api-key` (default `"pc_test_key"`). */
  apiKey?: string
  /** The port on 127.0.0.1 (default 0: a free one; see `server.baseUrl`). */
  port?: number
  /**
   * Answer 429 `RATE_LIMIT_EXCEEDED` past this many requests per window (default: report the
   * documented limit of 100 in the headers, never enforce it).
   */
  rateLimit?: number | null
  /** The rate-limit window in milliseconds, a whole number of seconds (default 900000: 15 minutes). */
  rateWindow?: number
  /** The monthly post quota (default 10, the Free plan). */
  postsPerMonth?: number
}

/**
 * How a request hit by `failNext()` ends: `'respond'` (send a response), `'drop'` (read the
 * request, then close the connection without answering), `'reset'` (on a new connection: reset
 * it before reading the request, so nothing is processed or recorded) or `'truncate'` (send
 * the status and headers, then fewer body bytes than announced).
 */
export type FaultAction = 'respond' | 'drop' | 'reset' | 'truncate'

/** Options of `server.failNext()`. */
export interface FailNextOptions {
  /**
   * Answer with this status instead of handling the request. Default 500, except when only
   * `delay` and/or `headers` are given: then the real response is sent, late and/or with
   * those headers.
   */
  status?: number
  /**
   * The response body: a string is sent as is (`text/plain`), a `Uint8Array` / `Buffer` as
   * is (`application/octet-stream`), anything else as JSON. Strings of the form `"$NOW"`,
   * `"$NOW+60"`, `"$NOW-60"` (in `body` and `headers` values) become the server's time ±
   * seconds, ISO 8601.
   */
  body?: unknown
  /** Headers added to the response (replacing its own of the same name). */
  headers?: Record<string, string>
  /** Milliseconds to wait before doing anything else. */
  delay?: number
  /** How the request ends (default `'respond'`). */
  action?: FaultAction
  /** How many consecutive requests it applies to (default 1). */
  times?: number
  /**
   * Handle the request for real first (a profile or post is created), then answer with the
   * fault: the "server did it but the answer was lost" case.
   */
  process?: boolean
}

/** One API request the server received (see `server.requests`). */
export interface RecordedRequest {
  /** `"GET"`, `"POST"`, `"DELETE"`… */
  method: string
  /** The path with the query string, e.g. `"/posts/post_abc123"`. */
  path: string
  /** The request headers, names lower-case; a header sent twice has its values joined with `", "`. */
  headers: Record<string, string>
  /** The JSON body, parsed, or `null` when the body is empty or not JSON. */
  body: unknown
  /** The body as text (`""` when empty). */
  bodyText: string
  /** The status the server answered with; `null` when the connection was dropped. */
  status: number | null
  /** When it arrived, on the server's clock (ISO 8601, whole seconds). */
  time: string
}

/** A stored post: a `Post`, plus `failureReason` once it has failed. */
export type StoredPost = Post & { failureReason?: string }

/** A recorded request as the mock's control surface lists it. */
interface NativeRequest { method: string, path: string, headers: Record<string, string>, body: string, status: number | null, time: string }

/** What `server.seed()` created. */
export interface Seeded {
  /** The keys of the profiles created, in seed order. */
  profiles: string[]
  /** The ids of the posts created, in seed order. */
  posts: string[]
}

const ACTIONS: readonly FaultAction[] = ['respond', 'drop', 'reset', 'truncate']

/** A `memory://` store no other server or generation uses. */
function freshStore (): string {
  return `memory://postcore-mock-${randomBytes(8).toString('hex')}`
}

/**
 * A running local postcore server; made by `startMockServer()`. Listens on 127.0.0.1 only.
 */
export class MockServer {
  readonly #native: native.NativeMockServer
  #store = freshStore()

  private constructor (server: native.NativeMockServer) {
    if (!(server instanceof native.NativeMockServer)) {
      throw typeError('a MockServer is made by startMockServer(), not by new MockServer()')
    }
    this.#native = server
  }

  /** Wraps a started native server (`startMockServer()` is the public way). @internal */
  /**
   * Runs the mock's control operation `name` (what `/__mock/<name>` does over HTTP; the same
   * table the Python kit calls), its body converted to JSON as a call's arguments are (values
   * JSON cannot hold are a `TypeError` / `RangeError` naming them under `what`).
   */
  #control (name: string, body?: unknown, what = 'the arguments'): unknown {
    return this.#native.control(name, body === undefined ? undefined : toWire(body, what))
  }

  static _wrap (server: native.NativeMockServer): MockServer {
    return new MockServer(server)
  }

  /** `http://127.0.0.1:<port>`: the base URL for any HTTP client (`POSTCORE_BASE_URL`). */
  get baseUrl (): string {
    return this.#native.url
  }

  /** The key it accepts (send it as `x-api-key`; `POSTCORE_API_KEY`). */
  get apiKey (): string {
    return this.#native.apiKey
  }

  /** The port it listens on. */
  get port (): number {
    return this.#native.port
  }

  /**
   * `http://127.0.0.1:<port>/`: a web page showing its profiles, a timeline of posts with
   * previews, the request log (keys masked) and controls (clock, faults, reset).
   */
  get dashboardUrl (): string {
    return this.#native.dashboardUrl
  }

  /** Whether it is serving (false once closed). */
  get running (): boolean {
    return this.#native.running
  }

  /**
   * A `memory://` store of this server's own (a new one after each `reset()`): the clients
   * made by `client()` and from `env` share their rate budget in it, so a 429 one test
   * provokes pauses only that test's clients.
   */
  get store (): string {
    return this.#store
  }

  /** `POSTCORE_API_KEY`, `POSTCORE_BASE_URL` and `POSTCORE_STORE` for it, e.g. for a child process's `env`. */
  get env (): { POSTCORE_API_KEY: string, POSTCORE_BASE_URL: string, POSTCORE_STORE: string } {
    return { POSTCORE_API_KEY: this.apiKey, POSTCORE_BASE_URL: this.baseUrl, POSTCORE_STORE: this.#store }
  }

  /**
   * A `Postcore` client with this server's URL and key (other options as for `new Postcore`;
   * `maxRetries: 0` makes `failNext` faults surface at once).
   */
  client (options?: Omit<ClientOptions, 'apiKey' | 'baseUrl'>): Postcore {
    return new Postcore({ store: this.#store, ...checkObject(options, 'options'), apiKey: this.apiKey, baseUrl: this.baseUrl })
  }

  /**
   * Makes the next request(s) fail (or be slow), then answers normally again.
   *
   * ```ts
   * server.failNext({ status: 503 })                     // a bare 503
   * server.failNext({ status: 429, body: { error: 'RATE_LIMIT_EXCEEDED', message: 'Slow down', retry_after: 1 } })
   * server.failNext({ delay: 5000 })                     // a slow answer (timeouts)
   * server.failNext({ action: 'drop' })                  // connection closed, no answer
   * server.failNext({ status: 500, process: true })      // done, but the answer lost
   * server.failNext({ status: 502, times: 3 })           // the next three requests
   * ```
   *
   * @throws {TypeError} An option of the wrong type.
   * @throws {RangeError} A value out of range, or a combination that makes no sense.
   */
  failNext (options?: FailNextOptions): void {
    const opts = checkObject(options, 'options')
    const action = opts.action ?? 'respond'
    if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
      throw rangeError(`options.action must be one of ${ACTIONS.join(', ')}, got ${describe(action)}`)
    }
    const times = optionalNumber(opts.times, 'options.times') ?? 1
    if (!Number.isInteger(times) || times < 1 || times > 0xffffffff) {
      throw rangeError(`options.times must be a whole number from 1, got ${times}`)
    }
    if (opts.process !== undefined && typeof opts.process !== 'boolean') {
      throw typeError(`options.process must be a boolean, got ${describe(opts.process)}`)
    }
    const status = optionalNumber(opts.status, 'options.status')
    const body = opts.body ?? undefined
    const headers = headerPairs(opts.headers, 'options.headers')
    const delay = optionalNumber(opts.delay, 'options.delay', 'milliseconds')
    // The rules (no status means 500, unless it only delays or adds headers; no response for
    // drop/reset) are the mock's: Fault::for_fail_next, shared with the Python kit.
    const fault: Record<string, unknown> = { action, times, process: opts.process === true }
    if (status !== undefined) {
      if (!Number.isInteger(status) || status < 100 || status > 999) {
        throw rangeError(`options.status must be a whole number from 100 to 999, got ${status}`)
      }
      fault.status = status
    }
    if (body instanceof Uint8Array) {
      fault.body_hex = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('hex')
    } else if (body !== undefined) {
      fault.body = body
    }
    if (headers !== undefined) fault.headers = Object.fromEntries(headers)
    if (delay !== undefined) {
      if (!Number.isFinite(delay) || delay < 0) {
        throw rangeError(`options.delay must be a finite number of milliseconds >= 0, got ${delay}`)
      }
      fault.delay_ms = Math.round(delay)
    }
    this.#control('fail_next', fault, 'options')
  }

  /**
   * Moves the server's clock forward: posts that become due are published (or failed) when
   * next read, and the rate-limit window moves on. Returns the server's new time.
   *
   * ```ts
   * server.advance({ seconds: 120 })
   * assert.equal(server.posts[0].status, 'published')
   * ```
   */
  advance (by: { seconds: number }): Date {
    const seconds = optionalNumber(checkObject(by, 'by').seconds, 'by.seconds')
    if (seconds === undefined) throw typeError('advance needs { seconds }')
    const clock = this.#control('advance', { seconds, forward: true }, 'by') as { unixMs: number }
    return new Date(clock.unixMs)
  }

  /** The server's clock: real time plus every `advance()` since the start or the last `reset()`. */
  now (): Date {
    return new Date((this.#control('clock') as { unixMs: number }).unixMs)
  }

  /**
   * Forgets queued faults, recorded requests, profiles, posts, the monthly quota and the
   * rate-limit window, and sets the clock back to real time. Clients made afterwards get a
   * fresh rate budget (`store`).
   */
  reset (): void {
    this.#control('reset')
    this.#store = freshStore()
  }

  /**
   * Stores profiles (with connected platforms) and posts directly, e.g. a profile that already
   * has both platforms connected:
   *
   * ```ts
   * server.seed({ profiles: [{ profileKey: 'prof_a', connect: ['linkedin', 'bluesky'] }] })
   * ```
   *
   * The format is the mock's `POST /__mock/seed` (profiles: `profileKey`, `profileName`,
   * `connect`, `blueskyHandle`, `count`; posts: `postId`, `profileKey`, `platform`, `content`,
   * `scheduledFor` (`"$NOW+60"` allowed), `status`).
   *
   * @throws {RangeError} A part of the seed is refused (then nothing is stored).
   */
  seed (seed: { profiles?: Array<Record<string, unknown>>, posts?: Array<Record<string, unknown>> }): Seeded {
    return this.#control('seed', checkObject(seed, 'seed'), 'seed') as Seeded
  }

  /** Every API request received since the start or the last `reset()`, oldest first (a snapshot). */
  get requests (): RecordedRequest[] {
    const { requests } = this.#control('requests') as { requests: NativeRequest[] }
    return requests.map(({ body, ...rest }) => ({ ...rest, body: parseBody(body), bodyText: body }))
  }

  /** The stored profiles, as `client.profiles.list()` would return them, in creation order. */
  get profiles (): Profile[] {
    return (this.#control('profiles') as { profiles: Profile[] }).profiles
  }

  /** The stored posts, in creation order, due ones decided first (failed ones carry `failureReason`). */
  get posts (): StoredPost[] {
    return (this.#control('posts') as { posts: StoredPost[] }).posts
  }

  /**
   * Stops the server: open connections close, and the port is free again when the promise
   * resolves. Requests, profiles and posts can no longer be read. Harmless when closed.
   */
  async close (): Promise<void> {
    await this.#native.close()
  }

  /** A description (never the key). */
  toString (): string {
    return `MockServer { baseUrl: ${JSON.stringify(this.baseUrl)}, running: ${this.running} }`
  }

  /** Keeps `console.log` / `util.inspect` short. */
  [Symbol.for('nodejs.util.inspect.custom')] (): string {
    return this.toString()
  }
}

function parseBody (text: string): unknown {
  if (text.trim() === '') return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

function wholeNumber (value: unknown, what: string, low: number, high: number, fallback: number): number {
  const n = optionalNumber(value, what) ?? fallback
  if (!Number.isInteger(n) || n < low || n > high) {
    throw rangeError(`${what} must be a whole number from ${low} to ${high}, got ${n}`)
  }
  return n
}

/**
 * Starts a local postcore server on 127.0.0.1 (a free port unless `port` is given) and
 * resolves once it accepts connections.
 *
 * ```ts
 * const server = await startMockServer({ rateLimit: 5 })
 * ```
 *
 * @throws {TypeError} An option of the wrong type.
 * @throws {RangeError} A value out of range.
 * Rejects with an `Error` whose `code` is `EADDRINUSE` when `port` is taken.
 */
export async function startMockServer (options?: MockServerOptions): Promise<MockServer> {
  const opts = checkObject(options, 'options')
  const apiKey = optionalString(opts.apiKey, 'options.apiKey') ?? DEFAULT_API_KEY
  const port = wholeNumber(opts.port, 'options.port', 0, 65535, 0)
  const rateLimit = opts.rateLimit === undefined || opts.rateLimit === null
    ? null
    : wholeNumber(opts.rateLimit, 'options.rateLimit', 0, 0xffffffff, 0)
  const rateWindow = wholeNumber(opts.rateWindow, 'options.rateWindow', 1000, 0xffffffff * 1000, 900_000)
  if (rateWindow % 1000 !== 0) {
    throw rangeError(`options.rateWindow must be a whole number of seconds, in milliseconds (e.g. 30000), got ${rateWindow}`)
  }
  const postsPerMonth = wholeNumber(opts.postsPerMonth, 'options.postsPerMonth', 0, 0xffffffff, 10)
  const config: native.MockServerConfig = {
    apiKey,
    port,
    rateWindowSecs: rateWindow / 1000,
    postsPerMonth
  }
  if (rateLimit !== null) config.rateLimit = rateLimit
  return MockServer._wrap(await native.startMockServer(config))
}
