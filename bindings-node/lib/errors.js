"use strict";
/**
 * The error classes. Every error a call rejects with is a {@link PostcoreError}, except
 * argument errors (`TypeError` / `RangeError`, before any request) and aborts (the signal's
 * reason, like `fetch`).
 *
 * The classes hold no logic: the Rust core decides which one applies (its
 * `ErrorKind::class_name`, shared with the Python package) and fills in every field. The test
 * suite checks these classes against the core's list, names and parents.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.WebhookSignatureError = exports.IdempotencyKeyReusedError = exports.WaitTimeoutError = exports.ConfigurationError = exports.APITimeoutError = exports.APIConnectionError = exports.APIResponseValidationError = exports.InternalServerError = exports.RateLimitError = exports.UnprocessableEntityError = exports.ConflictError = exports.NotFoundError = exports.PermissionDeniedError = exports.AuthenticationError = exports.InvalidCredentialsError = exports.PlatformsNotConnectedError = exports.BadRequestError = exports.APIError = exports.PostcoreError = void 0;
exports.fromNative = fromNative;
/** Base class of every postcore error. */
class PostcoreError extends Error {
    /** HTTP status of the response, or `null` when none arrived. */
    status;
    /** postcore's error code (e.g. `"INVALID_API_KEY"`), or `null`. */
    code;
    /** The response body (parsed JSON when it was JSON, else the raw text), or `null`. */
    body;
    /** The raw response body, or `null` when no response arrived. */
    bodyText;
    /** Response headers with lower-case names, or `null` when no response arrived. */
    headers;
    /** Seconds the server asked to wait before trying again, or `null`. */
    retryAfter;
    /** The response's `X-RateLimit-*` values, or `null`. */
    rateLimit;
    /** Attempts made before giving up (0 when no request was sent). */
    attempts;
    /**
     * Whether the request may have reached the server and been processed although no answer
     * came back (a connection broken, or a timeout, after it was sent). A `POST` is then not
     * resent, as that could duplicate it: look first (`posts.list()`, `profiles.list()`).
     */
    mayHaveBeenProcessed;
    constructor(message, fields = {}) {
        super(message);
        this.status = fields.status ?? null;
        this.code = fields.code ?? null;
        this.body = fields.body ?? null;
        this.bodyText = fields.bodyText ?? null;
        this.headers = fields.headers ?? null;
        this.retryAfter = fields.retryAfter ?? null;
        this.rateLimit = fields.rateLimit ?? null;
        this.attempts = fields.attempts ?? 0;
        this.mayHaveBeenProcessed = fields.mayHaveBeenProcessed ?? false;
    }
}
exports.PostcoreError = PostcoreError;
/** The server answered with a non-success status (base class of the per-status errors). */
class APIError extends PostcoreError {
}
exports.APIError = APIError;
/** HTTP 400: the request was refused (e.g. `PROFILE_ALREADY_EXISTS`, `VALIDATION_ERROR`). */
class BadRequestError extends APIError {
}
exports.BadRequestError = BadRequestError;
/** HTTP 400 `PLATFORMS_NOT_CONNECTED`: connect them first (`missingPlatforms`). */
class PlatformsNotConnectedError extends BadRequestError {
    /** The platforms the profile lacks, e.g. `["linkedin"]`. */
    missingPlatforms;
    constructor(message, fields = {}) {
        super(message, fields);
        this.missingPlatforms = fields.missingPlatforms ?? [];
    }
}
exports.PlatformsNotConnectedError = PlatformsNotConnectedError;
/** HTTP 400 `INVALID_CREDENTIALS`: Bluesky refused the handle or app password. */
class InvalidCredentialsError extends BadRequestError {
}
exports.InvalidCredentialsError = InvalidCredentialsError;
/** HTTP 401: the API key is missing or invalid (`MISSING_API_KEY`, `INVALID_API_KEY`). */
class AuthenticationError extends APIError {
}
exports.AuthenticationError = AuthenticationError;
/** HTTP 403: the key may not do this (e.g. `MONTHLY_LIMIT_EXCEEDED`). */
class PermissionDeniedError extends APIError {
}
exports.PermissionDeniedError = PermissionDeniedError;
/** HTTP 404: no such resource (`PROFILE_NOT_FOUND`, `POST_NOT_FOUND`). */
class NotFoundError extends APIError {
}
exports.NotFoundError = NotFoundError;
/** HTTP 409: the request conflicts with the current state. */
class ConflictError extends APIError {
}
exports.ConflictError = ConflictError;
/** HTTP 422: the request was understood but its content is invalid. */
class UnprocessableEntityError extends APIError {
}
exports.UnprocessableEntityError = UnprocessableEntityError;
/**
 * HTTP 429 (`RATE_LIMIT_EXCEEDED`): `retryAfter` says how long to wait; a per-profile spacing
 * refusal names the `platform` and when it is `nextAvailable` instead.
 */
class RateLimitError extends APIError {
    /** The platform of a per-profile spacing refusal (`"linkedin"`, `"bluesky"`), or `null`. */
    platform;
    /** When a post can next be scheduled on `platform` (ISO 8601), or `null`. */
    nextAvailable;
    constructor(message, fields = {}) {
        super(message, fields);
        this.platform = fields.platform ?? null;
        this.nextAvailable = fields.nextAvailable ?? null;
    }
}
exports.RateLimitError = RateLimitError;
/** HTTP 500 and above: the server failed. */
class InternalServerError extends APIError {
}
exports.InternalServerError = InternalServerError;
/** A success status with a body this client cannot use (not JSON, a field missing); `body` keeps it. */
class APIResponseValidationError extends APIError {
}
exports.APIResponseValidationError = APIResponseValidationError;
/** No usable answer came back: connection refused or reset, DNS or TLS failure. */
class APIConnectionError extends PostcoreError {
}
exports.APIConnectionError = APIConnectionError;
/** An attempt took longer than the timeout. */
class APITimeoutError extends APIConnectionError {
}
exports.APITimeoutError = APITimeoutError;
/** The client could not be built: no API key (set `POSTCORE_API_KEY`), a bad base URL, proxy or CA file. */
class ConfigurationError extends PostcoreError {
}
exports.ConfigurationError = ConfigurationError;
/**
 * `posts.wait()` or `posts.waitMany()` gave up after its `timeout`: `post` is the (first)
 * post still pending, `posts` every post waited for, as last seen, in the order asked for.
 */
class WaitTimeoutError extends PostcoreError {
    /** The post as last seen (with `waitMany`: the first one still pending). */
    post;
    /** Every post waited for, as last seen, in the order asked for (`[post]` for `wait`). */
    posts;
    constructor(message, fields = {}) {
        super(message, fields);
        this.post = fields.post ?? null;
        this.posts = fields.posts ?? [];
    }
}
exports.WaitTimeoutError = WaitTimeoutError;
/** An `idempotencyKey` used again for another operation or other arguments; nothing was sent. */
class IdempotencyKeyReusedError extends PostcoreError {
}
exports.IdempotencyKeyReusedError = IdempotencyKeyReusedError;
/** A webhook's `Postcore-Signature` does not verify (`verifyWebhook`): tampered, replayed, wrong secret, malformed. */
class WebhookSignatureError extends PostcoreError {
}
exports.WebhookSignatureError = WebhookSignatureError;
/** Every class by name: what `postcoreClass` from the native layer refers to. */
const classes = {
    PostcoreError,
    APIError,
    BadRequestError,
    PlatformsNotConnectedError,
    InvalidCredentialsError,
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
    ConfigurationError,
    WaitTimeoutError,
    IdempotencyKeyReusedError,
    WebhookSignatureError
};
// `name` on each prototype, spelled out so that it survives minification.
for (const [name, cls] of Object.entries(classes)) {
    Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, enumerable: false, configurable: true });
}
/**
 * Turns what the native layer threw or rejected with into the public error: an object tagged
 * with `postcoreClass` becomes an instance of that class, with every field; `TypeError`,
 * `RangeError` and anything else pass through unchanged.
 *
 * @internal
 */
function fromNative(error) {
    if (error === null || typeof error !== 'object')
        return error;
    const native = error;
    if (typeof native.postcoreClass !== 'string' || native.postcoreClass === 'AbortError')
        return error;
    // A class this version does not know (a newer core): the nearest general one.
    const Class = Object.hasOwn(classes, native.postcoreClass)
        ? classes[native.postcoreClass]
        : (typeof native.status === 'number' ? APIError : PostcoreError);
    return new Class(String(native.message), native);
}
