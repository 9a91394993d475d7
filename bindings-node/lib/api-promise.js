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
/**
 * A promise of a call's result with one extra method, `.withResponse()`.
 *
 * The call starts when the method is called, whether or not anything awaits it; awaiting the
 * promise and calling `.withResponse()` share that one call.
 */
class APIPromise extends Promise {
    #raw;
    #parse;
    #data;
    #withResponse;
    /** @internal */
    constructor(raw, parse) {
        // The base promise is never used: `then`, `catch` and `finally` go to `#result()`.
        super((resolve) => { resolve(undefined); });
        this.#raw = raw;
        this.#parse = parse;
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
        this.#withResponse ??= this.#raw.then(({ data, response }) => ({
            data: this.#parse(data),
            response: {
                status: response.status,
                headers: response.headers,
                rateLimit: response.rateLimit,
                attempts: response.attempts
            }
        }));
        return this.#withResponse;
    }
    #result() {
        this.#data ??= this.#raw.then(({ data }) => this.#parse(data));
        return this.#data;
    }
    then(onfulfilled, onrejected) {
        return this.#result().then(onfulfilled, onrejected);
    }
    catch(onrejected) {
        return this.#result().catch(onrejected);
    }
    finally(onfinally) {
        return this.#result().finally(onfinally);
    }
}
exports.APIPromise = APIPromise;
