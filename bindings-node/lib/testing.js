"use strict";
/**
 * `postcore/testing`: a local postcore server inside the package, for testing the code you
 * write around postcore without calling the real API (which posts to real LinkedIn and Bluesky
 * accounts and allows 100 requests per 15 minutes).
 *
 * It is the `postcore-mock` server compiled into the addon and running in your test process,
 * on 127.0.0.1 only: every endpoint with the documented bodies, status codes, errors and
 * rate-limit headers, a clock you can move, and scripted failures.
 *
 * ```ts
 * import { startMockServer } from 'postcore/testing'
 *
 * const server = await startMockServer()     // a free port on 127.0.0.1
 * const client = server.client()             // a Postcore pointed at it
 * const { profileKey } = await client.profiles.create({ profileName: 'User: a@example.com' })
 * server.failNext({ status: 503 })           // also body, headers, delay (ms), action: 'drop'
 * server.requests                            // what it received: method, path, headers, JSON body
 * server.profiles; server.posts              // what it stores
 * server.advance({ seconds: 120 })           // move its clock: scheduled posts get published
 * server.reset()
 * await server.close()
 * ```
 *
 * A process that forgets `close()` still exits: the server holds nothing that keeps Node's
 * event loop alive (and stops with its object, once garbage-collected, or with its worker).
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.MockServer = exports.DEFAULT_API_KEY = void 0;
exports.startMockServer = startMockServer;
const node_crypto_1 = require("node:crypto");
const native = require("../native.js");
const client_js_1 = require("./client.js");
const wire_js_1 = require("./wire.js");
const options_js_1 = require("./options.js");
/** The key a server accepts when none is given (`"pc_test_key"`). */
exports.DEFAULT_API_KEY = native.mockDefaultApiKey();
const ACTIONS = ['respond', 'drop', 'reset', 'truncate'];
/** A `memory://` store no other server or generation uses. */
function freshStore() {
    return `memory://postcore-mock-${(0, node_crypto_1.randomBytes)(8).toString('hex')}`;
}
/**
 * A running local postcore server; made by `startMockServer()`. Listens on 127.0.0.1 only.
 */
class MockServer {
    #native;
    #store = freshStore();
    constructor(server) {
        if (!(server instanceof native.NativeMockServer)) {
            throw (0, options_js_1.typeError)('a MockServer is made by startMockServer(), not by new MockServer()');
        }
        this.#native = server;
    }
    /** Wraps a started native server (`startMockServer()` is the public way). @internal */
    /**
     * Runs the mock's control operation `name` (what `/__mock/<name>` does over HTTP; the same
     * table the Python kit calls), its body converted to JSON as a call's arguments are (values
     * JSON cannot hold are a `TypeError` / `RangeError` naming them under `what`).
     */
    #control(name, body, what = 'the arguments') {
        return this.#native.control(name, body === undefined ? undefined : (0, wire_js_1.toWire)(body, what));
    }
    static _wrap(server) {
        return new MockServer(server);
    }
    /** `http://127.0.0.1:<port>`: the base URL for any HTTP client (`POSTCORE_BASE_URL`). */
    get baseUrl() {
        return this.#native.url;
    }
    /** The key it accepts (send it as `x-api-key`; `POSTCORE_API_KEY`). */
    get apiKey() {
        return this.#native.apiKey;
    }
    /** The port it listens on. */
    get port() {
        return this.#native.port;
    }
    /**
     * `http://127.0.0.1:<port>/`: a web page showing its profiles, a timeline of posts with
     * previews, the request log (keys masked) and controls (clock, faults, reset).
     */
    get dashboardUrl() {
        return this.#native.dashboardUrl;
    }
    /** Whether it is serving (false once closed). */
    get running() {
        return this.#native.running;
    }
    /**
     * A `memory://` store of this server's own (a new one after each `reset()`): the clients
     * made by `client()` and from `env` share their rate budget in it, so a 429 one test
     * provokes pauses only that test's clients.
     */
    get store() {
        return this.#store;
    }
    /** `POSTCORE_API_KEY`, `POSTCORE_BASE_URL` and `POSTCORE_STORE` for it, e.g. for a child process's `env`. */
    get env() {
        return { POSTCORE_API_KEY: this.apiKey, POSTCORE_BASE_URL: this.baseUrl, POSTCORE_STORE: this.#store };
    }
    /**
     * A `Postcore` client with this server's URL and key (other options as for `new Postcore`;
     * `maxRetries: 0` makes `failNext` faults surface at once).
     */
    client(options) {
        return new client_js_1.Postcore({ store: this.#store, ...(0, options_js_1.checkObject)(options, 'options'), apiKey: this.apiKey, baseUrl: this.baseUrl });
    }
    /**
     * Makes the next request(s) fail (or be slow), then answers normally again.
     *
     * ```ts
     * server.failNext({ status: 503 })                     // a bare 503
     * server.failNext({ status: 429, body: { error: 'RATE_LIMIT_EXCEEDED', message: 'Slow down', retry_after: 1 } })
     * server.failNext({ delay: 5000 })                     // a slow answer (timeouts)
     * server.failNext({ action: 'drop' })                  // connection closed, no answer
     * server.failNext({ status: 500, process: true })      // done, but the answer lost
     * server.failNext({ status: 502, times: 3 })           // the next three requests
     * ```
     *
     * @throws {TypeError} An option of the wrong type.
     * @throws {RangeError} A value out of range, or a combination that makes no sense.
     */
    failNext(options) {
        const opts = (0, options_js_1.checkObject)(options, 'options');
        const action = opts.action ?? 'respond';
        if (typeof action !== 'string' || !ACTIONS.includes(action)) {
            throw (0, options_js_1.rangeError)(`options.action must be one of ${ACTIONS.join(', ')}, got ${(0, options_js_1.describe)(action)}`);
        }
        const times = (0, options_js_1.optionalNumber)(opts.times, 'options.times') ?? 1;
        if (!Number.isInteger(times) || times < 1 || times > 0xffffffff) {
            throw (0, options_js_1.rangeError)(`options.times must be a whole number from 1, got ${times}`);
        }
        if (opts.process !== undefined && typeof opts.process !== 'boolean') {
            throw (0, options_js_1.typeError)(`options.process must be a boolean, got ${(0, options_js_1.describe)(opts.process)}`);
        }
        const status = (0, options_js_1.optionalNumber)(opts.status, 'options.status');
        const body = opts.body ?? undefined;
        const headers = (0, options_js_1.headerPairs)(opts.headers, 'options.headers');
        const delay = (0, options_js_1.optionalNumber)(opts.delay, 'options.delay', 'milliseconds');
        // The rules (no status means 500, unless it only delays or adds headers; no response for
        // drop/reset) are the mock's: Fault::for_fail_next, shared with the Python kit.
        const fault = { action, times, process: opts.process === true };
        if (status !== undefined) {
            if (!Number.isInteger(status) || status < 100 || status > 999) {
                throw (0, options_js_1.rangeError)(`options.status must be a whole number from 100 to 999, got ${status}`);
            }
            fault.status = status;
        }
        if (body instanceof Uint8Array) {
            fault.body_hex = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('hex');
        }
        else if (body !== undefined) {
            fault.body = body;
        }
        if (headers !== undefined)
            fault.headers = Object.fromEntries(headers);
        if (delay !== undefined) {
            if (!Number.isFinite(delay) || delay < 0) {
                throw (0, options_js_1.rangeError)(`options.delay must be a finite number of milliseconds >= 0, got ${delay}`);
            }
            fault.delay_ms = Math.round(delay);
        }
        this.#control('fail_next', fault, 'options');
    }
    /**
     * Moves the server's clock forward: posts that become due are published (or failed) when
     * next read, and the rate-limit window moves on. Returns the server's new time.
     *
     * ```ts
     * server.advance({ seconds: 120 })
     * assert.equal(server.posts[0].status, 'published')
     * ```
     */
    advance(by) {
        const seconds = (0, options_js_1.optionalNumber)((0, options_js_1.checkObject)(by, 'by').seconds, 'by.seconds');
        if (seconds === undefined)
            throw (0, options_js_1.typeError)('advance needs { seconds }');
        const clock = this.#control('advance', { seconds, forward: true }, 'by');
        return new Date(clock.unixMs);
    }
    /** The server's clock: real time plus every `advance()` since the start or the last `reset()`. */
    now() {
        return new Date(this.#control('clock').unixMs);
    }
    /**
     * Forgets queued faults, recorded requests, profiles, posts, the monthly quota and the
     * rate-limit window, and sets the clock back to real time. Clients made afterwards get a
     * fresh rate budget (`store`).
     */
    reset() {
        this.#control('reset');
        this.#store = freshStore();
    }
    /**
     * Stores profiles (with connected platforms) and posts directly, e.g. a profile that already
     * has both platforms connected:
     *
     * ```ts
     * server.seed({ profiles: [{ profileKey: 'prof_a', connect: ['linkedin', 'bluesky'] }] })
     * ```
     *
     * The format is the mock's `POST /__mock/seed` (profiles: `profileKey`, `profileName`,
     * `connect`, `blueskyHandle`, `count`; posts: `postId`, `profileKey`, `platform`, `content`,
     * `scheduledFor` (`"$NOW+60"` allowed), `status`).
     *
     * @throws {RangeError} A part of the seed is refused (then nothing is stored).
     */
    seed(seed) {
        return this.#control('seed', (0, options_js_1.checkObject)(seed, 'seed'), 'seed');
    }
    /** Every API request received since the start or the last `reset()`, oldest first (a snapshot). */
    get requests() {
        const { requests } = this.#control('requests');
        return requests.map(({ body, ...rest }) => ({ ...rest, body: parseBody(body), bodyText: body }));
    }
    /** The stored profiles, as `client.profiles.list()` would return them, in creation order. */
    get profiles() {
        return this.#control('profiles').profiles;
    }
    /** The stored posts, in creation order, due ones decided first (failed ones carry `failureReason`). */
    get posts() {
        return this.#control('posts').posts;
    }
    /**
     * Stops the server: open connections close, and the port is free again when the promise
     * resolves. Requests, profiles and posts can no longer be read. Harmless when closed.
     */
    async close() {
        await this.#native.close();
    }
    /** A description (never the key). */
    toString() {
        return `MockServer { baseUrl: ${JSON.stringify(this.baseUrl)}, running: ${this.running} }`;
    }
    /** Keeps `console.log` / `util.inspect` short. */
    [Symbol.for('nodejs.util.inspect.custom')]() {
        return this.toString();
    }
}
exports.MockServer = MockServer;
function parseBody(text) {
    if (text.trim() === '')
        return null;
    try {
        return JSON.parse(text);
    }
    catch {
        return null;
    }
}
function wholeNumber(value, what, low, high, fallback) {
    const n = (0, options_js_1.optionalNumber)(value, what) ?? fallback;
    if (!Number.isInteger(n) || n < low || n > high) {
        throw (0, options_js_1.rangeError)(`${what} must be a whole number from ${low} to ${high}, got ${n}`);
    }
    return n;
}
/**
 * Starts a local postcore server on 127.0.0.1 (a free port unless `port` is given) and
 * resolves once it accepts connections.
 *
 * ```ts
 * const server = await startMockServer({ rateLimit: 5 })
 * ```
 *
 * @throws {TypeError} An option of the wrong type.
 * @throws {RangeError} A value out of range.
 * Rejects with an `Error` whose `code` is `EADDRINUSE` when `port` is taken.
 */
async function startMockServer(options) {
    const opts = (0, options_js_1.checkObject)(options, 'options');
    const apiKey = (0, options_js_1.optionalString)(opts.apiKey, 'options.apiKey') ?? exports.DEFAULT_API_KEY;
    const port = wholeNumber(opts.port, 'options.port', 0, 65535, 0);
    const rateLimit = opts.rateLimit === undefined || opts.rateLimit === null
        ? null
        : wholeNumber(opts.rateLimit, 'options.rateLimit', 0, 0xffffffff, 0);
    const rateWindow = wholeNumber(opts.rateWindow, 'options.rateWindow', 1000, 0xffffffff * 1000, 900_000);
    if (rateWindow % 1000 !== 0) {
        throw (0, options_js_1.rangeError)(`options.rateWindow must be a whole number of seconds, in milliseconds (e.g. 30000), got ${rateWindow}`);
    }
    const postsPerMonth = wholeNumber(opts.postsPerMonth, 'options.postsPerMonth', 0, 0xffffffff, 10);
    const config = {
        apiKey,
        port,
        rateWindowSecs: rateWindow / 1000,
        postsPerMonth
    };
    if (rateLimit !== null)
        config.rateLimit = rateLimit;
    return MockServer._wrap(await native.startMockServer(config));
}
