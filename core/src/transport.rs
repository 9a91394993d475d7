//! Sends one logical request: attempts, per-attempt timeout, body size cap, retries.

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use tokio::sync::Semaphore;

use crate::config::{Config, RequestOptions};
use crate::endpoint::Retry;
use crate::error::{Error, Result};
use crate::response::{RawResponse, api_error, retry_after, server_now};
use crate::retry::{Outcome, RetryPolicy};
use crate::timestamp::Timestamp;

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
}

/// How one attempt failed without a usable response.
enum Failure {
    Connect(String),
    Send(String),
    Timeout,
}

impl Failure {
    fn outcome(&self) -> Outcome {
        match self {
            Self::Connect(_) => Outcome::ConnectFailed,
            Self::Send(_) => Outcome::SendFailed,
            Self::Timeout => Outcome::TimedOut,
        }
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
/// Each attempt holds one of the client's connection permits (`max_connections`) from before
/// it connects until its body is read, so a client never has more requests on the wire than
/// that; waiting for a permit counts against the attempt's timeout.
pub(crate) async fn execute(
    http: &reqwest::Client,
    connections: &Semaphore,
    config: &Config,
    request: &Request<'_>,
    options: &RequestOptions,
) -> Result<RawResponse> {
    let timeout = options.timeout.unwrap_or(config.timeout);
    let policy = RetryPolicy::new(config, options.max_retries);
    let idempotent = request.retry == Retry::Idempotent;
    let mut attempt = 0;
    // Whether an earlier attempt may have been processed by the server.
    let mut ambiguous = false;
    loop {
        attempt += 1;
        let started = Instant::now();
        let result = attempt_once(http, connections, request, timeout).await;
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
        ambiguous |= !matches!(failure, Failure::Connect(_));
        match policy.decide(attempt, idempotent, failure.outcome()) {
            Some(wait) => {
                log_wait(wait);
                tokio::time::sleep(wait).await;
            }
            None => {
                return Err(final_error(
                    failure, attempt, timeout, idempotent, ambiguous,
                ));
            }
        }
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
    }
}

/// One attempt, bounded by `timeout` from waiting for a connection permit to the last byte read.
async fn attempt_once(
    http: &reqwest::Client,
    connections: &Semaphore,
    request: &Request<'_>,
    timeout: Duration,
) -> std::result::Result<Answer, Failure> {
    let exchange = async {
        // Closed only if the client is dropped mid-call; then there is nothing to wait for.
        let _permit = connections.acquire().await.ok();
        let mut builder = http
            .request(request.method.clone(), &request.url)
            .headers(request.headers.clone());
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let mut response = builder.send().await.map_err(|e| {
            if e.is_connect() {
                Failure::Connect(describe(&e))
            } else {
                Failure::Send(describe(&e))
            }
        })?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = read_body(&mut response, request.max_body)
            .await
            .map_err(|e| Failure::Send(format!("reading the response body: {}", describe(&e))))?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    };
    match tokio::time::timeout(timeout, exchange).await {
        Ok(result) => result,
        Err(_elapsed) => Err(Failure::Timeout),
    }
}

/// The whole body, or `None` once it passes `max` bytes.
async fn read_body(response: &mut reqwest::Response, max: usize) -> reqwest::Result<Option<Bytes>> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Ok(None);
    }
    let Some(first) = response.chunk().await? else {
        return Ok(Some(Bytes::new()));
    };
    let Some(second) = response.chunk().await? else {
        return Ok(Some(first)); // the common case: one chunk, no copy
    };
    let mut buf = BytesMut::with_capacity(first.len() + second.len());
    buf.extend_from_slice(&first);
    buf.extend_from_slice(&second);
    while let Some(chunk) = response.chunk().await? {
        if buf.len() + chunk.len() > max {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok((buf.len() <= max).then(|| buf.freeze()))
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
