//! Turning what the server sent into a value or an [`Error`] that keeps all of it.

use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, Result};
use crate::rate_limit::RateLimit;

/// A decoded success response with its metadata.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub data: T,
    /// HTTP status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The `X-RateLimit-*` headers, when present.
    pub rate_limit: Option<RateLimit>,
    /// Attempts it took (1 when the first one succeeded).
    pub attempts: u32,
}

impl<T> Response<T> {
    /// The decoded body alone.
    pub fn into_data(self) -> T {
        self.data
    }
}

/// A complete HTTP response as read off the wire, before decoding.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
}

/// Success status with a JSON body of the expected shape: the value; anything else: an error.
pub(crate) fn decode<T: DeserializeOwned>(raw: RawResponse) -> Result<Response<T>> {
    if !raw.status.is_success() {
        return Err(Error::Api(Box::new(api_error(raw, None))));
    }
    if !is_json_content_type(&raw.headers) {
        let problem = format!(
            "expected a JSON response, got content type {:?}",
            content_type(&raw.headers).unwrap_or("")
        );
        return Err(Error::ResponseValidation(Box::new(api_error(
            raw,
            Some(problem),
        ))));
    }
    match decode_json::<T>(&raw.body) {
        Ok(data) => Ok(Response {
            data,
            status: raw.status.as_u16(),
            rate_limit: RateLimit::from_headers(&raw.headers),
            headers: raw.headers,
            attempts: raw.attempts,
        }),
        Err(e) => {
            let problem = format!(
                "the {} response could not be decoded: {e}",
                raw.status.as_u16()
            );
            Err(Error::ResponseValidation(Box::new(api_error(
                raw,
                Some(problem),
            ))))
        }
    }
}

/// Decodes a JSON body, naming the field at fault ("profileKey: invalid type: …").
fn decode_json<T: DeserializeOwned>(body: &[u8]) -> std::result::Result<T, String> {
    let mut decoder = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut decoder).map_err(|e| {
        let path = e.path().to_string();
        match path.as_str() {
            "." => e.into_inner().to_string(),
            _ => format!("{path}: {}", e.into_inner()),
        }
    })?;
    decoder.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// Everything the server sent, as an [`ApiError`]. `problem` replaces the message when the
/// status itself was fine but the body was not.
pub(crate) fn api_error(raw: RawResponse, problem: Option<String>) -> ApiError {
    let json = serde_json::from_slice::<serde_json::Value>(&raw.body).ok();
    let body = String::from_utf8_lossy(&raw.body).into_owned();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|j| j.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let code = if problem.is_none() {
        field("error")
    } else {
        None
    };
    let message = problem
        .or_else(|| field("message"))
        .unwrap_or_else(|| describe_status(raw.status, &body, json.is_some()));
    ApiError {
        status: raw.status.as_u16(),
        code,
        message,
        retry_after: retry_after(&raw.headers, json.as_ref()),
        rate_limit: RateLimit::from_headers(&raw.headers),
        json,
        body,
        headers: raw.headers,
        attempts: raw.attempts,
    }
}

/// The wait the server asked for: the documented `retry_after` body field (seconds), else a
/// `Retry-After` header in seconds. HTTP-date forms are ignored.
pub(crate) fn retry_after(
    headers: &HeaderMap,
    json: Option<&serde_json::Value>,
) -> Option<Duration> {
    let from_body = json
        .and_then(|j| j.get("retry_after"))
        .and_then(|v| v.as_f64());
    let from_header = || {
        headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    let seconds = from_body.or_else(from_header)?;
    // Clamped so that absurd values cannot overflow a Duration.
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(1e9)))
}

fn describe_status(status: StatusCode, body: &str, is_json: bool) -> String {
    let reason = status.canonical_reason().unwrap_or("unexpected status");
    let snippet: String = body.trim().chars().take(200).collect();
    if snippet.is_empty() || is_json {
        reason.to_owned()
    } else {
        format!("{reason} (body: {snippet})")
    }
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
}

/// `application/json`, `application/problem+json` and friends; a missing header is tolerated.
fn is_json_content_type(headers: &HeaderMap) -> bool {
    match content_type(headers) {
        None => true,
        Some(ct) => {
            let essence = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        }
    }
}
