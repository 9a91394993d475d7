//! The core's log lines (`tracing` events of target `postcore`), as the subscriber the Python
//! package installs (`bindings::LogForwarder`) receives them. In a file of its own: `tracing`
//! caches which callsites are wanted for the whole process, so a test without a subscriber
//! running first on another thread would hide them from a thread-local one.

use postcore::{Client, CreateProfile};
use postcore_mock::{Fault, MockConfig, MockServer};
use serde_json::json;

const SECRET: &str = "pc_live_SUPERSECRET_123";

async fn server_with_key(key: &str) -> MockServer {
    MockServer::start(MockConfig {
        api_keys: vec![key.to_owned()],
        ..MockConfig::default()
    })
    .await
    .expect("mock starts")
}

fn client(server: &MockServer, key: &str) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(server.url())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn debug_lines_describe_each_attempt_without_the_key() {
    use std::sync::{Arc, Mutex};
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    // The subscriber the Python package installs, for this test's thread (the test runs on a
    // current-thread runtime, so every line of the call is emitted here).
    let forwarder = postcore::bindings::LogForwarder::new(
        Box::new(move |_, line: &str| sink.lock().expect("lock").push(line.to_owned())),
        true,
    );
    let subscriber = tracing::subscriber::set_default(forwarder);
    let server = server_with_key(SECRET).await;
    server.push_fault(Fault::json(
        429,
        json!({"error": "RATE_LIMIT_EXCEEDED", "message": "x", "retry_after": 0}),
    ));
    client(&server, SECRET)
        .create_profile(CreateProfile::default())
        .await
        .expect("created after one retry");
    drop(subscriber);
    let lines = lines.lock().expect("lock").clone();
    let text = lines.join("\n");
    assert!(
        text.contains("POST /profiles/create attempt=1/3 status=429"),
        "{text}"
    );
    assert!(text.contains("retrying in 0.000s"), "{text}");
    assert!(
        text.contains("POST /profiles/create attempt=2/3 status=201"),
        "{text}"
    );
    assert!(!text.contains(SECRET));
}
