/**
 * The API's resources, `client.profiles` and `client.posts`. Each method names its operation
 * in the core's generic dispatch and forwards its arguments; parsing, validation, the request,
 * retries and decoding all happen in the Rust core.
 *
 * @module
 */
import type { APIPromise } from './api-promise.js';
import type { ConnectBlueskyParams, CreatePostParams, CreateProfileParams, LinkedInConnectUrlParams } from './args.js';
import type { Connection, CreatedProfile, Post, Profile, ScheduledPosts } from './models.js';
import type { RequestOptions, WaitOptions } from './options.js';
/** Profiles: one per end-user of your app, and the social accounts connected to them. */
export declare class Profiles {
    #private;
    /**
     * Create a profile (`POST /profiles/create`): one end-user of your app.
     *
     * Never resent once the server may have processed it, so the client's retries never create it
     * twice.
     *
     * @returns The new `Profile` (key and name); store its `profileKey` with your user.
     */
    create(params?: CreateProfileParams, options?: RequestOptions): APIPromise<CreatedProfile>;
    /**
     * List every profile of your account (`GET /profiles`), with their connected accounts, in
     * creation order. The API has no pagination: one response holds them all (bodies up to 512 MiB
     * are read).
     */
    list(options?: RequestOptions): APIPromise<Profile[]>;
    /**
     * Delete a profile with its connections, stored credentials and pending posts (`DELETE
     * /profiles/:profileKey`). This cannot be undone.
     *
     * @param profileKey The profile's key.
     * @throws {NotFoundError} No such profile (`PROFILE_NOT_FOUND`).
     */
    delete(profileKey: string, options?: RequestOptions): APIPromise<void>;
    /**
     * Connect a Bluesky account with an app password (`POST /profiles/connect`).
     *
     * Never resent once the server may have processed it, so the client's retries never create it
     * twice.
     *
     * @returns The `Connection` (its `profileKey` is the new profile's when none was given).
     * @throws {RangeError} The app password is not of the form `xxxx-xxxx-xxxx-xxxx` (checked before
     *   sending).
     * @throws {InvalidCredentialsError} Bluesky refused the handle or password.
     * @throws {BadRequestError} `PROFILE_ALREADY_EXISTS`: the profile has a Bluesky account.
     * @throws {NotFoundError} No such profile.
     */
    connectBluesky(params: ConnectBlueskyParams, options?: RequestOptions): APIPromise<Connection>;
    /**
     * The URL that connects a LinkedIn account: redirect the end-user's browser to it. After they
     * authorise, postcore sends the browser back to `returnUrl` with the `profileKey`. Without
     * `profileKey`, a new profile is created.
     *
     * Built locally (the documented `GET /profiles/connect` URL, every parameter encoded); no request
     * is made. **The URL contains your API key**: build it on your server and redirect to it; never
     * put it in a page or an app, nor in a log.
     *
     * @returns The URL.
     * @throws {RangeError} `returnUrl` is not an absolute `https://` URL (`http://` is accepted for
     *   loopback hosts only).
     */
    linkedInConnectUrl(params: LinkedInConnectUrlParams): string;
}
/** Posts: schedule them on a profile's connected accounts, follow them and cancel them. */
export declare class Posts {
    #private;
    /**
     * Schedule a post (`POST /posts`): one `Post` per platform, published at `scheduledFor`.
     *
     * Never resent once the server may have processed it, so the client's retries never create it
     * twice.
     *
     * @returns `ScheduledPosts`: `posts` (one pending post per platform) and `usage` (the monthly
     *   quota left).
     * @throws {RangeError | TypeError} A date without a zone, empty or too long content, empty,
     *   repeated or unknown platforms (checked before sending).
     * @throws {PlatformsNotConnectedError} A platform is not connected (`missingPlatforms`).
     * @throws {RateLimitError} Too many requests, or posts too close together on one platform
     *   (LinkedIn 60 s, Bluesky 1 s apart: `platform`, `nextAvailable`).
     */
    create(params: CreatePostParams, options?: RequestOptions): APIPromise<ScheduledPosts>;
    /** List every post of your account (`GET /posts`), in creation order. */
    list(options?: RequestOptions): APIPromise<Post[]>;
    /**
     * Read one post (`GET /posts/:postId`).
     *
     * @param postId The post's id.
     * @throws {NotFoundError} No such post (`POST_NOT_FOUND`).
     */
    retrieve(postId: string, options?: RequestOptions): APIPromise<Post>;
    /**
     * Cancel a pending post (`DELETE /posts/:postId`); published or failed posts cannot be deleted.
     *
     * @param postId The post's id.
     * @throws {NotFoundError} No such post (`POST_NOT_FOUND`).
     */
    delete(postId: string, options?: RequestOptions): APIPromise<void>;
    /**
     * Wait until a post is published or has failed, and return it (a failed post is returned, not
     * raised: check its `status`).
     *
     * Reads the post once, sleeps until its `scheduledFor` time (on the server's clock), then polls
     * `GET /posts/:postId` every `interval`. Polls take at most half of each window of the shared
     * rate budget (100 requests per 15 minutes), so waiting never starves your other calls nor draws
     * a 429. Aborting `signal` stops it at once.
     *
     * @param postId The post to wait for.
     * @param options.timeout Give up after this many milliseconds with `WaitTimeoutError` (its `post`
     *   is the post as last seen). Not given: wait as long as it takes. (This is the whole wait; each
     *   poll's own timeout is the client's.)
     * @param options.interval Milliseconds between polls once the post is due (default 10000;
     *   stretched to stay inside the rate limit).
     * @returns The `Post`, published or failed.
     * @throws {WaitTimeoutError} Past `timeout`, with the post as last seen.
     * @throws {NotFoundError} No such post.
     */
    wait(postId: string, options?: WaitOptions): APIPromise<Post>;
    /**
     * Wait until every post of `postIds` is published or has failed, and return them in the given
     * order (failed posts are returned, not raised: check each `status`).
     *
     * One `GET /posts` per poll answers for all of them, however many: 1,000 posts across 50 profiles
     * are followed inside the documented 100 requests per 15 minutes. No poll comes before the
     * earliest pending `scheduledFor` (on the server's clock), then one every `interval` while some
     * are due and pending, paced by the shared rate budget. Aborting `signal` stops it at once.
     *
     * @param postIds The posts to wait for.
     * @param options.timeout Give up after this many milliseconds with `WaitTimeoutError`, whose
     *   `posts` are all of them as last seen (`post`: the first still pending). Not given: wait as
     *   long as it takes.
     * @param options.interval Milliseconds between polls once posts are due (default 10000).
     * @returns Every `Post`, in the order of `postIds`.
     * @throws {WaitTimeoutError} Past `timeout`, with every post as last seen.
     * @throws {NotFoundError} A post is not in the listing (deleted, or it never existed).
     */
    waitMany(postIds: readonly string[], options?: WaitOptions): APIPromise<Post[]>;
}
