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
import type { RateLimit } from './api-promise.js';
import type { Post } from './models.js';
/** The details a postcore error carries; fields that do not apply are `null`. */
export interface PostcoreErrorFields {
    /** HTTP status of the response. */
    status?: number | null;
    /** postcore's error code, e.g. `"INVALID_API_KEY"`. */
    code?: string | null;
    /** The response body: parsed JSON when it was JSON, else the raw text. */
    body?: unknown;
    /** The raw response body. */
    bodyText?: string | null;
    /** Response headers, lower-case names. */
    headers?: Record<string, string> | null;
    /** Seconds the server asked to wait before trying again. */
    retryAfter?: number | null;
    /** The response's rate-limit headers. */
    rateLimit?: RateLimit | null;
    /** Attempts made (0 when nothing was sent). */
    attempts?: number;
    /** Whether the server may have processed the request although no answer came back. */
    mayHaveBeenProcessed?: boolean;
    /** `RateLimitError`: the platform of a per-profile spacing refusal. */
    platform?: string | null;
    /** `RateLimitError`: when a post can next be scheduled on that platform (ISO 8601). */
    nextAvailable?: string | null;
    /** `PlatformsNotConnectedError`: the platforms the profile lacks. */
    missingPlatforms?: string[];
    /** `WaitTimeoutError`: the post as last seen. */
    post?: Post | null;
    /** `WaitTimeoutError`: every post waited for, as last seen. */
    posts?: Post[];
}
/** Base class of every postcore error. */
export declare class PostcoreError extends Error {
    /** HTTP status of the response, or `null` when none arrived. */
    status: number | null;
    /** postcore's error code (e.g. `"INVALID_API_KEY"`), or `null`. */
    code: string | null;
    /** The response body (parsed JSON when it was JSON, else the raw text), or `null`. */
    body: unknown;
    /** The raw response body, or `null` when no response arrived. */
    bodyText: string | null;
    /** Response headers with lower-case names, or `null` when no response arrived. */
    headers: Record<string, string> | null;
    /** Seconds the server asked to wait before trying again, or `null`. */
    retryAfter: number | null;
    /** The response's `X-RateLimit-*` values, or `null`. */
    rateLimit: RateLimit | null;
    /** Attempts made before giving up (0 when no request was sent). */
    attempts: number;
    /**
     * Whether the request may have reached the server and been processed although no answer
     * came back (a connection broken, or a timeout, after it was sent). A `POST` is then not
     * resent, as that could duplicate it: look first (`posts.list()`, `profiles.list()`).
     */
    mayHaveBeenProcessed: boolean;
    constructor(message: string, fields?: PostcoreErrorFields);
}
/** The server answered with a non-success status (base class of the per-status errors). */
export declare class APIError extends PostcoreError {
    /** HTTP status of the response: an API error always has one. */
    status: number;
}
/** HTTP 400: the request was refused (e.g. `PROFILE_ALREADY_EXISTS`, `VALIDATION_ERROR`). */
export declare class BadRequestError extends APIError {
}
/** HTTP 400 `PLATFORMS_NOT_CONNECTED`: connect them first (`missingPlatforms`). */
export declare class PlatformsNotConnectedError extends BadRequestError {
    /** The platforms the profile lacks, e.g. `["linkedin"]`. */
    missingPlatforms: string[];
    constructor(message: string, fields?: PostcoreErrorFields);
}
/** HTTP 400 `INVALID_CREDENTIALS`: Bluesky refused the handle or app password. */
export declare class InvalidCredentialsError extends BadRequestError {
}
/** HTTP 401: the API key is missing or invalid (`MISSING_API_KEY`, `INVALID_API_KEY`). */
export declare class AuthenticationError extends APIError {
}
/** HTTP 403: the key may not do this (e.g. `MONTHLY_LIMIT_EXCEEDED`). */
export declare class PermissionDeniedError extends APIError {
}
/** HTTP 404: no such resource (`PROFILE_NOT_FOUND`, `POST_NOT_FOUND`). */
export declare class NotFoundError extends APIError {
}
/** HTTP 409: the request conflicts with the current state. */
export declare class ConflictError extends APIError {
}
/** HTTP 422: the request was understood but its content is invalid. */
export declare class UnprocessableEntityError extends APIError {
}
/**
 * HTTP 429 (`RATE_LIMIT_EXCEEDED`): `retryAfter` says how long to wait; a per-profile spacing
 * refusal names the `platform` and when it is `nextAvailable` instead.
 */
export declare class RateLimitError extends APIError {
    /** The platform of a per-profile spacing refusal (`"linkedin"`, `"bluesky"`), or `null`. */
    platform: string | null;
    /** When a post can next be scheduled on `platform` (ISO 8601), or `null`. */
    nextAvailable: string | null;
    constructor(message: string, fields?: PostcoreErrorFields);
}
/** HTTP 500 and above: the server failed. */
export declare class InternalServerError extends APIError {
}
/** A success status with a body this client cannot use (not JSON, a field missing); `body` keeps it. */
export declare class APIResponseValidationError extends APIError {
}
/** No usable answer came back: connection refused or reset, DNS or TLS failure. */
export declare class APIConnectionError extends PostcoreError {
}
/** An attempt took longer than the timeout. */
export declare class APITimeoutError extends APIConnectionError {
}
/** The client could not be built: no API key (set `POSTCORE_API_KEY`), a bad base URL, proxy or CA file. */
export declare class ConfigurationError extends PostcoreError {
}
/**
 * `posts.wait()` or `posts.waitMany()` gave up after its `timeout`: `post` is the (first)
 * post still pending, `posts` every post waited for, as last seen, in the order asked for.
 */
export declare class WaitTimeoutError extends PostcoreError {
    /** The post as last seen (with `waitMany`: the first one still pending). */
    post: Post | null;
    /** Every post waited for, as last seen, in the order asked for (`[post]` for `wait`). */
    posts: Post[];
    constructor(message: string, fields?: PostcoreErrorFields);
}
/** An `idempotencyKey` used again for another operation or other arguments; nothing was sent. */
export declare class IdempotencyKeyReusedError extends PostcoreError {
}
/** A webhook's `Postcore-Signature` does not verify (`verifyWebhook`): tampered, replayed, wrong secret, malformed. */
export declare class WebhookSignatureError extends PostcoreError {
}
