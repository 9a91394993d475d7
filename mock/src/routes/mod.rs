//! The documented API endpoints and the `/__mock` control endpoints, and what they share:
//! postcore's error format, the API-key check and JSON body parsing.

pub(crate) mod control;
mod posts;
mod profiles;
pub(crate) mod url;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Map, Value, json};

use crate::state::{Denied, State};
use crate::time::iso8601;

pub(crate) type Shared = AxumState<Arc<State>>;

/// A handler's answer: the response, or a refusal in postcore's error format.
pub(crate) type Answer = Result<Response, Refusal>;

/// `{"error": CODE, "message": text}`, postcore's error format.
pub(crate) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    Refusal::new(status, code, message).into_response()
}

/// A refusal, turned into postcore's error format (with any extra fields) at the handler's
/// edge.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    code: String,
    message: String,
    extra: Map<String, Value>,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            extra: Map::new(),
        }
    }

    /// 400 `VALIDATION_ERROR` about one body or query field, named in the message and in an
    /// extra `field` member.
    /// The HTTP status, error code and message (for the in-process control surface).
    pub(crate) fn parts(&self) -> (u16, &str, &str) {
        (self.status.as_u16(), &self.code, &self.message)
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message).with("field", json!(field))
    }

    /// Adds an extra member to the error body.
    pub(crate) fn with(mut self, name: &str, value: Value) -> Self {
        self.extra.insert(name.to_owned(), value);
        self
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("error".to_owned(), Value::String(self.code));
        body.insert("message".to_owned(), Value::String(self.message));
        body.extend(self.extra);
        (self.status, Json(Value::Object(body))).into_response()
    }
}

impl From<Denied> for Refusal {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::ProfileNotFound => Self::new(
                StatusCode::NOT_FOUND,
                "PROFILE_NOT_FOUND",
                "Profile not found",
            ),
            Denied::PostNotFound => {
                Self::new(StatusCode::NOT_FOUND, "POST_NOT_FOUND", "Post not found")
            }
            Denied::AlreadyConnected => Self::new(
                StatusCode::BAD_REQUEST,
                "PROFILE_ALREADY_EXISTS",
                "Profile for this platform already exists",
            ),
            Denied::LinkedInNotConnected => Self::new(
                StatusCode::NOT_FOUND,
                "CONNECTION_NOT_FOUND",
                "This profile has no LinkedIn connection",
            ),
            Denied::PostNotPending => Self::new(
                StatusCode::BAD_REQUEST,
                "POST_NOT_PENDING",
                "Only pending posts can be deleted",
            ),
            Denied::PlatformsNotConnected(missing) => {
                let names: Vec<&str> = missing.iter().map(|p| p.as_str()).collect();
                Self::new(
                    StatusCode::BAD_REQUEST,
                    "PLATFORMS_NOT_CONNECTED",
                    format!(
                        "The following platforms are not connected: {}",
                        names.join(", ")
                    ),
                )
                .with("missing_platforms", json!(names))
            }
            Denied::MonthlyLimit(usage) => Self::new(
                StatusCode::FORBIDDEN,
                "MONTHLY_LIMIT_EXCEEDED",
                format!(
                    "Monthly post limit reached: {} posts per month",
                    usage.limit
                ),
            )
            .with("usage", json!(usage)),
            Denied::Spacing {
                platform,
                next_available,
            } => {
                let next = iso8601(next_available);
                Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RATE_LIMIT_EXCEEDED",
                    format!(
                        "{} requires {} seconds between posts. Next available: {next}",
                        platform.label(),
                        platform.spacing_secs()
                    ),
                )
                .with("platform", json!(platform.as_str()))
                .with("next_available", json!(next))
            }
        }
    }
}

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/profiles/create", post(profiles::create))
        .route("/profiles", get(profiles::list))
        .route(
            "/profiles/connect",
            get(profiles::connect_oauth).post(profiles::connect_bluesky),
        )
        .route("/profiles/{profile_key}", delete(profiles::delete))
        .route("/posts", get(posts::list).post(posts::create))
        .route("/posts/{post_id}", get(posts::get).delete(posts::delete))
        .merge(control::router())
        .merge(crate::dashboard::router())
        .fallback(|| async { error(StatusCode::NOT_FOUND, "NOT_FOUND", "Route not found") })
        .method_not_allowed_fallback(|| async {
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "Method not allowed on this route",
            )
        })
        .with_state(state)
}

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
