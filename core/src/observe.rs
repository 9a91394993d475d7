//! What a call does, as it does it: the client's [`Hooks`] (Rust), the observers the Python and
//! Node packages give each call (their hooks, OpenTelemetry spans, Node's `logger`), and
//! `tracing` spans for Rust users (one per operation, one per HTTP attempt).
//!
//! An operation (`posts.create`, `posts.wait`, …) runs under one [`Observation`], kept in a
//! task-local so that every request it sends (the listings an idempotency key may reconcile
//! with, the polls of a wait) reports to the same call without each helper passing it on.
//! Nobody looking costs nothing: without hooks, an observer or a `tracing` subscriber that
//! wants the spans, no observation is made and the transport finds none.
//!
//! The `tracing` spans follow the OpenTelemetry conventions that `tracing-opentelemetry`
//! reads: `otel.name` (the operation, `posts.create`; an attempt's `POST /posts/{postId}`),
//! `otel.kind` (`internal`, `client`), `otel.status_code` (`error` on a failure), and the HTTP
//! client attributes (`http.request.method`, `server.address`, `server.port`, `url.full`,
//! `http.response.status_code`, `error.type`, `http.request.resend_count`).

use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use http::header::{HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;
use tracing::field::Empty;

use crate::error::Result;
use crate::store::backend::BoxFuture;

/// What a hook is told about a call. Built from the request's method and path (never from
/// headers or bodies): it holds no key and no app password.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct HookEvent<'a> {
    /// The operation, named as in every language: `"posts.create"`, `"posts.wait"`.
    pub operation: &'a str,
    /// The HTTP method of the request (`"GET"`); empty for a pause between polls.
    pub method: &'a str,
    /// Its path, ids included: `"/posts/post_123"`.
    pub path: &'a str,
    /// Its path template, ids as `{postId}`: `"/posts/{postId}"`.
    pub path_template: &'a str,
    /// The whole URL: the base URL (which has no credentials and no query) and the path.
    pub url: &'a str,
    /// The API's host name, and its port.
    pub server_address: &'a str,
    /// The API's port (443 unless the base URL names another).
    pub server_port: u16,
    /// Which attempt of this request, from 1.
    pub attempt: u32,
    /// The response's status (responses).
    pub status: Option<u16>,
    /// Why an attempt failed: its status (`"503"`), or what went wrong without one
    /// (`"timeout"`, `"connect_failed"`, `"connection_failed"`, `"no_free_connection"`).
    pub error_type: Option<&'a str>,
    /// Time since the call started.
    pub elapsed: Duration,
    /// The wait before the retry (retries), or for the rate budget (waits).
    pub delay: Option<Duration>,
    /// Why the call retries (retries): the same values as `error_type`.
    pub reason: Option<&'a str>,
    /// The rate budget the call waits for (waits): `"general"`, or `"connect"` / `"posting"`
    /// for the calls that also spend one of those.
    pub budget: Option<&'a str>,
}

/// Callbacks on every call of a client ([`ClientBuilder::hooks`](crate::ClientBuilder::hooks)),
/// run in the call's task, synchronously: keep them quick. Every method has a default that
/// does nothing.
///
/// ```
/// use postcore::{HookEvent, Hooks};
///
/// struct Metrics;
/// impl Hooks for Metrics {
///     fn on_response(&self, event: &HookEvent<'_>) {
///         println!("{} {} -> {:?} after {:?}", event.method, event.path, event.status, event.elapsed);
///     }
///     fn on_retry(&self, event: &HookEvent<'_>) {
///         println!("retrying {} in {:?} ({:?})", event.operation, event.delay, event.reason);
///     }
/// }
/// let client = postcore::Client::builder().api_key("k").hooks(Metrics).build();
/// ```
pub trait Hooks: Send + Sync + 'static {
    /// Before each attempt is sent (after it got its slot of the rate budget). Headers put in
    /// `headers` are added to this attempt, e.g. a `traceparent` injected from the current
    /// `tracing` span (the attempt's); the SDK's own (`x-api-key`, `content-type`, …) cannot
    /// be replaced.
    fn on_request(&self, event: &HookEvent<'_>, headers: &mut HeaderMap) {
        let _ = (event, headers);
    }

    /// After each attempt that got a response (`status`).
    fn on_response(&self, event: &HookEvent<'_>) {
        let _ = event;
    }

    /// Before the wait that precedes a retry (`delay`, `reason`).
    fn on_retry(&self, event: &HookEvent<'_>) {
        let _ = event;
    }

    /// Before a wait for a slot of the shared rate budget (`budget`, `delay`).
    fn on_rate_limit_wait(&self, event: &HookEvent<'_>) {
        let _ = event;
    }
}

/// The client's hooks, in its configuration.
#[derive(Clone)]
pub(crate) struct ClientHooks(pub(crate) Arc<dyn Hooks>);

impl std::fmt::Debug for ClientHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hooks")
    }
}

/// What happened, for a binding's [`CallObserver`].
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// An attempt is about to be sent (its extra headers are asked for).
    Request,
    /// An attempt got a response (`status`).
    Response,
    /// An attempt ended without a response (`error_type`).
    Failure,
    /// The call waits (`delay`) before retrying (`reason`).
    Retry,
    /// The call waits (`delay`) for a slot of the rate budget (`budget`).
    RateLimitWait,
    /// A wait or an event iterator sleeps (`delay`) before its next poll.
    Pause,
    /// Something the user should know (a store that stopped answering): `line`.
    Warning,
    /// The call is over: `attempt` is how many HTTP attempts it made, `error_type` the error
    /// class it ends with (`"NotFoundError"`; `"cancelled"` when it was dropped), if any.
    End,
}

/// One event of a call, for a binding's [`CallObserver`].
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    pub kind: EventKind,
    pub event: HookEvent<'a>,
    /// The log line of this event, when the observer asked for lines
    /// ([`CallObserver::wants_lines`]).
    pub line: Option<&'a str>,
}

/// What an observer answers an event with.
#[doc(hidden)]
pub enum Answer {
    /// Nothing to add.
    Nothing,
    /// Headers for the attempt ([`EventKind::Request`]).
    Headers(Vec<(String, String)>),
    /// Not yet: the observer runs on another thread (the event loop, Node's JavaScript
    /// thread), and the call waits for it, at most the attempt's timeout. Headers as above.
    Later(BoxFuture<'static, Vec<(String, String)>>),
}

/// What a binding watches one call with (its hooks, its OpenTelemetry spans, its logger).
/// Called in the call's task, in order, once per event.
#[doc(hidden)]
pub trait CallObserver: Send + Sync + 'static {
    fn observe(&self, observed: &Observed<'_>) -> Answer;

    /// Whether events should carry their log lines (formatted only then).
    fn wants_lines(&self) -> bool {
        false
    }
}

impl std::fmt::Debug for dyn CallObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallObserver")
    }
}

/// The client's Rust [`Hooks`] as a call's observer.
struct HooksObserver(Arc<dyn Hooks>);

impl CallObserver for HooksObserver {
    fn observe(&self, observed: &Observed<'_>) -> Answer {
        let event = &observed.event;
        match observed.kind {
            EventKind::Request => {
                let mut headers = HeaderMap::new();
                self.0.on_request(event, &mut headers);
                if headers.is_empty() {
                    return Answer::Nothing;
                }
                let pairs = headers
                    .iter()
                    .filter_map(|(name, value)| {
                        Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
                    })
                    .collect();
                Answer::Headers(pairs)
            }
            EventKind::Response => {
                self.0.on_response(event);
                Answer::Nothing
            }
            EventKind::Retry => {
                self.0.on_retry(event);
                Answer::Nothing
            }
            EventKind::RateLimitWait => {
                self.0.on_rate_limit_wait(event);
                Answer::Nothing
            }
            _ => Answer::Nothing,
        }
    }
}

/// Two observers (a binding's and the client's hooks; only a Rust user could set both).
struct Both(Arc<dyn CallObserver>, Arc<dyn CallObserver>);

impl CallObserver for Both {
    fn observe(&self, observed: &Observed<'_>) -> Answer {
        match (self.0.observe(observed), self.1.observe(observed)) {
            (Answer::Nothing, other) | (other, Answer::Nothing) => other,
            (first, second) => Answer::Later(Box::pin(async move {
                let mut headers = settle(first).await;
                headers.extend(settle(second).await);
                headers
            })),
        }
    }

    fn wants_lines(&self) -> bool {
        self.0.wants_lines() || self.1.wants_lines()
    }
}

async fn settle(answer: Answer) -> Vec<(String, String)> {
    match answer {
        Answer::Nothing => Vec::new(),
        Answer::Headers(headers) => headers,
        Answer::Later(later) => later.await,
    }
}

tokio::task_local! {
    /// The observation of the operation this task runs.
    static CURRENT: Arc<Observation>;
}

/// One operation being watched.
pub(crate) struct Observation {
    operation: &'static str,
    observer: Option<Arc<dyn CallObserver>>,
    lines: bool,
    started: Instant,
    attempts: AtomicU32,
}

/// The observation of the operation the current task runs, if it is watched.
pub(crate) fn current() -> Option<Arc<Observation>> {
    CURRENT.try_with(Arc::clone).ok()
}

/// Runs operation `name` (its future `fut`) under an observation, when anyone watches: the
/// binding's observer `given`, the client's `hooks`, or a `tracing` subscriber that wants the
/// operation's span. An operation inside another (the polls of a wait) is part of the outer one.
pub(crate) async fn operation<T>(
    name: &'static str,
    hooks: Option<&ClientHooks>,
    given: Option<Arc<dyn CallObserver>>,
    fut: impl Future<Output = Result<T>>,
) -> Result<T> {
    if CURRENT.try_with(|_| ()).is_ok() {
        return fut.await;
    }
    let observer: Option<Arc<dyn CallObserver>> = match (given, hooks) {
        (None, None) => None,
        (Some(given), None) => Some(given),
        (None, Some(hooks)) => Some(Arc::new(HooksObserver(hooks.0.clone()))),
        (Some(given), Some(hooks)) => Some(Arc::new(Both(
            given,
            Arc::new(HooksObserver(hooks.0.clone())),
        ))),
    };
    let span = tracing::info_span!(
        target: "postcore",
        "postcore.operation",
        otel.name = name,
        otel.kind = "internal",
        postcore.operation = name,
        postcore.attempts = Empty,
        error.type = Empty,
        otel.status_code = Empty,
    );
    if observer.is_none() && span.is_disabled() {
        return fut.await;
    }
    let observation = Arc::new(Observation {
        operation: name,
        lines: observer.as_ref().is_some_and(|o| o.wants_lines()),
        observer,
        started: Instant::now(),
        attempts: AtomicU32::new(0),
    });
    let mut ending = Ending(Some(observation.clone()));
    // Boxed: the operation's future holds `fut` once, not once more in this branch (an
    // operation's future is large, and nests: `posts.wait` runs `posts.retrieve`).
    let result = CURRENT
        .scope(observation.clone(), Box::pin(fut))
        .instrument(span.clone())
        .await;
    ending.0 = None;
    let attempts = observation.attempts.load(Ordering::Relaxed);
    span.record("postcore.attempts", attempts);
    let error_type = result.as_ref().err().map(|e| e.kind().class_name());
    if let Some(error_type) = error_type {
        span.record("error.type", error_type);
        span.record("otel.status_code", "error");
    }
    observation.end(attempts, error_type).await;
    result
}

/// Reports the end of a call that is dropped before it finishes (cancelled).
struct Ending(Option<Arc<Observation>>);

impl Drop for Ending {
    fn drop(&mut self) {
        if let Some(observation) = self.0.take() {
            let attempts = observation.attempts.load(Ordering::Relaxed);
            // Nothing can wait here: an observer that answers later is not waited for.
            observation.emit_now(
                EventKind::End,
                observation.end_event(attempts, Some("cancelled")),
            );
        }
    }
}

/// An HTTP request of the observed call, as its events describe it.
pub(crate) struct RequestView<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) path_template: &'a str,
    pub(crate) url: &'a str,
    pub(crate) server_address: &'a str,
    pub(crate) server_port: u16,
}

impl Observation {
    /// Whether its events carry log lines (a binding's logger takes them).
    pub(crate) fn wants_lines(&self) -> bool {
        self.lines
    }

    /// An event about `request`'s attempt `attempt`.
    pub(crate) fn event<'a>(&'a self, request: &RequestView<'a>, attempt: u32) -> HookEvent<'a> {
        HookEvent {
            operation: self.operation,
            method: request.method,
            path: request.path,
            path_template: request.path_template,
            url: request.url,
            server_address: request.server_address,
            server_port: request.server_port,
            attempt,
            status: None,
            error_type: None,
            elapsed: self.started.elapsed(),
            delay: None,
            reason: None,
            budget: None,
        }
    }

    fn end_event(&self, attempts: u32, error_type: Option<&'static str>) -> HookEvent<'static> {
        HookEvent {
            operation: self.operation,
            method: "",
            path: "",
            path_template: "",
            url: "",
            server_address: "",
            server_port: 0,
            attempt: attempts,
            status: None,
            error_type,
            elapsed: self.started.elapsed(),
            delay: None,
            reason: None,
            budget: None,
        }
    }

    /// An attempt starts: counted, and the observer's headers for it (checked: the SDK's own
    /// cannot be replaced; `bound` is the longest the call waits for them).
    pub(crate) async fn request(
        &self,
        event: HookEvent<'_>,
        bound: Duration,
    ) -> Vec<(HeaderName, HeaderValue)> {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        let Some(observer) = &self.observer else {
            return Vec::new();
        };
        let answer = observer.observe(&Observed {
            kind: EventKind::Request,
            event,
            line: None,
        });
        let pairs = match answer {
            Answer::Nothing => return Vec::new(),
            Answer::Headers(pairs) => pairs,
            Answer::Later(later) => tokio::time::timeout(bound, later).await.unwrap_or_default(),
        };
        pairs
            .into_iter()
            .filter_map(|(name, value)| crate::headers::added_header(&name, &value))
            .collect()
    }

    /// Reports an event; waits for an observer that answers later (to keep the events of a
    /// call in order with its result).
    pub(crate) async fn emit(&self, kind: EventKind, event: HookEvent<'_>, line: Option<&str>) {
        let Some(observer) = &self.observer else {
            return;
        };
        let line = line.filter(|_| self.lines);
        if let Answer::Later(later) = observer.observe(&Observed { kind, event, line }) {
            later.await;
        }
    }

    /// Reports an event without waiting for the observer.
    fn emit_now(&self, kind: EventKind, event: HookEvent<'_>) {
        if let Some(observer) = &self.observer {
            drop(observer.observe(&Observed {
                kind,
                event,
                line: None,
            }));
        }
    }

    async fn end(&self, attempts: u32, error_type: Option<&'static str>) {
        self.emit(EventKind::End, self.end_event(attempts, error_type), None)
            .await;
    }
}

/// A warning for the current call's observer, if it takes log lines (Node's `logger`);
/// whether it did.
pub(crate) fn warning(line: &str) -> bool {
    let Some(observation) = current().filter(|o| o.lines) else {
        return false;
    };
    if let Some(observer) = &observation.observer {
        let mut event = observation.end_event(0, None);
        event.method = "";
        drop(observer.observe(&Observed {
            kind: EventKind::Warning,
            event,
            line: Some(line),
        }));
    }
    true
}

/// The current call sleeps `delay` before its next poll (a wait, an event iterator).
pub(crate) async fn pause(delay: Duration) {
    let observation = current();
    let lines = observation.as_ref().is_some_and(|o| o.lines);
    let line = (lines || crate::log::debug_enabled())
        .then(|| format!("polling again in {:.3}s", delay.as_secs_f64()));
    if let Some(line) = &line {
        crate::log::debug(line, lines);
    }
    if let Some(observation) = observation {
        let mut event = observation.end_event(0, None);
        event.delay = Some(delay);
        observation
            .emit(EventKind::Pause, event, line.as_deref())
            .await;
    }
}

/// The path template of a documented path, with `{name}` for `:name`.
pub(crate) fn path_template(documented: &'static str) -> Cow<'static, str> {
    if !documented.contains(':') {
        return Cow::Borrowed(documented);
    }
    let segments: Vec<String> = documented
        .split('/')
        .map(|segment| match segment.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => segment.to_owned(),
        })
        .collect();
    Cow::Owned(segments.join("/"))
}

/// The `tracing` span of one HTTP attempt (a CLIENT span to OpenTelemetry).
pub(crate) fn attempt_span(request: &RequestView<'_>, attempt: u32) -> tracing::Span {
    let span = tracing::info_span!(
        target: "postcore",
        "postcore.attempt",
        otel.name = %format_args!("{} {}", request.method, request.path_template),
        otel.kind = "client",
        http.request.method = request.method,
        server.address = request.server_address,
        server.port = request.server_port,
        url.full = request.url,
        http.request.resend_count = Empty,
        http.response.status_code = Empty,
        error.type = Empty,
        otel.status_code = Empty,
    );
    if attempt > 1 {
        span.record("http.request.resend_count", attempt - 1);
    }
    span
}

#[cfg(test)]
mod tests {
    #[test]
    fn templates_name_their_ids() {
        assert_eq!(super::path_template("/posts"), "/posts");
        assert_eq!(super::path_template("/posts/:postId"), "/posts/{postId}");
        assert_eq!(
            super::path_template("/profiles/:profileKey"),
            "/profiles/{profileKey}"
        );
    }
}
