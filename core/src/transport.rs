//! Sends one logical request: attempts, per-attempt timeout, body size cap, retries.

use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::config::{Config, MAX_RESPONSE_BYTES, RequestOptions};
use crate::error::{Error, Result};
use crate::response::{RawResponse, api_error, retry_after};
use crate::retry::{Outcome, RetryPolicy};

/// A request ready to send (and to resend: the body is cheap to clone).
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) body: Option<Bytes>,
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

/// What one attempt read off the wire. `body` is `None` when it passed [`MAX_RESPONSE_BYTES`].
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Option<Bytes>,
}

/// Runs attempts until one gives a response the retry rules accept as final, or they say stop.
/// Any final HTTP response (success or not) is returned as-is for decoding.
pub(crate) async fn execute(
    http: &reqwest::Client,
    config: &Config,
    request: &Request,
    options: &RequestOptions,
) -> Result<RawResponse> {
    let timeout = options.timeout.unwrap_or(config.timeout);
    let policy = RetryPolicy::new(config, options.max_retries);
    let idempotent = matches!(request.method, Method::GET | Method::DELETE | Method::PUT);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let started = Instant::now();
        let result = attempt_once(http, request, timeout).await;
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
                };
                if answer.body.is_none() {
                    let problem = format!(
                        "the response body exceeds the {} MiB limit and was not read",
                        MAX_RESPONSE_BYTES / (1024 * 1024)
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
                        log_wait(wait);
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    None => return Ok(raw),
                }
            }
            Err(failure) => failure,
        };
        match policy.decide(attempt, idempotent, failure.outcome()) {
            Some(wait) => {
                log_wait(wait);
                tokio::time::sleep(wait).await;
            }
            None => return Err(final_error(failure, attempt, timeout, idempotent)),
        }
    }
}

fn log_attempt(
    request: &Request,
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

/// The wait a 429 asks for; other statuses are not consulted.
fn asked_wait(raw: &RawResponse) -> Option<Duration> {
    if raw.status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let json = serde_json::from_slice::<serde_json::Value>(&raw.body).ok();
    retry_after(&raw.headers, json.as_ref())
}

fn final_error(failure: Failure, attempts: u32, timeout: Duration, idempotent: bool) -> Error {
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
        },
        Failure::Send(m) => Error::Connection {
            message: format!(
                "the connection failed after the request was sent ({tries}{maybe_processed}): {m}"
            ),
            attempts,
        },
        Failure::Timeout => Error::Timeout {
            message: format!("the request timed out after {timeout:?} ({tries}{maybe_processed})"),
            timeout,
            attempts,
        },
    }
}

/// One attempt, bounded by `timeout` from the first byte sent to the last byte read.
async fn attempt_once(
    http: &reqwest::Client,
    request: &Request,
    timeout: Duration,
) -> std::result::Result<Answer, Failure> {
    let exchange = async {
        let mut builder = http.request(request.method.clone(), &request.url);
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
        let body = read_body(&mut response)
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

/// The whole body, or `None` once it passes [`MAX_RESPONSE_BYTES`].
async fn read_body(response: &mut reqwest::Response) -> reqwest::Result<Option<Bytes>> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
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
        if buf.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok((buf.len() <= MAX_RESPONSE_BYTES).then(|| buf.freeze()))
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
