/**
 * Options of the client and of each call, and their type checks. Only types are checked here
 * (a `TypeError` names the option); values (ranges, header names, URLs) are checked once, by
 * the Rust core, which throws `RangeError` or `ConfigurationError`.
 *
 * @module
 */
import type { Hooks, Logger } from './observe.js';
/** Options for `new Postcore(options)`. Values not given fall back to the environment, then to the defaults. */
export interface ClientOptions {
    /** The API key sent as `x-api-key` (default: `process.env.POSTCORE_API_KEY`). */
    apiKey?: string;
    /** The API root (default: `process.env.POSTCORE_BASE_URL`, else `https://api.postcore.dev`). `http://` only for loopback hosts. */
    baseUrl?: string;
    /** Per-attempt timeout in milliseconds (default 60000). */
    timeout?: number;
    /** Retries after the first attempt, where retrying is safe (default 2). */
    maxRetries?: number;
    /**
     * The most connections open to the API at once (default 100). Calls beyond it wait for a
     * free connection, within their timeout, instead of opening more sockets.
     */
    maxConnections?: number;
    /**
     * Headers sent with every request. `x-api-key`, `content-type` and a few transport headers
     * cannot be set (RangeError); a `user-agent` is appended to `postcore-node/<version>`.
     */
    defaultHeaders?: Record<string, string>;
    /**
     * An HTTP(S) proxy for every request, e.g. `http://user:pass@proxy.example.com:3128` (HTTPS
     * goes through it with `CONNECT`). Without it, `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY`
     * and `NO_PROXY` from the environment apply.
     */
    proxy?: string;
    /**
     * PEM file(s) of CA certificates to trust besides the system's trust store (a company's
     * TLS-inspecting proxy, a private gateway). `NODE_EXTRA_CA_CERTS` is honoured too.
     */
    extraCaCerts?: string | string[];
    /**
     * Where the rate budgets are shared with other clients: `memory://` (this process),
     * `sqlite:///absolute/path.db` (the processes of one host) or
     * `redis://[:password@]host[:port][/db]` / `rediss://…` (many hosts). Default:
     * `process.env.POSTCORE_STORE`, else `memory://`.
     */
    store?: string;
    /**
     * The group whose per-IP budgets (general, connect) this client shares (default: one for
     * the whole store); give hosts with their own IP addresses their own group.
     */
    budgetGroup?: string;
    /**
     * The longest a call waits, in milliseconds, for a slot of the shared rate budget before
     * rejecting with `RateLimitError` without sending (default 30000).
     */
    maxRateLimitWait?: number;
    /** How long idempotency keys are remembered in the store, in milliseconds (default a day). */
    idempotencyTtl?: number;
    /**
     * Callbacks on every attempt, response, retry and wait of the client's calls, run on the
     * JavaScript thread; one that throws is logged and ignored (see the README's "Observability").
     */
    hooks?: Hooks;
    /**
     * Where the client's log lines go (any object with `debug`, `info`, `warn` and `error`, as
     * pino and winston give): one per attempt, retry and wait at `debug`, warnings at `warn`.
     * Without it, `POSTCORE_LOG=debug` prints them on stderr.
     */
    logger?: Logger;
    /**
     * Whether calls make OpenTelemetry spans when the application has registered a tracer
     * provider with `@opentelemetry/api` (default `true`).
     */
    tracing?: boolean;
}
/** Per-call options, the last argument of every method that sends a request. */
export interface RequestOptions {
    /**
     * Aborting it cancels the call at once (the request is dropped); the call rejects with
     * `signal.reason` (a `DOMException` named `"AbortError"` by default), like `fetch`.
     */
    signal?: AbortSignal | null;
    /** Per-attempt timeout for this call, in milliseconds. */
    timeout?: number;
    /** Retries for this call. */
    maxRetries?: number;
    /** Headers added to this call's requests (same rules as `defaultHeaders`). */
    headers?: Record<string, string>;
    /** The longest this call waits for a slot of the shared rate budget, in milliseconds. */
    maxRateLimitWait?: number;
}
/** Settings `client.withOptions()` replaces; everything else, and the connection pool, is shared. */
export interface WithOptions {
    /** Per-attempt timeout in milliseconds. */
    timeout?: number;
    /** Retries after the first attempt. */
    maxRetries?: number;
    /** Replaces the default headers (same rules as `ClientOptions.defaultHeaders`). */
    defaultHeaders?: Record<string, string>;
    /** The longest a call waits for a slot of the shared rate budget, in milliseconds. */
    maxRateLimitWait?: number;
}
/** Options of `posts.wait()` and `posts.waitMany()`: the wait's own settings plus the per-call options of its polls. */
export interface WaitOptions extends Omit<RequestOptions, 'timeout'> {
    /** Give up after this many milliseconds with `WaitTimeoutError` (default: wait as long as it takes). */
    timeout?: number;
    /** Milliseconds between polls once the post is due (default 10000; stretched to stay inside the rate limit). */
    interval?: number;
}
/** Options of `client.events()`. */
export interface EventsOptions {
    /**
     * The consumer's name (1 to 200 characters, default `"default"`): each consumer gets every
     * event once, independently of the others, and its position is kept in the client's store.
     */
    consumer?: string;
    /** Milliseconds between polls (default 30000); each poll is `GET /posts` and `GET /profiles`. */
    interval?: number;
    /** Aborting it ends the iteration: a waiting `next()` rejects with `signal.reason`, as `fetch` does. */
    signal?: AbortSignal | null;
}
