/**
 * What the API returns. Results are plain objects in the API's camelCase JSON, timestamps as
 * ISO 8601 strings (`"2025-01-15T14:01:00Z"`); fields this version does not know yet are
 * kept as the server sent them. Every known field is present (`null` when the server did not
 * send it). The test suite checks these interfaces against the core's model list.
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
    /** When it was created (sent by `profiles.list()`; `null` in `profiles.create()`'s answer). */
    createdAt: string | null;
    /** The social accounts connected to it (empty right after creation). */
    connectedPlatforms: ConnectedPlatform[];
}
/** A social account connected to a profile, as `profiles.list()` returns it. */
export interface ConnectedPlatform {
    /** Which network. */
    platform: Platform;
    /** The account's display name. */
    displayName: string | null;
    /** The account's username or handle. */
    username: string | null;
    /** When it was connected. */
    connectedAt: string | null;
    /** When the connection expires (LinkedIn only; tokens last 60 days). */
    expiresAt: string | null;
    /** Whole days until it expires (LinkedIn only). */
    daysUntilExpiry: number | null;
    /** Whether the end-user must connect again (an expired LinkedIn token). */
    needsReconnect: boolean;
}
/** The account `profiles.connectBluesky()` connected; fields the server did not send are `null`. */
export interface Connection {
    /** The profile it was connected to (a new one when none was given). */
    profileKey: string | null;
    /** Which network. */
    platform: Platform | null;
    /** The account's username or handle. */
    username: string | null;
    /** The account's display name. */
    displayName: string | null;
    /** When it was connected. */
    connectedAt: string | null;
}
/** A post scheduled on one platform. */
export interface Post {
    /** The post's id, e.g. `"post_abc123"`. */
    postId: string;
    /** The profile it is posted for. */
    profileKey: string;
    /** The platform it goes to. */
    platform: Platform;
    /** The text. */
    content: string;
    /** When it is (or was) due to be published. */
    scheduledFor: string;
    /** When it was scheduled. */
    createdAt: string | null;
    /** When it was published. */
    publishedAt: string | null;
    /** `pending`, then `published` or `failed`. */
    status: PostStatus;
    /** The published post on the platform. */
    platformUrl: string | null;
}
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
/** What `posts.create()` returns: one pending post per platform, and the quota left. */
export interface ScheduledPosts {
    /** One post per requested platform, in the request's order. */
    posts: Post[];
    /** The monthly quota, when the server reported it. */
    usage: Usage | null;
}
