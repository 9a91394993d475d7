'use strict'

/**
 * The error classes of the postcore package. Every error a call rejects with (other than
 * argument errors, which are `TypeError` / `RangeError`, and aborts, which reject with the
 * signal's reason like `fetch`) is an instance of {@link PostcoreError}.
 *
 * The classes hold no logic: the native core decides which one applies (its
 * `ErrorKind::class_name`, shared with the Python package) and fills in the fields.
 *
 * @module postcore/errors
 */

/**
 * Base class of every postcore error.
 *
 * Fields that do not apply are `null`: `status`, `body` and `headers` when no response
 * arrived, `code` when the server gave none, `retryAfter` when it asked for no wait.
 */
class PostcoreError extends Error {
  /**
   * @param {string} message Human-readable description (the server's message when it gave one).
   * @param {object} [fields] The error's details.
   * @param {number | null} [fields.status] HTTP status of the response.
   * @param {string | null} [fields.code] postcore's error code, e.g. `"INVALID_API_KEY"`.
   * @param {unknown} [fields.body] The response body: parsed JSON when it was JSON, else the text.
   * @param {Record<string, string> | null} [fields.headers] Response headers, lowercase names.
   * @param {number | null} [fields.retryAfter] Seconds the server asked to wait before retrying.
   */
  constructor (message, fields = {}) {
    super(message)
    /** HTTP status of the response, or `null` when none arrived. @type {number | null} */
    this.status = fields.status ?? null
    /** postcore's error code (e.g. `"INVALID_API_KEY"`), or `null`. @type {string | null} */
    this.code = fields.code ?? null
    /** The response body (parsed JSON when it was JSON, else the raw text), or `null`. @type {unknown} */
    this.body = fields.body ?? null
    /** Response headers with lowercase names, or `null`. @type {Record<string, string> | null} */
    this.headers = fields.headers ?? null
    /** Seconds the server asked to wait before trying again, or `null`. @type {number | null} */
    this.retryAfter = fields.retryAfter ?? null
  }
}

/** The server answered with a non-success status (base class of the per-status errors). */
class APIError extends PostcoreError {}
/** HTTP 400: the request was malformed or refused (e.g. `PROFILE_ALREADY_EXISTS`). */
class BadRequestError extends APIError {}
/** HTTP 401: the API key is missing or invalid (`MISSING_API_KEY`, `INVALID_API_KEY`). */
class AuthenticationError extends APIError {}
/** HTTP 403: the key may not do this. */
class PermissionDeniedError extends APIError {}
/** HTTP 404: no such resource (e.g. `PROFILE_NOT_FOUND`). */
class NotFoundError extends APIError {}
/** HTTP 409: the request conflicts with the current state. */
class ConflictError extends APIError {}
/** HTTP 422: the request was understood but its content is invalid. */
class UnprocessableEntityError extends APIError {}
/** HTTP 429: rate limited (`RATE_LIMIT_EXCEEDED`); `retryAfter` says how long to wait. */
class RateLimitError extends APIError {}
/** HTTP 500 and above: the server failed. */
class InternalServerError extends APIError {}
/** A success status with a body this client cannot use (not JSON, a field missing); `body` keeps it. */
class APIResponseValidationError extends APIError {}
/** No usable answer came back: connection refused or reset, DNS or TLS failure. */
class APIConnectionError extends PostcoreError {}
/** An attempt took longer than the timeout. */
class APITimeoutError extends APIConnectionError {}
/** The client could not be built: no API key (set `POSTCORE_API_KEY`), a bad base URL. */
class ConfigurationError extends PostcoreError {}

const classes = {
  PostcoreError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIResponseValidationError,
  APIConnectionError,
  APITimeoutError,
  ConfigurationError
}

// `name` on each prototype, spelled out so that it survives minification.
for (const [name, cls] of Object.entries(classes)) {
  Object.defineProperty(cls.prototype, 'name', {
    value: name,
    writable: true,
    enumerable: false,
    configurable: true
  })
}

/**
 * Turns what the native layer threw or rejected with into the public error: an error object
 * tagged with `postcoreClass` becomes an instance of that class; `TypeError`, `RangeError`
 * and anything else pass through unchanged.
 *
 * @param {unknown} error
 * @returns {unknown}
 * @private
 */
function fromNative (error) {
  if (error === null || typeof error !== 'object' || typeof error.postcoreClass !== 'string') {
    return error
  }
  const kind = error.postcoreClass
  if (kind === 'InvalidArgumentError') {
    return new RangeError(error.message)
  }
  if (kind === 'AbortError') {
    return error
  }
  const Class = Object.prototype.hasOwnProperty.call(classes, kind) ? classes[kind] : APIError
  return new Class(error.message, {
    status: error.status,
    code: error.code,
    body: error.body,
    headers: error.headers,
    retryAfter: error.retryAfter
  })
}

module.exports = { ...classes, fromNative }
