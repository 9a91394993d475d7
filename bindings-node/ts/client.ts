/**
 * The `Postcore` client, the environment-configured client behind the top-level functions, and
 * the one generic path every call takes to the native layer.
 *
 * @module
 */

import { accessSync, constants } from 'node:fs'

import native = require('../native.js')
import { run, abortReason } from './abort.js'
import { APIPromise, callSite } from './api-promise.js'
import type { MetaSource } from './api-promise.js'
import type { CreateProfileParams } from './args.js'
import type { Wire } from './wire.js'
import { toWire } from './wire.js'
import { Events } from './events.js'
import { ConfigurationError, fromNative } from './errors.js'
import type { CreatedProfile } from './models.js'
import type { ClientOptions, EventsOptions, RequestOptions, WithOptions } from './options.js'
import {
  checkObject, checkOptionNames, headerPairs, optionalNumber, optionalString, signalOf, typeError, describe
} from './options.js'
import type { Caller } from './resources.js'
import { Posts, Profiles } from './resources.js'
import type { Watchers } from './observe.js'
import { observer, watchers } from './observe.js'

/** The package version, as sent in `User-Agent: postcore-node/<version>`. */
export const VERSION: string = native.userAgent().slice('postcore-node/'.length)

// Failed calls reject with the public error classes directly (once per environment: module
// scope is per main thread / worker, like the native layer's registration).
native.setErrorFactory(fromNative)

/** Lets `withOptions` hand a native client to the constructor; module-private, so unforgeable. */
const ADOPT = Symbol('adopt')
/** With it, the watchers (hooks, logger, tracing) the derived client shares. */
const WATCHERS = Symbol('watchers')

/**
 * A postcore API client. Holds one pool of keep-alive connections: create it once and share
 * it, rather than one per call.
 *
 * ```ts
 * const client = new Postcore({ apiKey: process.env.POSTCORE_API_KEY })
 * const { profileKey } = await client.profiles.create({ profileName: 'User: john@example.com' })
 * ```
 */
export class Postcore {
  /** The end-users of your app and their connected accounts. */
  readonly profiles: Profiles
  /** Scheduled posts. */
  readonly posts: Posts
  readonly #native: native.NativeClient
  readonly #watchers: Watchers

  /**
   * Builds a client. Values not given fall back to `POSTCORE_API_KEY` / `POSTCORE_BASE_URL`,
   * then to the defaults (`https://api.postcore.dev`, 60000 ms, 2 retries, 100 connections).
   *
   * @throws {ConfigurationError} No API key anywhere; an invalid base URL or proxy; an unreadable CA file.
   * @throws {TypeError} An option of the wrong type.
   * @throws {RangeError} An out-of-range number, or a header that cannot be set.
   */
  constructor (options?: ClientOptions) {
    const adopted = (options as { [ADOPT]?: native.NativeClient, [WATCHERS]?: Watchers } | undefined)
    this.#native = adopted?.[ADOPT] ?? build(options)
    this.#watchers = adopted?.[WATCHERS] ?? watchers(checkObject(options, 'options'), VERSION)
    const client = this.#native
    const watch = this.#watchers
    const caller: Caller = {
      call: (operation, params, callOptions) => send(client, watch, operation, params, callOptions),
      local: (operation, params) => {
        const args = toWire(checkObject(params, 'params'), '')
        try {
          return client.call(operation, args) as string
        } catch (error) {
          throw fromNative(error)
        }
      }
    }
    this.profiles = new Profiles(caller)
    this.posts = new Posts(caller)
  }

  /** The API root this client sends to, without trailing slash. */
  get baseUrl (): string {
    return this.#native.baseUrl
  }

  /** The client's per-attempt timeout in milliseconds. */
  get timeout (): number {
    return this.#native.timeout
  }

  /** The client's default number of retries. */
  get maxRetries (): number {
    return this.#native.maxRetries
  }

  /** The most connections the client opens at once. */
  get maxConnections (): number {
    return this.#native.maxConnections
  }

  /** The store the client shares its rate budgets through (any password masked). */
  get store (): string {
    return this.#native.store
  }

  /** The longest a call waits for a slot of the shared rate budget, in milliseconds. */
  get maxRateLimitWait (): number {
    return this.#native.maxRateLimitWait
  }

  /**
   * A client with some settings replaced that shares this one's connection pool (no new
   * sockets, cheap to make per request), e.g. `client.withOptions({ timeout: 5000 })`.
   */
  withOptions (options: WithOptions): Postcore {
    const opts = checkObject(options, 'options')
    checkOptionNames('with_options', opts)
    const overrides: native.ClientOverrides = {}
    const timeout = optionalNumber(opts.timeout, 'options.timeout', 'milliseconds')
    if (timeout !== undefined) overrides.timeout = timeout
    const maxRetries = optionalNumber(opts.maxRetries, 'options.maxRetries')
    if (maxRetries !== undefined) overrides.maxRetries = maxRetries
    const defaultHeaders = headerPairs(opts.defaultHeaders, 'options.defaultHeaders')
    if (defaultHeaders !== undefined) overrides.defaultHeaders = defaultHeaders
    const maxRateLimitWait = optionalNumber(opts.maxRateLimitWait, 'options.maxRateLimitWait', 'milliseconds')
    if (maxRateLimitWait !== undefined) overrides.maxRateLimitWait = maxRateLimitWait
    let adopted: native.NativeClient
    try {
      adopted = this.#native.withOptions(overrides)
    } catch (error) {
      throw fromNative(error)
    }
    return new Postcore({ [ADOPT]: adopted, [WATCHERS]: this.#watchers } as ClientOptions)
  }

  /**
   * Closes the client: calls still in flight reject at once with `APIConnectionError`, later
   * calls reject the same way, and every pooled connection is closed, for the clients made
   * from this one with `withOptions` too (they share the pool). Closing twice is harmless.
   * A client that is simply dropped closes its connections when it is garbage-collected.
   */
  close (): void {
    this.#native.close()
  }

  /** Whether `close()` was called on this client or on one sharing its pool. */
  get closed (): boolean {
    return this.#native.closed
  }

  /**
   * What happens to the account's posts, profiles and connections, as an endless async
   * iterator of `Event`: no webhooks needed.
   *
   * ```ts
   * for await (const event of client.events({ consumer: 'notifier' })) {
   *   if (event.type === 'post.failed') notify(event.data.profileKey, event.data.postId)
   * }
   * ```
   *
   * Each poll is one `GET /posts` and one `GET /profiles` (every `interval` ms, default
   * 30000, paced by the shared rate budget); the changes between polls are the events. The
   * consumer's position is kept in the client's `store`: a watcher restarted, or another
   * process taking over, neither misses an event nor repeats one it acknowledged (an event
   * counts as delivered once `next()` is called again). A new consumer starts from now. With
   * a `sqlite://` or `redis://` store, at most one process polls per consumer at a time.
   * `break` (or `return()`) ends the iteration; aborting `signal` rejects a waiting `next()`
   * with `signal.reason` and ends it. Nothing is sent before the first `next()`; bad options
   * throw at once.
   */
  events (options?: EventsOptions): Events {
    const opts = checkObject(options, 'options')
    checkOptionNames('events', opts)
    const signal = signalOf(opts)
    const args: Record<string, Wire> = {}
    const consumer = optionalString(opts.consumer, 'options.consumer')
    if (consumer !== undefined) args.consumer = consumer
    const interval = optionalNumber(opts.interval, 'options.interval', 'milliseconds')
    if (interval !== undefined) args.interval = interval
    const client = this.#native
    try {
      native.checkArguments('events.next', args)
    } catch (error) {
      throw fromNative(error)
    }
    return new Events(args, (wire, token) => client.call('events.next', wire, undefined, token) as Promise<unknown>, signal)
  }

  /** Creates a profile: the same as `client.profiles.create(params, options)`. */
  createProfile (params?: CreateProfileParams, options?: RequestOptions): APIPromise<CreatedProfile> {
    return this.profiles.create(params, options)
  }

  /** A description without the API key. */
  toString (): string {
    return `Postcore { baseUrl: ${JSON.stringify(this.baseUrl)} }`
  }

  /** Keeps the API key (held natively) out of `console.log` / `util.inspect`. */
  [Symbol.for('nodejs.util.inspect.custom')] (): string {
    return this.toString()
  }
}

/**
 * A configuration variable from `process.env`. Read here rather than by the core, because a
 * worker thread's `process.env` is its own copy: the core would see the process environment.
 * Unset or empty: `undefined`, so the core's own fallback (and its error message) applies.
 */
function fromEnv (name: string): string | undefined {
  const value = process.env[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** Checks the constructor's options and builds the native client. */
function build (options: unknown): native.NativeClient {
  const opts = checkObject(options, 'options')
  checkOptionNames('client', opts)
  const config: native.ClientOptions = {}
  const apiKey = optionalString(opts.apiKey, 'options.apiKey') ?? fromEnv('POSTCORE_API_KEY')
  if (apiKey !== undefined) config.apiKey = apiKey
  const baseUrl = optionalString(opts.baseUrl, 'options.baseUrl') ?? fromEnv('POSTCORE_BASE_URL')
  if (baseUrl !== undefined) config.baseUrl = baseUrl
  const timeout = optionalNumber(opts.timeout, 'options.timeout', 'milliseconds')
  if (timeout !== undefined) config.timeout = timeout
  const maxRetries = optionalNumber(opts.maxRetries, 'options.maxRetries')
  if (maxRetries !== undefined) config.maxRetries = maxRetries
  const maxConnections = optionalNumber(opts.maxConnections, 'options.maxConnections')
  if (maxConnections !== undefined) config.maxConnections = maxConnections
  const defaultHeaders = headerPairs(opts.defaultHeaders, 'options.defaultHeaders')
  if (defaultHeaders !== undefined) config.defaultHeaders = defaultHeaders
  const proxy = optionalString(opts.proxy, 'options.proxy')
  if (proxy !== undefined) config.proxy = proxy
  config.extraCaCerts = caFiles(opts.extraCaCerts)
  const store = optionalString(opts.store, 'options.store') ?? fromEnv('POSTCORE_STORE')
  if (store !== undefined) config.store = store
  const budgetGroup = optionalString(opts.budgetGroup, 'options.budgetGroup')
  if (budgetGroup !== undefined) config.budgetGroup = budgetGroup
  const maxRateLimitWait = optionalNumber(opts.maxRateLimitWait, 'options.maxRateLimitWait', 'milliseconds')
  if (maxRateLimitWait !== undefined) config.maxRateLimitWait = maxRateLimitWait
  const idempotencyTtl = optionalNumber(opts.idempotencyTtl, 'options.idempotencyTtl', 'milliseconds')
  if (idempotencyTtl !== undefined) config.idempotencyTtl = idempotencyTtl
  try {
    return new native.NativeClient(config)
  } catch (error) {
    throw fromNative(error)
  }
}

/**
 * The CA files to trust: `extraCaCerts` (one path or a list) plus `NODE_EXTRA_CA_CERTS`,
 * which Node itself honours for its own TLS, so a user who set it for Node expects it here.
 */
function caFiles (value: unknown): string[] {
  const files: string[] = []
  if (typeof value === 'string') {
    files.push(value)
  } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    files.push(...(value as string[]))
  } else if (value !== undefined && value !== null) {
    throw typeError(`options.extraCaCerts must be a path or a list of paths, got ${describe(value)}`)
  }
  const fromNode = fromEnv('NODE_EXTRA_CA_CERTS')
  if (fromNode !== undefined) {
    // Said here, naming the variable: the core's message would only name the file.
    try {
      accessSync(fromNode, constants.R_OK)
    } catch (error) {
      const reason = (error as { code?: string }).code ?? String(error)
      throw new ConfigurationError(`NODE_EXTRA_CA_CERTS names a file that cannot be read (${reason}): ${fromNode}`)
    }
    files.push(fromNode)
  }
  return files
}

/**
 * Splits a call's options into its `signal`, checked here (it cancels the call in this package),
 * and the rest, as JSON for the core, which checks their names, types and values.
 */
function requestOptions (options: unknown): { signal: AbortSignal | undefined, native: Wire } {
  const opts = checkObject(options, 'options')
  const signal = signalOf(opts)
  if (opts.signal === undefined) return { signal, native: toWire(opts, 'options') }
  const { signal: _, ...rest } = opts
  return { signal, native: toWire(rest, 'options') }
}

/**
 * The one path of every call: converts the arguments and options to JSON (see `toWire`), runs
 * the operation (under the signal, if any) and wraps it in an `APIPromise`. The core parses
 * and checks both. Any problem, even a synchronous one, is reported through the promise. The
 * native call resolves with the result itself (`undefined` for deletions) and rejects with the
 * public error classes, so a call without options adds nothing here but the wrapper.
 */
function send<T> (
  client: native.NativeClient,
  watch: Watchers,
  operation: string,
  params: unknown,
  options: unknown
): APIPromise<T> {
  const site = callSite(send)
  try {
    // Made as the call starts, in the caller's context (its active span).
    const observe = observer(watch, operation)
    const lines = watch.logger !== undefined
    const wire = toWire(checkObject(params, 'params'), '')
    if (options === undefined || options === null) {
      const call = (observe === undefined
        ? client.call(operation, wire)
        : client.call(operation, wire, undefined, undefined, observe, lines)) as Promise<unknown>
      return new APIPromise(call, call as MetaSource, site)
    }
    const { signal, native: nativeOptions } = requestOptions(options)
    if (signal === undefined) {
      const call = client.call(operation, wire, nativeOptions, undefined, observe, lines) as Promise<unknown>
      return new APIPromise(call, call as MetaSource, site)
    }
    let call: MetaSource | undefined
    const result = run((token) => {
      const started = client.call(operation, wire, nativeOptions, token, observe, lines) as Promise<unknown>
      call = started as MetaSource
      return started
    }, signal)
    return new APIPromise(result, { get meta () { return call?.meta } }, site)
  } catch (error) {
    return new APIPromise(Promise.reject(fromNative(error)), undefined, site)
  }
}

// The environment-configured client of the top-level functions. Module scope is per JavaScript
// environment (main thread, each worker), so no connection pool is shared across threads.
let defaultClient: Postcore | undefined

/** The client of the top-level functions, built on first use (a failed build is retried next time). */
function getDefaultClient (): Postcore {
  defaultClient ??= new Postcore()
  return defaultClient
}

/**
 * Creates a profile with a client configured from `POSTCORE_API_KEY` / `POSTCORE_BASE_URL`
 * (built on first use and reused). Same as `new Postcore().profiles.create(params, options)`.
 * Bad arguments and an aborted signal are reported before a missing key is.
 */
export function createProfile (params?: CreateProfileParams, options?: RequestOptions): APIPromise<CreatedProfile> {
  try {
    const { signal, native: nativeOptions } = requestOptions(options)
    if (signal?.aborted === true) return new APIPromise(Promise.reject(abortReason(signal)))
    native.checkArguments('profiles.create', toWire(checkObject(params, 'params'), ''), nativeOptions)
    return getDefaultClient().profiles.create(params, options)
  } catch (error) {
    return new APIPromise(Promise.reject(fromNative(error)))
  }
}
