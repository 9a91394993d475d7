//! A small HTTP client for the tests: every call answers status, headers and the body parsed
//! as JSON (or kept as a string when it is not JSON).

use postcore_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use serde_json::Value;

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// `(status, error code)`, for the many error checks.
    pub fn code(&self) -> (u16, &str) {
        (self.status, self.body["error"].as_str().unwrap_or(""))
    }
}

pub async fn server() -> MockServer {
    start(MockConfig::default()).await
}

pub async fn start(config: MockConfig) -> MockServer {
    MockServer::start(config).await.expect("mock starts")
}

/// Sends a request with the default API key (or `key`), a JSON body when given.
pub async fn send(
    server: &MockServer,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> Reply {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = client.request(method, format!("{}{path}", server.url()));
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// An API call with the default key.
pub async fn api(server: &MockServer, method: &str, path: &str, body: Option<Value>) -> Reply {
    let body = body.map(|b| b.to_string());
    send(server, method, path, Some(DEFAULT_API_KEY), body.as_deref()).await
}

/// A `/__mock` call (no key).
pub async fn control(server: &MockServer, method: &str, path: &str, body: Option<Value>) -> Reply {
    let body = body.map(|b| b.to_string());
    send(server, method, path, None, body.as_deref()).await
}

/// Creates a profile connected to the given platforms, through the seed endpoint.
pub async fn connected_profile(server: &MockServer, platforms: &[&str]) -> String {
    let seeded = control(
        server,
        "POST",
        "/__mock/seed",
        Some(serde_json::json!({"profiles": [{"connect": platforms}]})),
    )
    .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    seeded.body["profiles"][0]
        .as_str()
        .expect("seeded key")
        .to_owned()
}

/// The mock clock in Unix seconds.
pub fn now_secs(server: &MockServer) -> i64 {
    server
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// The ISO timestamp `delta` seconds from mock-now, for request bodies.
pub fn iso_from_now(server: &MockServer, delta: i64) -> String {
    iso(now_secs(server) + delta)
}

/// `2025-01-15T14:01:00Z` for a Unix time (the client's format, on the one calendar).
pub fn iso(unix: i64) -> String {
    postcore::Timestamp::from_unix(unix).to_string()
}
