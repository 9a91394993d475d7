//! `/profiles…`: create, list, delete, and connecting LinkedIn (browser OAuth URL) and Bluesky
//! (app password).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use serde_json::{Value, json};

use super::request::{Shared, authorize, check_key, json_object, path_param};
use super::url::{html_escape, is_absolute_http_url, query_params, with_query_param};
use crate::refusal::{Answer, Refusal};
use crate::state::{Denied, StoredProfile, valid_app_password, valid_bluesky_handle};

pub(super) async fn create(AxumState(state): Shared, headers: HeaderMap, body: Bytes) -> Answer {
    authorize(&state, &headers)?;
    let fields = json_object(&body)?;
    let profile_name = match fields.get("profileName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => {
            return Err(Refusal::invalid(
                "profileName",
                "profileName must be a string",
            ));
        }
    };
    let profile = state.with_store(|store, now| store.create_profile(profile_name, now));
    let body = json!({ "profileKey": profile.key, "profileName": profile.name });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Serialised straight from the views: a seeded store can make this body tens of megabytes.
#[derive(Serialize)]
pub(super) struct ProfileList {
    pub(super) profiles: Vec<StoredProfile>,
}

pub(super) async fn list(AxumState(state): Shared, headers: HeaderMap) -> Answer {
    authorize(&state, &headers)?;
    let profiles = state.with_store(|store, now| store.profiles(now));
    Ok(Json(ProfileList { profiles }).into_response())
}

pub(super) async fn delete(
    AxumState(state): Shared,
    headers: HeaderMap,
    key: Result<Path<String>, PathRejection>,
) -> Answer {
    authorize(&state, &headers)?;
    let key = path_param(key, Denied::ProfileNotFound)?;
    state.with_store(|store, now| store.delete_profile(&key, now))?;
    Ok(Json(json!({ "message": "Profile deleted successfully" })).into_response())
}

/// `GET /profiles/connect?apiKey=…&platform=linkedin&profileKey=…&returnUrl=…`: the URL an
/// end-user's browser opens. The mock has no LinkedIn to send them to, so it completes the
/// flow at once with a fake account and redirects back to `returnUrl` with the `profileKey`.
pub(super) async fn connect_oauth(AxumState(state): Shared, RawQuery(query): RawQuery) -> Answer {
    let params = query_params(query.as_deref().unwrap_or(""));
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    check_key(
        &state,
        param("apiKey").map(str::as_bytes),
        "API key is required in the apiKey query parameter",
    )?;
    if param("platform") != Some("linkedin") {
        return Err(Refusal::invalid(
            "platform",
            "platform must be \"linkedin\" (Bluesky connects with POST /profiles/connect)",
        ));
    }
    let return_url = match param("returnUrl") {
        None | Some("") => return Err(Refusal::invalid("returnUrl", "returnUrl is required")),
        Some(url) if !is_absolute_http_url(url) => {
            return Err(Refusal::invalid(
                "returnUrl",
                "returnUrl must be an absolute http(s) URL",
            ));
        }
        Some(url) => url,
    };
    let key = state.with_store(|store, now| store.connect_linkedin(param("profileKey"), now))?;
    let location = with_query_param(return_url, "profileKey", &key);
    let href = html_escape(&location);
    let page = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>LinkedIn connected</title></head>\
         <body><p>LinkedIn connected (postcore-mock). Continue to <a href=\"{href}\">{href}</a>.</p></body></html>\n"
    );
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        ],
        page,
    )
        .into_response())
}

/// `POST /profiles/connect`: connects Bluesky with a handle and an app password.
pub(super) async fn connect_bluesky(
    AxumState(state): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    authorize(&state, &headers)?;
    let fields = json_object(&body)?;
    let profile_key = match fields.get("profileKey") {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) => Some(key.as_str()),
        Some(_) => {
            return Err(Refusal::invalid(
                "profileKey",
                "profileKey must be a string",
            ));
        }
    };
    match fields.get("platform").and_then(Value::as_str) {
        Some("bluesky") => {}
        Some("linkedin") => {
            return Err(Refusal::invalid(
                "platform",
                "LinkedIn connects through the OAuth URL (GET /profiles/connect), not with credentials",
            ));
        }
        _ => return Err(Refusal::invalid("platform", "platform must be \"bluesky\"")),
    }
    let Some(credentials) = fields.get("credentials").and_then(Value::as_object) else {
        return Err(Refusal::invalid(
            "credentials",
            "credentials must be an object with handle and appPassword",
        ));
    };
    let text = |name: &str| {
        credentials
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Refusal::invalid(
                    &format!("credentials.{name}"),
                    format!("credentials.{name} must be a string"),
                )
            })
    };
    let (handle, password) = (text("handle")?, text("appPassword")?);
    if !valid_bluesky_handle(handle) || !valid_app_password(password) {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "INVALID_CREDENTIALS",
            "Invalid Bluesky credentials",
        ));
    }
    let (key, connection) =
        state.with_store(|store, now| store.connect_bluesky(profile_key, handle, now))?;
    Ok(Json(json!({
        "profileKey": key,
        "platform": connection.platform,
        "username": connection.username,
        "displayName": connection.display_name,
        "connectedAt": connection.connected_at,
    }))
    .into_response())
}
