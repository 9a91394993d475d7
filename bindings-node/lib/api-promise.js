"use strict";
/**
 * `APIPromise`: what every method that sends a request returns. Await it for the result, or
 * call `.withResponse()` for the result together with the response it came from (status,
 * headers, rate-limit state, attempts), as in the Stainless-generated SDKs.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.APIPromise = void 0;
exports.callSite = callSite;
const errors_js_1 = require("./errors.js");
// The base promise of an `APIPromise` is never settled nor used; this is its executor.
const idle = () => { };
/**
 * A promise of a call's result with one extra method, `.withResponse()`.
 *
 * The call starts when the method is called, whether or not anything awaits it; awaiting the
 * promise and calling `.withResponse()` share that one call.
 */
class APIPromise extends Promise {
    #call;
    #source;
    #site;
    #withResponse;
    /**
     * `call` resolves with the result and rejects with the public error; `source` gets the
     * response's metadata when it succeeds (by default `call` itself); `site` is where the call
     * was made (see `callSite`): an error it rejects with gets the caller's frames as its stack.
     *
     * @internal
     */
    constructor(call, source = call, site) {
        // `then`, `catch` and `finally` go to `call`: the base promise stays pending, unobserved.
        super(idle);
        this.#call = call;
        this.#source = source;
        this.#site = site;
    }
    /** Promises made by `then` are plain promises (no second call, no `withResponse`). */
    static get [Symbol.species]() {
        return Promise;
    }
    /**
     * The result together with the response it came from: `{ data, response }`, `response`
     * a plain object (`status`, `headers`, `rateLimit`, `attempts`).
     */
    withResponse() {
        const site = this.#site;
        this.#withResponse ??= this.#call.then((data) => ({ data, response: responseOf(this.#source.meta) }), site === undefined ? undefined : (error) => { throw atCallSite(error, site); });
        return this.#withResponse;
    }
    // biome-ignore lint/suspicious/noThenProperty: a Promise subclass; `then` is the point
    then(onfulfilled, onrejected) {
        const site = this.#site;
        if (site === undefined || typeof onrejected !== 'function')
            return this.#call.then(onfulfilled, onrejected);
        return this.#call.then(onfulfilled, (error) => onrejected(atCallSite(error, site)));
    }
    catch(onrejected) {
        return this.then(undefined, onrejected);
    }
    finally(onfinally) {
        return this.then((value) => Promise.resolve(onfinally?.()).then(() => value), (error) => Promise.resolve(onfinally?.()).then(() => { throw error; }));
    }
}
exports.APIPromise = APIPromise;
/**
 * The stack of the code that makes a call, captured when the call starts (as undici and the
 * AWS SDK do): the error a call rejects with is created later, in a native callback, and its
 * own stack would show no frame of the caller. `below` is left out with the frames above it.
 *
 * @internal
 */
function callSite(below) {
    const site = {};
    Error.captureStackTrace(site, below);
    return site;
}
/** Marks errors whose stack already names their call site (one error, one rewrite). */
const SITED = new WeakSet();
/**
 * `error` with the call site's frames as its stack: its own first line, then the caller's.
 * Only the errors the package makes (postcore's classes, argument errors): an abort rejects
 * with the signal's own reason, which is left as it is.
 */
function atCallSite(error, site) {
    if (!(error instanceof errors_js_1.PostcoreError || error instanceof TypeError || error instanceof RangeError))
        return error;
    if (SITED.has(error))
        return error;
    SITED.add(error);
    const frames = site.stack ?? '';
    const at = frames.indexOf('\n');
    const head = `${error.name}: ${error.message}`;
    Object.defineProperty(error, 'stack', {
        value: at === -1 ? head : head + frames.slice(at),
        writable: true,
        configurable: true,
        enumerable: false
    });
    return error;
}
/**
 * The response from the native layer's compact text: status, attempts and the rate limit
 * (`limit,remaining,reset`, empty when there was none) on the first three lines, then one
 * `name: value` line per header.
 */
function responseOf(meta) {
    const lines = (meta ?? '').split('\n');
    const headers = {};
    for (let i = 3; i < lines.length; i++) {
        const line = lines[i];
        const colon = line.indexOf(': ');
        if (colon > 0)
            headers[line.slice(0, colon)] = line.slice(colon + 2);
    }
    return {
        status: Number(lines[0]),
        headers,
        rateLimit: rateLimitOf(lines[2] ?? ''),
        attempts: Number(lines[1])
    };
}
function rateLimitOf(line) {
    if (line === '')
        return null;
    const [limit, remaining, reset] = line.split(',').map((n) => (n === '' || n === undefined ? null : Number(n)));
    return {
        limit: limit ?? null,
        remaining: remaining ?? null,
        reset: reset === null || reset === undefined ? null : new Date(reset * 1000)
    };
}
