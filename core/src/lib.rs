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
//! * **Errors**: one [`Error`] type with accessors (`status`, `code`, `message`, `body`,
//!   `retry_after`, …) that keep everything the server sent.
//! * **Secrets**: the API key never appears in `Debug`, `Display` or error messages.

mod client;
mod config;
mod endpoint;
mod endpoints;
mod error;
mod log;
mod rate_limit;
mod response;
mod retry;
mod transport;

pub use client::Client;
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_WAIT, DEFAULT_TIMEOUT, MAX_RESPONSE_BYTES, RequestOptions, max_retries_from,
    timeout_from_millis, timeout_from_secs,
};
pub use endpoints::profiles::{CreateProfile, Profile};
pub use error::{ApiError, Error, ErrorKind, Result};
pub use log::{DebugSink, set_debug_sink};
pub use rate_limit::RateLimit;
pub use reqwest::header::HeaderMap;
pub use response::Response;

/// The version of this crate, sent in the `User-Agent` header (`postcore-rust/<version>`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
