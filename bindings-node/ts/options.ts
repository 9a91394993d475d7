/**
 * Options of the client and of each call, and their type checks. Only types are checked here
 * (a `TypeError` names the option); values (ranges, header names, URLs) are checked once, by
 * the Rust core, which throws `RangeError` or `ConfigurationError`.
 *
 * @module
 */

import native = require('../native.js')
import type { Hooks, Logger } from './observe.js'

/** The valid option names of each set, from the core (`checkOptions` has the same lists). */
const OPTION_NAMES: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(native.optionNames()).map(([set, names]) => [set, new Set(names)])
)

/**
 * Refuses an option the core does not list for `set` (`"client"`, `"with_options"`,
 * `"request"`, `"wait"`) with a `TypeError` naming it and the closest valid one. Checked here
 * against the core's lists; the native layer writes the message. @internal
 */
export function checkOptionNames (set: string, options: Record<string, unknown>): void {
  const valid = OPTION_NAMES.get(set)
  for (const name of Object.keys(options)) {
    if (valid?.has(name) !== true) native.checkOptions(set, Object.keys(options))
  }
}

/** Options for `new Postcore(options)`. Values not given fall back to the environment, then to the defaults. */
export interface ClientOptions {
  /** The API key sent as `x-api-key` (default: `process.env.POSTCORE_API_KEY`). */
  apiKey?: string
  /** The API root (default: `process.env.POSTCORE_BASE_URL`, else `https://api.postcore.dev`). `http://` only for loopback hosts. */
  baseUrl?: string
  /** Per-attempt timeout in milliseconds (default 60000). */
  timeout?: number
  /** Retries after the first attempt, where retrying is safe (default 2). */
  maxRetries?: number
  /**
   * The most connections open to the API at once (default 100). Calls beyond it wait for a
   * free connection, within their timeout, instead of opening more sockets.
   */
  maxConnections?: number
  /**
   * Headers sent with every request. `x-api-key`, `content-type` and a few transport headers
   * cannot be set (RangeError); a `user-agent` is appended to `postcore-node/<version>`.
   */
  defaultHeaders?: Record<string, string>
  /**
   * An HTTP(S) proxy for every request, e.g. `http://user:pass@proxy.example.com:3128` (HTTPS
   * goes through it with `CONNECT`). Without it, `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY`
   * and `NO_PROXY` from the environment apply.
   */
  proxy?: string
  /**
   * PEM file(s) of CA certificates to trust besides the system's trust store (a company's
   * TLS-inspecting proxy, a private gateway). `NODE_EXTRA_CA_CERTS` is honoured too.
   */
  extraCaCerts?: string | string[]
  /**
   * Where the rate budgets are shared with other clients: `memory://` (this process),
   * `sqlite:///absolute/path.db` (the processes of one host) or
   * `redis://[:password@]host[:port][/db]` / `rediss://…` (many hosts). Default:
   * `process.env.POSTCORE_STORE`, else `memory://`.
   */
  store?: string
  /**
   * The group whose per-IP budgets (general, connect) this client shares (default: one for
   * the whole store); give hosts with their own IP addresses their own group.
   */
  budgetGroup?: string
  /**
   * The longest a call waits, in milliseconds, for a slot of the shared rate budget before
   * rejecting with `RateLimitError` without sending (default 30000).
   */
  maxRateLimitWait?: number
  /** How long idempotency keys are remembered in the store, in milliseconds (default a day). */
  idempotencyTtl?: number
  /**
   * Callbacks on every attempt, response, retry and wait of the client's calls, run on the
   * JavaScript thread; one that throws is logged and ignored (see the README's "Observability").
   */
  hooks?: Hooks
  /**
   * Where the client's log lines go (any object with `debug`, `info`, `warn` and `error`, as
   * pino and winston give): one per attempt, retry and wait at `debug`, warnings at `warn`.
   * Without it, `POSTCORE_LOG=debug` prints them on stderr.
   */
  logger?: Logger
  /**
   * Whether calls make OpenTelemetry spans when the application has registered a tracer
   * provider with `@opentelemetry/api` (default `true`).
   */
  tracing?: boolean
}

/** Per-call options, the last argument of every method that sends a request. */
export interface RequestOptions {
  /**
   * Aborting it cancels the call at once (the request is dropped); the call rejects with
   * `signal.reason` (a `DOMException` named `"AbortError"` by default), like `fetch`.
   */
  signal?: AbortSignal | null
  /** Per-attempt timeout for this call, in milliseconds. */
  timeout?: number
  /** Retries for this call. */
  maxRetries?: number
  /** Headers added to this call's requests (same rules as `defaultHeaders`). */
  headers?: Record<string, string>
  /** The longest this call waits for a slot of the shared rate budget, in milliseconds. */
  maxRateLimitWait?: number
}

/** Settings `client.withOptions()` replaces; everything else, and the connection pool, is shared. */
export interface WithOptions {
  /** Per-attempt timeout in milliseconds. */
  timeout?: number
  /** Retries after the first attempt. */
  maxRetries?: number
  /** Replaces the default headers (same rules as `ClientOptions.defaultHeaders`). */
  defaultHeaders?: Record<string, string>
  /** The longest a call waits for a slot of the shared rate budget, in milliseconds. */
  maxRateLimitWait?: number
}

/** A short description of a value for error messages (never the whole of a long string). @internal */
export function describe (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string': return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`
    case 'object': return 'an object'
    case 'function': return 'a function'
    case 'symbol': return 'a symbol'
    case 'bigint': return `a bigint (${value}n)`
    default: return `${typeof value} ${String(value)}`
  }
}

/** A `TypeError` with Node's code for a bad argument type. @internal */
export function typeError (message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' })
}

/** A `RangeError` with Node's code for a bad argument value. @internal */
export function rangeError (message: string): RangeError {
  return Object.assign(new RangeError(message), { code: 'ERR_INVALID_ARG_VALUE' })
}

/** `value` as an object; `undefined` / `null` mean "none given". @internal */
export function checkObject (value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw typeError(`${what} must be an object, got ${describe(value)}`)
  }
  return value as Record<string, unknown>
}

/** An optional string; `null` means "not given". @internal */
export function optionalString (value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw typeError(`${what} must be a string, got ${describe(value)}`)
  return value
}

/** An optional number (`unit` names it in the message); `null` means "not given". @internal */
export function optionalNumber (value: unknown, what: string, unit = ''): number | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number') {
    throw typeError(`${what} must be a number${unit === '' ? '' : ` of ${unit}`}, got ${describe(value)}`)
  }
  return value
}

/** A headers object as `[name, value]` pairs (the core checks names and values). @internal */
export function headerPairs (value: unknown, what: string): Array<[string, string]> | undefined {
  if (value === undefined || value === null) return undefined
  const headers = checkObject(value, what)
  return Object.entries(headers).map(([name, v]) => {
    if (typeof v !== 'string') {
      throw typeError(`${what}[${JSON.stringify(name)}] must be a string, got ${describe(v)}`)
    }
    return [name, v]
  })
}

/** Whether `value` is an `AbortSignal` (also from another realm or a polyfill). */
function isAbortSignal (value: unknown): value is AbortSignal {
  if (typeof AbortSignal === 'function' && value instanceof AbortSignal) return true
  if (value === null || typeof value !== 'object') return false
  const v = value as Record<string, unknown>
  return typeof v.aborted === 'boolean' && typeof v.addEventListener === 'function' &&
    typeof v.removeEventListener === 'function'
}

/** The `signal` of some options, if it is one (a `TypeError` if it is something else). @internal */
export function signalOf (opts: Record<string, unknown>): AbortSignal | undefined {
  const signal = opts.signal
  if (signal !== undefined && signal !== null && !isAbortSignal(signal)) {
    throw typeError(`options.signal must be an AbortSignal, got ${describe(signal)}`)
  }
  return signal ?? undefined
}

/** Options of `posts.wait()` and `posts.waitMany()`: the wait's own settings plus the per-call options of its polls. */
export interface WaitOptions extends Omit<RequestOptions, 'timeout'> {
  /** Give up after this many milliseconds with `WaitTimeoutError` (default: wait as long as it takes). */
  timeout?: number
  /** Milliseconds between polls once the post is due (default 10000; stretched to stay inside the rate limit). */
  interval?: number
}

/** Options of `client.events()`. */
export interface EventsOptions {
  /**
   * The consumer's name (1 to 200 characters, default `"default"`): each consumer gets every
   * event once, independently of the others, and its position is kept in the client's store.
   */
  consumer?: string
  /** Milliseconds between polls (default 30000); each poll is `GET /posts` and `GET /profiles`. */
  interval?: number
  /** Aborting it ends the iteration: a waiting `next()` rejects with `signal.reason`, as `fetch` does. */
  signal?: AbortSignal | null
}
