//! Idempotency keys against the local server with scripted faults: one creation per key,
//! however the first call ended and however often it is repeated.

use std::time::Duration;

use postcore::{
    Client, ConnectBluesky, CreatePost, CreateProfile, ErrorKind, Platform, RequestOptions,
    Timestamp,
};
use postcore_mock::{DEFAULT_API_KEY, Fault, FaultAction, MockConfig, MockServer};
use serde_json::json;

async fn server() -> MockServer {
    MockServer::start(MockConfig::default())
        .await
        .expect("mock starts")
}

fn client(server: &MockServer, store: &str) -> Client {
    Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(server.url())
        .store(store)
        .timeout(Duration::from_millis(800))
        .build()
        .expect("client")
}

fn keyed(key: &str) -> RequestOptions {
    RequestOptions::new().idempotency_key(key)
}

/// A profile with both platforms connected, and a post for it an hour from now (mock clock).
fn post_for(server: &MockServer) -> CreatePost {
    let seeded = server
        .seed(json!({"profiles": [{"connect": ["linkedin", "bluesky"]}]}))
        .expect("seeded");
    let key = seeded.profiles[0].clone();
    let now = Timestamp::from(server.now());
    let at = Timestamp::from_unix(now.unix_seconds() + 3600);
    CreatePost::new(
        key,
        "Hello, once",
        [Platform::LinkedIn, Platform::Bluesky],
        at,
    )
}

fn processed_then_lost() -> Fault {
    Fault {
        action: FaultAction::Drop,
        process: true,
        ..Fault::default()
    }
}

#[tokio::test]
async fn a_post_whose_answer_was_lost_is_found_and_never_sent_twice() {
    let server = server().await;
    let client = client(&server, "memory://idem-lost-post");
    let params = post_for(&server);
    server.push_fault(processed_then_lost());
    let first = client
        .create_post_with(params.clone(), &keyed("job-1"))
        .await
        .expect("reconciled from GET /posts");
    assert_eq!(first.data.posts.len(), 2);
    assert_eq!(server.posts().len(), 2, "one post per platform, once");
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/posts", "/posts"], "the POST, then one GET /posts");

    // The same call again: the same posts, no request.
    let before = server.requests().len();
    let again = client
        .create_post_with(params.clone(), &keyed("job-1"))
        .await
        .expect("replayed");
    assert_eq!(again.attempts, 0);
    let ids = |r: &postcore::Response<postcore::ScheduledPosts>| -> Vec<String> {
        r.data.posts.iter().map(|p| p.post_id.clone()).collect()
    };
    assert_eq!(ids(&again), ids(&first));
    assert_eq!(server.requests().len(), before);

    // Another client (another process) sharing the store: the same.
    let other = self::client(&server, "memory://idem-lost-post");
    let third = other
        .create_post_with(params, &keyed("job-1"))
        .await
        .expect("replayed");
    assert_eq!(ids(&third), ids(&first));
    assert_eq!(server.posts().len(), 2);
}

#[tokio::test]
async fn the_same_key_with_other_arguments_is_refused_without_sending() {
    let server = server().await;
    let client = client(&server, "memory://idem-reused");
    let params = post_for(&server);
    client
        .create_post_with(params.clone(), &keyed("job-2"))
        .await
        .expect("created");
    let before = server.requests().len();
    let mut other = params.clone();
    other.content = "Hello, twice".into();
    let error = client
        .create_post_with(other, &keyed("job-2"))
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::IdempotencyKeyReused);
    assert_eq!(
        ErrorKind::IdempotencyKeyReused.class_name(),
        "IdempotencyKeyReusedError"
    );
    assert!(error.message().contains("posts.create"), "{error}");
    let error = client
        .create_profile_with(CreateProfile::named("x"), &keyed("job-2"))
        .await
        .expect_err("another operation");
    assert_eq!(error.kind(), ErrorKind::IdempotencyKeyReused);
    assert_eq!(server.requests().len(), before, "nothing sent");
}

#[tokio::test]
async fn concurrent_calls_with_one_key_create_once() {
    let server = server().await;
    let params = post_for(&server);
    let calls = (0..8).map(|_| {
        let client = client(&server, "memory://idem-race");
        let params = params.clone();
        tokio::spawn(async move {
            client
                .create_post_with(params, &keyed("job-race"))
                .await
                .map(|r| r.data.posts[0].post_id.clone())
        })
    });
    let mut ids = Vec::new();
    for call in calls {
        ids.push(call.await.expect("task").expect("created or replayed"));
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every call got the same post: {ids:?}");
    assert_eq!(server.posts().len(), 2);
}

#[tokio::test]
async fn a_refusal_frees_the_key() {
    let server = server().await;
    let client = client(&server, "memory://idem-refused");
    let params = post_for(&server);
    server.push_fault(Fault::json(
        400,
        json!({"error": "PLATFORMS_NOT_CONNECTED", "message": "no", "missing_platforms": ["linkedin"]}),
    ));
    let error = client
        .create_post_with(params.clone(), &keyed("job-3"))
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::PlatformsNotConnected);
    let created = client
        .create_post_with(params, &keyed("job-3"))
        .await
        .expect("sent again: nothing was created the first time");
    assert_eq!(created.attempts, 1);
    assert_eq!(server.posts().len(), 2);
}

#[tokio::test]
async fn a_500_after_processing_is_reconciled() {
    let server = server().await;
    let client = client(&server, "memory://idem-500");
    server.push_fault(Fault {
        status: Some(500),
        process: true,
        ..Fault::default()
    });
    let profile = client
        .create_profile_with(
            CreateProfile::named("User: ann@example.com"),
            &keyed("signup-ann"),
        )
        .await
        .expect("found by name");
    assert_eq!(
        profile.data.profile_name.as_deref(),
        Some("User: ann@example.com")
    );
    assert_eq!(server.profiles().len(), 1);
    let again = client
        .create_profile_with(
            CreateProfile::named("User: ann@example.com"),
            &keyed("signup-ann"),
        )
        .await
        .expect("replayed");
    assert_eq!(again.data.profile_key, profile.data.profile_key);
    assert_eq!(server.profiles().len(), 1);
}

#[tokio::test]
async fn a_dropped_request_that_created_nothing_is_sent_again() {
    let server = server().await;
    let client = client(&server, "memory://idem-drop");
    server.push_fault(Fault {
        action: FaultAction::Drop,
        ..Fault::default()
    });
    let profile = client
        .create_profile_with(
            CreateProfile::named("User: bob@example.com"),
            &keyed("signup-bob"),
        )
        .await
        .expect("absent, so sent again");
    assert_eq!(server.profiles().len(), 1);
    assert_eq!(server.profiles()[0].profile_key, profile.data.profile_key);
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["POST", "GET", "POST"]);
}

#[tokio::test]
async fn a_timeout_is_told_then_the_next_call_finds_the_result() {
    let server = server().await;
    let client = client(&server, "memory://idem-timeout");
    server.push_fault(Fault {
        delay_ms: 1_500,
        process: true,
        ..Fault::default()
    });
    let error = client
        .create_profile_with(
            CreateProfile::named("User: cy@example.com"),
            &keyed("signup-cy"),
        )
        .await
        .expect_err("timed out; the server may still be working on it");
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.may_have_been_processed());
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let profile = client
        .create_profile_with(
            CreateProfile::named("User: cy@example.com"),
            &keyed("signup-cy"),
        )
        .await
        .expect("reconciled");
    let stored = server.profiles();
    assert!(
        stored.len() <= 1,
        "at most the one profile: {} stored",
        stored.len()
    );
    assert_eq!(stored.len(), 1, "the delayed request was processed");
    assert_eq!(profile.data.profile_key, stored[0].profile_key);
}

#[tokio::test]
async fn connecting_bluesky_with_a_key_is_found_by_handle() {
    let server = server().await;
    let client = client(&server, "memory://idem-bluesky");
    server.push_fault(processed_then_lost());
    let connection = client
        .connect_bluesky_with(
            ConnectBluesky::new("ann.bsky.social", "abcd-efgh-ijkl-mnop"),
            &keyed("connect-ann"),
        )
        .await
        .expect("found by handle");
    assert_eq!(connection.data.username.as_deref(), Some("ann.bsky.social"));
    assert_eq!(server.profiles().len(), 1, "one auto-created profile");
    assert_eq!(
        connection.data.profile_key.as_deref(),
        Some(server.profiles()[0].profile_key.as_str())
    );
}

#[tokio::test]
async fn keys_are_only_for_creations_and_checked() {
    let server = server().await;
    let client = client(&server, "memory://idem-args");
    let error = client
        .list_posts_with(&keyed("x"))
        .await
        .expect_err("no key for listings");
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    let error = client
        .create_profile_with(CreateProfile::new(), &keyed(""))
        .await
        .expect_err("empty key");
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(server.requests().is_empty());
}
