/**
 * Verifying the webhooks `postcore listen --forward-to URL` sends: the receiver's side. Also
 * the package entry `postcore/webhooks`.
 *
 * postcore has no webhooks; `postcore listen` makes them from `client.events()`. Each delivery
 * is a `POST` of the event's JSON with a `Postcore-Signature: t=<unix seconds>,v1=<hex>`
 * header: an HMAC-SHA256 of `"<t>.<body>"` keyed with the shared secret
 * (`POSTCORE_WEBHOOK_SECRET`). The check runs in the Rust core (constant-time comparison): the
 * signature must match the body exactly as received, under the secret (any of several `v1=`
 * values, so that a secret can be rotated), and its timestamp must be within the tolerance of
 * now, in either direction (a delivery replayed later is refused).
 *
 * ```ts
 * import { verifyWebhook, WebhookSignatureError } from 'postcore/webhooks'
 * // Express, with the raw body: app.post('/hooks', express.raw({ type: 'application/json' }), ...)
 * try {
 *   const event = verifyWebhook(req.body, req.get('Postcore-Signature'), process.env.POSTCORE_WEBHOOK_SECRET)
 * } catch (error) {
 *   if (error instanceof WebhookSignatureError) res.status(400).end()
 * }
 * ```
 *
 * @module
 */
import type { Event } from './event-types.js';
export { WebhookSignatureError } from './errors.js';
export type { Event, EventType } from './event-types.js';
/** The header that carries the signature: `"Postcore-Signature"`. */
export declare const SIGNATURE_HEADER: string;
/** How far a delivery's timestamp may be from now by default, in milliseconds (5 minutes). */
export declare const DEFAULT_TOLERANCE = 300000;
/** Options of `verifyWebhook`. */
export interface VerifyWebhookOptions {
    /** How far, in milliseconds, the signature's timestamp may be from now, either way (default 300000). */
    tolerance?: number;
}
/**
 * Checks a delivery of `postcore listen` and returns its event.
 *
 * @param payload The request body exactly as received (a `Buffer`, or a string: its UTF-8 bytes).
 * @param header The `Postcore-Signature` header's value (`undefined` / `null` when the request had none).
 * @param secret The shared secret (the listener's `POSTCORE_WEBHOOK_SECRET`).
 * @throws {WebhookSignatureError} A missing or malformed header, a timestamp outside the
 *   tolerance (a replayed delivery), no signature matching the body under `secret` (a tampered
 *   body or another secret), or a body that is not an event; the message says which.
 * @throws {TypeError} An argument of the wrong type. {RangeError} A bad tolerance.
 */
export declare function verifyWebhook(payload: string | Uint8Array | ArrayBuffer, header: string | string[] | null | undefined, secret: string, options?: VerifyWebhookOptions): Event;
/**
 * The `Postcore-Signature` value `postcore listen` would send with `payload` at `timestamp`
 * (a `Date`, or milliseconds since the epoch as `Date.now()` gives; default now), e.g. to
 * test a receiver: `verifyWebhook(body, signWebhook(body, secret), secret)`.
 */
export declare function signWebhook(payload: string | Uint8Array | ArrayBuffer, secret: string, timestamp?: Date | number): string;
