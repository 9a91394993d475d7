//! `GET /__mock/events` and the dashboard's events: what the state changes amount to, as the
//! SDK's events (types, ids, data).

use std::time::Duration;

use postcore_mock::MockServer;
use serde_json::{Value, json};

use crate::support::{api, connected_profile, control, iso_from_now, server};

async fn events(s: &MockServer) -> Vec<Value> {
    let reply = control(s, "GET", "/__mock/events", None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let events = reply.body["events"].as_array().cloned().expect("events");
    assert_eq!(reply.body["total"], json!(events.len()));
    // The Rust API says the same.
    let direct: Vec<Value> = s
        .events()
        .iter()
        .map(|e| serde_json::to_value(e).expect("json"))
        .collect();
    assert_eq!(direct, events);
    events
}

fn types(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or(""))
        .collect()
}

/// The SDK's id: `evt_` + the first 24 hex digits of SHA-256 of `"<type>\n<about>"`.
fn sdk_id(event_type: &str, about: &str) -> String {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{event_type}\n{about}").as_bytes(),
    );
    let hex: String = digest.as_ref()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("evt_{hex}")
}

#[tokio::test]
async fn profiles_connections_and_posts_give_the_sdks_events() {
    let s = server().await;
    // Seeded data is the starting state: no events.
    let seeded = connected_profile(&s, &["bluesky"]).await;
    assert!(events(&s).await.is_empty());

    let created = api(
        &s,
        "POST",
        "/profiles/create",
        Some(json!({"profileName": "Ann"})),
    )
    .await;
    let key = created.body["profileKey"].as_str().expect("key").to_owned();
    let listed = api(&s, "GET", "/profiles", None).await.body["profiles"][1].clone();
    let connect = json!({"profileKey": key, "platform": "bluesky",
        "credentials": {"handle": "ann.bsky.social", "appPassword": "abcd-efgh-ijkl-mnop"}});
    assert_eq!(
        api(&s, "POST", "/profiles/connect", Some(connect))
            .await
            .status,
        200
    );
    let mut ids = Vec::new();
    for (i, delay) in [60, 120].into_iter().enumerate() {
        let body = json!({"profileKey": key, "content": format!("post {i}"),
            "platforms": ["bluesky"], "scheduledFor": iso_from_now(&s, delay)});
        let created = api(&s, "POST", "/posts", Some(body)).await;
        assert_eq!(created.status, 201, "{}", created.body);
        ids.push(
            created.body["posts"][0]["postId"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    // Scheduling gives no event; cancelling does.
    assert_eq!(events(&s).await.len(), 2);
    assert_eq!(
        api(&s, "DELETE", &format!("/posts/{}", ids[1]), None)
            .await
            .status,
        200
    );
    s.advance(Duration::from_secs(61));

    let all = events(&s).await;
    assert_eq!(
        types(&all),
        [
            "profile.created",
            "connection.connected",
            "post.deleted",
            "post.published"
        ]
    );
    // profile.created: the profile as GET /profiles listed it.
    assert_eq!(all[0]["data"], listed);
    assert_eq!(all[0]["id"], json!(sdk_id("profile.created", &key)));
    // connection.connected: the connected platform plus its profileKey.
    let connection =
        &api(&s, "GET", "/profiles", None).await.body["profiles"][1]["connectedPlatforms"][0];
    let mut expected = connection.clone();
    expected["profileKey"] = json!(key);
    assert_eq!(all[1]["data"], expected);
    let about = format!(
        "{key}:bluesky:{}",
        connection["connectedAt"].as_str().unwrap_or("")
    );
    assert_eq!(all[1]["id"], json!(sdk_id("connection.connected", &about)));
    // post.deleted: what the post was.
    assert_eq!(
        all[2]["data"],
        json!({"postId": ids[1], "profileKey": key, "platform": "bluesky", "status": "pending"})
    );
    // post.published: the post as GET /posts/{id} shows it, at its scheduledFor.
    let post = api(&s, "GET", &format!("/posts/{}", ids[0]), None)
        .await
        .body["post"]
        .clone();
    assert_eq!(post["status"], "published");
    assert_eq!(all[3]["data"], post);
    assert_eq!(all[3]["createdAt"], post["scheduledFor"]);
    assert_eq!(all[3]["id"], json!(sdk_id("post.published", &ids[0])));
    for event in &all {
        assert!(
            event["id"].as_str().is_some_and(|id| id.len() == 28),
            "{event}"
        );
    }

    // Deleting a profile: its pending posts, its connections, then the profile.
    let body = json!({"profileKey": seeded, "content": "later", "platforms": ["bluesky"],
        "scheduledFor": iso_from_now(&s, 3600)});
    let pending = api(&s, "POST", "/posts", Some(body)).await.body["posts"][0]["postId"].clone();
    assert_eq!(
        api(&s, "DELETE", &format!("/profiles/{seeded}"), None)
            .await
            .status,
        200
    );
    let all = events(&s).await;
    assert_eq!(
        types(&all[4..]),
        ["post.deleted", "connection.disconnected", "profile.deleted"]
    );
    assert_eq!(all[4]["data"]["postId"], pending);
    assert_eq!(all[5]["data"]["username"], "mock.bsky.social");
    assert_eq!(all[5]["data"]["profileKey"], json!(seeded));
    assert_eq!(
        all[6]["data"],
        json!({"profileKey": seeded, "profileName": null})
    );

    // A post that fails when due.
    let long = "x".repeat(301);
    let body = json!({"profileKey": key, "content": long, "platforms": ["bluesky"],
        "scheduledFor": iso_from_now(&s, 30)});
    assert_eq!(api(&s, "POST", "/posts", Some(body)).await.status, 201);
    s.advance(Duration::from_secs(31));
    let all = events(&s).await;
    let failed = all.last().expect("an event");
    assert_eq!(failed["type"], "post.failed");
    assert_eq!(failed["data"]["status"], "failed");
    assert!(
        failed["data"]["failureReason"]
            .as_str()
            .is_some_and(|r| r.contains("300"))
    );

    // The dashboard shows them newest first; a reset forgets them.
    let snap = control(&s, "GET", "/__mock/dashboard/state", None)
        .await
        .body;
    assert_eq!(snap["totals"]["events"], json!(all.len()));
    let shown: Vec<&Value> = snap["events"].as_array().expect("events").iter().collect();
    assert_eq!(shown.len(), all.len());
    assert_eq!(shown[0], failed);
    assert_eq!(shown.last().copied(), all.first());
    control(&s, "POST", "/__mock/reset", None).await;
    assert!(events(&s).await.is_empty());
}

#[tokio::test]
async fn linkedin_reconnects_expiry_and_flags_give_connection_events() {
    let s = server().await;
    let key = connected_profile(&s, &[]).await;
    let connect = format!(
        "/profiles/connect?apiKey={}&platform=linkedin&returnUrl=https%3A%2F%2Fapp.example%2Fdone&profileKey={key}",
        postcore_mock::DEFAULT_API_KEY
    );
    assert_eq!(api(&s, "GET", &connect, None).await.status, 302);
    s.advance(Duration::from_secs(5));
    // Connecting again replaces the account: the old one is gone, the new one connected.
    assert_eq!(api(&s, "GET", &connect, None).await.status, 302);
    assert_eq!(
        types(&events(&s).await),
        [
            "connection.connected",
            "connection.disconnected",
            "connection.connected"
        ]
    );
    // Time passes: daysUntilExpiry crosses 7, then 1, then the token expires.
    s.advance(Duration::from_secs(53 * 86_400 + 60));
    let all = events(&s).await;
    assert_eq!(types(&all[3..]), ["connection.expiring"]);
    assert_eq!(all[3]["data"]["daysUntilExpiry"], 7);
    assert_eq!(all[3]["data"]["profileKey"], json!(key));
    s.advance(Duration::from_secs(86_400));
    assert_eq!(
        events(&s).await.len(),
        4,
        "no event for a day that crosses nothing"
    );
    s.advance(Duration::from_secs(5 * 86_400));
    let all = events(&s).await;
    assert_eq!(types(&all[4..]), ["connection.expiring"]);
    assert_eq!(all[4]["data"]["daysUntilExpiry"], 1);
    s.advance(Duration::from_secs(86_400));
    let all = events(&s).await;
    assert_eq!(types(&all[5..]), ["connection.needs_reconnect"]);
    assert_eq!(all[5]["data"]["needsReconnect"], true);
    assert_ne!(all[3]["id"], all[4]["id"], "each threshold has its own id");

    // A fresh account flagged from the control endpoint: needs_reconnect at once; expired at
    // once: both the reconnect and the nearest threshold, as one poll of the SDK would say.
    assert_eq!(api(&s, "GET", &connect, None).await.status, 302);
    let before = events(&s).await.len();
    let flag = json!({"profileKey": key, "needsReconnect": true});
    assert_eq!(
        control(&s, "POST", "/__mock/linkedin", Some(flag))
            .await
            .status,
        200
    );
    let all = events(&s).await;
    assert_eq!(types(&all[before..]), ["connection.needs_reconnect"]);
    let expire = json!({"profileKey": key, "expired": true, "needsReconnect": false});
    assert_eq!(
        control(&s, "POST", "/__mock/linkedin", Some(expire))
            .await
            .status,
        200
    );
    let all = events(&s).await;
    assert_eq!(
        types(&all[before + 1..]),
        ["connection.expiring"],
        "still needs a reconnect: no new one"
    );
}
