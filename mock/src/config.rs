//! How a server is set up; the binary's flags map onto these fields one to one.

use std::time::Duration;

/// The key the server accepts when none is configured.
pub const DEFAULT_API_KEY: &str = "pc_test_key";

/// The window reported when no rate limit is enforced (`MockConfig::rate_limit` is `None`):
/// large enough that clients pacing themselves by `X-RateLimit-*` never wait.
pub const UNLIMITED: u32 = 1_000_000_000;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Address to listen on (default `127.0.0.1`).
    pub host: String,
    /// Port (default 0: any free port).
    pub port: u16,
    /// Keys accepted in `x-api-key` (default: [`DEFAULT_API_KEY`](DEFAULT_API_KEY)).
    pub api_keys: Vec<String>,
    /// Enforce this many requests per rate window with 429s (`Some(100)` is the documented
    /// limit). Default: no limit, reported as a window of [`UNLIMITED`](UNLIMITED)
    /// requests, so that SDK clients, which pace themselves by the `X-RateLimit-*` headers,
    /// are never held back by a test server.
    pub rate_limit: Option<u32>,
    /// The length of the rate-limit window, on the mock clock (default 900 s, the documented
    /// 15 minutes; at least one second).
    pub rate_window: Duration,
    /// Posts allowed per calendar month, UTC, on the mock clock (default 10: the Free plan).
    pub posts_per_month: u32,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 0,
            api_keys: vec![DEFAULT_API_KEY.to_owned()],
            rate_limit: None,
            rate_window: Duration::from_secs(900),
            posts_per_month: 10,
        }
    }
}
