/**
 * `APIPromise`: what every method that sends a request returns. Await it for the result, or
 * call `.withResponse()` for the result together with the response it came from (status,
 * headers, rate-limit state, attempts), as in the Stainless-generated SDKs.
 *
 * @module
 */

import { PostcoreError } from './errors.js'

/** The `X-RateLimit-*` headers of a response; a field is `null` when its header was missing. */
export interface RateLimit {
  /** Requests allowed per window (`X-RateLimit-Limit`). */
  limit: number | null
  /** Requests left in the current window (`X-RateLimit-Remaining`). */
  remaining: number | null
  /** When the window resets (`X-RateLimit-Reset`). */
  reset: Date | null
}

/** The response a result came from. */
export interface APIResponse {
  /** HTTP status code. */
  status: number
  /** Response headers, lower-case names; repeated headers joined with `", "`. */
  headers: Record<string, string>
  /** The rate-limit window after this call, or `null` when the server sent no such headers. */
  rateLimit: RateLimit | null
  /** Attempts it took (1 when the first one succeeded; more after retries). */
  attempts: number
}

/** What `.withResponse()` resolves to. */
export interface WithResponse<T> {
  /** The result, as awaiting the promise itself gives it. */
  data: T
  /** The response it came from. */
  response: APIResponse
}

/**
 * Where the response's metadata is once a call succeeded: the native layer leaves it on the
 * call's promise as `meta`, compact text read only by `.withResponse()` (see `responseOf`).
 *
 * @internal
 */
export interface MetaSource {
  readonly meta?: string | undefined
}

// The base promise of an `APIPromise` is never settled nor used; this is its executor.
const idle = (): void => {}

/**
 * A promise of a call's result with one extra method, `.withResponse()`.
 *
 * The call starts when the method is called, whether or not anything awaits it; awaiting the
 * promise and calling `.withResponse()` share that one call.
 */
export class APIPromise<T> extends Promise<T> {
  readonly #call: Promise<T>
  readonly #source: MetaSource
  readonly #site: CallSite | undefined
  #withResponse: Promise<WithResponse<T>> | undefined

  /**
   * `call` resolves with the result and rejects with the public error; `source` gets the
   * response's metadata when it succeeds (by default `call` itself); `site` is where the call
   * was made (see `callSite`): an error it rejects with gets the caller's frames as its stack.
   *
   * @internal
   */
  constructor (call: Promise<unknown>, source: MetaSource = call as MetaSource, site?: CallSite) {
    // `then`, `catch` and `finally` go to `call`: the base promise stays pending, unobserved.
    super(idle)
    this.#call = call as Promise<T>
    this.#source = source
    this.#site = site
  }

  /** Promises made by `then` are plain promises (no second call, no `withResponse`). */
  static override get [Symbol.species] (): PromiseConstructor {
    return Promise
  }

  /**
   * The result together with the response it came from: `{ data, response }`, `response`
   * a plain object (`status`, `headers`, `rateLimit`, `attempts`).
   */
  withResponse (): Promise<WithResponse<T>> {
    const site = this.#site
    this.#withResponse ??= this.#call.then(
      (data) => ({ data, response: responseOf(this.#source.meta) }),
      site === undefined ? undefined : (error: unknown) => { throw atCallSite(error, site) }
    )
    return this.#withResponse
  }

  // biome-ignore lint/suspicious/noThenProperty: a Promise subclass; `then` is the point
  override then<R1 = T, R2 = never> (
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null
  ): Promise<R1 | R2> {
    const site = this.#site
    if (site === undefined || typeof onrejected !== 'function') return this.#call.then(onfulfilled, onrejected)
    return this.#call.then(onfulfilled, (error: unknown) => onrejected(atCallSite(error, site)))
  }

  override catch<R = never> (onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected)
  }

  override finally (onfinally?: (() => void) | null): Promise<T> {
    return this.then(
      (value) => Promise.resolve(onfinally?.()).then(() => value),
      (error: unknown) => Promise.resolve(onfinally?.()).then(() => { throw error })
    )
  }
}

/** Where a call was made: the stack captured when it started. @internal */
export interface CallSite {
  stack?: string
}

/**
 * The stack of the code that makes a call, captured when the call starts (as undici and the
 * AWS SDK do): the error a call rejects with is created later, in a native callback, and its
 * own stack would show no frame of the caller. `below` is left out with the frames above it.
 *
 * @internal
 */
export function callSite (below: (...args: never[]) => unknown): CallSite {
  const site: CallSite = {}
  Error.captureStackTrace(site, below)
  return site
}

/** Marks errors whose stack already names their call site (one error, one rewrite). */
const SITED = new WeakSet<object>()

/**
 * `error` with the call site's frames as its stack: its own first line, then the caller's.
 * Only the errors the package makes (postcore's classes, argument errors): an abort rejects
 * with the signal's own reason, which is left as it is.
 */
function atCallSite (error: unknown, site: CallSite): unknown {
  if (!(error instanceof PostcoreError || error instanceof TypeError || error instanceof RangeError)) return error
  if (SITED.has(error)) return error
  SITED.add(error)
  const frames = site.stack ?? ''
  const at = frames.indexOf('\n')
  const head = `${error.name}: ${error.message}`
  Object.defineProperty(error, 'stack', {
    value: at === -1 ? head : head + frames.slice(at),
    writable: true,
    configurable: true,
    enumerable: false
  })
  return error
}

/**
 * The response from the native layer's compact text: status, attempts and the rate limit
 * (`limit,remaining,reset`, empty when there was none) on the first three lines, then one
 * `name: value` line per header.
 */
function responseOf (meta: string | undefined): APIResponse {
  const lines = (meta ?? '').split('\n')
  const headers: Record<string, string> = {}
  for (let i = 3; i < lines.length; i++) {
    const line = lines[i] as string
    const colon = line.indexOf(': ')
    if (colon > 0) headers[line.slice(0, colon)] = line.slice(colon + 2)
  }
  return {
    status: Number(lines[0]),
    headers,
    rateLimit: rateLimitOf(lines[2] ?? ''),
    attempts: Number(lines[1])
  }
}

function rateLimitOf (line: string): RateLimit | null {
  if (line === '') return null
  const [limit, remaining, reset] = line.split(',').map((n) => (n === '' || n === undefined ? null : Number(n)))
  return {
    limit: limit ?? null,
    remaining: remaining ?? null,
    reset: reset === null || reset === undefined ? null : new Date(reset * 1000)
  }
}
