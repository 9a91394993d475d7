/**
 * The API's resources, `client.profiles` and `client.posts`. Each method names its operation
 * in the core's generic dispatch and forwards its arguments; parsing, validation, the request,
 * retries and decoding all happen in the Rust core. Adding an endpoint to the package is one
 * method here (plus its argument and result types in `args.ts` / `models.ts`).
 *
 * @module
 */
import type { APIPromise } from './api-promise.js';
import type { ConnectBlueskyParams, CreatePostParams, CreateProfileParams, LinkedInConnectUrlParams, WaitOptions } from './args.js';
import type { Connection, CreatedProfile, Post, Profile, ScheduledPosts } from './models.js';
import type { RequestOptions } from './options.js';
/** `client.profiles`: the end-users of your app and their connected accounts. */
export declare class Profiles {
    #private;
    /**
     * Creates a profile (`POST /profiles/create`): one end-user of your app. Store the returned
     * `profileKey` with that user. Never resent after the server may have processed it, so the
     * client's own retries never create a profile twice.
     */
    create(params?: CreateProfileParams, options?: RequestOptions): APIPromise<CreatedProfile>;
    /** Every profile, with its connected accounts (`GET /profiles`). */
    list(options?: RequestOptions): APIPromise<Profile[]>;
    /**
     * Deletes a profile with its connections, stored credentials and pending posts (`DELETE
     * /profiles/:profileKey`); cannot be undone. Unknown key: `NotFoundError`.
     */
    delete(profileKey: string, options?: RequestOptions): APIPromise<void>;
    /**
     * The URL to send the end-user's browser to for connecting LinkedIn (OAuth), built locally
     * with no request. After authorising, the browser returns to `returnUrl` with the
     * `profileKey` added. The URL contains your API key: build it server-side only, and never
     * log it.
     */
    linkedInConnectUrl(params: LinkedInConnectUrlParams): string;
    /**
     * Connects a Bluesky account with an app password (`POST /profiles/connect`); without
     * `profileKey`, postcore creates a profile. Bad credentials: `InvalidCredentialsError`.
     * Never resent after the server may have processed it.
     */
    connectBluesky(params: ConnectBlueskyParams, options?: RequestOptions): APIPromise<Connection>;
}
/** `client.posts`: schedule posts, follow them, cancel them. */
export declare class Posts {
    #private;
    /**
     * Schedules a post on each platform (`POST /posts`); there is no "publish now". Checked
     * first: content length (3000 characters; 300 graphemes with Bluesky), the platforms, the
     * date. A platform the profile lacks: `PlatformsNotConnectedError`; too close to the
     * profile's previous post on a platform: `RateLimitError` with `platform` / `nextAvailable`.
     * Never resent after the server may have processed it.
     */
    create(params: CreatePostParams, options?: RequestOptions): APIPromise<ScheduledPosts>;
    /** Every post (`GET /posts`). */
    list(options?: RequestOptions): APIPromise<Post[]>;
    /** One post (`GET /posts/:postId`); unknown id: `NotFoundError`. */
    retrieve(postId: string, options?: RequestOptions): APIPromise<Post>;
    /** Cancels a pending post (`DELETE /posts/:postId`); unknown id: `NotFoundError`. */
    delete(postId: string, options?: RequestOptions): APIPromise<void>;
    /**
     * Resolves to the post once it is `published` or `failed` (a failed post is returned, not
     * thrown). Polls `GET /posts/:postId` from its `scheduledFor` time (on the server's clock)
     * every `interval` ms, slower when the rate limit would not last; past `timeout` ms it
     * rejects with `WaitTimeoutError` carrying the post as last seen. Aborting `signal` stops
     * it at once.
     */
    wait(postId: string, options?: WaitOptions): APIPromise<Post>;
    /**
     * Resolves to every post of `postIds`, in that order, once each is `published` or `failed`
     * (failed posts are returned, not thrown). One `GET /posts` per poll answers for all of
     * them, however many (1,000 posts across 50 profiles stay inside the documented 100
     * requests per 15 minutes): no poll before the earliest pending `scheduledFor` (on the
     * server's clock), then one every `interval` ms while some are due, paced by the shared
     * rate budget. Past `timeout` ms it rejects with `WaitTimeoutError`, whose `posts` are all
     * of them as last seen; a post not in the listing (deleted, or never created) rejects with
     * `NotFoundError`. Aborting `signal` stops it at once.
     */
    waitMany(postIds: readonly string[], options?: WaitOptions): APIPromise<Post[]>;
}
