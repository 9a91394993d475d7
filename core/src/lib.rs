//! # postcore
//!
//! The Rust client for the [postcore](https://www.postcore.dev) API, which lets an app post to
//! its users' LinkedIn and Bluesky accounts. Each end-user of the app is a *profile*; creating one
//! is the first thing every integration does:
//!
//! ```no_run
//! # async fn run() -> Result<(), postcore::Error> {
//! let client = postcore::Client::from_env()?; // POSTCORE_API_KEY, POSTCORE_BASE_URL
//! let profile = client
//!     .create_profile(postcore::CreateProfile {
//!         profile_name: Some("User: john@example.com".into()),
//!     })
//!     .await?;
//! println!("{}", profile.profile_key);
//! # Ok(()) }
//! ```
//!
//! Then connect the user's accounts, schedule posts and follow them:
//!
//! ```no_run
//! # async fn run(client: postcore::Client, key: &str) -> Result<(), postcore::Error> {
//! use std::time::Duration;
//! use postcore::{ConnectBluesky, CreatePost, Platform, Timestamp, WaitOptions};
//!
//! // LinkedIn: send the user's browser here (built locally; it holds your key: server-side only).
//! let url = client.linkedin_connect_url("https://app.example.com/connected", Some(key))?;
//! // Bluesky: with an app password.
//! client.connect_bluesky(ConnectBluesky::new("user.bsky.social", "abcd-efgh-ijkl-mnop").profile_key(key)).await?;
//!
//! let at = Timestamp::now().add(Duration::from_secs(3600));
//! let scheduled = client
//!     .create_post(CreatePost::new(key, "Hello from postcore!", [Platform::LinkedIn, Platform::Bluesky], at))
//!     .await?;
//! let post = client.wait_for_post(&scheduled.posts[0].post_id, &WaitOptions::new()).await?;
//! println!("{} {:?}", post.status, post.platform_url);
//! # Ok(()) }
//! ```
//!
//! The same core powers the Python and Node packages, so all three languages send the same
//! request and share the behaviour described here:
//!
//! * **Configuration**: explicit builder values, else `POSTCORE_API_KEY` / `POSTCORE_BASE_URL`,
//!   else [`DEFAULT_BASE_URL`]. A missing key is an [`Error::Configuration`] at construction.
//!   Plain `http://` is accepted only for loopback hosts, so the key never travels in clear text.
//! * **Timeouts**: a connect timeout (default 10 s) and a per-attempt timeout (default 60 s).
//! * **Retries** (default 2): exponential backoff with jitter. A `POST` is only resent when the
//!   server provably did not process it: the connection was never established, or it answered
//!   429 with a short wait. `GET`/`DELETE` are also retried on timeouts, dropped connections,
//!   408 and 5xx.
//! * **Errors**: one [`Error`] type with accessors (`status`, `code`, `message`, `body_text`,
//!   `retry_after`, …) that keep everything the server sent.
//! * **Secrets**: the API key (and a Bluesky app password) never appear in `Debug`, `Display`
//!   or error messages.
//! * **Observability**: [`Hooks`] on every attempt, response, retry and wait for the rate
//!   budget ([`ClientBuilder::hooks`]); `tracing` spans, one per call (`postcore.operation`)
//!   with one per HTTP attempt under it (`postcore.attempt`), carrying OpenTelemetry's names
//!   (`otel.name` `posts.create` / `POST /posts`, `otel.kind`, `otel.status_code`, the HTTP
//!   client attributes): [`tracing-opentelemetry`](https://docs.rs/tracing-opentelemetry) turns
//!   them into OpenTelemetry spans, and [`Hooks::on_request`] can inject the attempt span's
//!   `traceparent`. Log lines are `tracing` events of target `postcore`; without a subscriber,
//!   `POSTCORE_LOG=debug` prints them on stderr. Nothing is recorded when nobody listens.

#[doc(hidden)]
pub mod calendar;
mod client;
mod config;
mod connector;
mod endpoint;
mod endpoints;
mod error;
pub mod events;
mod headers;
mod idempotency;
mod language;
mod log;
mod models;
mod observe;
mod options;
mod pacer;
mod rate_limit;
mod response;
mod retry;
mod spacing;
#[doc(hidden)]
pub mod spec;
mod store;
mod timestamp;
mod tls;
mod transport;
mod validate;
mod wait;
mod wait_many;
pub mod webhooks;

#[doc(hidden)]
pub mod bindings;

pub use client::Client;
pub use config::{
    ClientBuilder, ClientOverrides, DEFAULT_BASE_URL, DEFAULT_BUDGET_GROUP,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDEMPOTENCY_TTL, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RATE_LIMIT_WAIT, DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_WAIT, DEFAULT_TIMEOUT,
    MAX_LIST_RESPONSE_BYTES, MAX_RESPONSE_BYTES, RequestOptions,
};
pub use endpoints::posts::CreatePost;
pub use endpoints::profiles::{AppPassword, ConnectBluesky, CreateProfile};
pub use error::{ApiError, Error, ErrorKind, Result};
pub use events::{Event, EventType, Events};
pub use http::header::HeaderMap;
pub use models::{
    ConnectedPlatform, Connection, Extra, Model, Platform, Post, PostStatus, Profile,
    ScheduledPosts, Usage,
};
pub use observe::{HookEvent, Hooks};
pub use rate_limit::RateLimit;
pub use response::Response;
pub use retry::Retry;
pub use store::{STORE_ENV, Store};
pub use timestamp::{ParseTimestampError, Timestamp};
pub use validate::{MAX_BLUESKY_GRAPHEMES, MAX_CONTENT_CHARS};
pub use wait::{DEFAULT_WAIT_INTERVAL, WaitOptions};

/// The version of this crate, sent in the `User-Agent` header (`postcore-rust/<version>`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
