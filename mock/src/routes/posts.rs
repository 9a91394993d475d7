//! `/posts…`: schedule, list, read and cancel posts.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::request::{Shared, authorize, json_object, path_param};
use crate::refusal::{Answer, Refusal};
use crate::state::{Denied, MAX_CONTENT_CHARS, NewPosts, Platform, StoredPost, Usage};
use crate::time::{iso8601, parse_iso8601};

/// The body of `POST /posts`, checked field by field in the documented order; `now_ms` is the
/// mock time that `scheduledFor` must be after.
fn parse_new_posts(fields: &Map<String, Value>, now_ms: i64) -> Result<NewPosts, Refusal> {
    let profile_key = match fields.get("profileKey") {
        Some(Value::String(key)) if !key.is_empty() => key.clone(),
        _ => {
            return Err(Refusal::invalid(
                "profileKey",
                "profileKey is required and must be a non-empty string",
            ));
        }
    };
    let content = match fields.get("content") {
        Some(Value::String(content)) => content.clone(),
        _ => {
            return Err(Refusal::invalid(
                "content",
                "content is required and must be a string",
            ));
        }
    };
    if content.is_empty() {
        return Err(Refusal::invalid("content", "content must not be empty"));
    }
    let chars = content.chars().count();
    if chars > MAX_CONTENT_CHARS {
        return Err(Refusal::invalid(
            "content",
            format!("content must be at most {MAX_CONTENT_CHARS} characters (got {chars})"),
        ));
    }
    let platforms = parse_platforms(fields.get("platforms"))?;
    let scheduled_for = match fields.get("scheduledFor") {
        Some(Value::String(text)) => parse_iso8601(text),
        _ => None,
    }
    .ok_or_else(|| {
        Refusal::invalid(
            "scheduledFor",
            "scheduledFor is required and must be an ISO 8601 timestamp with a time zone, e.g. 2025-01-15T14:01:00Z",
        )
    })?;
    if scheduled_for.saturating_mul(1000) <= now_ms {
        return Err(Refusal::invalid(
            "scheduledFor",
            format!(
                "scheduledFor must be in the future (server time is {})",
                iso8601(now_ms.div_euclid(1000))
            ),
        ));
    }
    Ok(NewPosts {
        profile_key,
        content,
        platforms,
        scheduled_for,
    })
}

fn parse_platforms(value: Option<&Value>) -> Result<Vec<Platform>, Refusal> {
    let shape = || {
        Refusal::invalid(
            "platforms",
            "platforms must be a non-empty array of \"linkedin\" and/or \"bluesky\"",
        )
    };
    let items = match value {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(shape()),
    };
    let mut platforms = Vec::with_capacity(items.len());
    for item in items {
        let platform = item.as_str().and_then(Platform::parse).ok_or_else(shape)?;
        if platforms.contains(&platform) {
            return Err(Refusal::invalid(
                "platforms",
                format!("platforms lists {} more than once", platform.as_str()),
            ));
        }
        platforms.push(platform);
    }
    Ok(platforms)
}

/// One entry of the `POST /posts` answer: less than a full post, as documented.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedPost {
    post_id: String,
    platform: String,
    scheduled_for: String,
    created_at: String,
    status: crate::state::PostStatus,
}

#[derive(Serialize)]
struct Created {
    posts: Vec<CreatedPost>,
    usage: Usage,
}

pub(super) async fn create(AxumState(state): Shared, headers: HeaderMap, body: Bytes) -> Answer {
    authorize(&state, &headers)?;
    let fields = json_object(&body)?;
    let request = parse_new_posts(&fields, state.now_ms())?;
    let limit = state.posts_per_month;
    let (posts, usage) = state.with_store(|store, now| store.create_posts(request, now, limit))?;
    let posts = posts
        .into_iter()
        .map(|p| CreatedPost {
            post_id: p.post_id,
            platform: p.platform,
            scheduled_for: p.scheduled_for,
            created_at: p.created_at,
            status: p.status,
        })
        .collect();
    Ok((StatusCode::CREATED, Json(Created { posts, usage })).into_response())
}

#[derive(Serialize)]
pub(super) struct PostList {
    pub(super) posts: Vec<StoredPost>,
}

pub(super) async fn list(AxumState(state): Shared, headers: HeaderMap) -> Answer {
    authorize(&state, &headers)?;
    let posts = state.with_store(|store, now| store.posts(now));
    Ok(Json(PostList { posts }).into_response())
}

pub(super) async fn get(
    AxumState(state): Shared,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    authorize(&state, &headers)?;
    let id = path_param(id, Denied::PostNotFound)?;
    let post = state.with_store(|store, now| store.post(&id, now))?;
    Ok(Json(json!({ "post": post })).into_response())
}

pub(super) async fn delete(
    AxumState(state): Shared,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    authorize(&state, &headers)?;
    let id = path_param(id, Denied::PostNotFound)?;
    state.with_store(|store, now| store.delete_post(&id, now))?;
    Ok(Json(json!({ "message": "Post deleted successfully" })).into_response())
}
