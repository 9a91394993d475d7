//! `/__mock/*`: how tests in any language script and inspect the server. No API key, and the
//! pipeline neither records, faults nor rate-limits these paths.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::posts::PostList;
use super::profiles::ProfileList;
use super::request::{Shared, json_object};
use crate::fault::Fault;
use crate::refusal::{Answer, Refusal};
use crate::state::{Seed, State};
use crate::time::iso8601;

pub(super) fn router() -> Router<Arc<State>> {
    Router::new()
        .route("/__mock/faults", post(push_faults).delete(clear_faults))
        .route("/__mock/reset", post(reset))
        .route("/__mock/requests", get(recorded_requests))
        .route("/__mock/profiles", get(stored_profiles))
        .route("/__mock/posts", get(stored_posts))
        .route("/__mock/events", get(recorded_events))
        .route("/__mock/seed", post(seed))
        .route("/__mock/linkedin", post(mark_linkedin))
        .route("/__mock/stats", get(stats))
        .route("/__mock/advance", post(advance))
        .route("/__mock/clock", get(clock))
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
        Err(e) => crate::refusal::error(
            StatusCode::BAD_REQUEST,
            "INVALID_FAULT",
            format!("not a fault or list of faults: {e}"),
        ),
    }
}

async fn clear_faults(AxumState(state): Shared) -> Response {
    Json(json!({ "cleared": state.clear_faults() })).into_response()
}

async fn reset(AxumState(state): Shared) -> Response {
    state.reset();
    StatusCode::NO_CONTENT.into_response()
}

async fn recorded_requests(AxumState(state): Shared) -> Response {
    Json(json!({ "requests": state.requests() })).into_response()
}

async fn stored_profiles(AxumState(state): Shared) -> Response {
    let profiles = state.with_store(|store, now| store.profiles(now));
    Json(ProfileList { profiles }).into_response()
}

async fn stored_posts(AxumState(state): Shared) -> Response {
    let posts = state.with_store(|store, now| store.posts(now));
    Json(PostList { posts }).into_response()
}

/// The events the state changes amounted to (the latest 1,000, oldest first), due posts
/// decided first, and how many there were in all.
async fn recorded_events(AxumState(state): Shared) -> Response {
    let (events, total) = state.with_store(|store, now| {
        store.settle(now);
        (store.events.all(), store.events.total())
    });
    Json(json!({ "events": events, "total": total })).into_response()
}

/// Loads a seed (see the crate docs for the format) after filling in `$NOW` templates.
async fn seed(AxumState(state): Shared, body: Bytes) -> Answer {
    let invalid = |message: String| Refusal::new(StatusCode::BAD_REQUEST, "INVALID_SEED", message);
    let mut value = Value::Object(json_object(&body)?);
    crate::template::expand(&mut value, state.now());
    let seed: Seed =
        serde_json::from_value(value).map_err(|e| invalid(format!("invalid seed: {e}")))?;
    let seeded = state
        .with_store(|store, now| store.load_seed(&seed, now))
        .map_err(invalid)?;
    state.changed();
    Ok(Json(seeded).into_response())
}

/// `{"profileKey", "expired"?, "needsReconnect"?}`: ages or flags a LinkedIn connection.
async fn mark_linkedin(AxumState(state): Shared, body: Bytes) -> Answer {
    let fields = json_object(&body)?;
    let Some(key) = fields.get("profileKey").and_then(Value::as_str) else {
        return Err(Refusal::invalid(
            "profileKey",
            "profileKey must be a string",
        ));
    };
    let flag = |name: &str| match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Refusal::invalid(name, format!("{name} must be a boolean"))),
    };
    let (expired, needs_reconnect) = (flag("expired")?, flag("needsReconnect")?);
    let connection =
        state.with_store(|store, now| store.mark_linkedin(key, expired, needs_reconnect, now))?;
    state.changed();
    Ok(Json(json!({ "profileKey": key, "connection": connection })).into_response())
}

/// Connection counts, and the rate-limit windows so far (`start`, `reset`, `requests`,
/// `refused`: how a fleet of clients used them) with the limit enforced (`null`: none).
async fn stats(AxumState(state): Shared) -> Response {
    let (windows, limit) = state.windows();
    Json(json!({
        "connections": state.connections.stats(),
        "rateLimit": limit,
        "windows": windows,
    }))
    .into_response()
}

/// `{"seconds": n}` moves the mock clock by n seconds (fractions and negative numbers allowed).
async fn advance(AxumState(state): Shared, body: Bytes) -> Answer {
    let fields = json_object(&body)?;
    let seconds = fields
        .get("seconds")
        .and_then(Value::as_f64)
        .filter(|s| s.is_finite() && s.abs() < 1e12)
        .ok_or_else(|| Refusal::invalid("seconds", "seconds must be a number"))?;
    state.advance_ms((seconds * 1000.0).round() as i64);
    Ok(Json(json!({ "now": iso8601(state.now()) })).into_response())
}

async fn clock(AxumState(state): Shared) -> Response {
    Json(json!({ "now": iso8601(state.now()) })).into_response()
}
