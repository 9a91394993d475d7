//! # postcore-mock
//!
//! A local, in-memory server that speaks the documented postcore API, for tests and CI: run it
//! instead of the real API and point a client at it with `POSTCORE_BASE_URL`. It implements
//! every documented endpoint with the documented bodies, status codes, error format and
//! `X-RateLimit-*` headers, runs on a clock that tests can move, and lets a test script
//! *faults* for the next requests: any status, body and headers, a delay, or a dropped
//! connection.
//!
//! As a library (tests):
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let server = postcore_mock::MockServer::start(postcore_mock::MockConfig::default()).await?;
//! server.push_fault(postcore_mock::Fault::status(503));
//! server.advance(std::time::Duration::from_secs(120)); // due posts publish when next read
//! println!("{}", server.url()); // http://127.0.0.1:<port>
//! println!("{}", server.dashboard_url()); // http://127.0.0.1:<port>/, in a browser
//! # Ok(()) }
//! ```
//!
//! As a binary: `postcore-mock --port 4010 --api-key KEY [--rate-limit N] [--rate-window SECS]
//! [--posts-per-month N]` prints its URL on the first line of stdout (the dashboard's on
//! stderr) and serves until stopped.
//!
//! ## The dashboard
//!
//! `GET /` on the same port is a web page ([`MockServer::dashboard_url`]) that shows what an
//! app did and would post: profiles with their connections (LinkedIn expiry,
//! `daysUntilExpiry`, `needsReconnect`; Bluesky handle) and posts; a timeline of posts by
//! `scheduledFor`, one lane per profile and platform, each with its status and a preview as
//! LinkedIn and Bluesky would show it, with their length limits (3,000 characters; 300
//! graphemes, beyond which a Bluesky post is marked as one that will fail); the request log
//! (method, path, status, time; click for headers and body), with API keys and app passwords
//! masked; and controls to advance the clock, queue a failure (status, delay, dropped
//! connection), expire or flag a LinkedIn connection, and reset. It updates live through
//! server-sent events. The page is plain HTML, CSS and JavaScript compiled into the crate;
//! it loads nothing from elsewhere.
//!
//! The page and `/__mock/dashboard/*` are served to loopback clients only (403
//! `LOOPBACK_ONLY` to others, when the server listens on another address with `--host`), under
//! a `Host` that is `localhost` or an IP address (403 `FORBIDDEN_HOST`: no DNS rebinding).
//! Every `/__mock/*` request a browser sends for another site (`Origin` not the server's own,
//! or `Sec-Fetch-Site: cross-site`/`same-site`) is refused with 403 `CROSS_ORIGIN`, so a web
//! page cannot drive the server; clients that are not browsers send neither header. A browser
//! showing the dashboard holds a connection open, which `GET /__mock/stats` counts.
//!
//! ## The clock
//!
//! Mock time is real time plus an offset that `POST /__mock/advance` (or
//! [`MockServer::advance`]) adds to and `POST /__mock/reset` clears; [`MockServer::now`]
//! returns it as a `SystemTime`. Every response carries a `Date` header (IMF-fixdate, e.g.
//! `Sun, 06 Nov 1994 08:49:37 GMT`) in mock time, and every timestamp in a body is mock time
//! in ISO 8601 UTC, whole seconds, e.g. `2025-01-15T14:01:00Z`. The rate-limit window
//! (`X-RateLimit-Reset`, Unix seconds) runs on it too: advancing past the reset opens a new
//! window.
//!
//! **Templates**: in fault `body` and `headers` values and anywhere in a seed, a JSON string
//! of the exact form `$NOW`, `$NOW+<n>` or `$NOW-<n>` (n whole seconds) is replaced by the
//! ISO timestamp of mock-now ± n when the fault is applied or the seed loaded.
//!
//! ## The API
//!
//! Every endpoint but the OAuth URL needs `x-api-key` (missing: 401 `MISSING_API_KEY`, wrong:
//! 401 `INVALID_API_KEY`). Errors are `{"error": CODE, "message": text, ...extra}` with
//! `content-type: application/json`; body validation errors are 400 `VALIDATION_ERROR` with an
//! extra `field` naming the field (400 `INVALID_JSON` when the body does not parse). Unknown
//! paths answer 404 `NOT_FOUND`, a known path with another method 405
//! `METHOD_NOT_ALLOWED`. Path segments are percent-decoded.
//!
//! | request | success | errors (in the order checked) |
//! |---|---|---|
//! | `POST /profiles/create` `{"profileName"?}` | 201 `{"profileKey", "profileName"}` | `VALIDATION_ERROR` |
//! | `GET /profiles` | 200 `{"profiles": [Profile…]}` in creation order | |
//! | `DELETE /profiles/{key}` | 200 `{"message": "Profile deleted successfully"}`; its connections and *pending* posts go too | 404 `PROFILE_NOT_FOUND` |
//! | `GET /profiles/connect?apiKey&platform=linkedin&returnUrl&profileKey?` (key in the query) | 302 to `returnUrl` plus `profileKey=<key>` (`?` or `&`, percent-encoded, before any `#`), small HTML body; connects a fake LinkedIn account at once (replacing one already there: a reconnect); no `profileKey`: a new unnamed profile | 401 `MISSING_API_KEY`/`INVALID_API_KEY`; 400 `VALIDATION_ERROR` (platform not `linkedin`; `returnUrl` missing or not absolute http(s)); 404 `PROFILE_NOT_FOUND` |
//! | `POST /profiles/connect` `{"profileKey"?, "platform": "bluesky", "credentials": {"handle", "appPassword"}}` | 200 `{"profileKey", "platform", "username", "displayName", "connectedAt"}`; no `profileKey`: a new unnamed profile | 400 `INVALID_JSON`/`VALIDATION_ERROR` (shape; platform not `bluesky`); 400 `INVALID_CREDENTIALS` "Invalid Bluesky credentials" (handle not hostname-like with a dot; password not `xxxx-xxxx-xxxx-xxxx` in `[a-z0-9]`, or the rejected `0000-0000-0000-0000`); 404 `PROFILE_NOT_FOUND`; 400 `PROFILE_ALREADY_EXISTS` |
//! | `POST /posts` `{"profileKey", "content", "platforms", "scheduledFor"}` | 201 `{"posts": [{"postId", "platform", "scheduledFor", "createdAt", "status": "pending"}…one per platform, in request order], "usage": {"month": "January 2025", "used", "limit", "remaining"}}` | 400 `VALIDATION_ERROR` (`profileKey` non-empty string; `content` non-empty string of ≤ 3000 Unicode scalar values; `platforms` non-empty array of distinct `linkedin`/`bluesky`; `scheduledFor` ISO 8601 with a zone, whole seconds after truncation strictly after mock-now); 404 `PROFILE_NOT_FOUND`; 400 `PLATFORMS_NOT_CONNECTED` + `missing_platforms` (request order); 403 `MONTHLY_LIMIT_EXCEEDED` "Monthly post limit reached: N posts per month" + `usage`, when used + platforms > limit; 429 `RATE_LIMIT_EXCEEDED` + `platform` + `next_available` (no `retry_after`) when another pending/published post of the profile on that platform is less than 60 s (LinkedIn) / 1 s (Bluesky) away: "LinkedIn requires 60 seconds between posts. Next available: <latest conflicting + spacing>" |
//! | `GET /posts` | 200 `{"posts": [Post…]}` in creation order | |
//! | `GET /posts/{postId}` | 200 `{"post": Post}` | 404 `POST_NOT_FOUND` |
//! | `DELETE /posts/{postId}` | 200 `{"message": "Post deleted successfully"}` | 404 `POST_NOT_FOUND`; 400 `POST_NOT_PENDING` "Only pending posts can be deleted" |
//!
//! Every API request (the OAuth URL included) is recorded, can be faulted and counts against
//! the rate limit (`--rate-limit`: 429 with `retry_after`; otherwise only reported).
//!
//! **Profile**: `profileKey`, `profileName` (string|null), `createdAt`, `connectedPlatforms`:
//! `[{platform, displayName, username, connectedAt, expiresAt, daysUntilExpiry,
//! needsReconnect}]`. LinkedIn: displayName `Mock LinkedIn User`, username
//! `mock-linkedin-<6 alnum>`, expiresAt = connectedAt + 60 days, daysUntilExpiry = days left
//! at read time *rounded up* (60 right after connecting however much real time passes, 0 once
//! expired; never negative), needsReconnect = expired or flagged. Bluesky: username =
//! the handle, displayName = its first label, expiresAt/daysUntilExpiry null, needsReconnect
//! false.
//!
//! **Post**: `postId` (`post_` + 12 alnum), `profileKey`, `platform`, `content`,
//! `scheduledFor`, `createdAt`, `publishedAt` (string|null), `status`
//! (`pending`|`published`|`failed`), `platformUrl` (string|null). Whenever posts are read,
//! each pending post whose `scheduledFor` ≤ mock-now is decided once and for all: *failed*
//! (with an extra `failureReason`) if it is for Bluesky and over 300 grapheme clusters, if its
//! platform is not connected on the profile, or (LinkedIn) if the connection was flagged or
//! had expired by `scheduledFor`; else *published*, with `publishedAt` = `scheduledFor` and
//! `platformUrl` `https://www.linkedin.com/feed/update/urn:li:share:<19 digits>` or
//! `https://bsky.app/profile/<handle>/post/<13 alnum>`. (Due posts are also decided before
//! any change to the data, so a later reconnect or flag does not rewrite the past.)
//!
//! **Quota**: `used` counts posts (one per platform) created in the current UTC calendar month
//! of the mock clock, through the API or a seed; deleting posts does not give slots back. The
//! limit is `--posts-per-month` / [`MockConfig::posts_per_month`] (default 10).
//!
//! ## Control endpoints
//!
//! No API key needed; not recorded, faulted or rate limited.
//!
//! | request | effect |
//! |---|---|
//! | `POST /__mock/faults` with a [`Fault`] or a list of them | queue faults for the next API requests (or, with `method` / `path`, for the next requests to one endpoint): `{"queued": n}` |
//! | `DELETE /__mock/faults` | forget the queued faults: `{"cleared": n}` |
//! | `POST /__mock/reset` | 204; forget faults, recorded requests, profiles, posts, quota and rate-limit counts, set the clock offset to 0, restart connection stats (`max_open` = open now, `total` = 0) |
//! | `GET /__mock/requests` | `{"requests": [RecordedRequest…]}`: every API request seen: `method`, `path` (with query), `headers`, `body`, `status` (sent; null if dropped), `time` (mock ISO, when received) |
//! | `GET /__mock/profiles` | `{"profiles": [Profile…]}` |
//! | `GET /__mock/posts` | `{"posts": [Post…]}` (due posts decided first) |
//! | `GET /__mock/events` | `{"events": [Event…], "total": n}`: what the changes so far amount to as the SDK's events (below), the latest 1,000, oldest first (due posts decided first) |
//! | `POST /__mock/seed` with a seed (below) | `{"profiles": [keys…], "posts": [ids…]}`; 400 `INVALID_SEED` (nothing stored) if any part is wrong |
//! | `POST /__mock/linkedin` `{"profileKey", "expired"?: bool, "needsReconnect"?: bool}` | `expired: true` sets `expiresAt` to now − 1 s (`false` restores connectedAt + 60 days); `needsReconnect` sets the flag. `{"profileKey", "connection": {…}}`; 404 `PROFILE_NOT_FOUND` / `CONNECTION_NOT_FOUND` |
//! | `GET /__mock/stats` | `{"connections": {"open", "max_open", "total"}}`: TCP connections open now, most open at once, accepted in all |
//! | `POST /__mock/advance` `{"seconds": n}` | moves the clock by n seconds (fractions, negatives allowed): `{"now": ISO}` |
//! | `GET /__mock/clock` | `{"now": ISO}` |
//! | `GET /__mock/dashboard/state` | the dashboard's snapshot, keys masked (below) |
//! | `GET /__mock/dashboard/requests/{id}` | request `id` of the log (0 = first since start or reset) with `headers` and `body`, masked: `{"id", "method", "path", "status", "time", "headers", "body"}`; 404 `REQUEST_NOT_FOUND` |
//! | `GET /__mock/dashboard/events` | server-sent events: `event: change`, `data: <version>` at once and after every change (request, fault, clock, data, reset), at most every 100 ms; ends when the server stops |
//!
//! **Dashboard snapshot**: `{"version", "now", "nowMs", "clockOffsetMs", "limits":
//! {"contentChars": 3000, "blueskyGraphemes": 300}, "usage", "totals": {"profiles", "posts",
//! "requests"}, "profiles": [Profile + "postCounts": {"pending", "published", "failed"}…],
//! "posts": [Post + "chars", "graphemes", "willFail"…], "requests": [{"id", "method", "path",
//! "status", "time"}…], "faults": [{"status", "delayMs", "action", "process", "times"}…],
//! "events": [Event…], "connections"}`, with the latest 200 profiles, 500 posts and 200
//! requests (in creation order) and 200 events (newest first); `totals` counts all (`events`
//! too). `willFail` is, for a pending post, why it will fail when due if
//! nothing changes (over 300 graphemes for Bluesky, platform not connected, LinkedIn flagged or
//! expired by then), else `null`. Masking: the configured keys are replaced wherever they
//! appear; in the log, also the key a request presented (`x-api-key`, `Authorization`, the
//! OAuth URL's `apiKey=`) and any `appPassword`/`password` in its JSON body. A key of 16
//! characters or more keeps its first four (`pc_l••••••••`); anything else is `••••••••`.
//! `GET /__mock/requests` stays unmasked, for tests that check what their client sent.
//!
//! **Events**: `{"id", "type", "createdAt", "data"}` as `client.events()` / `postcore listen`
//! report them, with the same `id` for the same change (`evt_` + the first 24 hex digits of
//! SHA-256 of `"<type>\n<what it is about>"`) and the same `data`: `post.published` /
//! `post.failed` (the Post, `createdAt` = its `scheduledFor`), `post.deleted` (`postId`,
//! `profileKey`, `platform`, `status`: cancelled, or removed with its profile),
//! `profile.created` (the Profile), `profile.deleted` (`profileKey`, `profileName`),
//! `connection.connected` / `connection.needs_reconnect` / `connection.expiring` (the
//! connected platform plus `profileKey`; expiring when `daysUntilExpiry` crosses 7 or 1),
//! `connection.disconnected` (`profileKey`, `platform`, `username`, `connectedAt`: replaced
//! by a reconnect, or its profile deleted). Recorded as the changes happen, not found by
//! polling; `createdAt` is when it happened on the mock clock (the SDK's is when a poll saw
//! it). Seeded data is the starting state and gives none (its pending posts do once decided).
//!
//! **Seed** (`$NOW` templates allowed anywhere; unknown fields refused; added to what is
//! stored):
//!
//! ```json
//! {"profiles": [{"profileKey": "prof_a", "profileName": "Ann", "connect": ["linkedin", "bluesky"],
//!                "blueskyHandle": "ann.bsky.social", "count": 1}],
//!  "posts": [{"postId": "post_a", "profileKey": "prof_a", "platform": "bluesky",
//!             "content": "hi", "scheduledFor": "$NOW+60", "status": "pending"}]}
//! ```
//!
//! Every field is optional except a post's `profileKey`, `platform`, `content` and
//! `scheduledFor`. A profile entry creates `count` profiles (default 1; at most 1,000,000 in
//! all) with the name and connections given; keys are generated, or `<profileKey>_1` …
//! `<profileKey>_<count>` when both are given; the Bluesky handle defaults to
//! `mock.bsky.social`. Explicit keys and ids must be free. A post's `profileKey` must be
//! stored or given explicitly in the same seed. Posts default to `pending` (decided like any
//! other once due, so a past `scheduledFor` publishes or fails on the next read); `published`
//! gets `publishedAt` = `scheduledFor` and a URL, `failed` gets `failureReason`
//! `Seeded as failed`. Seeded posts have `createdAt` = now and count against the quota.

mod config;
mod dashboard;
mod fault;
mod ids;
pub mod keys;
mod refusal;
mod respond;
mod routes;
mod server;
mod state;
mod template;
mod time;

pub use config::{DEFAULT_API_KEY, MockConfig, UNLIMITED};
pub use fault::{Fault, FaultAction};
pub use server::{ControlError, MockServer};
pub use state::{
    ConnectedPlatform, ConnectionStats, MockEvent, PostStatus, RecordedRequest, Seeded, StoredPost,
    StoredProfile,
};
