/**
 * The arguments of each method, and their conversion to the JSON the native layer takes.
 * Checking them (types, required fields, content length, app password format, …) is the
 * Rust core's job: it throws `TypeError` / `RangeError` naming the argument as spelled here.
 *
 * @module
 */
import type { Platform } from './models.js';
import type { RequestOptions } from './options.js';
/** Arguments of `profiles.create()` / `createProfile()`. */
export interface CreateProfileParams {
    /** A label for the end-user this profile stands for, e.g. `"User: john@example.com"`. Omitted: an unnamed profile. */
    profileName?: string | null;
    /**
     * Makes this creation happen once however often the call is made with the key, from any
     * process sharing the client's store: a repeat resolves to the first call's result, sending
     * nothing (other arguments reject with `IdempotencyKeyReusedError`). Use one for any call a
     * job queue may run twice, e.g. `` `signup-${user.id}` ``.
     */
    idempotencyKey?: string | null;
}
/** Arguments of `profiles.linkedInConnectUrl()`. */
export interface LinkedInConnectUrlParams {
    /** Where the browser returns after authorising, with `profileKey` added: an absolute `https` URL (`http` only on a loopback host). */
    returnUrl: string;
    /** The profile to connect; omitted: postcore creates one. */
    profileKey?: string | null;
}
/** Arguments of `profiles.connectBluesky()`. */
export interface ConnectBlueskyParams {
    /** The Bluesky handle, e.g. `"user.bsky.social"`. */
    handle: string;
    /** An app password (`xxxx-xxxx-xxxx-xxxx`, created in Bluesky's settings), not the account password. Never logged. */
    appPassword: string;
    /** The profile to connect; omitted: postcore creates one. */
    profileKey?: string | null;
    /**
     * Makes this creation happen once however often the call is made with the key, from any
     * process sharing the client's store: a repeat resolves to the first call's result, sending
     * nothing (other arguments reject with `IdempotencyKeyReusedError`). Use one for any call a
     * job queue may run twice, e.g. `` `signup-${user.id}` ``.
     */
    idempotencyKey?: string | null;
}
/** Arguments of `posts.create()`. */
export interface CreatePostParams {
    /** The profile to post for. */
    profileKey: string;
    /** The text: at most 3000 characters, and 300 graphemes when Bluesky is among the platforms. */
    content: string;
    /** Where to post, each at most once; every one must be connected to the profile. */
    platforms: Platform[];
    /** When to publish: a `Date` or an ISO 8601 string with a zone; must be in the future. */
    scheduledFor: Date | string;
    /**
     * Makes this creation happen once however often the call is made with the key, from any
     * process sharing the client's store: a repeat resolves to the first call's result, sending
     * nothing (other arguments reject with `IdempotencyKeyReusedError`). Use one for any call a
     * job queue may run twice, e.g. `` `signup-${user.id}` ``.
     */
    idempotencyKey?: string | null;
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
