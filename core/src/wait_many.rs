//! Waiting for many posts at once with one `GET /posts` per poll, however many they are.
//!
//! Polling each post (`GET /posts/:postId`, as the docs suggest) tracks a handful inside 100
//! requests per 15 minutes; one listing answers for all of them. Polls are timed by the
//! earliest pending `scheduledFor` on the server's clock (no poll before anything is due),
//! then every interval while some are due and still pending, and paced by the shared rate
//! budget as background calls. While nothing is due, a poll still comes every six intervals
//! (a minute by default), so that a server clock that moves (as the local test server's can)
//! is noticed.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::client::Client;
use crate::config::Priority;
use crate::endpoints::posts::ListPosts;
use crate::error::{ApiError, Error, ErrorKind, Result};
use crate::models::Post;
use crate::response::{Response, server_now};
use crate::validate::Names;
use crate::wait::{DEFAULT_WAIT_INTERVAL, WaitOptions};

/// How long a wait without a deadline lets one poll wait for a slot of the budget.
const MAX_POLL_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

impl Client {
    /// Waits until every post of `post_ids` is published or has failed, and returns them in
    /// the given order (failed posts are returned, not errors), with one `GET /posts` per
    /// poll. Past [`WaitOptions::timeout`] it returns [`Error::WaitTimeout`] with every post
    /// as last seen ([`Error::posts`]). A post that is not in the listing (deleted, or never
    /// existed) is a `NotFound` error. Dropping the future stops it.
    pub async fn wait_for_posts(
        &self,
        post_ids: &[String],
        options: &WaitOptions,
    ) -> Result<Vec<Post>> {
        self.wait_for_posts_checked(post_ids, options, Names::SnakeCase)
            .await
            .map(Response::into_data)
    }

    /// [`Client::wait_for_posts`] with the last poll's response metadata (`attempts` counts
    /// every request of the wait).
    pub async fn wait_for_posts_with(
        &self,
        post_ids: &[String],
        options: &WaitOptions,
    ) -> Result<Response<Vec<Post>>> {
        self.wait_for_posts_checked(post_ids, options, Names::SnakeCase)
            .await
    }

    pub(crate) async fn wait_for_posts_checked(
        &self,
        post_ids: &[String],
        options: &WaitOptions,
        names: Names,
    ) -> Result<Response<Vec<Post>>> {
        let waiting = self.wait_for_posts_unobserved(post_ids, options, names);
        self.operation(crate::spec::WAIT_MANY, None, waiting).await
    }

    async fn wait_for_posts_unobserved(
        &self,
        post_ids: &[String],
        options: &WaitOptions,
        names: Names,
    ) -> Result<Response<Vec<Post>>> {
        let interval = options.interval.unwrap_or(DEFAULT_WAIT_INTERVAL);
        if interval.is_zero() {
            return Err(Error::invalid_argument(format!(
                "{} must be greater than zero",
                names.spell("interval")
            )));
        }
        for id in post_ids {
            crate::validate::id(names, "postIds", id)?;
        }
        let deadline = options.timeout.map(|t| Instant::now() + t);
        let mut requests = 0;
        let mut last_seen: Vec<Post> = Vec::new();
        loop {
            let mut request = options.request.clone();
            request.priority = Priority::Background;
            request.max_rate_limit_wait = Some(match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => MAX_POLL_WAIT,
            });
            let result = self.send_unkeyed(&ListPosts {}, &request, names).await;
            requests += match &result {
                Ok(response) => response.attempts,
                Err(e) => e.attempts(),
            };
            let delay = match result {
                Ok(response) => {
                    let now = server_now(&response.headers);
                    let by_id: HashMap<&str, &Post> = response
                        .data
                        .iter()
                        .map(|p| (p.post_id.as_str(), p))
                        .collect();
                    let mut ordered = Vec::with_capacity(post_ids.len());
                    for id in post_ids {
                        match by_id.get(id.as_str()) {
                            Some(post) => ordered.push((*post).clone()),
                            None => return Err(not_listed(id, requests)),
                        }
                    }
                    let due_next = ordered
                        .iter()
                        .filter(|p| !p.status.is_final())
                        .map(|p| p.scheduled_for)
                        .min();
                    let Some(due_next) = due_next else {
                        return Ok(Response {
                            data: ordered,
                            status: response.status,
                            headers: response.headers,
                            rate_limit: response.rate_limit,
                            attempts: requests,
                        });
                    };
                    last_seen = ordered;
                    // Not due yet: the next poll when the earliest is (at least every six
                    // intervals, in case the server's clock moves); due: every interval.
                    due_next
                        .duration_since(&now)
                        .map_or(interval, |until| until.min(interval * 6))
                }
                Err(e) if e.kind() == ErrorKind::RateLimit && e.retry_after().is_some() => {
                    e.retry_after().unwrap_or(interval)
                }
                Err(e) => return Err(e),
            };
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if delay > left {
                    crate::observe::pause(left).await;
                    tokio::time::sleep(left).await;
                    return Err(timed_out(options.timeout, last_seen, post_ids.len()));
                }
            }
            crate::observe::pause(delay).await;
            tokio::time::sleep(delay).await;
        }
    }
}

fn not_listed(id: &str, attempts: u32) -> Error {
    let message = format!("post {id} is not in GET /posts: it was deleted, or never existed");
    Error::Api(Box::new(ApiError {
        status: 404,
        code: Some("POST_NOT_FOUND".to_owned()),
        message,
        body: String::new(),
        json: None,
        headers: http::HeaderMap::new(),
        retry_after: None,
        rate_limit: None,
        attempts,
        platform: None,
        next_available: None,
        missing_platforms: Vec::new(),
    }))
}

fn timed_out(timeout: Option<Duration>, posts: Vec<Post>, wanted: usize) -> Error {
    let waited = timeout.unwrap_or_default();
    let pending: Vec<&Post> = posts.iter().filter(|p| !p.status.is_final()).collect();
    match pending.first() {
        Some(first) => Error::WaitTimeout {
            message: format!(
                "{} of {wanted} posts were still pending after waiting {waited:?} (the first: \
                 {}, scheduled for {})",
                pending.len(),
                first.post_id,
                first.scheduled_for
            ),
            post: Box::new((*first).clone()),
            posts: posts.clone(),
        },
        None => Error::Timeout {
            message: format!(
                "waited {waited:?} for {wanted} posts but every poll was rate limited"
            ),
            timeout: waited,
            attempts: 0,
            may_have_been_processed: false,
        },
    }
}
