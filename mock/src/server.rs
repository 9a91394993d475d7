//! The running server and its accept loop. The loop sits below axum so that a fault can drop a
//! connection outright (which an axum handler cannot do), so that every TCP connection is
//! counted for `GET /__mock/stats`, and so that the dashboard knows each request's peer.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt;

use crate::config::MockConfig;
use crate::fault::{Fault, FaultAction};
use crate::refusal::error;
use crate::respond::{
    add_date_header, add_headers, add_rate_limit_headers, fault_response, rate_limited,
    truncated_response,
};
use crate::routes::router;
use crate::state::{
    ConnectionStats, MockEvent, RecordedRequest, Seed, Seeded, State, StoredPost, StoredProfile,
};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A running server. Dropping it stops it: no new connections, and open ones (a browser's
/// dashboard stream, a client's idle keep-alive connection) close once the response they are
/// sending is complete.
pub struct MockServer {
    url: String,
    dashboard_url: String,
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
}

impl MockServer {
    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(config: MockConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new(&config));
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(serve(listener, state.clone(), stopped));
        let url_host = |ip: IpAddr| match ip {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        // The dashboard answers loopback peers only: on a wildcard address, point at loopback.
        let dashboard_ip = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Ok(Self {
            url: format!("http://{}:{}", url_host(addr.ip()), addr.port()),
            dashboard_url: format!("http://{}:{}/", url_host(dashboard_ip), addr.port()),
            addr,
            state,
            stop: Some(stop),
        })
    }

    /// `http://127.0.0.1:<port>`, to use as the client's base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The web dashboard, `http://127.0.0.1:<port>/`: profiles, a timeline of posts with
    /// previews, the request log (API keys masked) and controls for the clock, faults,
    /// LinkedIn connections and resets. It is served to loopback clients only, so on a
    /// wildcard bind (`0.0.0.0`, `::`) this names the loopback address; on another
    /// non-loopback address it cannot be reached at all.
    pub fn dashboard_url(&self) -> &str {
        &self.dashboard_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues a fault for the next API request(s).
    pub fn push_fault(&self, fault: Fault) {
        self.state.push_fault(fault);
    }

    /// Every API request received so far (not the `/__mock` ones).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    /// Every stored profile, as `GET /profiles` shows them now.
    pub fn profiles(&self) -> Vec<StoredProfile> {
        self.state.with_store(|store, now| store.profiles(now))
    }

    /// Every stored post, as `GET /posts` shows them now (due posts decided first).
    pub fn posts(&self) -> Vec<StoredPost> {
        self.state.with_store(|store, now| store.posts(now))
    }

    /// The events the server's changes amounted to so far (the latest 1,000, oldest first),
    /// due posts decided first: what `client.events()` would report, with the same ids.
    pub fn events(&self) -> Vec<MockEvent> {
        self.state.with_store(|store, now| {
            store.settle(now);
            store.events.all()
        })
    }

    /// Loads profiles and posts (the `POST /__mock/seed` format, `$NOW` templates allowed).
    /// Nothing is stored if any part is refused; the error says which.
    pub fn seed(&self, mut seed: serde_json::Value) -> Result<Seeded, String> {
        crate::template::expand(&mut seed, self.state.now());
        let seed: Seed = serde_json::from_value(seed).map_err(|e| format!("invalid seed: {e}"))?;
        let seeded = self
            .state
            .with_store(|store, now| store.load_seed(&seed, now));
        self.state.changed();
        seeded
    }

    /// Moves the mock clock forward.
    pub fn advance(&self, by: Duration) {
        self.state
            .advance_ms(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
    }

    /// The mock clock's time: real time plus every [`advance`](Self::advance) since the start
    /// or the last reset (millisecond resolution).
    pub fn now(&self) -> SystemTime {
        let ms = self.state.now_ms();
        match u64::try_from(ms) {
            Ok(ms) => UNIX_EPOCH + Duration::from_millis(ms),
            Err(_) => UNIX_EPOCH
                .checked_sub(Duration::from_millis(ms.unsigned_abs()))
                .unwrap_or(UNIX_EPOCH),
        }
    }

    /// TCP connection counts since the start or the last reset.
    pub fn stats(&self) -> ConnectionStats {
        self.state.connections.stats()
    }

    /// Forgets faults, requests, profiles, posts, the rate-limit window and the clock offset.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Runs control operation `name` (`"seed"`, `"advance"`, `"requests"`, …: what
    /// `/__mock/<name>` does over HTTP) with a JSON body, in-process: the one control surface
    /// both packages' testing kits expose, by name.
    pub fn control(
        &self,
        name: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, ControlError> {
        crate::routes::control::run(&self.state, name, body).map_err(|refusal| {
            let (status, code, message) = refusal.parts();
            ControlError {
                status,
                code: code.to_owned(),
                message: message.to_owned(),
            }
        })
    }

    /// The names of the control operations, in the table's order.
    pub fn controls() -> Vec<&'static str> {
        crate::routes::control::CONTROLS
            .iter()
            .map(|(name, _, _)| *name)
            .collect()
    }
}

/// A control operation refused: its HTTP status (400 for a bad body, 404 for an unknown
/// operation or key), error code and message, as `/__mock/<name>` would answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlError {
    /// The HTTP status the same call over HTTP answers with.
    pub status: u16,
    /// The error code (`"INVALID_SEED"`, `"VALIDATION_ERROR"`, …).
    pub code: String,
    /// What was wrong.
    pub message: String,
}

impl std::fmt::Display for ControlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ControlError {}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn serve(listener: TcpListener, state: Arc<State>, mut stopped: oneshot::Receiver<()>) {
    let app = router(state.clone());
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut stopped => {
                // Open connections finish the response they are sending (the dashboard's
                // event stream ends) and close.
                state.close();
                return;
            }
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let open = state.connections.opened();
        if state.take_reset() {
            // Wait until the request's bytes are there, then close abortively without reading
            // them: the client sees a reset after sending, and nothing was processed or recorded.
            tokio::spawn(async move {
                let _open = open;
                let mut first = [0u8; 1];
                let _ = tokio::time::timeout(Duration::from_secs(5), stream.peek(&mut first)).await;
                let _ = stream.set_zero_linger();
            });
            continue;
        }
        let _ = stream.set_nodelay(true);
        let (state, app) = (state.clone(), app.clone());
        let mut closed = state.watch_closed();
        tokio::spawn(async move {
            let _open = open;
            let service = hyper::service::service_fn(move |request| {
                handle(state.clone(), app.clone(), peer, request)
            });
            // Connection errors (client gone, dropped by a fault) end only this connection.
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            let stopped = async move {
                let _ = closed.wait_for(|c| *c).await;
            };
            tokio::select! {
                _ = connection.as_mut() => {}
                () = stopped => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
}

/// One request: the dashboard page and control paths go straight to the router (after the
/// dashboard's access check); API requests are recorded, get their fault (if any) and
/// rate-limit headers. Every response gets a mock-time `Date`. An `Err` makes hyper close the
/// connection without answering, which is how a `drop` fault is carried out.
async fn handle(
    state: Arc<State>,
    app: Router,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<Body>, BoxError> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let path = parts.uri.path();
    let is_page = path == "/" && matches!(parts.method, Method::GET | Method::HEAD);
    if is_page || path.starts_with("/__mock/") {
        let mut response = match crate::dashboard::refusal(peer, path, &parts.headers) {
            Some(refused) => refused,
            None if is_page => crate::dashboard::page(),
            None => call(app, Request::from_parts(parts, Body::from(body))).await,
        };
        add_date_header(&mut response, state.now());
        return Ok(response);
    }
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.to_string()),
        headers: header_map(&parts.headers),
        body: String::from_utf8_lossy(&body).into_owned(),
        status: None,
        time: crate::time::iso8601(state.now()),
    };
    let mut admission = state.admit(recorded);
    let fault = admission.fault.take();
    if let Some(delay) = fault.as_ref().map(|f| f.delay_ms).filter(|d| *d > 0) {
        tokio::time::sleep(Duration::from_millis(delay)).await;
        if state.generation() != admission.generation {
            return Err("the server was reset while this request was delayed".into());
        }
    }
    let fault = fault.map(|f| f.expanded(state.now()));
    let handled = if fault.as_ref().is_none_or(Fault::runs_handler) {
        Some(if admission.window.exceeded {
            rate_limited(&admission.window, state.now())
        } else {
            call(app, Request::from_parts(parts, Body::from(body))).await
        })
    } else {
        None
    };
    let mut response = match (fault, handled) {
        (Some(fault), _) if matches!(fault.action, FaultAction::Drop | FaultAction::Reset) => {
            return Err("connection dropped by a scripted fault".into());
        }
        (Some(fault), _) if fault.action == FaultAction::Truncate => truncated_response(&fault),
        (Some(fault), handled) => match (fault.status, handled) {
            (None, Some(mut response)) => {
                add_headers(&mut response, &fault.headers);
                response
            }
            _ => fault_response(&fault),
        },
        (None, Some(response)) => response,
        (None, None) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "MOCK_ERROR",
            "no handler ran",
        ),
    };
    add_rate_limit_headers(&mut response, &admission.window);
    add_date_header(&mut response, state.now());
    state.record_status(&admission, response.status().as_u16());
    Ok(response)
}

async fn call(app: Router, request: Request<Body>) -> Response<Body> {
    match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn header_map(headers: &axum::http::HeaderMap) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        map.entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    map
}
