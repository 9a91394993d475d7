//! The web dashboard at `/`: profiles, a timeline of posts with previews, the request log and
//! controls, as one plain HTML page with its CSS and JavaScript compiled into the binary. The
//! page reads `GET /__mock/dashboard/state` and follows `GET /__mock/dashboard/events`; its
//! buttons call the ordinary control endpoints (`/__mock/advance`, `/__mock/faults`,
//! `/__mock/linkedin`, `/__mock/reset`).
//!
//! **Live updates** are server-sent events: every change (a request received or answered, a
//! fault queued, the clock moved, data seeded or reset) bumps a counter; the event stream sends
//! the latest counter at most every [`EVENT_INTERVAL`], and the page then fetches a new
//! snapshot. A busy server (a soak test) therefore costs the page ten snapshots a second at
//! most, and an idle one nothing but a keep-alive comment every 15 s.

mod access;
mod mask;
mod snapshot;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;

pub(crate) use access::refusal;

use crate::state::State;

const INDEX_HTML: &str = include_str!("index.html");
const DASHBOARD_CSS: &str = include_str!("dashboard.css");
const DASHBOARD_JS: &str = include_str!("dashboard.js");
const ICON_SVG: &str = include_str!("icon.svg");

/// The shortest time between two events of the stream: changes in between are sent as one.
pub(crate) const EVENT_INTERVAL: Duration = Duration::from_millis(100);

/// What the page may load and talk to: its own files and endpoints, nothing else.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// `/__mock/dashboard/*`; the page itself (`GET /`) is served by [`page`], outside the API
/// router, so that `/` keeps answering other methods as an unknown API path.
pub(crate) fn router() -> Router<Arc<State>> {
    Router::new()
        .route("/__mock/dashboard/state", get(snapshot::state))
        .route("/__mock/dashboard/events", get(events))
        .route(
            "/__mock/dashboard/requests/{id}",
            get(snapshot::request_detail),
        )
        .route(
            "/__mock/dashboard/dashboard.css",
            get(|| async { asset(DASHBOARD_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/__mock/dashboard/dashboard.js",
            get(|| async { asset(DASHBOARD_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/__mock/dashboard/icon.svg",
            get(|| async { asset(ICON_SVG, "image/svg+xml") }),
        )
}

/// `GET /`: the page.
pub(crate) fn page() -> Response {
    let mut response = asset(INDEX_HTML, "text/html; charset=utf-8");
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The files change with the binary; revalidating costs nothing on loopback.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `GET /__mock/dashboard/events`: `event: change` with the change counter as data, once at
/// once and then after every change (at most every [`EVENT_INTERVAL`]); ends when the server
/// stops.
async fn events(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let changes = state.watch_changes();
    let closed = state.watch_closed();
    drop(state);
    let stream = futures_util::stream::unfold(
        (changes, closed, true),
        |(mut changes, mut closed, first)| async move {
            if !first {
                let stopped = async {
                    let _ = closed.wait_for(|c| *c).await;
                };
                tokio::select! {
                    changed = changes.changed() => changed.ok()?,
                    () = stopped => return None,
                }
                tokio::time::sleep(EVENT_INTERVAL).await;
            }
            if *closed.borrow() {
                return None;
            }
            let version = *changes.borrow_and_update();
            let mut event = Event::default().event("change").data(version.to_string());
            if first {
                event = event.retry(Duration::from_secs(1));
            }
            Some((Ok(event), (changes, closed, false)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}
