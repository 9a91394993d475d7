//! Waiting for a scheduled post to be published (or to fail), by polling `GET /posts/:postId`.
//!
//! The docs suggest polling; doing it well takes more than a loop: no poll before the post is
//! due (on the server's clock, read from its `Date` header, so a skewed local clock does not
//! matter), polls that take at most half of each window of the shared rate budget however
//! short the interval (`pacer.rs`), a 429 waited out instead of failing, and a deadline that
//! returns the last post seen.

use std::time::Duration;

use tokio::time::Instant;

use crate::client::Client;
use crate::config::Priority;
use crate::config::RequestOptions;
use crate::endpoints::posts::RetrievePost;
use crate::error::{Error, ErrorKind, Result};
use crate::models::Post;
use crate::response::{Response, server_now};
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
    /// then polls every [`WaitOptions::interval`]. Polls spend at most half of each window of
    /// the shared rate budget (see [`ClientBuilder::store`](crate::ClientBuilder::store)), so
    /// waiting never starves the client's other calls. Past [`WaitOptions::timeout`] it
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
        let waiting = self.wait_for_post_unobserved(post_id, options, names);
        self.operation(crate::spec::WAIT, None, waiting).await
    }

    async fn wait_for_post_unobserved(
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
            // Polls are background calls: they take at most half of each window of the shared
            // budget, and wait for a slot as long as the wait itself may last.
            let mut request = options.request.clone();
            request.priority = Priority::Background;
            request.max_rate_limit_wait = Some(match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => MAX_POLL_WAIT,
            });
            let result = self.send_checked(&params, &request, names).await;
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
                    // Not due yet: one poll when it is; due: every interval (the budget slows
                    // the polls down when the window runs low).
                    let delay = post.scheduled_for.duration_since(&now).unwrap_or(interval);
                    last_seen = Some(post);
                    delay
                }
                // A 429 the client did not wait out itself (a long retry_after), or the shared
                // budget spent until after the deadline: wait it out here, as waiting is what
                // the caller asked for.
                Err(e) if e.kind() == ErrorKind::RateLimit && e.retry_after().is_some() => {
                    e.retry_after().unwrap_or(interval)
                }
                Err(e) => return Err(e),
            };
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if delay > left {
                    // The next poll would come after the deadline: no pointless early poll.
                    crate::observe::pause(left).await;
                    tokio::time::sleep(left).await;
                    return Err(wait_timeout(options.timeout, last_seen, params.post_id));
                }
            }
            crate::observe::pause(delay).await;
            tokio::time::sleep(delay).await;
        }
    }
}

/// How long a wait without a deadline lets one poll wait for a slot of the budget.
const MAX_POLL_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

fn wait_timeout(timeout: Option<Duration>, post: Option<Post>, post_id: String) -> Error {
    let waited = timeout.unwrap_or_default();
    match post {
        Some(post) => Error::WaitTimeout {
            message: format!(
                "post {} was still {} after waiting {waited:?} (scheduled for {})",
                post.post_id, post.status, post.scheduled_for
            ),
            posts: vec![post.clone()],
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
