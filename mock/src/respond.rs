//! Responses the request pipeline builds itself, outside the router: scripted faults, the
//! general rate limit, and the headers every response carries.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};

use crate::fault::Fault;
use crate::state::RateWindow;

/// The documented 429 for the general request limit, with `retry_after` until the window ends.
pub(crate) fn rate_limited(window: &RateWindow, now: i64) -> Response<Body> {
    let wait = window.reset.saturating_sub(now).max(1);
    let body = serde_json::json!({
        "error": "RATE_LIMIT_EXCEEDED",
        "message": format!("Rate limit exceeded. Try again in {wait} seconds"),
        "retry_after": wait,
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    set_header(&mut response, "content-type", "application/json");
    response
}

pub(crate) fn fault_response(fault: &Fault) -> Response<Body> {
    let status = fault
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (body, content_type) = fault.body_bytes();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        set_header(&mut response, "content-type", content_type);
    }
    add_headers(&mut response, &fault.headers);
    response
}

/// Announces 100 bytes more than it sends; the body is a stream so hyper trusts the header,
/// then closes the connection when the stream ends early.
pub(crate) fn truncated_response(fault: &Fault) -> Response<Body> {
    let (body, content_type) = fault.body_bytes();
    let announced = (body.len() + 100).to_string();
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(body))]);
    let mut response = Response::new(Body::from_stream(chunks));
    *response.status_mut() = fault
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    if let Some(content_type) = content_type {
        set_header(&mut response, "content-type", content_type);
    }
    add_headers(&mut response, &fault.headers);
    set_header(&mut response, "content-length", &announced);
    response
}

pub(crate) fn add_headers(response: &mut Response<Body>, headers: &BTreeMap<String, String>) {
    for (name, value) in headers {
        set_header(response, name, value);
    }
}

/// `X-RateLimit-*`, unless a fault already set them.
pub(crate) fn add_rate_limit_headers(response: &mut Response<Body>, window: &RateWindow) {
    for (name, value) in [
        ("x-ratelimit-limit", window.limit.to_string()),
        ("x-ratelimit-remaining", window.remaining.to_string()),
        ("x-ratelimit-reset", window.reset.to_string()),
    ] {
        if !response.headers().contains_key(name) {
            set_header(response, name, &value);
        }
    }
}

/// `Date` in mock time (unless a fault set one): clients learn the server's clock from it.
/// Hyper keeps a `Date` header that is already there instead of writing the real time.
pub(crate) fn add_date_header(response: &mut Response<Body>, now: i64) {
    if !response.headers().contains_key("date") {
        set_header(response, "date", &crate::time::imf_fixdate(now));
    }
}

/// Sets a header, skipping names or values that are not valid HTTP (a bad fault must not
/// crash the server).
pub(crate) fn set_header(response: &mut Response<Body>, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        response.headers_mut().insert(name, value);
    }
}
