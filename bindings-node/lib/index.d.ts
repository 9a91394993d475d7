/**
 * postcore: the Node client for the postcore API.
 *
 * ```ts
 * import { Postcore } from 'postcore'
 * const client = new Postcore() // POSTCORE_API_KEY, POSTCORE_BASE_URL
 * const { profileKey } = await client.createProfile({ profileName: 'User: john@example.com' })
 * ```
 *
 * @packageDocumentation
 */

import type {
  ClientOptions as NativeClientOptions,
  CreateProfileParams as NativeCreateProfileParams,
  Profile as NativeProfile,
  RequestOptions as NativeRequestOptions
} from '../index'

/** Options for `new Postcore(options)`; see the generated `ClientOptions` in `index.d.ts`. */
export type ClientOptions = NativeClientOptions
/** Parameters of `createProfile`: `{ profileName }`. */
export type CreateProfileParams = NativeCreateProfileParams
/** A postcore profile: `{ profileKey, profileName }`, a plain object. */
export type Profile = NativeProfile

/** Per-call options: `{ signal, timeout, maxRetries }`. */
export interface RequestOptions extends NativeRequestOptions {
  /**
   * Aborting it cancels the request at once; the call rejects with `signal.reason`
   * (a `DOMException` named `"AbortError"` by default), like `fetch`.
   */
  signal?: AbortSignal
}

/** The package version, as sent in `User-Agent: postcore-node/<version>`. */
export declare const VERSION: string

/**
 * A postcore API client. Holds one pool of keep-alive connections: create it once and share
 * it rather than one per call.
 */
export declare class Postcore {
  /**
   * Builds a client. Values not given fall back to `POSTCORE_API_KEY` / `POSTCORE_BASE_URL`,
   * then to the defaults (`https://api.postcore.dev`, 60000 ms, 2 retries).
   *
   * @throws {ConfigurationError} No API key anywhere, or an invalid base URL.
   * @throws {TypeError} An option of the wrong type.
   * @throws {RangeError} A timeout that is not positive, or a negative/non-integer `maxRetries`.
   */
  constructor(options?: ClientOptions)
  /** The API root this client sends to, without trailing slash. */
  get baseUrl(): string
  /** The client's per-attempt timeout in milliseconds. */
  get timeout(): number
  /** The client's default number of retries. */
  get maxRetries(): number
  /**
   * Creates a profile (`POST /profiles/create`): one end-user of your app. Store the returned
   * `profileKey` with that user. Never resent after the server may have processed it.
   *
   * Rejects with a {@link PostcoreError} subclass on failure, a `TypeError` / `RangeError`
   * for bad arguments (before any request), or `signal.reason` when aborted.
   */
  createProfile(params?: CreateProfileParams, options?: RequestOptions): Promise<Profile>
}

/**
 * Creates a profile with a client configured from `POSTCORE_API_KEY` / `POSTCORE_BASE_URL`
 * (built on first use and reused).
 */
export declare function createProfile(
  params?: CreateProfileParams,
  options?: RequestOptions
): Promise<Profile>

/** The details every postcore error carries; fields that do not apply are `null`. */
export interface PostcoreErrorFields {
  /** HTTP status of the response. */
  status?: number | null
  /** postcore's error code, e.g. `"INVALID_API_KEY"`. */
  code?: string | null
  /** The response body: parsed JSON when it was JSON, else the raw text. */
  body?: unknown
  /** Response headers, lowercase names. */
  headers?: Record<string, string> | null
  /** Seconds the server asked to wait before trying again. */
  retryAfter?: number | null
}

/** Base class of every postcore error. */
export declare class PostcoreError extends Error {
  constructor(message: string, fields?: PostcoreErrorFields)
  /** HTTP status of the response, or `null` when none arrived. */
  status: number | null
  /** postcore's error code (e.g. `"INVALID_API_KEY"`), or `null`. */
  code: string | null
  /** The response body (parsed JSON when it was JSON, else the raw text), or `null`. */
  body: unknown
  /** Response headers with lowercase names, or `null` when no response arrived. */
  headers: Record<string, string> | null
  /** Seconds the server asked to wait before trying again, or `null`. */
  retryAfter: number | null
}

/** The server answered with a non-success status (base class of the per-status errors). */
export declare class APIError extends PostcoreError {}
/** HTTP 400: the request was malformed or refused. */
export declare class BadRequestError extends APIError {}
/** HTTP 401: the API key is missing or invalid. */
export declare class AuthenticationError extends APIError {}
/** HTTP 403: the key may not do this. */
export declare class PermissionDeniedError extends APIError {}
/** HTTP 404: no such resource. */
export declare class NotFoundError extends APIError {}
/** HTTP 409: the request conflicts with the current state. */
export declare class ConflictError extends APIError {}
/** HTTP 422: the request's content is invalid. */
export declare class UnprocessableEntityError extends APIError {}
/** HTTP 429: rate limited; `retryAfter` says how long to wait. */
export declare class RateLimitError extends APIError {}
/** HTTP 500 and above: the server failed. */
export declare class InternalServerError extends APIError {}
/** A success status with a body this client cannot use; `body` keeps it. */
export declare class APIResponseValidationError extends APIError {}
/** No usable answer came back: connection refused or reset, DNS or TLS failure. */
export declare class APIConnectionError extends PostcoreError {}
/** An attempt took longer than the timeout. */
export declare class APITimeoutError extends APIConnectionError {}
/** The client could not be built: no API key (set `POSTCORE_API_KEY`), a bad base URL. */
export declare class ConfigurationError extends PostcoreError {}
