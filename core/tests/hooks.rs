//! The client's `Hooks`: every attempt, response, retry and wait for the rate budget, in
//! order, and the headers a hook adds on the wire (never replacing the SDK's own).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use postcore::{Client, ErrorKind, HeaderMap, HookEvent, Hooks};
use postcore_mock::{DEFAULT_API_KEY, Fault, MockConfig, MockServer};
use serde_json::json;

fn unavailable() -> Fault {
    Fault::json(503, json!({"error": "UNAVAILABLE", "message": "try again"}))
}

/// What a hook saw: which one, and the event's fields.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    hook: &'static str,
    operation: String,
    method: String,
    path: String,
    attempt: u32,
    status: Option<u16>,
    delay: Option<Duration>,
    reason: Option<String>,
    budget: Option<String>,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

impl Recorder {
    fn push(&self, hook: &'static str, e: &HookEvent<'_>) {
        self.0.lock().expect("lock").push(Seen {
            hook,
            operation: e.operation.to_owned(),
            method: e.method.to_owned(),
            path: e.path.to_owned(),
            attempt: e.attempt,
            status: e.status,
            delay: e.delay,
            reason: e.reason.map(str::to_owned),
            budget: e.budget.map(str::to_owned),
        });
    }

    fn seen(&self) -> Vec<Seen> {
        self.0.lock().expect("lock").clone()
    }
}

impl Hooks for Recorder {
    fn on_request(&self, event: &HookEvent<'_>, headers: &mut HeaderMap) {
        self.push("request", event);
        let value = format!("attempt-{}", event.attempt);
        headers.insert("x-trace-hook", value.parse().expect("header value"));
        // The SDK's own headers cannot be replaced by a hook.
        headers.insert("x-api-key", "stolen".parse().expect("header value"));
    }

    fn on_response(&self, event: &HookEvent<'_>) {
        self.push("response", event);
    }

    fn on_retry(&self, event: &HookEvent<'_>) {
        self.push("retry", event);
    }

    fn on_rate_limit_wait(&self, event: &HookEvent<'_>) {
        self.push("wait", event);
    }
}

fn client(server: &MockServer, recorder: &Recorder) -> Client {
    Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(server.url())
        .initial_retry_delay(Duration::from_millis(10))
        .hooks(recorder.clone())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn hooks_see_every_attempt_and_add_headers() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    let recorder = Recorder::default();
    server.push_fault(unavailable());
    let client = client(&server, &recorder);
    client.list_profiles().await.expect("listed after a retry");

    let seen = recorder.seen();
    let hooks: Vec<_> = seen.iter().map(|s| (s.hook, s.attempt, s.status)).collect();
    assert_eq!(
        hooks,
        [
            ("request", 1, None),
            ("response", 1, Some(503)),
            ("retry", 1, None),
            ("request", 2, None),
            ("response", 2, Some(200)),
        ]
    );
    for s in &seen {
        assert_eq!(
            (s.operation.as_str(), s.method.as_str()),
            ("profiles.list", "GET")
        );
        assert_eq!(s.path, "/profiles");
    }
    assert_eq!(seen[2].reason.as_deref(), Some("503"));
    assert!(
        seen[2]
            .delay
            .is_some_and(|d| d <= Duration::from_millis(10))
    );

    let requests = server.requests();
    let sent: Vec<_> = requests
        .iter()
        .map(|r| {
            (
                r.headers.get("x-trace-hook").cloned(),
                r.headers["x-api-key"].clone(),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            (Some("attempt-1".to_owned()), DEFAULT_API_KEY.to_owned()),
            (Some("attempt-2".to_owned()), DEFAULT_API_KEY.to_owned()),
        ]
    );
}

#[tokio::test]
async fn hooks_see_the_waits_for_the_rate_budget() {
    // Two requests per second: the third call waits for the next window.
    let server = MockServer::start(MockConfig {
        rate_limit: Some(2),
        rate_window: Duration::from_secs(1),
        ..MockConfig::default()
    })
    .await
    .expect("mock starts");
    let recorder = Recorder::default();
    let client = client(&server, &recorder);
    for _ in 0..3 {
        client.list_profiles().await.expect("listed");
    }
    let waits: Vec<_> = recorder
        .seen()
        .into_iter()
        .filter(|s| s.hook == "wait")
        .collect();
    assert!(!waits.is_empty(), "{:?}", recorder.seen());
    for wait in &waits {
        assert_eq!(wait.budget.as_deref(), Some("general"));
        assert!(
            wait.delay
                .is_some_and(|d| d > Duration::ZERO && d <= Duration::from_secs(2))
        );
        assert_eq!(
            (wait.method.as_str(), wait.path.as_str()),
            ("GET", "/profiles")
        );
    }
}

#[tokio::test]
async fn the_ids_are_in_the_path_never_the_key() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    let recorder = Recorder::default();
    let error = client(&server, &recorder)
        .retrieve_post("post_missing")
        .await
        .expect_err("no such post");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    let seen = recorder.seen();
    assert_eq!(seen[1].path, "/posts/post_missing");
    assert_eq!(seen[1].status, Some(404));
    assert!(!format!("{seen:?}").contains(DEFAULT_API_KEY));
}

#[tokio::test]
async fn an_attempt_without_an_answer_gets_no_on_response() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    server.push_fault(Fault::delay(2_000));
    let recorder = Recorder::default();
    let error = Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(server.url())
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .hooks(recorder.clone())
        .build()
        .expect("client builds")
        .list_profiles()
        .await
        .expect_err("timed out");
    assert_eq!(error.kind(), ErrorKind::Timeout);
    let hooks: Vec<_> = recorder.seen().iter().map(|s| s.hook).collect();
    assert_eq!(hooks, ["request"]);
}
