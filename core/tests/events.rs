//! Many posts on one list call, and events, against the local server with its clock moved
//! rather than real waits.

use std::collections::HashMap;
use std::time::Duration;

use postcore::{Client, ErrorKind, Event, Timestamp, WaitOptions};
use postcore_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use serde_json::{Value, json};
use tokio::sync::mpsc;

fn client(server: &MockServer, store: &str) -> Client {
    Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(server.url())
        .store(store)
        .build()
        .expect("client")
}

/// The mock's own control endpoints, over HTTP.
async fn control(server: &MockServer, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}/__mock/{path}", server.url()))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("control request");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    let text = response.text().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_many_follows_a_thousand_posts_with_one_listing_per_poll() {
    // The documented limit, enforced: the wait must stay inside it.
    let server = MockServer::start(MockConfig {
        rate_limit: Some(100),
        posts_per_month: 100_000,
        ..MockConfig::default()
    })
    .await
    .expect("mock");
    let profiles = server
        .seed(json!({"profiles": [{"connect": ["linkedin", "bluesky"], "count": 50}]}))
        .expect("profiles")
        .profiles;
    let posts: Vec<Value> = (0..1000)
        .map(|i| {
            json!({
                "profileKey": profiles[i % 50],
                "platform": if i % 2 == 0 { "linkedin" } else { "bluesky" },
                "content": format!("post {i}"),
                // Due over the next hour.
                "scheduledFor": format!("$NOW+{}", 60 + i * 3),
            })
        })
        .collect();
    let ids = server.seed(json!({ "posts": posts })).expect("posts").posts;
    let client = client(&server, "memory://wait-many");
    let waiting = {
        let client = client.clone();
        let ids = ids.clone();
        tokio::spawn(async move {
            let options = WaitOptions::new()
                .interval(Duration::from_millis(100))
                .timeout(Duration::from_secs(60));
            client.wait_for_posts(&ids, &options).await
        })
    };
    // The hour goes by in ten-minute steps.
    for _ in 0..7 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        server.advance(Duration::from_secs(600));
    }
    let done = waiting.await.expect("task").expect("every post done");
    assert_eq!(done.len(), 1000);
    assert!(
        done.iter().zip(&ids).all(|(p, id)| &p.post_id == id),
        "in the given order"
    );
    assert!(done.iter().all(|p| p.status.is_final()));
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" && r.path == "/posts"),
        "only listings: {:?}",
        requests.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    assert!(requests.iter().all(|r| r.status != Some(429)), "no 429");
    // One listing per poll, a few polls per ten minutes of the server's clock.
    assert!(requests.len() <= 40, "{} listings", requests.len());
}

#[tokio::test]
async fn wait_many_times_out_with_every_post_as_last_seen() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock");
    let key = server
        .seed(json!({"profiles": [{"connect": ["bluesky"]}]}))
        .expect("profile")
        .profiles[0]
        .clone();
    let ids = server
        .seed(json!({"posts": [
            {"profileKey": key, "platform": "bluesky", "content": "soon", "scheduledFor": "$NOW-1"},
            {"profileKey": key, "platform": "bluesky", "content": "later", "scheduledFor": "$NOW+3600"},
        ]}))
        .expect("posts")
        .posts;
    let options = WaitOptions::new()
        .interval(Duration::from_millis(50))
        .timeout(Duration::from_millis(400));
    let error = client(&server, "memory://wait-many-timeout")
        .wait_for_posts(&ids, &options)
        .await
        .expect_err("one is not due");
    assert_eq!(error.kind(), ErrorKind::WaitTimeout);
    let seen: Vec<&str> = error.posts().iter().map(|p| p.status.as_str()).collect();
    assert_eq!(seen, ["published", "pending"]);
    assert_eq!(
        error.post().map(|p| p.post_id.as_str()),
        Some(ids[1].as_str())
    );
    let missing = client(&server, "memory://wait-many-missing")
        .wait_for_posts(&["post_nosuchpost1".to_owned()], &options)
        .await
        .expect_err("not listed");
    assert_eq!(missing.kind(), ErrorKind::NotFound);
}

/// Collects a consumer's events in the background.
fn collect(client: &Client, consumer: &str) -> mpsc::UnboundedReceiver<Event> {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut events = client.events(consumer, Some(Duration::from_millis(100)));
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            match event {
                Ok(event) => {
                    if tx.send(event).is_err() {
                        return;
                    }
                }
                Err(e) => panic!("events failed: {e}"),
            }
        }
    });
    rx
}

/// Waits for events until `want` (type, what it is about) were all seen.
async fn expect(
    rx: &mut mpsc::UnboundedReceiver<Event>,
    seen: &mut Vec<Event>,
    want: &[(&str, &str)],
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let missing: Vec<_> = want
            .iter()
            .filter(|(t, about)| {
                !seen
                    .iter()
                    .any(|e| e.event_type == *t && about_of(e) == *about)
            })
            .collect();
        if missing.is_empty() {
            return;
        }
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(event)) => seen.push(event),
            _ => panic!("no event {missing:?} within 10 s; seen {:?}", summary(seen)),
        }
    }
}

/// What an event is about: the post id, the profile key, or `key:platform`.
fn about_of(event: &Event) -> String {
    let data = &event.data;
    if event.event_type.starts_with("post.") {
        data["postId"].as_str().unwrap_or_default().to_owned()
    } else if event.event_type.starts_with("profile.") {
        data["profileKey"].as_str().unwrap_or_default().to_owned()
    } else {
        format!(
            "{}:{}",
            data["profileKey"].as_str().unwrap_or_default(),
            data["platform"].as_str().unwrap_or_default()
        )
    }
}

fn summary(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| format!("{} {}", e.event_type, about_of(e)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_type_comes_exactly_once() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock");
    let before = server
        .seed(json!({"profiles": [{"connect": ["bluesky"]}]}))
        .expect("a profile from before")
        .profiles[0]
        .clone();
    let client = client(&server, "memory://every-event");
    let mut rx = collect(&client, "all-types");
    // The consumer's first poll: its starting point (no events for what exists).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while server
        .requests()
        .iter()
        .filter(|r| r.path == "/profiles")
        .count()
        < 1
    {
        assert!(tokio::time::Instant::now() < deadline, "no first poll");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut seen = Vec::new();

    // A profile with both platforms, a post due in a minute, one in an hour, one too long
    // for Bluesky (it fails when due).
    let key = server
        .seed(json!({"profiles": [{"connect": ["linkedin", "bluesky"]}]}))
        .expect("profile")
        .profiles[0]
        .clone();
    let posts = server
        .seed(json!({"posts": [
            {"profileKey": key, "platform": "linkedin", "content": "soon", "scheduledFor": "$NOW+60"},
            {"profileKey": key, "platform": "linkedin", "content": "later", "scheduledFor": "$NOW+7200"},
            {"profileKey": key, "platform": "bluesky", "content": "x".repeat(301), "scheduledFor": "$NOW+60"},
        ]}))
        .expect("posts")
        .posts;
    let li = format!("{key}:linkedin");
    let bs = format!("{key}:bluesky");
    expect(
        &mut rx,
        &mut seen,
        &[
            ("profile.created", &key),
            ("connection.connected", &li),
            ("connection.connected", &bs),
        ],
    )
    .await;
    server.advance(Duration::from_secs(120));
    expect(
        &mut rx,
        &mut seen,
        &[("post.published", &posts[0]), ("post.failed", &posts[2])],
    )
    .await;
    client.delete_post(&posts[1]).await.expect("cancelled");
    expect(&mut rx, &mut seen, &[("post.deleted", &posts[1])]).await;
    // LinkedIn's token: 53 days on, 7 days left; 59 days on, 1 day left; then flagged.
    server.advance(Duration::from_secs(53 * 86_400));
    expect(&mut rx, &mut seen, &[("connection.expiring", &li)]).await;
    server.advance(Duration::from_secs(6 * 86_400));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while seen
        .iter()
        .filter(|e| e.event_type == "connection.expiring")
        .count()
        < 2
    {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(event)) => seen.push(event),
            _ => panic!("no second expiring event; seen {:?}", summary(&seen)),
        }
    }
    control(
        &server,
        "linkedin",
        json!({"profileKey": key, "needsReconnect": true}),
    )
    .await;
    expect(&mut rx, &mut seen, &[("connection.needs_reconnect", &li)]).await;
    client.delete_profile(&key).await.expect("deleted");
    expect(
        &mut rx,
        &mut seen,
        &[
            ("profile.deleted", &key),
            ("connection.disconnected", &li),
            ("connection.disconnected", &bs),
        ],
    )
    .await;
    // Nothing more, nothing twice, nothing about what existed before the consumer started.
    tokio::time::sleep(Duration::from_millis(400)).await;
    while let Ok(event) = rx.try_recv() {
        seen.push(event);
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for event in &seen {
        *counts.entry(event.event_type.as_str()).or_default() += 1;
    }
    for kind in postcore::EventType::ALL {
        assert!(
            counts.contains_key(kind.as_str()),
            "no {kind} event: {:?}",
            summary(&seen)
        );
    }
    let mut ids: Vec<&str> = seen.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    let total = ids.len();
    ids.dedup();
    assert_eq!(
        ids.len(),
        total,
        "an event came twice: {:?}",
        summary(&seen)
    );
    assert_eq!(counts["connection.expiring"], 2, "{:?}", summary(&seen));
    assert_eq!(
        counts["profile.created"], 1,
        "not for the profile from before"
    );
    assert!(
        !seen
            .iter()
            .any(|e| about_of(e).starts_with(before.as_str()))
    );
    // The JSON `listen` sends.
    let json = serde_json::to_value(&seen[0]).expect("json");
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["createdAt", "data", "id", "type"]);
    assert!(seen[0].created_at <= Timestamp::from(server.now()));
}

#[tokio::test]
async fn a_consumer_resumes_where_it_was_acknowledged() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock");
    let client = client(&server, "memory://resume-events");
    // First poll: the starting point.
    let mut events = client.events("resume", Some(Duration::from_millis(50)));
    let first = tokio::spawn(async move {
        let event = events.next().await;
        (events, event)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let keys = server
        .seed(json!({"profiles": [{"count": 3}]}))
        .expect("profiles")
        .profiles;
    let (events, event) = first.await.expect("task");
    let one = event.expect("some").expect("an event");
    assert_eq!(one.event_type, "profile.created");
    // Restarted before finishing with it: the same event again.
    drop(events);
    let mut again = client.events("resume", Some(Duration::from_millis(50)));
    let same = again.next().await.expect("some").expect("event");
    assert_eq!(same.id, one.id);
    // Asking for the next acknowledges it: the others follow, once each.
    let two = again.next().await.expect("some").expect("event");
    let three = again.next().await.expect("some").expect("event");
    let mut got: Vec<String> = [&same, &two, &three]
        .iter()
        .map(|e| e.data["profileKey"].as_str().unwrap_or_default().to_owned())
        .collect();
    got.sort();
    let mut want = keys.clone();
    want.sort();
    assert_eq!(got, want);
    drop(again);
    let mut later = client.events("resume", Some(Duration::from_millis(50)));
    let pending = tokio::time::timeout(Duration::from_millis(500), later.next()).await;
    // The third was handed out and not yet acknowledged: it comes back; nothing else.
    let back = pending
        .expect("the unacknowledged one")
        .expect("some")
        .expect("event");
    assert_eq!(back.id, three.id);
}
