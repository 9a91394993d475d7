"use strict";
/**
 * The `Postcore` client, the environment-configured client behind the top-level functions, and
 * the one generic path every call takes to the native layer.
 *
 * @module
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.Postcore = exports.VERSION = void 0;
exports.createProfile = createProfile;
const node_fs_1 = require("node:fs");
const native = require("../native.js");
const abort_js_1 = require("./abort.js");
const api_promise_js_1 = require("./api-promise.js");
const wire_js_1 = require("./wire.js");
const events_js_1 = require("./events.js");
const errors_js_1 = require("./errors.js");
const options_js_1 = require("./options.js");
const resources_js_1 = require("./resources.js");
const observe_js_1 = require("./observe.js");
/** The package version, as sent in `User-Agent: postcore-node/<version>`. */
exports.VERSION = native.userAgent().slice('postcore-node/'.length);
// Failed calls reject with the public error classes directly (once per environment: module
// scope is per main thread / worker, like the native layer's registration).
native.setErrorFactory(errors_js_1.fromNative);
/** Lets `withOptions` hand a native client to the constructor; module-private, so unforgeable. */
const ADOPT = Symbol('adopt');
/** With it, the watchers (hooks, logger, tracing) the derived client shares. */
const WATCHERS = Symbol('watchers');
/**
 * A postcore API client. Holds one pool of keep-alive connections: create it once and share
 * it, rather than one per call.
 *
 * ```ts
 * const client = new Postcore({ apiKey: process.env.POSTCORE_API_KEY })
 * const { profileKey } = await client.profiles.create({ profileName: 'User: john@example.com' })
 * ```
 */
class Postcore {
    /** The end-users of your app and their connected accounts. */
    profiles;
    /** Scheduled posts. */
    posts;
    #native;
    #watchers;
    /**
     * Builds a client. Values not given fall back to `POSTCORE_API_KEY` / `POSTCORE_BASE_URL`,
     * then to the defaults (`https://api.postcore.dev`, 60000 ms, 2 retries, 100 connections).
     *
     * @throws {ConfigurationError} No API key anywhere; an invalid base URL or proxy; an unreadable CA file.
     * @throws {TypeError} An option of the wrong type.
     * @throws {RangeError} An out-of-range number, or a header that cannot be set.
     */
    constructor(options) {
        const adopted = options;
        this.#native = adopted?.[ADOPT] ?? build(options);
        this.#watchers = adopted?.[WATCHERS] ?? (0, observe_js_1.watchers)((0, options_js_1.checkObject)(options, 'options'), exports.VERSION);
        const client = this.#native;
        const watch = this.#watchers;
        const caller = {
            call: (operation, params, callOptions, intoArgs, set) => send(client, watch, operation, params, callOptions, intoArgs, set),
            local: (operation, params) => {
                if (operation !== 'profiles.linkedin_connect_url')
                    throw (0, options_js_1.typeError)(`unknown local operation ${operation}`);
                const args = (0, wire_js_1.toWire)((0, options_js_1.checkObject)(params, 'params'), '');
                try {
                    return client.linkedInConnectUrl(args);
                }
                catch (error) {
                    throw (0, errors_js_1.fromNative)(error);
                }
            }
        };
        this.profiles = new resources_js_1.Profiles(caller);
        this.posts = new resources_js_1.Posts(caller);
    }
    /** The API root this client sends to, without trailing slash. */
    get baseUrl() {
        return this.#native.baseUrl;
    }
    /** The client's per-attempt timeout in milliseconds. */
    get timeout() {
        return this.#native.timeout;
    }
    /** The client's default number of retries. */
    get maxRetries() {
        return this.#native.maxRetries;
    }
    /** The most connections the client opens at once. */
    get maxConnections() {
        return this.#native.maxConnections;
    }
    /** The store the client shares its rate budgets through (any password masked). */
    get store() {
        return this.#native.store;
    }
    /** The longest a call waits for a slot of the shared rate budget, in milliseconds. */
    get maxRateLimitWait() {
        return this.#native.maxRateLimitWait;
    }
    /**
     * A client with some settings replaced that shares this one's connection pool (no new
     * sockets, cheap to make per request), e.g. `client.withOptions({ timeout: 5000 })`.
     */
    withOptions(options) {
        const opts = (0, options_js_1.checkObject)(options, 'options');
        (0, options_js_1.checkOptionNames)('with_options', opts);
        const overrides = {};
        const timeout = (0, options_js_1.optionalNumber)(opts.timeout, 'options.timeout', 'milliseconds');
        if (timeout !== undefined)
            overrides.timeout = timeout;
        const maxRetries = (0, options_js_1.optionalNumber)(opts.maxRetries, 'options.maxRetries');
        if (maxRetries !== undefined)
            overrides.maxRetries = maxRetries;
        const defaultHeaders = (0, options_js_1.headerPairs)(opts.defaultHeaders, 'options.defaultHeaders');
        if (defaultHeaders !== undefined)
            overrides.defaultHeaders = defaultHeaders;
        const maxRateLimitWait = (0, options_js_1.optionalNumber)(opts.maxRateLimitWait, 'options.maxRateLimitWait', 'milliseconds');
        if (maxRateLimitWait !== undefined)
            overrides.maxRateLimitWait = maxRateLimitWait;
        let adopted;
        try {
            adopted = this.#native.withOptions(overrides);
        }
        catch (error) {
            throw (0, errors_js_1.fromNative)(error);
        }
        return new Postcore({ [ADOPT]: adopted, [WATCHERS]: this.#watchers });
    }
    /**
     * Closes the client: calls still in flight reject at once with `APIConnectionError`, later
     * calls reject the same way, and every pooled connection is closed, for the clients made
     * from this one with `withOptions` too (they share the pool). Closing twice is harmless.
     * A client that is simply dropped closes its connections when it is garbage-collected.
     */
    close() {
        this.#native.close();
    }
    /** Whether `close()` was called on this client or on one sharing its pool. */
    get closed() {
        return this.#native.closed;
    }
    /**
     * What happens to the account's posts, profiles and connections, as an endless async
     * iterator of `Event`: no webhooks needed.
     *
     * ```ts
     * for await (const event of client.events({ consumer: 'notifier' })) {
     *   if (event.type === 'post.failed') notify(event.data.profileKey, event.data.postId)
     * }
     * ```
     *
     * Each poll is one `GET /posts` and one `GET /profiles` (every `interval` ms, default
     * 30000, paced by the shared rate budget); the changes between polls are the events. The
     * consumer's position is kept in the client's `store`: a watcher restarted, or another
     * process taking over, neither misses an event nor repeats one it acknowledged (an event
     * counts as delivered once `next()` is called again). A new consumer starts from now. With
     * a `sqlite://` or `redis://` store, at most one process polls per consumer at a time.
     * `break` (or `return()`) ends the iteration; aborting `signal` rejects a waiting `next()`
     * with `signal.reason` and ends it. Nothing is sent before the first `next()`; bad options
     * throw at once.
     */
    events(options) {
        const opts = (0, options_js_1.checkObject)(options, 'options');
        const { signal } = (0, options_js_1.requestOptions)(opts, 'events');
        const args = {};
        const consumer = (0, options_js_1.optionalString)(opts.consumer, 'options.consumer');
        if (consumer !== undefined)
            args.consumer = consumer;
        const interval = (0, options_js_1.optionalNumber)(opts.interval, 'options.interval', 'milliseconds');
        if (interval !== undefined)
            args.interval = interval;
        const client = this.#native;
        try {
            native.checkArguments('events.next', args);
        }
        catch (error) {
            throw (0, errors_js_1.fromNative)(error);
        }
        return new events_js_1.Events(args, (wire, token) => client.call('events.next', wire, undefined, token), signal);
    }
    /** Creates a profile: the same as `client.profiles.create(params, options)`. */
    createProfile(params, options) {
        return this.profiles.create(params, options);
    }
    /** A description without the API key. */
    toString() {
        return `Postcore { baseUrl: ${JSON.stringify(this.baseUrl)} }`;
    }
    /** Keeps the API key (held natively) out of `console.log` / `util.inspect`. */
    [Symbol.for('nodejs.util.inspect.custom')]() {
        return this.toString();
    }
}
exports.Postcore = Postcore;
/**
 * A configuration variable from `process.env`. Read here rather than by the core, because a
 * worker thread's `process.env` is its own copy: the core would see the process environment.
 * Unset or empty: `undefined`, so the core's own fallback (and its error message) applies.
 */
function fromEnv(name) {
    const value = process.env[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
}
/** Checks the constructor's options and builds the native client. */
function build(options) {
    const opts = (0, options_js_1.checkObject)(options, 'options');
    (0, options_js_1.checkOptionNames)('client', opts);
    const config = {};
    const apiKey = (0, options_js_1.optionalString)(opts.apiKey, 'options.apiKey') ?? fromEnv('POSTCORE_API_KEY');
    if (apiKey !== undefined)
        config.apiKey = apiKey;
    const baseUrl = (0, options_js_1.optionalString)(opts.baseUrl, 'options.baseUrl') ?? fromEnv('POSTCORE_BASE_URL');
    if (baseUrl !== undefined)
        config.baseUrl = baseUrl;
    const timeout = (0, options_js_1.optionalNumber)(opts.timeout, 'options.timeout', 'milliseconds');
    if (timeout !== undefined)
        config.timeout = timeout;
    const maxRetries = (0, options_js_1.optionalNumber)(opts.maxRetries, 'options.maxRetries');
    if (maxRetries !== undefined)
        config.maxRetries = maxRetries;
    const maxConnections = (0, options_js_1.optionalNumber)(opts.maxConnections, 'options.maxConnections');
    if (maxConnections !== undefined)
        config.maxConnections = maxConnections;
    const defaultHeaders = (0, options_js_1.headerPairs)(opts.defaultHeaders, 'options.defaultHeaders');
    if (defaultHeaders !== undefined)
        config.defaultHeaders = defaultHeaders;
    const proxy = (0, options_js_1.optionalString)(opts.proxy, 'options.proxy');
    if (proxy !== undefined)
        config.proxy = proxy;
    config.extraCaCerts = caFiles(opts.extraCaCerts);
    const store = (0, options_js_1.optionalString)(opts.store, 'options.store') ?? fromEnv('POSTCORE_STORE');
    if (store !== undefined)
        config.store = store;
    const budgetGroup = (0, options_js_1.optionalString)(opts.budgetGroup, 'options.budgetGroup');
    if (budgetGroup !== undefined)
        config.budgetGroup = budgetGroup;
    const maxRateLimitWait = (0, options_js_1.optionalNumber)(opts.maxRateLimitWait, 'options.maxRateLimitWait', 'milliseconds');
    if (maxRateLimitWait !== undefined)
        config.maxRateLimitWait = maxRateLimitWait;
    const idempotencyTtl = (0, options_js_1.optionalNumber)(opts.idempotencyTtl, 'options.idempotencyTtl', 'milliseconds');
    if (idempotencyTtl !== undefined)
        config.idempotencyTtl = idempotencyTtl;
    try {
        return new native.NativeClient(config);
    }
    catch (error) {
        throw (0, errors_js_1.fromNative)(error);
    }
}
/**
 * The CA files to trust: `extraCaCerts` (one path or a list) plus `NODE_EXTRA_CA_CERTS`,
 * which Node itself honours for its own TLS, so a user who set it for Node expects it here.
 */
function caFiles(value) {
    const files = [];
    if (typeof value === 'string') {
        files.push(value);
    }
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        files.push(...value);
    }
    else if (value !== undefined && value !== null) {
        throw (0, options_js_1.typeError)(`options.extraCaCerts must be a path or a list of paths, got ${(0, options_js_1.describe)(value)}`);
    }
    const fromNode = fromEnv('NODE_EXTRA_CA_CERTS');
    if (fromNode !== undefined) {
        // Said here, naming the variable: the core's message would only name the file.
        try {
            (0, node_fs_1.accessSync)(fromNode, node_fs_1.constants.R_OK);
        }
        catch (error) {
            const reason = error.code ?? String(error);
            throw new errors_js_1.ConfigurationError(`NODE_EXTRA_CA_CERTS names a file that cannot be read (${reason}): ${fromNode}`);
        }
        files.push(fromNode);
    }
    return files;
}
const NO_ARGS = [];
/**
 * The one path of every call: checks the per-call options, converts the arguments to JSON
 * (see `toWire`), runs the operation (under the signal, if any) and wraps it in an
 * `APIPromise`. Any problem, even a synchronous one, is reported through the promise. The
 * native call resolves with the result itself (`undefined` for deletions) and rejects with
 * the public error classes, so a call without options adds nothing here but the wrapper.
 */
function send(client, watch, operation, params, options, intoArgs = NO_ARGS, set = 'request') {
    const site = (0, api_promise_js_1.callSite)(send);
    try {
        // Made as the call starts, in the caller's context (its active span).
        const observe = (0, observe_js_1.observer)(watch, operation);
        const lines = watch.logger !== undefined;
        if ((options === undefined || options === null) && intoArgs.length === 0) {
            const wire = (0, wire_js_1.toWire)((0, options_js_1.checkObject)(params, 'params'), '');
            const call = observe === undefined
                ? client.call(operation, wire)
                : client.call(operation, wire, undefined, undefined, observe, lines);
            return new api_promise_js_1.APIPromise(call, call, site);
        }
        const args = { ...(0, options_js_1.checkObject)(params, 'params') };
        const rest = { ...(0, options_js_1.checkObject)(options, 'options') };
        (0, options_js_1.checkOptionNames)(set, rest);
        for (const name of intoArgs) {
            args[name] = rest[name];
            delete rest[name];
        }
        const { signal, native: nativeOptions } = (0, options_js_1.requestOptions)(rest, set);
        const wire = (0, wire_js_1.toWire)(args, '');
        if (signal === undefined) {
            const call = client.call(operation, wire, nativeOptions, undefined, observe, lines);
            return new api_promise_js_1.APIPromise(call, call, site);
        }
        let call;
        const result = (0, abort_js_1.run)((token) => {
            const started = client.call(operation, wire, nativeOptions, token, observe, lines);
            call = started;
            return started;
        }, signal);
        return new api_promise_js_1.APIPromise(result, { get meta() { return call?.meta; } }, site);
    }
    catch (error) {
        return new api_promise_js_1.APIPromise(Promise.reject((0, errors_js_1.fromNative)(error)), undefined, site);
    }
}
// The environment-configured client of the top-level functions. Module scope is per JavaScript
// environment (main thread, each worker), so no connection pool is shared across threads.
let defaultClient;
/** The client of the top-level functions, built on first use (a failed build is retried next time). */
function getDefaultClient() {
    defaultClient ??= new Postcore();
    return defaultClient;
}
/**
 * Creates a profile with a client configured from `POSTCORE_API_KEY` / `POSTCORE_BASE_URL`
 * (built on first use and reused). Same as `new Postcore().profiles.create(params, options)`.
 * Bad arguments and an aborted signal are reported before a missing key is.
 */
function createProfile(params, options) {
    try {
        const { signal } = (0, options_js_1.requestOptions)(options);
        if (signal?.aborted === true)
            return new api_promise_js_1.APIPromise(Promise.reject((0, abort_js_1.abortReason)(signal)));
        native.checkArguments('profiles.create', (0, wire_js_1.toWire)((0, options_js_1.checkObject)(params, 'params'), ''));
        return getDefaultClient().profiles.create(params, options);
    }
    catch (error) {
        return new api_promise_js_1.APIPromise(Promise.reject((0, errors_js_1.fromNative)(error)));
    }
}
