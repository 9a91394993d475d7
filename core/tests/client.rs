//! Client behaviour beyond the shared scenarios: metadata, secrets, redirects, size cap,
//! configuration errors and concurrency.

use std::time::Duration;

use postcore::{Client, CreateProfile, ErrorKind, RequestOptions};
use postcore_mock::{DEFAULT_API_KEY, Fault, MockConfig, MockServer};
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
async fn response_carries_status_rate_limit_and_attempts() {
    let server = MockServer::start(MockConfig {
        rate_limit: Some(100),
        ..MockConfig::default()
    })
    .await
    .expect("mock starts");
    let response = client(&server, DEFAULT_API_KEY)
        .create_profile_with(CreateProfile::default(), &RequestOptions::new())
        .await
        .expect("created");
    assert_eq!(response.status, 201);
    assert_eq!(response.attempts, 1);
    let limit = response.rate_limit.expect("rate-limit headers parsed");
    assert_eq!((limit.limit, limit.remaining), (Some(100), Some(99)));
    assert!(limit.reset.is_some());
    assert_eq!(response.data.profile_name, None);
}

#[tokio::test]
async fn the_key_never_shows_in_debug_or_errors() {
    let server = server_with_key("another_key").await;
    let client = client(&server, SECRET);
    let builder = Client::builder().api_key(SECRET);
    assert!(!format!("{client:?} {builder:?}").contains(SECRET));
    let error = client
        .create_profile(CreateProfile::default())
        .await
        .expect_err("wrong key");
    assert_eq!(error.kind(), ErrorKind::Authentication);
    assert!(!format!("{error} {error:?}").contains(SECRET));

    let error = Client::builder()
        .api_key(format!("{SECRET}\r\nx-injected: 1"))
        .base_url(server.url())
        .build()
        .expect_err("CR/LF refused");
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(!format!("{error} {error:?}").contains(SECRET));
}

#[tokio::test]
async fn configuration_errors_are_clear() {
    let error = Client::builder()
        .api_key("k")
        .base_url("http://api.example.com")
        .build()
        .expect_err("plain http to a remote host");
    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(error.message().contains("https"), "{error}");
    let error = Client::builder()
        .api_key("k")
        .timeout(Duration::ZERO)
        .build()
        .expect_err("zero timeout");
    assert_eq!(error.kind(), ErrorKind::Configuration);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = server_with_key(DEFAULT_API_KEY).await;
    let elsewhere = server_with_key(DEFAULT_API_KEY).await;
    let mut fault = Fault::status(307);
    fault.headers.insert(
        "location".into(),
        format!("{}/profiles/create", elsewhere.url()),
    );
    server.push_fault(fault);
    let error = client(&server, DEFAULT_API_KEY)
        .create_profile(CreateProfile::default())
        .await
        .expect_err("a redirect is an error");
    assert_eq!((error.kind(), error.status()), (ErrorKind::Api, Some(307)));
    assert!(
        elsewhere.requests().is_empty(),
        "the key was not sent to the other host"
    );
}

#[tokio::test]
async fn oversized_bodies_end_in_a_typed_error() {
    let server = server_with_key(DEFAULT_API_KEY).await;
    let huge = "x".repeat(postcore::MAX_RESPONSE_BYTES + 1);
    server.push_fault(Fault::json(201, json!(huge)));
    let error = client(&server, DEFAULT_API_KEY)
        .create_profile(CreateProfile::default())
        .await
        .expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::ResponseValidation);
    assert!(error.message().contains("MiB"), "{error}");
}

#[tokio::test]
async fn one_client_serves_many_concurrent_calls() {
    // More calls than the documented 100 per window, which the client keeps to by itself.
    let server = MockServer::start(MockConfig {
        rate_limit: Some(1_000_000),
        ..MockConfig::default()
    })
    .await
    .expect("mock starts");
    let client = client(&server, DEFAULT_API_KEY);
    let calls = (0..200).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .create_profile(CreateProfile {
                    profile_name: Some(format!("user {i}")),
                })
                .await
        })
    });
    let mut keys = Vec::new();
    for call in calls {
        keys.push(call.await.expect("task").expect("created").profile_key);
    }
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 200);
    assert_eq!(server.profiles().len(), 200);
}

#[tokio::test]
async fn user_agent_can_be_replaced_by_bindings() {
    let server = server_with_key(DEFAULT_API_KEY).await;
    Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(server.url())
        .user_agent("postcore-python/9.9.9")
        .build()
        .expect("client")
        .create_profile(CreateProfile::default())
        .await
        .expect("created");
    assert_eq!(
        server.requests()[0].headers["user-agent"],
        "postcore-python/9.9.9"
    );
}

#[tokio::test]
async fn a_key_echoed_by_the_server_is_redacted() {
    let server = server_with_key("another_key").await;
    server.push_fault(Fault::json(
        401,
        json!({"error": "INVALID_API_KEY", "message": format!("Invalid API key {SECRET}"), "key": SECRET}),
    ));
    let error = client(&server, SECRET)
        .create_profile(CreateProfile::default())
        .await
        .expect_err("refused");
    let everything = format!(
        "{error} {error:?} {:?} {:?}",
        error.body_text(),
        error.body_json()
    );
    assert!(!everything.contains(SECRET), "{everything}");
    assert_eq!(
        error.body_json().map(|b| b["key"].clone()),
        Some(json!("<redacted>"))
    );
}

#[tokio::test]
async fn closing_ends_calls_in_flight_with_a_clear_error() {
    let server = server_with_key(DEFAULT_API_KEY).await;
    server.push_fault(Fault::delay(5_000));
    let client = client(&server, DEFAULT_API_KEY);
    let in_flight = tokio::spawn({
        let client = client.clone();
        async move { client.create_profile(CreateProfile::default()).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    client.close();
    let error = in_flight.await.expect("task").expect_err("closed");
    assert!(started.elapsed() < Duration::from_secs(1), "ended promptly");
    assert_eq!(error.kind(), ErrorKind::Connection);
    assert!(error.message().contains("closed"), "{error}");
    assert!(client.is_closed());
    let error = client
        .create_profile(CreateProfile::default())
        .await
        .expect_err("still closed");
    assert!(error.message().contains("closed"), "{error}");
}

#[tokio::test]
async fn dropping_a_call_closes_its_connection() {
    let server = server_with_key(DEFAULT_API_KEY).await;
    // The server would create the profile after 500 ms, if the connection were still open.
    server.push_fault(Fault::delay(500));
    let client = client(&server, DEFAULT_API_KEY);
    let call = client.create_profile(CreateProfile::default());
    assert!(
        tokio::time::timeout(Duration::from_millis(100), call)
            .await
            .is_err(),
        "the call was still running when dropped"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(server.requests().len(), 1);
    assert!(
        server.profiles().is_empty(),
        "the dropped call's connection was closed, so the server abandoned the request"
    );
}
