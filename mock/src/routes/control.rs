//! The control surface: how tests in any language script and inspect the server, one table of
//! operations ([`CONTROLS`]) reached two ways: over HTTP as `/__mock/<name>` (no API key; the
//! pipeline neither records, faults nor rate-limits these paths), and in-process through
//! [`crate::MockServer::control`], which both packages' testing kits call with the same names
//! and JSON bodies.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Map, Value, json};

use super::posts::PostList;
use super::profiles::ProfileList;
use super::request::Shared;
use crate::fault::Fault;
use crate::refusal::{Answer, Refusal};
use crate::state::{Seed, State};
use crate::time::iso8601;

/// Every control operation: its name (the path below `/__mock/`), whether it changes the
/// server (`POST`; the others are read with `GET`), and what it does with a JSON body.
type Control = fn(&State, Map<String, Value>) -> Result<Value, Refusal>;

pub(crate) const CONTROLS: &[(&str, bool, Control)] = &[
    ("faults", true, push_faults),
    ("fail_next", true, fail_next),
    ("reset", true, reset),
    ("requests", false, recorded_requests),
    ("profiles", false, stored_profiles),
    ("posts", false, stored_posts),
    ("events", false, recorded_events),
    ("seed", true, seed),
    ("linkedin", true, mark_linkedin),
    ("stats", false, stats),
    ("advance", true, advance),
    ("clock", false, clock),
];

/// Runs control operation `name` with `body` (an object; `{}` when there is none).
pub(crate) fn run(state: &State, name: &str, body: Value) -> Result<Value, Refusal> {
    let Some((_, _, control)) = CONTROLS.iter().find(|(n, _, _)| *n == name) else {
        let names: Vec<&str> = CONTROLS.iter().map(|(n, _, _)| *n).collect();
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            "UNKNOWN_CONTROL",
            format!(
                "no control operation {name:?} (there are: {})",
                names.join(", ")
            ),
        ));
    };
    let fields = match body {
        Value::Null => Map::new(),
        Value::Object(fields) => fields,
        // A list of faults is the one body that is not an object.
        items @ Value::Array(_) if name == "faults" => {
            let mut fields = Map::new();
            fields.insert("faults".to_owned(), items);
            fields
        }
        _ => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                "the body must be a JSON object",
            ));
        }
    };
    control(state, fields)
}

pub(super) fn router() -> Router<Arc<State>> {
    Router::new()
        .route(
            "/__mock/faults",
            post(faults_over_http).delete(clear_faults),
        )
        .route("/__mock/{name}", post(over_http).get(over_http))
}

async fn faults_over_http(state: Shared, method: axum::http::Method, body: Bytes) -> Answer {
    over_http(state, Path("faults".to_owned()), method, body).await
}

/// `/__mock/<name>`: the control operation of that name, reading with `GET`, changing the
/// server with `POST` (`reset` answers 204 with no body).
async fn over_http(
    AxumState(state): Shared,
    Path(name): Path<String>,
    method: axum::http::Method,
    body: Bytes,
) -> Answer {
    let changes = CONTROLS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, c, _)| *c);
    if changes.is_some_and(|changes| changes != (method == axum::http::Method::POST)) {
        return Ok(StatusCode::METHOD_NOT_ALLOWED.into_response());
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "INVALID_JSON",
                format!("Request body must be valid JSON: {e}"),
            )
        })?
    };
    let answer = run(&state, &name, body)?;
    if name == "reset" {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Json(answer).into_response())
}

/// One fault (`{"action": …}`) or a list of them (`{"faults": [...]}` in-process, a JSON
/// list over HTTP).
fn push_faults(state: &State, fields: Map<String, Value>) -> Result<Value, Refusal> {
    let faults = match fields.get("faults") {
        Some(Value::Array(items)) => items
            .iter()
            .cloned()
            .map(serde_json::from_value::<Fault>)
            .collect::<Result<Vec<_>, _>>(),
        _ if fields.is_empty() => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "INVALID_FAULT",
                "not a fault or list of faults: the body is empty",
            ));
        }
        _ => serde_json::from_value::<Fault>(Value::Object(fields)).map(|f| vec![f]),
    };
    match faults {
        Ok(faults) => {
            let count = faults.len();
            faults.into_iter().for_each(|f| state.push_fault(f));
            Ok(json!({ "queued": count }))
        }
        Err(e) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "INVALID_FAULT",
            format!("not a fault or list of faults: {e}"),
        )),
    }
}

/// One fault read as the testing kits' `fail_next` / `failNext` means it
/// (`Fault::for_fail_next`: no status and only a body fails with 500; no response asked of
/// `drop` / `reset`).
fn fail_next(state: &State, fields: Map<String, Value>) -> Result<Value, Refusal> {
    let invalid = |message: String| Refusal::new(StatusCode::BAD_REQUEST, "INVALID_FAULT", message);
    let fault = serde_json::from_value::<Fault>(Value::Object(fields))
        .map_err(|e| invalid(format!("invalid fault: {e}")))?
        .for_fail_next()
        .map_err(invalid)?;
    state.push_fault(fault);
    Ok(json!({ "queued": 1 }))
}

async fn clear_faults(AxumState(state): Shared) -> Response {
    Json(json!({ "cleared": state.clear_faults() })).into_response()
}

fn reset(state: &State, _: Map<String, Value>) -> Result<Value, Refusal> {
    state.reset();
    Ok(Value::Null)
}

fn to_json(value: impl serde::Serialize) -> Result<Value, Refusal> {
    serde_json::to_value(value).map_err(|e| {
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            e.to_string(),
        )
    })
}

fn recorded_requests(state: &State, _: Map<String, Value>) -> Result<Value, Refusal> {
    Ok(json!({ "requests": state.requests() }))
}

fn stored_profiles(state: &State, _: Map<String, Value>) -> Result<Value, Refusal> {
    let profiles = state.with_store(|store, now| store.profiles(now));
    to_json(ProfileList { profiles })
}

fn stored_posts(state: &State, _: Map<String, Value>) -> Result<Value, Refusal> {
    let posts = state.with_store(|store, now| store.posts(now));
    to_json(PostList { posts })
}

/// The events the state changes amounted to (the latest 1,000, oldest first), due posts
/// decided first, and how many there were in all.
fn recorded_events(state: &State, _: Map<String, Value>) -> Result<Value, Refusal> {
    let (events, total) = state.with_store(|store, now| {
        store.settle(now);
        (store.events.all(), store.events.total())
    });
    Ok(json!({ "events": events, "total": total }))
}

/// Loads a seed (see the crate docs for the format) after filling in `$NOW` templates;
/// nothing is stored if any part is refused.
fn seed(state: &State, fields: Map<String, Value>) -> Result<Value, Refusal> {
    let invalid = |message: String| Refusal::new(StatusCode::BAD_REQUEST, "INVALID_SEED", message);
    let mut value = Value::Object(fields);
    crate::template::expand(&mut value, state.now());
    let seed: Seed =
        serde_json::from_value(value).map_err(|e| invalid(format!("invalid seed: {e}")))?;
    let seeded = state
        .with_store(|store, now| store.load_seed(&seed, now))
        .map_err(invalid)?;
    state.changed();
    to_json(seeded)
}

/// `{"profileKey", "expired"?, "needsReconnect"?}`: ages or flags a LinkedIn connection.
fn mark_linkedin(state: &State, fields: Map<String, Value>) -> Result<Value, Refusal> {
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
    Ok(json!({ "profileKey": key, "connection": connection }))
}

/// Connection counts, and the rate-limit windows so far (`start`, `reset`, `requests`,
/// `refused`: how a fleet of clients used them) with the limit enforced (`null`: none).
fn stats(state: &State, _: Map<String, Value>) -> Result<Value, Refusal> {
    let (windows, limit) = state.windows();
    Ok(json!({
        "connections": state.connections.stats(),
        "rateLimit": limit,
        "windows": windows,
    }))
}

/// `{"seconds": n}` moves the mock clock by n seconds (fractions and negative numbers
/// allowed; `"forward": true` refuses a negative n, as the testing kits do).
fn advance(state: &State, fields: Map<String, Value>) -> Result<Value, Refusal> {
    let seconds = fields
        .get("seconds")
        .and_then(Value::as_f64)
        .filter(|s| s.is_finite() && s.abs() < 1e12)
        .ok_or_else(|| Refusal::invalid("seconds", "seconds must be a finite number"))?;
    if seconds < 0.0 && fields.get("forward") == Some(&Value::Bool(true)) {
        return Err(Refusal::invalid(
            "seconds",
            format!("seconds must be a finite number, not negative, got {seconds}"),
        ));
    }
    state.advance_ms((seconds * 1000.0).round() as i64);
    clock(state, Map::new())
}

/// The mock clock: `{"now": ISO 8601, "unixMs": milliseconds}`.
fn clock(state: &State, _: Map<String, Value>) -> Result<Value, Refusal> {
    Ok(json!({ "now": iso8601(state.now()), "unixMs": state.now_ms() }))
}
