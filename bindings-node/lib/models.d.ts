/**
 * What the API returns. Results are plain objects holding exactly the API's camelCase JSON,
 * timestamps as ISO 8601 strings (`"2025-01-15T14:01:00Z"`): fields this version does not
 * know yet are kept as the server sent them, and no key is added that the server did not
 * send. A field the documented answer always has is typed as present (should a server leave
 * it out, it is `undefined`); one it may lack is optional.
 *
 * @module
 */
/** A social network postcore posts to. */
export type Platform = 'linkedin' | 'bluesky';
/** Where a scheduled post stands. */
export type PostStatus = 'pending' | 'published' | 'failed';
/** A postcore profile: one end-user of your app. Store `profileKey` with that user. */
export interface Profile {
    /** The profile's key, e.g. `"prof_abc123def456"`. */
    profileKey: string;
    /** The name given at creation, or `null`. */
    profileName: string | null;
    /** When the profile was created (sent by `GET /profiles`; not by the create call). */
    createdAt: string;
    /** The social accounts connected to this profile (empty right after creation). */
    connectedPlatforms: ConnectedPlatform[];
}
/** What `profiles.create()` returns: the new profile's key and name (the server sends no more). */
export type CreatedProfile = Pick<Profile, 'profileKey' | 'profileName'> & Partial<Profile>;
/** A social account connected to a profile, as `GET /profiles` lists it. */
export interface ConnectedPlatform {
    /** Which network. */
    platform: Platform;
    /** The account's display name. */
    displayName: string;
    /** The account's username or handle. */
    username: string;
    /** When it was connected. */
    connectedAt: string;
    /** When the connection expires (LinkedIn only: 60 days after connecting). */
    expiresAt: string | null;
    /** Whole days until it expires (LinkedIn only). */
    daysUntilExpiry: number | null;
    /** Whether the end-user must connect again (an expired LinkedIn token). */
    needsReconnect: boolean;
}
/**
 * The account connected by `POST /profiles/connect`. The documented answer has `username`; the
 * other fields are sent by postcore today but not documented.
 */
export interface Connection {
    /** The profile it was connected to (a new one when none was given). */
    profileKey?: string;
    /** Which network. */
    platform?: Platform;
    /** The account's username or handle. */
    username: string;
    /** The account's display name. */
    displayName?: string;
    /** When it was connected. */
    connectedAt?: string;
}
/** A post scheduled on one platform. */
export interface Post {
    /** The post's id, e.g. `"post_abc123"`. */
    postId: string;
    /**
     * The profile it is posted for (the create call's answer omits it: the SDK fills it in from the
     * call's arguments, and serializing that post leaves it out).
     */
    profileKey: string;
    /** The platform it goes to. */
    platform: Platform;
    /**
     * The text (filled in from the call's arguments in the create call's answer, like `profileKey`).
     */
    content: string;
    /** When it is (or was) due to be published. */
    scheduledFor: string;
    /** When it was scheduled. */
    createdAt: string;
    /** When it was published. */
    publishedAt: string | null;
    /** `pending`, then `published` or `failed`. */
    status: PostStatus;
    /** The published post on the platform. */
    platformUrl: string | null;
}
/**
 * A post as `posts.create()` returns it: the server sends neither `profileKey` nor `content` back,
 * nor `publishedAt` / `platformUrl` (it is pending). `posts.retrieve()` gives the rest.
 */
export type ScheduledPost = Pick<Post, 'postId' | 'platform' | 'scheduledFor' | 'createdAt' | 'status'> & Partial<Post>;
/** The plan's monthly post quota after a scheduling call. */
export interface Usage {
    /** The month counted, e.g. `"January 2025"`. */
    month: string;
    /** Posts scheduled this month. */
    used: number;
    /** Posts allowed per month (Free: 10, Pro: 3000). */
    limit: number;
    /** Posts left this month. */
    remaining: number;
}
/** What scheduling a post returns: one post per platform, and the quota left. */
export interface ScheduledPosts {
    /** One pending post per requested platform, in the request's order. */
    posts: ScheduledPost[];
    /** The monthly quota left (always in the documented answer). */
    usage: Usage;
}
