//! postcore's error format (`{"error": CODE, "message": text, ...}`), as every handler, the
//! dashboard's endpoints and the request pipeline answer a request they refuse.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::state::Denied;
use crate::time::iso8601;

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

    /// The HTTP status, error code and message (for the in-process control surface).
    pub(crate) fn parts(&self) -> (u16, &str, &str) {
        (self.status.as_u16(), &self.code, &self.message)
    }

    /// 400 `VALIDATION_ERROR` about one body or query field, named in the message and in an
    /// extra `field` member.
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
