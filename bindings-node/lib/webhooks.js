"use strict";
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
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEFAULT_TOLERANCE = exports.SIGNATURE_HEADER = exports.WebhookSignatureError = void 0;
exports.verifyWebhook = verifyWebhook;
exports.signWebhook = signWebhook;
const native = require("../native.js");
const errors_js_1 = require("./errors.js");
const options_js_1 = require("./options.js");
var errors_js_2 = require("./errors.js");
Object.defineProperty(exports, "WebhookSignatureError", { enumerable: true, get: function () { return errors_js_2.WebhookSignatureError; } });
/** The header that carries the signature: `"Postcore-Signature"`. */
exports.SIGNATURE_HEADER = native.webhookSignatureHeader();
/** How far a delivery's timestamp may be from now by default, in milliseconds (5 minutes). */
exports.DEFAULT_TOLERANCE = 300_000;
/** A body as the bytes that were signed: a string as its UTF-8 encoding. */
function payloadBytes(payload) {
    if (typeof payload === 'string')
        return Buffer.from(payload, 'utf8');
    if (payload instanceof Uint8Array)
        return payload;
    if (payload instanceof ArrayBuffer)
        return new Uint8Array(payload);
    const hint = payload !== null && typeof payload === 'object'
        ? ' (a parsed body cannot be verified: keep the raw one, e.g. express.raw({ type: \'application/json\' }))'
        : '';
    throw (0, options_js_1.typeError)(`payload must be the body as received, a string or a Buffer, got ${(0, options_js_1.describe)(payload)}${hint}`);
}
/** The header's value: `undefined` / `null` when missing (refused by the check, saying so). */
function headerValue(header) {
    if (header === undefined || header === null)
        return '';
    if (typeof header === 'string')
        return header;
    if (Array.isArray(header) && header.every((h) => typeof h === 'string'))
        return header.join(',');
    throw (0, options_js_1.typeError)(`header must be the ${exports.SIGNATURE_HEADER} header's value (a string), got ${(0, options_js_1.describe)(header)}`);
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
function verifyWebhook(payload, header, secret, options) {
    const bytes = payloadBytes(payload);
    const value = headerValue(header);
    if (typeof secret !== 'string')
        throw (0, options_js_1.typeError)(`secret must be a string, got ${(0, options_js_1.describe)(secret)}`);
    const opts = (0, options_js_1.checkObject)(options, 'options');
    (0, options_js_1.checkOptionNames)('verify_webhook', opts);
    const tolerance = (0, options_js_1.optionalNumber)(opts.tolerance, 'options.tolerance', 'milliseconds');
    try {
        return native.verifyWebhook(bytes, value, secret, tolerance);
    }
    catch (error) {
        throw (0, errors_js_1.fromNative)(error);
    }
}
/**
 * The `Postcore-Signature` value `postcore listen` would send with `payload` at `timestamp`
 * (a `Date`, or milliseconds since the epoch as `Date.now()` gives; default now), e.g. to
 * test a receiver: `verifyWebhook(body, signWebhook(body, secret), secret)`.
 */
function signWebhook(payload, secret, timestamp) {
    const bytes = payloadBytes(payload);
    if (typeof secret !== 'string')
        throw (0, options_js_1.typeError)(`secret must be a string, got ${(0, options_js_1.describe)(secret)}`);
    let seconds;
    if (timestamp instanceof Date)
        seconds = timestamp.getTime() / 1000;
    else if (typeof timestamp === 'number')
        seconds = timestamp / 1000;
    else if (timestamp !== undefined && timestamp !== null) {
        throw (0, options_js_1.typeError)(`timestamp must be a Date or a number of milliseconds, got ${(0, options_js_1.describe)(timestamp)}`);
    }
    try {
        return native.signWebhook(bytes, secret, seconds);
    }
    catch (error) {
        throw (0, errors_js_1.fromNative)(error);
    }
}
