/**
 * The events `client.events()` yields and `verifyWebhook` returns: one per change to the
 * account's posts, profiles or connections, each about one of the models.
 *
 * @module
 */
import type { ConnectedPlatform, Post, Profile } from './models.js';
/** What an event says happened. */
export type EventType = 'post.published' | 'post.failed' | 'post.deleted' | 'profile.created' | 'profile.deleted' | 'connection.connected' | 'connection.disconnected' | 'connection.needs_reconnect' | 'connection.expiring';
/** A post that is gone (`post.deleted`: cancelled, or its profile deleted), as last seen. */
export type DeletedPost = Pick<Post, 'postId' | 'profileKey' | 'platform' | 'status'>;
/** A profile that is gone (`profile.deleted`). */
export type DeletedProfile = Pick<Profile, 'profileKey' | 'profileName'>;
/** A connected account with the key of its profile (`connection.connected`, `.needs_reconnect`, `.expiring`). */
export type ProfileConnection = ConnectedPlatform & {
    /** The profile the account is connected to. */
    profileKey: string;
};
/** An account that is no longer connected (`connection.disconnected`), as last seen. */
export type DisconnectedPlatform = Pick<ConnectedPlatform, 'platform'> & {
    /** The profile it was connected to. */
    profileKey: string;
    /** The account's username or handle, if it was known. */
    username: string | null;
    /** When it had been connected, if known. */
    connectedAt: string | null;
};
/** An event of type `T` about `D`: `{ id, type, createdAt, data }`, the JSON `postcore listen` sends. */
export type EventOf<T extends EventType, D> = {
    /** Stable for the change it describes: the same change seen twice has the same id. */
    id: string;
    /** What happened. */
    type: T;
    /** When the change was seen, on the server's clock (ISO 8601). */
    createdAt: string;
    /** What it is about. */
    data: D;
};
/**
 * One thing that happened to the account's posts, profiles or connections, as
 * `client.events()` yields it and `verifyWebhook` returns it. Narrow it by `type`:
 * `if (event.type === 'post.failed') notify(event.data.postId)`.
 */
export type Event = EventOf<'post.published' | 'post.failed', Post> | EventOf<'post.deleted', DeletedPost> | EventOf<'profile.created', Profile> | EventOf<'profile.deleted', DeletedProfile> | EventOf<'connection.connected' | 'connection.needs_reconnect' | 'connection.expiring', ProfileConnection> | EventOf<'connection.disconnected', DisconnectedPlatform>;
