//! The mock speaks the documented API: auth errors, validation, listing, rate-limit headers,
//! and the `/__mock` control endpoints other languages use. One test binary; the topics live
//! in `api/`.

#[path = "api/support.rs"]
mod support;

#[path = "api/clock.rs"]
mod clock;
#[path = "api/connect.rs"]
mod connect;
#[path = "api/control.rs"]
mod control;
#[path = "api/dashboard.rs"]
mod dashboard;
#[path = "api/events.rs"]
mod events;
#[path = "api/posts.rs"]
mod posts;
#[path = "api/profiles.rs"]
mod profiles;
#[path = "api/publish.rs"]
mod publish;

use postcore_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use serde_json::{Value, json};

trait JsonBody {
    async fn json_body(self) -> Value;
}

impl JsonBody for reqwest::Response {
    async fn json_body(self) -> Value {
        serde_json::from_str(&self.text().await.expect("body")).expect("JSON body")
    }
}

async fn server() -> MockServer {
    MockServer::start(MockConfig::default())
        .await
        .expect("mock starts")
}

async fn post(
    url: &str,
    key: Option<&str>,
    body: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn creates_profiles_as_documented() {
    let s = server().await;
    let url = format!("{}/profiles/create", s.url());
    let (status, headers, body) = post(
        &url,
        Some(DEFAULT_API_KEY),
        r#"{"profileName":"User: john@example.com"}"#,
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(body["profileName"], "User: john@example.com");
    let key = body["profileKey"].as_str().expect("key");
    assert!(key.starts_with("prof_") && key.len() == 17, "{key}");
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(headers.contains_key(name), "{name} missing");
    }
    let (status, _, body) = post(&url, Some(DEFAULT_API_KEY), "{}").await;
    assert_eq!((status, &body["profileName"]), (201, &Value::Null));

    let listed: Value = reqwest::Client::new()
        .get(format!("{}/profiles", s.url()))
        .header("x-api-key", DEFAULT_API_KEY)
        .send()
        .await
        .expect("list")
        .json_body()
        .await;
    let profiles = listed["profiles"].as_array().expect("array");
    assert_eq!(profiles.len(), 2);
    assert_eq!(profiles[0]["profileKey"], key);
    assert!(
        profiles[0]["createdAt"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(profiles[0]["connectedPlatforms"], json!([]));
}

#[tokio::test]
async fn refuses_missing_and_invalid_keys() {
    let s = server().await;
    let url = format!("{}/profiles/create", s.url());
    let (status, _, body) = post(&url, None, "{}").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("MISSING_API_KEY"))
    );
    assert_eq!(body["message"], "API key is required in x-api-key header");
    let (status, _, body) = post(&url, Some("nope"), "{}").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("INVALID_API_KEY"))
    );
    assert!(s.profiles().is_empty());
}

#[tokio::test]
async fn validates_the_body_with_clear_errors() {
    let s = server().await;
    let url = format!("{}/profiles/create", s.url());
    for (body, code, words) in [
        ("{not json", "INVALID_JSON", "valid JSON"),
        ("[1,2]", "VALIDATION_ERROR", "JSON object"),
        (
            r#"{"profileName": 123}"#,
            "VALIDATION_ERROR",
            "profileName must be a string",
        ),
    ] {
        let (status, _, answer) = post(&url, Some(DEFAULT_API_KEY), body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["error"], code, "{body}");
        assert!(
            answer["message"]
                .as_str()
                .is_some_and(|m| m.contains(words)),
            "{answer}"
        );
    }
    assert!(s.profiles().is_empty());
}

#[tokio::test]
async fn faults_are_scripted_over_http() {
    let s = server().await;
    let http = reqwest::Client::new();
    let queued: Value = http
        .post(format!("{}/__mock/faults", s.url()))
        .body(r#"[{"status": 503, "body": {"error": "DOWN", "message": "down"}, "headers": {"Retry-After": "7"}}, {"action": "drop"}]"#)
        .send()
        .await
        .expect("queue").json_body().await;
    assert_eq!(queued["queued"], 2);
    let url = format!("{}/profiles/create", s.url());
    let (status, headers, body) = post(&url, Some(DEFAULT_API_KEY), "{}").await;
    assert_eq!((status, body["error"].as_str()), (503, Some("DOWN")));
    assert_eq!(headers["retry-after"], "7");
    assert!(headers.contains_key("x-ratelimit-limit"));
    let dropped = reqwest::Client::new()
        .post(&url)
        .header("x-api-key", DEFAULT_API_KEY)
        .body("{}")
        .send()
        .await;
    assert!(
        dropped.is_err(),
        "a drop fault closes the connection without an answer"
    );
    let (status, _, _) = post(&url, Some(DEFAULT_API_KEY), "{}").await;
    assert_eq!(status, 201, "faults are used up in order");

    let recorded: Value = http
        .get(format!("{}/__mock/requests", s.url()))
        .send()
        .await
        .expect("requests")
        .json_body()
        .await;
    assert_eq!(recorded["requests"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        recorded["requests"][0]["headers"]["x-api-key"],
        DEFAULT_API_KEY
    );

    let bad = http
        .post(format!("{}/__mock/faults", s.url()))
        .body(r#"{"statsu": 500}"#)
        .send()
        .await
        .expect("answer");
    assert_eq!(
        bad.status(),
        400,
        "a misspelt fault is refused, not ignored"
    );

    let reset = http
        .post(format!("{}/__mock/reset", s.url()))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), 204);
    assert!(s.requests().is_empty() && s.profiles().is_empty());
}

#[tokio::test]
async fn enforces_a_rate_limit_when_asked() {
    let s = MockServer::start(MockConfig {
        rate_limit: Some(2),
        ..MockConfig::default()
    })
    .await
    .expect("mock starts");
    let url = format!("{}/profiles/create", s.url());
    for remaining in ["1", "0"] {
        let (status, headers, _) = post(&url, Some(DEFAULT_API_KEY), "{}").await;
        assert_eq!(
            (status, headers["x-ratelimit-remaining"].to_str().ok()),
            (201, Some(remaining))
        );
    }
    let (status, _, body) = post(&url, Some(DEFAULT_API_KEY), "{}").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("RATE_LIMIT_EXCEEDED"))
    );
    assert!(
        body["retry_after"]
            .as_u64()
            .is_some_and(|s| s > 0 && s <= 900)
    );
}
