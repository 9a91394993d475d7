//! The client keeps inside two limits: its own connection limit (`max_connections`), and the
//! API's rate limit while waiting for a post.

use std::time::Duration;

use postcore::{Client, CreateProfile, ErrorKind, WaitOptions};
use postcore_mock::{DEFAULT_API_KEY, Fault, MockConfig, MockServer};
use serde_json::json;

fn client(server: &MockServer) -> postcore::ClientBuilder {
    Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(server.url())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_calls_share_max_connections_sockets() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    let client = client(&server).max_connections(50).build().expect("client");
    let calls = (0..5_000).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .create_profile(CreateProfile::named(format!("user {i}")))
                .await
        })
    });
    let results = futures_util::future::join_all(calls).await;
    let failures: Vec<String> = results
        .into_iter()
        .filter_map(|r| match r {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(e.to_string()),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} calls failed, e.g. {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(server.profiles().len(), 5_000);
    let stats = server.stats();
    assert!(
        stats.max_open <= 50,
        "at most 50 sockets at once, saw {}",
        stats.max_open
    );
    assert!(
        stats.total <= 50,
        "connections are reused: {} opened",
        stats.total
    );
}

#[tokio::test]
async fn waiting_paces_its_polls_to_the_rate_limit() {
    // 6 requests per 4 s window; the post stays pending (a scripted answer) past its time.
    let server = MockServer::start(MockConfig {
        rate_limit: Some(6),
        rate_window: Duration::from_secs(4),
        ..MockConfig::default()
    })
    .await
    .expect("mock starts");
    server.push_fault(Fault {
        times: Some(1_000),
        ..Fault::json(
            200,
            json!({"post": {"postId": "post_x", "profileKey": "prof_x", "platform": "linkedin",
                   "content": "c", "scheduledFor": "$NOW-10", "status": "pending"}}),
        )
    });
    let client = client(&server).build().expect("client");
    let options = WaitOptions::new()
        .interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(3));
    let error = client
        .wait_for_post("post_x", &options)
        .await
        .expect_err("still pending at the deadline");
    assert_eq!(error.kind(), ErrorKind::WaitTimeout);
    assert_eq!(error.post().map(|p| p.post_id.as_str()), Some("post_x"));
    let polls = server.requests().len();
    // Every 50 ms would be 60 polls; paced to the window, the 6 allowed ones are never exceeded.
    assert!(
        (2..=6).contains(&polls),
        "polled {polls} times in 3 s with 6 requests per 4 s"
    );
}

/// Waits until the server counts at most `expected` open connections; returns what it saw.
async fn open_connections_settle(server: &MockServer, expected: u64) -> u64 {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let open = server.stats().open;
        if open <= expected || tokio::time::Instant::now() > deadline {
            return open;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One client shared by 20 threads that block on their calls (as Python's sync client does),
/// saturating its 20 connections: calls that found every socket taken leave connection
/// attempts waiting for a free one, and those must not keep the pool (and its sockets) alive
/// after `close()`, nor after the client is dropped.
#[test]
fn close_and_drop_close_every_pooled_connection() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime
        .block_on(MockServer::start(MockConfig::default()))
        .expect("mock starts");
    for close in [true, false] {
        let client = client(&server).max_connections(20).build().expect("client");
        let derived = client
            .with_options(postcore::ClientOverrides::new().max_retries(0))
            .expect("derived");
        std::thread::scope(|scope| {
            for thread in 0..20 {
                let (runtime, client, derived) = (&runtime, &client, &derived);
                scope.spawn(move || {
                    for i in 0..10 {
                        let client = if i % 2 == 0 { client } else { derived };
                        runtime
                            .block_on(client.list_profiles())
                            .unwrap_or_else(|e| panic!("thread {thread} call {i}: {e}"));
                    }
                });
            }
        });
        assert!(server.stats().open > 0, "the pool keeps its connections");
        if close {
            derived.close();
        } else {
            drop((client, derived));
        }
        let open = runtime.block_on(open_connections_settle(&server, 0));
        let how = if close { "close()" } else { "drop" };
        assert_eq!(open, 0, "connections still open after {how}");
    }
}
