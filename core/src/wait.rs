//! Waiting for a scheduled post to be published (or to fail), by polling `GET /posts/:postId`.
//!
//! The docs suggest polling; doing it well takes more than a loop: no poll before the post is
//! due (on the server's clock, read from its `Date` header, so a skewed local clock does not
//! matter), a pace that stays inside the 100-requests-per-15-minutes limit however short the
//! interval (read from `X-RateLimit-Remaining` / `X-RateLimit-Reset`), a 429 waited out instead
//! of failing, and a deadline that returns the last post seen.

use std::time::Duration;

use tokio::time::Instant;

use crate::Client;
use crate::config::RequestOptions;
use crate::endpoints::posts::RetrievePost;
use crate::error::{Error, ErrorKind, Result};
use crate::models::Post;
use crate::rate_limit::RateLimit;
use crate::response::{Response, server_now};
use crate::timestamp::Timestamp;
use crate::validate::Names;

/// How often a pending post is polled once it is due, by default.
pub const DEFAULT_WAIT_INTERVAL: Duration = Duration::from_secs(10);

/// Options of [`Client::wait_for_post`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WaitOptions {
    /// Give up after this long with [`Error::WaitTimeout`] (default: wait as long as it takes).
    pub timeout: Option<Duration>,
    /// Time between polls once the post is due (default 10 s; stretched to stay inside the
    /// rate limit).
    pub interval: Option<Duration>,
    /// Options for each poll request.
    pub request: RequestOptions,
}

impl WaitOptions {
    /// The defaults: no deadline, a 10 s interval.
    pub fn new() -> Self {
        Self::default()
    }

    /// Gives up after `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Polls every `interval` once the post is due.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = Some(interval);
        self
    }

    /// Options for each poll request (per-attempt timeout, retries, headers).
    pub fn request_options(mut self, options: RequestOptions) -> Self {
        self.request = options;
        self
    }
}

impl Client {
    /// Waits until a post is published or has failed, and returns it (a failed post is
    /// returned, not an error: check [`Post::status`]).
    ///
    /// Reads the post once, then sleeps until its `scheduled_for` time (on the server's clock),
    /// then polls every [`WaitOptions::interval`], slower when polling that often would use up
    /// the rate limit's remaining requests before the window resets. Past [`WaitOptions::timeout`] it
    /// returns [`Error::WaitTimeout`] with the post as last seen. Dropping the future stops it.
    pub async fn wait_for_post(&self, post_id: &str, options: &WaitOptions) -> Result<Post> {
        self.wait_for_post_with(post_id, options)
            .await
            .map(Response::into_data)
    }

    /// [`Client::wait_for_post`] with the metadata of the last poll (its status, headers and
    /// rate limit); `attempts` counts every request the wait sent.
    pub async fn wait_for_post_with(
        &self,
        post_id: &str,
        options: &WaitOptions,
    ) -> Result<Response<Post>> {
        self.wait_for_post_checked(post_id, options, Names::SnakeCase)
            .await
    }

    pub(crate) async fn wait_for_post_checked(
        &self,
        post_id: &str,
        options: &WaitOptions,
        names: Names,
    ) -> Result<Response<Post>> {
        let interval = options.interval.unwrap_or(DEFAULT_WAIT_INTERVAL);
        if interval.is_zero() {
            return Err(Error::invalid_argument(format!(
                "{} must be greater than zero",
                names.spell("interval")
            )));
        }
        let deadline = options.timeout.map(|t| Instant::now() + t);
        let params = RetrievePost {
            post_id: post_id.to_owned(),
        };
        let mut last_seen: Option<Post> = None;
        let mut requests = 0;
        loop {
            let result = self.send_checked(&params, &options.request, names).await;
            requests += match &result {
                Ok(response) => response.attempts,
                Err(e) => e.attempts(),
            };
            let delay = match result {
                Ok(mut response) => {
                    if response.data.status.is_final() {
                        response.attempts = requests;
                        return Ok(response);
                    }
                    let post = response.data;
                    let now = server_now(&response.headers);
                    let delay = match post.scheduled_for.duration_since(&now) {
                        // Not due yet: one poll when it is (a single request needs no pacing,
                        // only a request left in the window).
                        Some(until_due) => match response.rate_limit {
                            Some(limit) if limit.remaining == Some(0) => {
                                until_due.max(pace(&limit, &now))
                            }
                            _ => until_due,
                        },
                        // Due: poll every interval, slower if that would use up the window.
                        None => response
                            .rate_limit
                            .map_or(interval, |limit| interval.max(pace(&limit, &now))),
                    };
                    last_seen = Some(post);
                    delay
                }
                // A 429 the client did not wait out itself (a long retry_after): wait it out
                // here, as waiting is what the caller asked for.
                Err(e) if e.kind() == ErrorKind::RateLimit && e.retry_after().is_some() => {
                    e.retry_after().unwrap_or(interval)
                }
                Err(e) => return Err(e),
            };
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if delay > left {
                    // The next poll would come after the deadline: no pointless early poll.
                    tokio::time::sleep(left).await;
                    return Err(wait_timeout(options.timeout, last_seen, params.post_id));
                }
            }
            tokio::time::sleep(delay).await;
        }
    }
}

/// The least time between two polls so that the window's requests are not used up: none while
/// more than half of the limit remains (a few quick polls cost little), then the time to the
/// reset spread over what is left, and past the reset when nothing is left.
fn pace(limit: &RateLimit, now: &Timestamp) -> Duration {
    let (Some(remaining), Some(reset)) = (limit.remaining, limit.reset) else {
        return Duration::ZERO;
    };
    if limit.limit.is_some_and(|l| remaining > l / 2) {
        return Duration::ZERO;
    }
    let reset = Timestamp::from_unix(i64::try_from(reset).unwrap_or(i64::MAX));
    let until_reset = reset.duration_since(now).unwrap_or(Duration::ZERO);
    match remaining {
        0 => until_reset + Duration::from_secs(1),
        n => until_reset / u32::try_from(n).unwrap_or(u32::MAX),
    }
}

fn wait_timeout(timeout: Option<Duration>, post: Option<Post>, post_id: String) -> Error {
    let waited = timeout.unwrap_or_default();
    match post {
        Some(post) => Error::WaitTimeout {
            message: format!(
                "post {} was still {} after waiting {waited:?} (scheduled for {})",
                post.post_id, post.status, post.scheduled_for
            ),
            post: Box::new(post),
        },
        // Only rate-limit refusals were seen: no post to attach.
        None => Error::Timeout {
            message: format!(
                "waited {waited:?} for post {post_id} but every poll was rate limited"
            ),
            timeout: waited,
            attempts: 0,
            may_have_been_processed: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(remaining: u64, reset: u64) -> RateLimit {
        RateLimit {
            limit: Some(100),
            remaining: Some(remaining),
            reset: Some(reset),
        }
    }

    #[test]
    fn pace_spreads_what_is_left_until_the_reset() {
        let now = Timestamp::from_unix(1_000);
        assert_eq!(pace(&limit(90, 1_900), &now), Duration::ZERO);
        assert_eq!(pace(&limit(45, 1_900), &now), Duration::from_secs(20));
        assert_eq!(pace(&limit(0, 1_030), &now), Duration::from_secs(31));
        assert_eq!(pace(&limit(5, 900), &now), Duration::ZERO);
        assert_eq!(pace(&RateLimit::default(), &now), Duration::ZERO);
    }
}
