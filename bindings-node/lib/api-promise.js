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
    #withResponse;
    /**
     * `call` resolves with the result and rejects with the public error; `source` gets the
     * response's metadata when it succeeds (by default `call` itself).
     *
     * @internal
     */
    constructor(call, source = call) {
        // `then`, `catch` and `finally` go to `call`: the base promise stays pending, unobserved.
        super(idle);
        this.#call = call;
        this.#source = source;
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
        this.#withResponse ??= this.#call.then((data) => ({ data, response: responseOf(this.#source.meta) }));
        return this.#withResponse;
    }
    // biome-ignore lint/suspicious/noThenProperty: a Promise subclass; `then` is the point
    then(onfulfilled, onrejected) {
        return this.#call.then(onfulfilled, onrejected);
    }
    catch(onrejected) {
        return this.#call.catch(onrejected);
    }
    finally(onfinally) {
        return this.#call.finally(onfinally);
    }
}
exports.APIPromise = APIPromise;
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
