//! Sends one logical request: attempts, per-attempt timeout, body size cap, retries.

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use tokio::sync::Semaphore;

use crate::config::{Config, RequestOptions};
use crate::connector::Connector;
use crate::endpoint::Retry;
use crate::error::{Error, Result};
use crate::pacer::{Budgets, Ended, Pacer};
use crate::response::{RawResponse, api_error, retry_after, server_now};
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
    let mut attempt = 0;
    // Whether an earlier attempt may have been processed by the server.
    let mut ambiguous = false;
    loop {
        attempt += 1;
        let slot = pacer
            .acquire(request.budgets, options.priority, timeout, max_wait, names)
            .await
            .map_err(|e| e.with_attempts(attempt - 1))?;
        let started = Instant::now();
        let result = attempt_once(http, connections, request, timeout).await;
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
        if crate::log::enabled() {
            log_attempt(request, attempt, policy.max_retries + 1, started, &result);
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
                        log_wait(wait);
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    None => return Ok(raw),
                }
            }
            Err(failure) => failure,
        };
        ambiguous |= failure.after_sending();
        match policy.decide(attempt, idempotent, failure.outcome()) {
            Some(wait) => {
                log_wait(wait);
                tokio::time::sleep(wait).await;
            }
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
    match attempt_once(http, connections, request, timeout).await {
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

fn log_attempt(
    request: &Request<'_>,
    attempt: u32,
    max_attempts: u32,
    started: Instant,
    result: &std::result::Result<Answer, Failure>,
) {
    let path = request
        .url
        .find("://")
        .and_then(|scheme| request.url[scheme + 3..].find('/').map(|p| scheme + 3 + p))
        .map_or("/", |start| &request.url[start..]);
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
    crate::log::debug(&format!(
        "{} {path} attempt={attempt}/{max_attempts} {outcome} elapsed_ms={}",
        request.method,
        started.elapsed().as_millis()
    ));
}

fn log_wait(wait: Duration) {
    if crate::log::enabled() {
        crate::log::debug(&format!("retrying in {:.3}s", wait.as_secs_f64()));
    }
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
