//! `GET /__mock/dashboard/state`: everything the page shows, in one masked JSON document, and
//! `GET /__mock/dashboard/requests/{id}`: one logged request with its headers and body.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use unicode_segmentation::UnicodeSegmentation;

use super::mask::{LogLine, Masker};
use crate::fault::{Fault, FaultAction};
use crate::refusal::error;
use crate::state::{
    BLUESKY_MAX_GRAPHEMES, ConnectionStats, MAX_CONTENT_CHARS, MockEvent, PostCounts, State,
    StoredPost, StoredProfile, Usage,
};
use crate::time::iso8601;

/// The snapshot holds at most this many of the latest profiles, posts and requests; `totals`
/// says how many there are in all.
pub(crate) const MAX_PROFILES: usize = 200;
pub(crate) const MAX_POSTS: usize = 500;
pub(crate) const MAX_REQUESTS: usize = 200;
pub(crate) const MAX_EVENTS: usize = 200;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Snapshot {
    /// The change counter this snapshot is at least as new as (the event stream sends it).
    version: u64,
    /// Mock time, ISO 8601 and Unix milliseconds.
    now: String,
    now_ms: i64,
    /// How far the mock clock is ahead of real time (negative: behind).
    clock_offset_ms: i64,
    limits: Limits,
    usage: Usage,
    totals: Totals,
    profiles: Vec<ProfileView>,
    posts: Vec<PostView>,
    /// Newest last.
    requests: Vec<LogLine>,
    faults: Vec<QueuedFault>,
    /// What the changes amount to as the SDK's events, newest first.
    events: Vec<MockEvent>,
    connections: ConnectionStats,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Limits {
    content_chars: usize,
    bluesky_graphemes: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Totals {
    profiles: usize,
    posts: usize,
    requests: usize,
    events: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileView {
    #[serde(flatten)]
    profile: StoredProfile,
    post_counts: PostCounts,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostView {
    #[serde(flatten)]
    post: StoredPost,
    /// Unicode scalar values: what the API's 3,000 limit counts.
    chars: usize,
    /// Grapheme clusters: what Bluesky's 300 limit counts.
    graphemes: usize,
    /// While pending: why it will fail when due unless something changes (too long for
    /// Bluesky, platform not connected, LinkedIn token expired by then or flagged).
    will_fail: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueuedFault {
    status: Option<u16>,
    delay_ms: u64,
    action: FaultAction,
    process: bool,
    /// Requests it still applies to.
    times: u32,
}

impl From<(Fault, u32)> for QueuedFault {
    fn from((fault, times): (Fault, u32)) -> Self {
        Self {
            status: fault.status,
            delay_ms: fault.delay_ms,
            action: fault.action,
            process: fault.process,
            times,
        }
    }
}

/// Builds the snapshot (settling due posts, as any read does).
pub(crate) fn build(state: &State) -> Snapshot {
    let version = *state.watch_changes().borrow();
    let now_ms = state.now_ms();
    let overview = state.with_store(|store, now| store.overview(now, MAX_PROFILES, MAX_POSTS));
    let usage = state.with_store(|store, now| store.usage(now, state.posts_per_month));
    let (events, event_total) =
        state.with_store(|store, _| (store.events.newest(MAX_EVENTS), store.events.total()));
    let (request_total, latest) = state.latest_requests(MAX_REQUESTS);
    let masker = Masker::new(&state.api_keys);
    Snapshot {
        version,
        now: iso8601(now_ms.div_euclid(1000)),
        now_ms,
        clock_offset_ms: state.offset_ms(),
        limits: Limits {
            content_chars: MAX_CONTENT_CHARS,
            bluesky_graphemes: BLUESKY_MAX_GRAPHEMES,
        },
        usage,
        totals: Totals {
            profiles: overview.profile_total,
            posts: overview.post_total,
            requests: request_total,
            events: event_total,
        },
        profiles: overview
            .profiles
            .into_iter()
            .map(|(profile, post_counts)| ProfileView {
                profile,
                post_counts,
            })
            .collect(),
        posts: overview
            .posts
            .into_iter()
            .map(|(post, will_fail)| PostView {
                chars: post.content.chars().count(),
                graphemes: post.content.graphemes(true).count(),
                post,
                will_fail,
            })
            .collect(),
        requests: latest
            .iter()
            .map(|(id, request)| masker.line(*id, request))
            .collect(),
        faults: state.faults().into_iter().map(QueuedFault::from).collect(),
        events,
        connections: state.connections.stats(),
    }
}

/// The snapshot as masked JSON: the configured keys are replaced wherever they appear.
pub(crate) fn to_masked_json(state: &State, snapshot: &Snapshot) -> Value {
    let mut value = serde_json::to_value(snapshot).unwrap_or(Value::Null);
    Masker::new(&state.api_keys).scrub(&mut value);
    value
}

pub(super) async fn state(AxumState(state): AxumState<Arc<State>>) -> Response {
    let snapshot = build(&state);
    no_store(Json(to_masked_json(&state, &snapshot)).into_response())
}

pub(super) async fn request_detail(
    AxumState(state): AxumState<Arc<State>>,
    id: Result<Path<usize>, axum::extract::rejection::PathRejection>,
) -> Response {
    let found = id
        .ok()
        .and_then(|Path(id)| state.request(id).map(|request| (id, request)));
    match found {
        Some((id, request)) => {
            let detail = Masker::new(&state.api_keys).detail(id, &request);
            let mut value = serde_json::to_value(detail).unwrap_or(Value::Null);
            Masker::new(&state.api_keys).scrub(&mut value);
            no_store(Json(value).into_response())
        }
        None => error(
            StatusCode::NOT_FOUND,
            "REQUEST_NOT_FOUND",
            "No such request in the log",
        ),
    }
}

fn no_store(mut response: Response) -> Response {
    crate::respond::set_header(&mut response, "cache-control", "no-store");
    response
}
