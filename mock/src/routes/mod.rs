//! The documented API endpoints and the `/__mock` control endpoints, routed; what their
//! handlers share is in `request.rs`, postcore's error format in `crate::refusal`.

pub(crate) mod control;
mod posts;
mod profiles;
mod request;
pub(crate) mod url;

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};

use crate::refusal::error;
use crate::state::State;

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
