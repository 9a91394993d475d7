//! Sends one logical request: attempts, per-attempt timeout, body size cap, retries.

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::config::{Config, RequestOptions};
use crate::connector::Connector;
use crate::error::{Error, Result};
use crate::observe::{EventKind, Observation, RequestView};
use crate::pacer::{Budgets, Ended, Pacer};
use crate::response::{RawResponse, api_error, retry_after, server_now};
use crate::retry::Retry;
use crate::retry::{Outcome, RetryPolicy};
use crate::timestamp::Timestamp;

/// The HTTP/1 client: hyper-util's keep-alive pool over our [`Connector`].
pub(crate) type HttpClient = hyper_util::client::legacy::Client<Connector, Full<Bytes>>;

/// A request ready to send (and to resend: the body is cheap to clone).
#[derive(Debug)]
pub(crate) struct Request<'a> {
    pub(crate) method: Method,
    pub(crate) retry: Retry,
    pub(crate) url: String,
    /// Where the path starts in `url` (after the base URL).
    pub(crate) path_start: usize,
    /// The documented path (`"/posts/:postId"`), for hooks and spans.
    pub(crate) template: &'static str,
    pub(crate) body: Option<Bytes>,
    /// Every header but the content type.
    pub(crate) headers: &'a HeaderMap,
    /// Bodies larger than this are not read.
    pub(crate) max_body: usize,
    /// Sent when the request goes to a proxy in absolute form (plain HTTP through a proxy).
    pub(crate) proxy_authorization: Option<&'a HeaderValue>,
    /// The rate budgets each attempt spends.
    pub(crate) budgets: Budgets,
}

/// How one attempt failed without a usable response.
enum Failure {
    Connect(String),
    Send(String),
    Timeout,
    /// No connection became free within the timeout: nothing was sent.
    NoConnection,
}

impl Failure {
    /// What went wrong, as hooks and spans report it (`error.type`).
    fn kind(&self) -> &'static str {
        match self {
            Self::Connect(_) => "connect_failed",
            Self::Send(_) => "connection_failed",
            Self::Timeout => "timeout",
            Self::NoConnection => "no_free_connection",
        }
    }

    fn outcome(&self) -> Outcome {
        match self {
            Self::Connect(_) | Self::NoConnection => Outcome::ConnectFailed,
            Self::Send(_) => Outcome::SendFailed,
            Self::Timeout => Outcome::TimedOut,
        }
    }

    /// Whether the request may have reached the server.
    fn after_sending(&self) -> bool {
        matches!(self, Self::Send(_) | Self::Timeout)
    }
}

/// What one attempt read off the wire. `body` is `None` when it passed the request's cap.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Option<Bytes>,
}

/// Runs attempts until one gives a response the retry rules accept as final, or they say stop.
/// Any final HTTP response (success or not) is returned as-is for decoding.
///
/// Each attempt first takes a slot from the rate budgets (`pacer`, shared through the
/// client's store), then holds one of the client's connection permits (`max_connections`)
/// from before it connects until its body is read, so a client never has more requests on the
/// wire than that; waiting for a permit counts against the attempt's timeout, waiting for a
/// slot against `max_rate_limit_wait`.
pub(crate) async fn execute(
    http: &HttpClient,
    connections: &Semaphore,
    pacer: &Pacer,
    config: &Config,
    request: &Request<'_>,
    options: &RequestOptions,
    names: crate::validate::Names,
) -> Result<RawResponse> {
    let timeout = options.timeout.unwrap_or(config.timeout);
    let policy = RetryPolicy::new(config, options.max_retries);
    let max_wait = options
        .max_rate_limit_wait
        .unwrap_or(config.max_rate_limit_wait);
    let idempotent = request.retry == Retry::Idempotent;
    let observation = crate::observe::current();
    let watch = observation
        .as_deref()
        .map(|o| Watch::new(o, request, config));
    let mut attempt = 0;
    // Whether an earlier attempt may have been processed by the server.
    let mut ambiguous = false;
    loop {
        attempt += 1;
        let waiting = watch.as_ref().map(|w| w.waiting(attempt));
        let slot = pacer
            .acquire(
                request.budgets,
                options.priority,
                timeout,
                max_wait,
                names,
                waiting.as_ref(),
            )
            .await
            .map_err(|e| e.with_attempts(attempt - 1))?;
        let started = Instant::now();
        let result = match &watch {
            None => attempt_once(http, connections, request, timeout, &[]).await,
            Some(watch) => {
                let span = watch.span(attempt);
                let extra = watch
                    .request(attempt, timeout)
                    .instrument(span.clone())
                    .await;
                let result = attempt_once(http, connections, request, timeout, &extra)
                    .instrument(span.clone())
                    .await;
                record(&span, &result);
                result
            }
        };
        slot.finish(match &result {
            Ok(answer) => Ended::Answer {
                status: answer.status.as_u16(),
                headers: &answer.headers,
                body: answer.body.as_deref().unwrap_or_default(),
            },
            Err(failure) if failure.after_sending() => Ended::NoAnswer,
            Err(_) => Ended::NotSent,
        })
        .await;
        let lines = watch.as_ref().is_some_and(Watch::wants_lines);
        let line = (lines || crate::log::debug_enabled())
            .then(|| attempt_line(request, attempt, policy.max_retries + 1, started, &result));
        if let Some(line) = &line {
            crate::log::debug(line, lines);
        }
        if let Some(watch) = &watch {
            watch.ended(attempt, &result, line.as_deref()).await;
        }
        let failure = match result {
            Ok(answer) => {
                let raw = RawResponse {
                    status: answer.status,
                    headers: answer.headers,
                    body: answer.body.clone().unwrap_or_default(),
                    attempts: attempt,
                    after_ambiguous: ambiguous,
                };
                if answer.body.is_none() {
                    let problem = format!(
                        "the response body exceeds the {} MiB limit and was not read",
                        request.max_body / (1024 * 1024)
                    );
                    return Err(Error::ResponseValidation(Box::new(api_error(
                        raw,
                        Some(problem),
                    ))));
                }
                if raw.status.is_success() {
                    return Ok(raw);
                }
                let outcome = Outcome::Status {
                    status: raw.status.as_u16(),
                    retry_after: asked_wait(&raw),
                };
                match policy.decide(attempt, idempotent, outcome) {
                    Some(wait) => {
                        ambiguous |= raw.status.as_u16() == 408 || raw.status.is_server_error();
                        let reason = raw.status.as_u16().to_string();
                        retry_wait(watch.as_ref(), attempt, wait, &reason).await;
                        continue;
                    }
                    None => return Ok(raw),
                }
            }
            Err(failure) => failure,
        };
        ambiguous |= failure.after_sending();
        match policy.decide(attempt, idempotent, failure.outcome()) {
            Some(wait) => retry_wait(watch.as_ref(), attempt, wait, failure.kind()).await,
            None => {
                return Err(final_error(
                    failure,
                    attempt,
                    timeout,
                    idempotent,
                    ambiguous,
                    config.max_connections,
                ));
            }
        }
    }
}

/// One attempt of `request` and nothing more: no rate budget, no retries (the caller has its
/// own), for [`crate::bindings::post_webhook`]. The answer's body is cut at `max_body`.
pub(crate) async fn once(
    http: &HttpClient,
    connections: &Semaphore,
    request: &Request<'_>,
    timeout: Duration,
) -> Result<(StatusCode, Bytes)> {
    match attempt_once(http, connections, request, timeout, &[]).await {
        Ok(answer) => Ok((answer.status, answer.body.unwrap_or_default())),
        Err(Failure::Connect(m)) => Err(Error::Connection {
            message: format!("could not connect: {m}"),
            attempts: 1,
            may_have_been_processed: false,
        }),
        Err(Failure::Send(m)) => Err(Error::Connection {
            message: format!("the connection failed after the request was sent: {m}"),
            attempts: 1,
            may_have_been_processed: true,
        }),
        Err(Failure::Timeout) => Err(Error::Timeout {
            message: format!("no answer within {timeout:?}"),
            timeout,
            attempts: 1,
            may_have_been_processed: true,
        }),
        Err(Failure::NoConnection) => Err(Error::Timeout {
            message: format!("no connection became free within {timeout:?}; nothing was sent"),
            timeout,
            attempts: 1,
            may_have_been_processed: false,
        }),
    }
}

/// The request as an observed call reports it: to its observer, and as `tracing` spans.
struct Watch<'a> {
    observation: &'a Observation,
    method: &'a str,
    path: &'a str,
    template: std::borrow::Cow<'static, str>,
    url: &'a str,
    config: &'a Config,
}

impl<'a> Watch<'a> {
    fn new(observation: &'a Observation, request: &'a Request<'_>, config: &'a Config) -> Self {
        Self {
            observation,
            method: request.method.as_str(),
            path: request.url.get(request.path_start..).unwrap_or("/"),
            template: crate::observe::path_template(request.template),
            url: &request.url,
            config,
        }
    }

    fn view(&self) -> RequestView<'_> {
        RequestView {
            method: self.method,
            path: self.path,
            path_template: &self.template,
            url: self.url,
            server_address: &self.config.server_address,
            server_port: self.config.server_port,
        }
    }

    fn wants_lines(&self) -> bool {
        self.observation.wants_lines()
    }

    /// What the pacer reports while attempt `attempt` waits for its slot.
    fn waiting(&self, attempt: u32) -> crate::pacer::Waiting<'_> {
        crate::pacer::Waiting {
            observation: self.observation,
            event: self.observation.event(&self.view(), attempt),
        }
    }

    /// The `tracing` span of attempt `attempt`.
    fn span(&self, attempt: u32) -> tracing::Span {
        crate::observe::attempt_span(&self.view(), attempt)
    }

    /// Attempt `attempt` starts: the headers the observer adds to it (a `traceparent`).
    async fn request(&self, attempt: u32, timeout: Duration) -> Vec<(HeaderName, HeaderValue)> {
        let view = self.view();
        let event = self.observation.event(&view, attempt);
        self.observation.request(event, timeout).await
    }

    /// Reports how attempt `attempt` ended.
    async fn ended(
        &self,
        attempt: u32,
        result: &std::result::Result<Answer, Failure>,
        line: Option<&str>,
    ) {
        let mut event = self.observation.event(&self.view(), attempt);
        let status_text;
        let kind = match result {
            Ok(answer) => {
                let status = answer.status.as_u16();
                event.status = Some(status);
                if status >= 400 {
                    status_text = status.to_string();
                    event.error_type = Some(&status_text);
                }
                EventKind::Response
            }
            Err(failure) => {
                event.error_type = Some(failure.kind());
                EventKind::Failure
            }
        };
        self.observation.emit(kind, event, line).await;
    }
}

/// Records how an attempt ended on its span.
fn record(span: &tracing::Span, result: &std::result::Result<Answer, Failure>) {
    if span.is_disabled() {
        return;
    }
    match result {
        Ok(answer) => {
            let status = answer.status.as_u16();
            span.record("http.response.status_code", status);
            if status >= 400 {
                span.record("error.type", status.to_string().as_str());
                span.record("otel.status_code", "error");
            }
        }
        Err(failure) => {
            span.record("error.type", failure.kind());
            span.record("otel.status_code", "error");
        }
    }
}

/// Logs and reports the wait before retry `attempt + 1`, then waits.
async fn retry_wait(watch: Option<&Watch<'_>>, attempt: u32, wait: Duration, reason: &str) {
    let lines = watch.is_some_and(Watch::wants_lines);
    let line = (lines || crate::log::debug_enabled())
        .then(|| format!("retrying in {:.3}s", wait.as_secs_f64()));
    if let Some(line) = &line {
        crate::log::debug(line, lines);
    }
    if let Some(watch) = watch {
        let mut event = watch.observation.event(&watch.view(), attempt);
        event.delay = Some(wait);
        event.reason = Some(reason);
        event.error_type = Some(reason);
        watch
            .observation
            .emit(EventKind::Retry, event, line.as_deref())
            .await;
    }
    tokio::time::sleep(wait).await;
}

/// The log line of one attempt: `POST /profiles/create attempt=1/3 status=201 elapsed_ms=2`.
fn attempt_line(
    request: &Request<'_>,
    attempt: u32,
    max_attempts: u32,
    started: Instant,
    result: &std::result::Result<Answer, Failure>,
) -> String {
    let path = request.url.get(request.path_start..).unwrap_or("/");
    // The SDK never sends the key in a URL, but a path is no place to print one.
    let path = match path.find("apiKey=") {
        Some(at) => format!("{}apiKey=<redacted>", &path[..at]),
        None => path.to_owned(),
    };
    let outcome = match result {
        Ok(answer) => format!("status={}", answer.status.as_u16()),
        Err(Failure::Connect(m)) => format!("connect_failed=\"{m}\""),
        Err(Failure::Send(m)) => format!("connection_failed=\"{m}\""),
        Err(Failure::Timeout) => "timed_out".to_owned(),
        Err(Failure::NoConnection) => "no_free_connection".to_owned(),
    };
    format!(
        "{} {path} attempt={attempt}/{max_attempts} {outcome} elapsed_ms={}",
        request.method,
        started.elapsed().as_millis()
    )
}

/// The wait a 429 asks for: `retry_after` (body) or `Retry-After` (header); for a per-profile
/// spacing refusal, which gives `next_available` instead, the time until then on the server's
/// clock. Other statuses are not consulted.
fn asked_wait(raw: &RawResponse) -> Option<Duration> {
    if raw.status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let json = serde_json::from_slice::<serde_json::Value>(&raw.body).ok();
    if let Some(wait) = retry_after(&raw.headers, json.as_ref()) {
        return Some(wait);
    }
    let next = json
        .as_ref()
        .and_then(|j| j.get("next_available"))
        .and_then(|v| v.as_str())
        .and_then(|t| Timestamp::parse(t).ok())?;
    Some(
        next.duration_since(&server_now(&raw.headers))
            .unwrap_or(Duration::ZERO),
    )
}

fn final_error(
    failure: Failure,
    attempts: u32,
    timeout: Duration,
    idempotent: bool,
    may_have_been_processed: bool,
    max_connections: usize,
) -> Error {
    let tries = if attempts == 1 {
        "1 attempt".to_owned()
    } else {
        format!("{attempts} attempts")
    };
    let maybe_processed = if idempotent {
        ""
    } else {
        "; the server may have processed it, so it was not resent"
    };
    match failure {
        Failure::Connect(m) => Error::Connection {
            message: format!("could not connect ({tries}): {m}"),
            attempts,
            may_have_been_processed,
        },
        Failure::Send(m) => Error::Connection {
            message: format!(
                "the connection failed after the request was sent ({tries}{maybe_processed}): {m}"
            ),
            attempts,
            may_have_been_processed,
        },
        Failure::Timeout => Error::Timeout {
            message: format!("the request timed out after {timeout:?} ({tries}{maybe_processed})"),
            timeout,
            attempts,
            may_have_been_processed,
        },
        Failure::NoConnection => Error::Timeout {
            message: format!(
                "no connection became free within {timeout:?} ({tries}; the client has \
                 max_connections = {max_connections} and all were busy); nothing was sent"
            ),
            timeout,
            attempts,
            may_have_been_processed,
        },
    }
}

/// One attempt, bounded by `timeout` from waiting for a connection permit to the last byte read.
async fn attempt_once(
    http: &HttpClient,
    connections: &Semaphore,
    request: &Request<'_>,
    timeout: Duration,
    extra: &[(HeaderName, HeaderValue)],
) -> std::result::Result<Answer, Failure> {
    let deadline = tokio::time::Instant::now() + timeout;
    // At most `max_connections` requests in flight; the connector bounds the sockets too.
    // (Closed only if the client is dropped mid-call; then there is nothing to wait for.)
    let _permit = match tokio::time::timeout_at(deadline, connections.acquire()).await {
        Ok(permit) => permit.ok(),
        Err(_elapsed) => return Err(Failure::NoConnection),
    };
    let exchange = async {
        let mut builder = http::Request::builder()
            .method(request.method.clone())
            .uri(request.url.as_str());
        if let Some(headers) = builder.headers_mut() {
            headers.clone_from(request.headers);
            if let Some(authorization) = request.proxy_authorization {
                headers.insert(http::header::PROXY_AUTHORIZATION, authorization.clone());
            }
            if request.body.is_some() {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            for (name, value) in extra {
                headers.insert(name.clone(), value.clone());
            }
        }
        let body = Full::new(request.body.clone().unwrap_or_default());
        let http_request = builder
            .body(body)
            .map_err(|e| Failure::Connect(format!("invalid request: {e}")))?;
        let response = http.request(http_request).await.map_err(|e| {
            if e.is_connect() {
                Failure::Connect(describe(&e))
            } else {
                Failure::Send(describe(&e))
            }
        })?;
        let (parts, body) = response.into_parts();
        let body = read_body(body, request.max_body)
            .await
            .map_err(|e| Failure::Send(format!("reading the response body: {}", describe(&*e))))?;
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    };
    match tokio::time::timeout_at(deadline, exchange).await {
        Ok(result) => result,
        Err(_elapsed) => Err(Failure::Timeout),
    }
}

type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// The whole body, or `None` once it passes `max` bytes.
async fn read_body(
    mut body: Incoming,
    max: usize,
) -> std::result::Result<Option<Bytes>, BodyError> {
    let announced = hyper::body::Body::size_hint(&body).exact();
    if announced.is_some_and(|n| n > max as u64) {
        return Ok(None);
    }
    let mut first: Option<Bytes> = None;
    let mut buf = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let Ok(chunk) = frame?.into_data() else {
            continue; // trailers
        };
        match first.take() {
            // The common case: one chunk, no copy.
            None if buf.is_empty() => first = Some(chunk),
            previous => {
                if let Some(previous) = previous {
                    buf.extend_from_slice(&previous);
                }
                if buf.len() + chunk.len() > max {
                    return Ok(None);
                }
                buf.extend_from_slice(&chunk);
            }
        }
        if first.as_ref().is_some_and(|c| c.len() > max) {
            return Ok(None);
        }
    }
    Ok(Some(match first {
        Some(only) => only,
        None => buf.freeze(),
    }))
}

/// The error and its causes on one line ("error sending request …: tcp connect error: …").
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
