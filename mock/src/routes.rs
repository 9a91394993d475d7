//! The documented API endpoints and the `/__mock` control endpoints.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use crate::fault::Fault;
use crate::state::State;

type Shared = AxumState<Arc<State>>;

/// `{"error": CODE, "message": text}`, postcore's error format.
pub(crate) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = json!({ "error": code, "message": message.into() });
    (status, Json(body)).into_response()
}

/// A refusal, turned into postcore's error format at the handler's edge.
struct Refusal(StatusCode, &'static str, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error(self.0, self.1, self.2)
    }
}

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/profiles/create", post(create_profile))
        .route("/profiles", get(list_profiles))
        .route("/profiles/{profile_key}", delete(delete_profile))
        .route("/__mock/faults", post(push_faults))
        .route("/__mock/reset", post(reset))
        .route("/__mock/requests", get(recorded_requests))
        .route("/__mock/profiles", get(stored_profiles))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "NOT_FOUND", "Route not found") })
        .with_state(state)
}

fn authorize(state: &State, headers: &HeaderMap) -> Result<(), Refusal> {
    match headers.get("x-api-key").map(|v| v.as_bytes()) {
        None => Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "MISSING_API_KEY",
            "API key is required in x-api-key header".into(),
        )),
        Some(key) if state.api_keys.iter().any(|k| k.as_bytes() == key) => Ok(()),
        Some(_) => Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "INVALID_API_KEY",
            "Invalid API key".into(),
        )),
    }
}

async fn create_profile(AxumState(state): Shared, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = authorize(&state, &headers) {
        return refused.into_response();
    }
    let profile_name = match parse_create(&body) {
        Ok(name) => name,
        Err(refused) => return refused.into_response(),
    };
    let profile = state.create_profile(profile_name);
    let body = json!({ "profileKey": profile.profile_key, "profileName": profile.profile_name });
    (StatusCode::CREATED, Json(body)).into_response()
}

/// The body of `POST /profiles/create`: empty or `{}` for no name, else a string `profileName`.
fn parse_create(body: &[u8]) -> Result<Option<String>, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Refusal(
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
            format!("Request body must be valid JSON: {e}"),
        )
    })?;
    let Value::Object(fields) = value else {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "Request body must be a JSON object".into(),
        ));
    };
    match fields.get("profileName") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) => Ok(Some(name.clone())),
        Some(_) => Err(Refusal(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "profileName must be a string".into(),
        )),
    }
}

async fn list_profiles(AxumState(state): Shared, headers: HeaderMap) -> Response {
    if let Err(refused) = authorize(&state, &headers) {
        return refused.into_response();
    }
    Json(json!({ "profiles": state.profiles() })).into_response()
}

async fn delete_profile(
    AxumState(state): Shared,
    headers: HeaderMap,
    Path(profile_key): Path<String>,
) -> Response {
    if let Err(refused) = authorize(&state, &headers) {
        return refused.into_response();
    }
    if state.delete_profile(&profile_key) {
        Json(json!({ "message": "Profile deleted successfully" })).into_response()
    } else {
        error(
            StatusCode::NOT_FOUND,
            "PROFILE_NOT_FOUND",
            "Profile not found",
        )
    }
}

async fn push_faults(AxumState(state): Shared, body: Bytes) -> Response {
    let faults = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .map(serde_json::from_value::<Fault>)
            .collect::<Result<Vec<_>, _>>(),
        Ok(item) => serde_json::from_value::<Fault>(item).map(|f| vec![f]),
        Err(e) => Err(e),
    };
    match faults {
        Ok(faults) => {
            let count = faults.len();
            faults.into_iter().for_each(|f| state.push_fault(f));
            Json(json!({ "queued": count })).into_response()
        }
        Err(e) => error(
            StatusCode::BAD_REQUEST,
            "INVALID_FAULT",
            format!("not a fault or list of faults: {e}"),
        ),
    }
}

async fn reset(AxumState(state): Shared) -> Response {
    state.reset();
    StatusCode::NO_CONTENT.into_response()
}

async fn recorded_requests(AxumState(state): Shared) -> Response {
    Json(json!({ "requests": state.requests() })).into_response()
}

async fn stored_profiles(AxumState(state): Shared) -> Response {
    Json(json!({ "profiles": state.profiles() })).into_response()
}
