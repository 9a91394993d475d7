/**
 * The arguments of each method that takes an object. Checking them (types, required fields,
 * content length, app password format, …) is the Rust core's job: it throws `TypeError` /
 * `RangeError` naming the argument as spelled here.
 *
 * @module
 */
import type { Platform } from './models.js';
/** Arguments of `profiles.create()`. */
export interface CreateProfileParams {
    /**
     * A label for the end-user, e.g. `"User: john@example.com"`; `null` creates an unnamed profile.
     */
    profileName?: string | null;
    /**
     * Makes this creation happen once however often the call is made with the key, from any process
     * sharing the client's store: a repeat returns the first call's result, sending nothing (other
     * arguments fail with `IdempotencyKeyReusedError`). Use one for any call a job queue may run
     * twice, e.g. `` `signup-${user.id}` ``.
     */
    idempotencyKey?: string | null;
}
/** Arguments of `profiles.connectBluesky()`. */
export interface ConnectBlueskyParams {
    /** The account's handle, e.g. `"user.bsky.social"`. */
    handle: string;
    /**
     * An app password (`xxxx-xxxx-xxxx-xxxx`) the user created in Bluesky under Settings > App
     * passwords; not the account password. It is sent in the request body only, never shown in a
     * repr, error or log line.
     */
    appPassword: string;
    /** The profile to connect it to; `null` creates a new profile. */
    profileKey?: string | null;
    /**
     * Makes this creation happen once however often the call is made with the key, from any process
     * sharing the client's store: a repeat returns the first call's result, sending nothing (other
     * arguments fail with `IdempotencyKeyReusedError`). Use one for any call a job queue may run
     * twice, e.g. `` `signup-${user.id}` ``.
     */
    idempotencyKey?: string | null;
}
/** Arguments of `profiles.linkedInConnectUrl()`. */
export interface LinkedInConnectUrlParams {
    /**
     * Where the browser returns after authorising, with `profileKey` added: an absolute `https://`
     * URL (`http://` only on a loopback host).
     */
    returnUrl: string;
    /** The profile to connect; `null`: postcore creates one. */
    profileKey?: string | null;
}
/** Arguments of `posts.create()`. */
export interface CreatePostParams {
    /** The profile to post for. */
    profileKey: string;
    /**
     * The text: 1 to 3,000 characters, and at most 300 graphemes when `"bluesky"` is among the
     * platforms (Bluesky refuses longer posts when publishing, so the SDK refuses them now).
     */
    content: string;
    /** `"linkedin"` and/or `"bluesky"`, each at most once, connected to the profile. */
    platforms: Platform[];
    /**
     * When to publish, in the future (there is no "publish now"): a `Date`, or an ISO 8601 string
     * with a zone.
     */
    scheduledFor: Date | string;
    /**
     * Makes this creation happen once however often the call is made with the key, from any process
     * sharing the client's store: a repeat returns the first call's result, sending nothing (other
     * arguments fail with `IdempotencyKeyReusedError`). Use one for any call a job queue may run
     * twice, e.g. `` `signup-${user.id}` ``.
     */
    idempotencyKey?: string | null;
}
