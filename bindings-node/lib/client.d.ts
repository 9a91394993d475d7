/**
 * The `Postcore` client, the environment-configured client behind the top-level functions, and
 * the one generic path every call takes to the native layer.
 *
 * @module
 */
import { APIPromise } from './api-promise.js';
import type { CreateProfileParams } from './args.js';
import { Events } from './events.js';
import type { CreatedProfile } from './models.js';
import type { ClientOptions, EventsOptions, RequestOptions, WithOptions } from './options.js';
import { Posts, Profiles } from './resources.js';
/** The package version, as sent in `User-Agent: postcore-node/<version>`. */
export declare const VERSION: string;
/**
 * A postcore API client. Holds one pool of keep-alive connections: create it once and share
 * it, rather than one per call.
 *
 * ```ts
 * const client = new Postcore({ apiKey: process.env.POSTCORE_API_KEY })
 * const { profileKey } = await client.profiles.create({ profileName: 'User: john@example.com' })
 * ```
 */
export declare class Postcore {
    #private;
    /** The end-users of your app and their connected accounts. */
    readonly profiles: Profiles;
    /** Scheduled posts. */
    readonly posts: Posts;
    /**
     * Builds a client. Values not given fall back to `POSTCORE_API_KEY` / `POSTCORE_BASE_URL`,
     * then to the defaults (`https://api.postcore.dev`, 60000 ms, 2 retries, 100 connections).
     *
     * @throws {ConfigurationError} No API key anywhere; an invalid base URL or proxy; an unreadable CA file.
     * @throws {TypeError} An option of the wrong type.
     * @throws {RangeError} An out-of-range number, or a header that cannot be set.
     */
    constructor(options?: ClientOptions);
    /** The API root this client sends to, without trailing slash. */
    get baseUrl(): string;
    /** The client's per-attempt timeout in milliseconds. */
    get timeout(): number;
    /** The client's default number of retries. */
    get maxRetries(): number;
    /** The most connections the client opens at once. */
    get maxConnections(): number;
    /** The store the client shares its rate budgets through (any password masked). */
    get store(): string;
    /** The longest a call waits for a slot of the shared rate budget, in milliseconds. */
    get maxRateLimitWait(): number;
    /**
     * A client with some settings replaced that shares this one's connection pool (no new
     * sockets, cheap to make per request), e.g. `client.withOptions({ timeout: 5000 })`.
     */
    withOptions(options: WithOptions): Postcore;
    /**
     * Closes the client: calls still in flight reject at once with `APIConnectionError`, later
     * calls reject the same way, and every pooled connection is closed, for the clients made
     * from this one with `withOptions` too (they share the pool). Closing twice is harmless.
     * A client that is simply dropped closes its connections when it is garbage-collected.
     */
    close(): void;
    /** Whether `close()` was called on this client or on one sharing its pool. */
    get closed(): boolean;
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
    events(options?: EventsOptions): Events;
    /** Creates a profile: the same as `client.profiles.create(params, options)`. */
    createProfile(params?: CreateProfileParams, options?: RequestOptions): APIPromise<CreatedProfile>;
    /** A description without the API key. */
    toString(): string;
}
/**
 * Creates a profile with a client configured from `POSTCORE_API_KEY` / `POSTCORE_BASE_URL`
 * (built on first use and reused). Same as `new Postcore().profiles.create(params, options)`.
 * Bad arguments and an aborted signal are reported before a missing key is.
 */
export declare function createProfile(params?: CreateProfileParams, options?: RequestOptions): APIPromise<CreatedProfile>;
