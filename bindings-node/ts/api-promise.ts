/**
 * `APIPromise`: what every method that sends a request returns. Await it for the result, or
 * call `.withResponse()` for the result together with the response it came from (status,
 * headers, rate-limit state, attempts), as in the Stainless-generated SDKs.
 *
 * @module
 */

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

/** What a call resolves with before anyone asks for the metadata (read lazily). @internal */
export interface RawResult {
  data: unknown
  response: APIResponse
}

/**
 * A promise of a call's result with one extra method, `.withResponse()`.
 *
 * The call starts when the method is called, whether or not anything awaits it; awaiting the
 * promise and calling `.withResponse()` share that one call.
 */
export class APIPromise<T> extends Promise<T> {
  readonly #raw: Promise<RawResult>
  readonly #parse: (data: unknown) => T
  #data: Promise<T> | undefined
  #withResponse: Promise<WithResponse<T>> | undefined

  /** @internal */
  constructor (raw: Promise<RawResult>, parse: (data: unknown) => T) {
    // The base promise is never used: `then`, `catch` and `finally` go to `#result()`.
    super((resolve) => { resolve(undefined as T) })
    this.#raw = raw
    this.#parse = parse
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
    this.#withResponse ??= this.#raw.then(({ data, response }) => ({
      data: this.#parse(data),
      response: {
        status: response.status,
        headers: response.headers,
        rateLimit: response.rateLimit,
        attempts: response.attempts
      }
    }))
    return this.#withResponse
  }

  #result (): Promise<T> {
    this.#data ??= this.#raw.then(({ data }) => this.#parse(data))
    return this.#data
  }

  override then<R1 = T, R2 = never> (
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null
  ): Promise<R1 | R2> {
    return this.#result().then(onfulfilled, onrejected)
  }

  override catch<R = never> (onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#result().catch(onrejected)
  }

  override finally (onfinally?: (() => void) | null): Promise<T> {
    return this.#result().finally(onfinally)
  }
}
