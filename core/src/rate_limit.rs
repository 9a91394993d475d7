//! The `X-RateLimit-*` headers postcore sends with every response.

use http::header::HeaderMap;
use serde::Serialize;

/// The rate-limit window as the server reported it on a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed per window (`X-RateLimit-Limit`).
    pub limit: Option<u64>,
    /// Requests left in the current window (`X-RateLimit-Remaining`).
    pub remaining: Option<u64>,
    /// Unix time, in seconds, when the window resets (`X-RateLimit-Reset`).
    pub reset: Option<u64>,
}

impl RateLimit {
    /// Reads the three headers; `None` when none of them is present and numeric.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let limit = Self {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
        };
        (limit != Self::default()).then_some(limit)
    }
}
