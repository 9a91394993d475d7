//! Turning what the server sent into a value or an [`Error`] that keeps all of it.

use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, Result};
use crate::rate_limit::RateLimit;
use crate::timestamp::Timestamp;

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

    /// The same response with its data converted.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            data: f(self.data),
            status: self.status,
            headers: self.headers,
            rate_limit: self.rate_limit,
            attempts: self.attempts,
        }
    }
}

/// A complete HTTP response as read off the wire, before decoding.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
    /// Whether an earlier attempt of this call may have been processed by the server (it
    /// failed after the request was sent) before this answer came.
    pub(crate) after_ambiguous: bool,
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
    let missing_platforms = json
        .as_ref()
        .and_then(|j| j.get("missing_platforms"))
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ApiError {
        platform: field("platform"),
        next_available: field("next_available").and_then(|t| Timestamp::parse(&t).ok()),
        missing_platforms,
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

/// The server's clock at the time of the response (its `Date` header), else this machine's.
pub(crate) fn server_now(headers: &HeaderMap) -> Timestamp {
    headers
        .get(http::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(Timestamp::parse_http_date)
        .unwrap_or_else(Timestamp::now)
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

#[cfg(test)]
mod fuzz {
    //! Response handling fed arbitrary statuses, headers and bytes: it must never panic and
    //! must always give a value (only for a 2xx) or a typed error that keeps the status.
    //! Scale with `PROPTEST_CASES` (the `make fuzz` target runs a million).

    use http::header::{HeaderName, HeaderValue};
    use proptest::prelude::*;

    use super::*;
    use crate::models::Profile;

    fn header_strategy() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
        let names = prop_oneof![
            Just("content-type".to_owned()),
            Just("retry-after".to_owned()),
            Just("x-ratelimit-limit".to_owned()),
            Just("x-ratelimit-remaining".to_owned()),
            Just("x-ratelimit-reset".to_owned()),
            "[a-z-]{1,12}",
        ];
        let values = prop_oneof![
            Just(b"application/json".to_vec()),
            Just(b"application/json; charset=utf-8".to_vec()),
            Just(b"text/html".to_vec()),
            "[0-9]{1,25}".prop_map(String::into_bytes),
            "-?[0-9]{1,3}\\.[0-9]{1,3}".prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..24),
        ];
        proptest::collection::vec((names, values), 0..6)
    }

    fn body_strategy() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..256),
            Just(br#"{"profileKey":"prof_abc","profileName":null}"#.to_vec()),
            "\\{\"profileKey\":(\"[a-z_]{0,8}\"|[0-9]+|null|\\[\\]),\"profileName\":(\".{0,8}\"|null|1)\\}"
                .prop_map(String::into_bytes),
            "\\{\"error\":\"[A-Z_]{0,12}\",\"message\":\".{0,16}\",\"retry_after\":(-?[0-9]{1,12}|1e400|\"x\"|null)\\}"
                .prop_map(String::into_bytes),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000),
            ..ProptestConfig::default()
        })]

        #[test]
        fn decoding_never_panics(status in 100u16..1000, headers in header_strategy(), body in body_strategy()) {
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_bytes(&value)) {
                    map.append(name, value);
                }
            }
            let status = StatusCode::from_u16(status).expect("100..1000 is a valid status");
            let raw = RawResponse { status, headers: map, body: Bytes::from(body), attempts: 1, after_ambiguous: false };
            match decode::<Profile>(raw) {
                Ok(response) => prop_assert!(status.is_success() && response.status == status.as_u16()),
                Err(error) => {
                    prop_assert_eq!(error.status(), Some(status.as_u16()));
                    prop_assert!(error.body_text().is_some());
                    if !status.is_success() {
                        prop_assert_eq!(error.kind(), crate::error::ErrorKind::from_response(status.as_u16(), error.code()));
                    }
                }
            }
        }
    }
}
