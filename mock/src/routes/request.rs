//! What the API handlers share: the state extractor, the API-key check, JSON body and path
//! parameter parsing.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

use crate::refusal::Refusal;
use crate::state::{Denied, State};

/// The server's state, as handlers extract it.
pub(crate) type Shared = AxumState<Arc<State>>;

/// Checks an API key against the configured ones; `missing` is the message for no key.
pub(crate) fn check_key(state: &State, key: Option<&[u8]>, missing: &str) -> Result<(), Refusal> {
    match key {
        None | Some(b"") => Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "MISSING_API_KEY",
            missing,
        )),
        Some(key) if state.api_keys.iter().any(|k| k.as_bytes() == key) => Ok(()),
        Some(_) => Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_API_KEY",
            "Invalid API key",
        )),
    }
}

/// The `x-api-key` check every API endpoint but the OAuth URL makes.
pub(crate) fn authorize(state: &State, headers: &HeaderMap) -> Result<(), Refusal> {
    check_key(
        state,
        headers.get("x-api-key").map(|v| v.as_bytes()),
        "API key is required in x-api-key header",
    )
}

/// A JSON object body; an empty body counts as `{}`.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
            format!("Request body must be valid JSON: {e}"),
        )
    })?;
    match value {
        Value::Object(fields) => Ok(fields),
        _ => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "Request body must be a JSON object",
        )),
    }
}

/// A percent-decoded path segment; one that does not decode to UTF-8 cannot name anything
/// stored, so it gets the resource's 404.
pub(crate) fn path_param(
    param: Result<Path<String>, PathRejection>,
    not_found: Denied,
) -> Result<String, Refusal> {
    param.map(|Path(value)| value).map_err(|_| not_found.into())
}
