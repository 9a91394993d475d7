//! The accept loop. It sits below axum so that a fault can drop a connection outright, which
//! an axum handler cannot do.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt;

use crate::fault::{Fault, FaultAction};
use crate::routes::{error, router};
use crate::state::{RateWindow, RecordedRequest, State, StoredProfile};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Address to listen on (default `127.0.0.1`).
    pub host: String,
    /// Port (default 0: any free port).
    pub port: u16,
    /// Keys accepted in `x-api-key` (default: [`DEFAULT_API_KEY`](crate::DEFAULT_API_KEY)).
    pub api_keys: Vec<String>,
    /// Enforce this many requests per 15-minute window with 429s (default: report the
    /// documented limit of 100 in the headers, never enforce it).
    pub rate_limit: Option<u32>,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 0,
            api_keys: vec![crate::DEFAULT_API_KEY.to_owned()],
            rate_limit: None,
        }
    }
}

/// A running server; stops accepting connections when dropped.
pub struct MockServer {
    url: String,
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
}

impl MockServer {
    /// Binds and starts serving on the current tokio runtime.
    pub async fn start(config: MockConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind((config.host.as_str(), config.port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new(config.api_keys, config.rate_limit));
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(serve(listener, state.clone(), stopped));
        let host = if addr.is_ipv6() {
            format!("[{}]", addr.ip())
        } else {
            addr.ip().to_string()
        };
        Ok(Self {
            url: format!("http://{host}:{}", addr.port()),
            addr,
            state,
            stop: Some(stop),
        })
    }

    /// `http://127.0.0.1:<port>`, to use as the client's base URL.
    pub fn url(&self) -> &str {
        &self.url
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

    /// Every stored profile.
    pub fn profiles(&self) -> Vec<StoredProfile> {
        self.state.profiles()
    }

    /// Forgets faults, requests, profiles and the rate-limit window.
    pub fn reset(&self) {
        self.state.reset();
    }
}

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
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        if state.take_reset() {
            // Wait until the request's bytes are there, then close abortively without reading
            // them: the client sees a reset after sending, and nothing was processed or recorded.
            tokio::spawn(async move {
                let mut first = [0u8; 1];
                let _ = tokio::time::timeout(Duration::from_secs(5), stream.peek(&mut first)).await;
                let _ = stream.set_zero_linger();
            });
            continue;
        }
        let _ = stream.set_nodelay(true);
        let (state, app) = (state.clone(), app.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                handle(state.clone(), app.clone(), request)
            });
            // Connection errors (client gone, dropped by a fault) end only this connection.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// One request: control paths go straight to the router; API requests are recorded, get
/// their fault (if any) and rate-limit headers. An `Err` makes hyper close the connection
/// without answering, which is how a `drop` fault is carried out.
async fn handle(
    state: Arc<State>,
    app: Router,
    request: Request<Incoming>,
) -> Result<Response<Body>, BoxError> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    if parts.uri.path().starts_with("/__mock/") {
        return Ok(call(app, Request::from_parts(parts, Body::from(body))).await);
    }
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.to_string()),
        headers: header_map(&parts.headers),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let (fault, window, generation) = state.admit(recorded);
    if let Some(delay) = fault.as_ref().map(|f| f.delay_ms).filter(|d| *d > 0) {
        tokio::time::sleep(Duration::from_millis(delay)).await;
        if state.generation() != generation {
            return Err("the server was reset while this request was delayed".into());
        }
    }
    let handled = if fault.as_ref().is_none_or(Fault::runs_handler) {
        Some(if window.exceeded {
            rate_limited(&window)
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
    add_rate_limit_headers(&mut response, &window);
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

fn rate_limited(window: &RateWindow) -> Response<Body> {
    let wait = window.reset.saturating_sub(crate::time::unix_now()).max(1);
    let body = serde_json::json!({
        "error": "RATE_LIMIT_EXCEEDED",
        "message": format!("Rate limit exceeded. Try again in {wait} seconds"),
        "retry_after": wait,
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    set_header(&mut response, "content-type", "application/json");
    response
}

fn fault_response(fault: &Fault) -> Response<Body> {
    let status = fault
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (body, content_type) = fault.body_bytes();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        set_header(&mut response, "content-type", content_type);
    }
    add_headers(&mut response, &fault.headers);
    response
}

/// Announces 100 bytes more than it sends; the body is a stream so hyper trusts the header,
/// then closes the connection when the stream ends early.
fn truncated_response(fault: &Fault) -> Response<Body> {
    let (body, content_type) = fault.body_bytes();
    let announced = (body.len() + 100).to_string();
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(body))]);
    let mut response = Response::new(Body::from_stream(chunks));
    *response.status_mut() = fault
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    if let Some(content_type) = content_type {
        set_header(&mut response, "content-type", content_type);
    }
    add_headers(&mut response, &fault.headers);
    set_header(&mut response, "content-length", &announced);
    response
}

fn add_headers(response: &mut Response<Body>, headers: &BTreeMap<String, String>) {
    for (name, value) in headers {
        set_header(response, name, value);
    }
}

fn add_rate_limit_headers(response: &mut Response<Body>, window: &RateWindow) {
    for (name, value) in [
        ("x-ratelimit-limit", window.limit.to_string()),
        ("x-ratelimit-remaining", window.remaining.to_string()),
        ("x-ratelimit-reset", window.reset.to_string()),
    ] {
        if !response.headers().contains_key(name) {
            set_header(response, name, &value);
        }
    }
}

/// Sets a header, skipping names or values that are not valid HTTP (a bad fault must not
/// crash the server).
fn set_header(response: &mut Response<Body>, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        response.headers_mut().insert(name, value);
    }
}
