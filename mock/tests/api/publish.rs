//! Posts are decided lazily on the mock clock: published, or failed with a reason.

use std::time::Duration;

use postcore_mock::PostStatus;
use serde_json::{Value, json};

use crate::support::{api, connected_profile, control, iso_from_now, server};

async fn schedule(
    s: &postcore_mock::MockServer,
    key: &str,
    platform: &str,
    content: &str,
    at: &str,
) -> String {
    let reply = api(
        s,
        "POST",
        "/posts",
        Some(json!({"profileKey": key, "content": content, "platforms": [platform], "scheduledFor": at})),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["posts"][0]["postId"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn fetch(s: &postcore_mock::MockServer, id: &str) -> Value {
    let reply = api(s, "GET", &format!("/posts/{id}"), None).await;
    assert_eq!(reply.status, 200);
    reply.body["post"].clone()
}

#[tokio::test]
async fn advancing_the_clock_publishes_due_posts() {
    let s = server().await;
    let key = connected_profile(&s, &["linkedin", "bluesky"]).await;
    let at = iso_from_now(&s, 60);
    let linkedin = schedule(&s, &key, "linkedin", "Hello LinkedIn", &at).await;
    let bluesky = schedule(&s, &key, "bluesky", "Hello Bluesky", &at).await;
    assert_eq!(fetch(&s, &linkedin).await["status"], "pending");

    s.advance(Duration::from_secs(61));
    let post = fetch(&s, &linkedin).await;
    assert_eq!(post["status"], "published");
    assert_eq!(post["publishedAt"], at.as_str());
    let url = post["platformUrl"].as_str().expect("url");
    let digits = url
        .strip_prefix("https://www.linkedin.com/feed/update/urn:li:share:")
        .expect("LinkedIn URL");
    assert!(
        digits.len() == 19 && digits.bytes().all(|b| b.is_ascii_digit()),
        "{url}"
    );
    assert!(post.get("failureReason").is_none());

    let post = fetch(&s, &bluesky).await;
    assert_eq!(post["status"], "published");
    let rkey = post["platformUrl"]
        .as_str()
        .and_then(|u| u.strip_prefix("https://bsky.app/profile/mock.bsky.social/post/"))
        .expect("Bluesky URL with the handle");
    assert!(
        rkey.len() == 13
            && rkey
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );

    let again = fetch(&s, &linkedin).await;
    assert_eq!(
        again["platformUrl"],
        post_url(&s, &linkedin),
        "decided once"
    );
    let refused = api(&s, "DELETE", &format!("/posts/{linkedin}"), None).await;
    assert_eq!(refused.code(), (400, "POST_NOT_PENDING"));
    assert_eq!(refused.body["message"], "Only pending posts can be deleted");
}

fn post_url(s: &postcore_mock::MockServer, id: &str) -> Value {
    s.posts()
        .into_iter()
        .find(|p| p.post_id == id)
        .and_then(|p| p.platform_url)
        .map_or(Value::Null, Value::String)
}

#[tokio::test]
async fn long_bluesky_posts_fail_by_grapheme_count() {
    let s = server().await;
    let key = connected_profile(&s, &["bluesky"]).await;
    // 300 family emoji: 300 graphemes but 1,500 Unicode scalar values; publishes.
    let families = "👨‍👩‍👧".repeat(300);
    let fits = schedule(&s, &key, "bluesky", &families, &iso_from_now(&s, 10)).await;
    let too_long = schedule(&s, &key, "bluesky", &"a".repeat(301), &iso_from_now(&s, 20)).await;
    s.advance(Duration::from_secs(30));
    assert_eq!(fetch(&s, &fits).await["status"], "published");
    let failed = fetch(&s, &too_long).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["publishedAt"], Value::Null);
    assert_eq!(failed["platformUrl"], Value::Null);
    assert!(
        failed["failureReason"]
            .as_str()
            .is_some_and(|r| r.contains("300")),
        "{failed}"
    );
    let typed = s.posts();
    assert_eq!(typed[1].status, PostStatus::Failed);
    assert!(typed[1].failure_reason.is_some());
}

#[tokio::test]
async fn linkedin_posts_fail_when_the_connection_lapsed() {
    let s = server().await;
    let key = connected_profile(&s, &["linkedin"]).await;
    let before = schedule(&s, &key, "linkedin", "before", &iso_from_now(&s, 60)).await;
    let after = schedule(&s, &key, "linkedin", "after", &iso_from_now(&s, 86_400)).await;
    s.advance(Duration::from_secs(120));
    // Expire it now: the post that was due before stays published, the later one fails.
    let marked = control(
        &s,
        "POST",
        "/__mock/linkedin",
        Some(json!({"profileKey": key, "expired": true})),
    )
    .await;
    assert_eq!(marked.status, 200);
    assert_eq!(marked.body["connection"]["needsReconnect"], true);
    s.advance(Duration::from_secs(2 * 86_400));
    assert_eq!(fetch(&s, &before).await["status"], "published");
    let failed = fetch(&s, &after).await;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["failureReason"]
            .as_str()
            .is_some_and(|r| r.contains("expired"))
    );

    let flagged = connected_profile(&s, &["linkedin"]).await;
    let post = schedule(&s, &flagged, "linkedin", "x", &iso_from_now(&s, 60)).await;
    control(
        &s,
        "POST",
        "/__mock/linkedin",
        Some(json!({"profileKey": flagged, "needsReconnect": true})),
    )
    .await;
    s.advance(Duration::from_secs(61));
    let failed = fetch(&s, &post).await;
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["failureReason"]
            .as_str()
            .is_some_and(|r| r.contains("reconnect"))
    );
}

#[tokio::test]
async fn seeded_posts_for_unconnected_platforms_fail_when_due() {
    let s = server().await;
    let seeded = control(
        &s,
        "POST",
        "/__mock/seed",
        Some(json!({
            "profiles": [{"profileKey": "prof_bare"}],
            "posts": [{"postId": "post_due", "profileKey": "prof_bare", "platform": "bluesky",
                       "content": "x", "scheduledFor": "$NOW-5"}]
        })),
    )
    .await;
    assert_eq!(
        seeded.body,
        json!({"profiles": ["prof_bare"], "posts": ["post_due"]})
    );
    let post = fetch(&s, "post_due").await;
    assert_eq!(post["status"], "failed");
    assert_eq!(
        post["failureReason"],
        "Bluesky is not connected on this profile"
    );
    let listed = control(&s, "GET", "/__mock/posts", None).await;
    assert_eq!(listed.body["posts"][0]["status"], "failed");
}
