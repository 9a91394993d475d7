/**
 * What the API returns. Results are plain objects holding exactly the API's camelCase JSON,
 * timestamps as ISO 8601 strings (`"2025-01-15T14:01:00Z"`): fields this version does not
 * know yet are kept as the server sent them, and no key is added that the server did not
 * send. A field the documented answer always has is typed as present (should a server leave
 * it out, it is `undefined`); one it may lack is optional. The test suite checks these
 * interfaces against the core's model list.
 *
 * @module
 */

/** A social network postcore posts to. */
export type Platform = 'linkedin' | 'bluesky'

/** Where a scheduled post stands. */
export type PostStatus = 'pending' | 'published' | 'failed'

/** A postcore profile: one end-user of your app. Store `profileKey` with that user. */
export interface Profile {
  /** The profile's key, e.g. `"prof_abc123def456"`. */
  profileKey: string
  /** The name given at creation, or `null`. */
  profileName: string | null
  /** When it was created. */
  createdAt: string
  /** The social accounts connected to it. */
  connectedPlatforms: ConnectedPlatform[]
}

/** What `profiles.create()` returns: the new profile's key and name (the server sends no more). */
export type CreatedProfile = Pick<Profile, 'profileKey' | 'profileName'> & Partial<Profile>

/** A social account connected to a profile, as `profiles.list()` returns it. */
export interface ConnectedPlatform {
  /** Which network. */
  platform: Platform
  /** The account's display name. */
  displayName: string
  /** The account's username or handle. */
  username: string
  /** When it was connected. */
  connectedAt: string
  /** When the connection expires (LinkedIn only; tokens last 60 days). */
  expiresAt: string | null
  /** Whole days until it expires (LinkedIn only). */
  daysUntilExpiry: number | null
  /** Whether the end-user must connect again (an expired LinkedIn token). */
  needsReconnect: boolean
}

/**
 * The account `profiles.connectBluesky()` connected. The documented answer has `username`;
 * the other fields are sent by postcore today but not documented.
 */
export interface Connection {
  /** The profile it was connected to (a new one when none was given). */
  profileKey?: string
  /** Which network. */
  platform?: Platform
  /** The account's username or handle. */
  username: string
  /** The account's display name. */
  displayName?: string
  /** When it was connected. */
  connectedAt?: string
}

/** A post scheduled on one platform. */
export interface Post {
  /** The post's id, e.g. `"post_abc123"`. */
  postId: string
  /** The profile it is posted for. */
  profileKey: string
  /** The platform it goes to. */
  platform: Platform
  /** The text. */
  content: string
  /** When it is (or was) due to be published. */
  scheduledFor: string
  /** When it was scheduled. */
  createdAt: string
  /** When it was published. */
  publishedAt: string | null
  /** `pending`, then `published` or `failed`. */
  status: PostStatus
  /** The published post on the platform. */
  platformUrl: string | null
}

/** The plan's monthly post quota after a scheduling call. */
export interface Usage {
  /** The month counted, e.g. `"January 2025"`. */
  month: string
  /** Posts scheduled this month. */
  used: number
  /** Posts allowed per month (Free: 10, Pro: 3000). */
  limit: number
  /** Posts left this month. */
  remaining: number
}

/**
 * A post as `posts.create()` returns it: the server sends neither `profileKey` nor `content`
 * back, nor `publishedAt` / `platformUrl` (it is pending). `posts.retrieve()` gives the rest.
 */
export type ScheduledPost = Pick<Post, 'postId' | 'platform' | 'scheduledFor' | 'createdAt' | 'status'> & Partial<Post>

/** What `posts.create()` returns: one pending post per platform, and the quota left. */
export interface ScheduledPosts {
  /** One post per requested platform, in the request's order. */
  posts: ScheduledPost[]
  /** The monthly quota left (always in the documented answer). */
  usage: Usage
}

/** What an event says happened. */
export type EventType =
  | 'post.published'
  | 'post.failed'
  | 'post.deleted'
  | 'profile.created'
  | 'profile.deleted'
  | 'connection.connected'
  | 'connection.disconnected'
  | 'connection.needs_reconnect'
  | 'connection.expiring'

/** A post that is gone (`post.deleted`: cancelled, or its profile deleted), as last seen. */
export type DeletedPost = Pick<Post, 'postId' | 'profileKey' | 'platform' | 'status'>

/** A profile that is gone (`profile.deleted`). */
export type DeletedProfile = Pick<Profile, 'profileKey' | 'profileName'>

/** A connected account with the key of its profile (`connection.connected`, `.needs_reconnect`, `.expiring`). */
export type ProfileConnection = ConnectedPlatform & {
  /** The profile the account is connected to. */
  profileKey: string
}

/** An account that is no longer connected (`connection.disconnected`), as last seen. */
export type DisconnectedPlatform = Pick<ConnectedPlatform, 'platform'> & {
  /** The profile it was connected to. */
  profileKey: string
  /** The account's username or handle, if it was known. */
  username: string | null
  /** When it had been connected, if known. */
  connectedAt: string | null
}

/** An event of type `T` about `D`: `{ id, type, createdAt, data }`, the JSON `postcore listen` sends. */
export type EventOf<T extends EventType, D> = {
  /** Stable for the change it describes: the same change seen twice has the same id. */
  id: string
  /** What happened. */
  type: T
  /** When the change was seen, on the server's clock (ISO 8601). */
  createdAt: string
  /** What it is about. */
  data: D
}

/**
 * One thing that happened to the account's posts, profiles or connections, as
 * `client.events()` yields it and `verifyWebhook` returns it. Narrow it by `type`:
 * `if (event.type === 'post.failed') notify(event.data.postId)`.
 */
export type Event =
  | EventOf<'post.published' | 'post.failed', Post>
  | EventOf<'post.deleted', DeletedPost>
  | EventOf<'profile.created', Profile>
  | EventOf<'profile.deleted', DeletedProfile>
  | EventOf<'connection.connected' | 'connection.needs_reconnect' | 'connection.expiring', ProfileConnection>
  | EventOf<'connection.disconnected', DisconnectedPlatform>
