//! Scheduling posts: the answer, validation in order, the quota and per-platform spacing.

use postcore_mock::{DEFAULT_API_KEY, MockConfig};
use serde_json::{Value, json};

use crate::support::{api, connected_profile, iso, iso_from_now, now_secs, send, server, start};

fn post_body(key: &str, platforms: &[&str], at: &str) -> Value {
    json!({"profileKey": key, "content": "Hello", "platforms": platforms, "scheduledFor": at})
}

#[tokio::test]
async fn schedules_one_post_per_platform() {
    let s = server().await;
    let key = connected_profile(&s, &["linkedin", "bluesky"]).await;
    let at = now_secs(&s) + 3600;
    // Fractions are truncated and offsets normalised to Z.
    let sent = format!("{}.987+00:00", &iso(at)[..19]);
    let reply = api(
        &s,
        "POST",
        "/posts",
        Some(post_body(&key, &["bluesky", "linkedin"], &sent)),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let posts = reply.body["posts"].as_array().expect("posts");
    assert_eq!(posts.len(), 2);
    for (post, platform) in posts.iter().zip(["bluesky", "linkedin"]) {
        let fields: Vec<&String> = post.as_object().expect("object").keys().collect();
        assert_eq!(fields.len(), 5, "{post}");
        assert_eq!(post["platform"], platform);
        assert_eq!(post["status"], "pending");
        assert_eq!(post["scheduledFor"], iso(at));
        let id = post["postId"].as_str().expect("id");
        let suffix = id.strip_prefix("post_").expect("post_ prefix");
        assert!(
            suffix.len() == 12
                && suffix
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert!(post["createdAt"].as_str().is_some_and(|t| t.ends_with('Z')));
    }
    let usage = &reply.body["usage"];
    assert_eq!(
        (
            usage["used"].as_u64(),
            usage["limit"].as_u64(),
            usage["remaining"].as_u64()
        ),
        (Some(2), Some(10), Some(8))
    );
    let month = usage["month"].as_str().expect("month");
    let year = &iso(now_secs(&s))[..4];
    assert!(
        month.ends_with(year) && month.split(' ').count() == 2,
        "{month}"
    );

    let local = iso(at + 60 + 7200);
    let offset = format!("{}+02:00", &local[..19]);
    let reply = api(
        &s,
        "POST",
        "/posts",
        Some(post_body(&key, &["linkedin"], &offset)),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        reply.body["posts"][0]["scheduledFor"],
        iso(at + 60),
        "converted to UTC"
    );

    let listed = api(&s, "GET", "/posts", None).await;
    let listed = listed.body["posts"].as_array().expect("posts").clone();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["postId"], posts[0]["postId"]);
    assert_eq!(listed[0]["content"], "Hello");
    assert_eq!(listed[0]["profileKey"], key.as_str());
    assert_eq!(listed[0]["publishedAt"], Value::Null);
    assert_eq!(listed[0]["platformUrl"], Value::Null);
    assert!(listed[0].get("failureReason").is_none());

    let id = posts[1]["postId"].as_str().expect("id");
    let one = api(&s, "GET", &format!("/posts/{id}"), None).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["post"], listed[1]);
    let deleted = api(&s, "DELETE", &format!("/posts/{id}"), None).await;
    assert_eq!(
        (deleted.status, &deleted.body),
        (200, &json!({"message": "Post deleted successfully"}))
    );
    for method in ["GET", "DELETE"] {
        let gone = api(&s, method, &format!("/posts/{id}"), None).await;
        assert_eq!(gone.code(), (404, "POST_NOT_FOUND"));
        assert_eq!(gone.body["message"], "Post not found");
    }
}

#[tokio::test]
async fn validates_the_post_body_in_order() {
    let s = server().await;
    let key = connected_profile(&s, &["linkedin"]).await;
    let future = iso_from_now(&s, 600);
    let past = iso_from_now(&s, -1);
    let long = "x".repeat(3001);
    let max = "é".repeat(3000);
    let cases = [
        (json!({}), "profileKey"),
        (
            json!({"profileKey": "", "content": "x", "platforms": ["linkedin"], "scheduledFor": future}),
            "profileKey",
        ),
        (json!({"profileKey": 1, "content": 1}), "profileKey"),
        (
            json!({"profileKey": key, "platforms": ["linkedin"], "scheduledFor": future}),
            "content",
        ),
        (
            json!({"profileKey": key, "content": "", "platforms": ["linkedin"], "scheduledFor": future}),
            "content",
        ),
        (
            json!({"profileKey": key, "content": long, "platforms": ["linkedin"], "scheduledFor": future}),
            "content",
        ),
        (
            json!({"profileKey": key, "content": "x", "platforms": [], "scheduledFor": future}),
            "platforms",
        ),
        (
            json!({"profileKey": key, "content": "x", "platforms": "linkedin", "scheduledFor": future}),
            "platforms",
        ),
        (
            json!({"profileKey": key, "content": "x", "platforms": ["twitter"], "scheduledFor": future}),
            "platforms",
        ),
        (
            json!({"profileKey": key, "content": "x", "platforms": ["linkedin", "linkedin"], "scheduledFor": future}),
            "platforms",
        ),
        (
            json!({"profileKey": key, "content": "x", "platforms": ["linkedin"]}),
            "scheduledFor",
        ),
        (
            json!({"profileKey": key, "content": "x", "platforms": ["linkedin"], "scheduledFor": "tomorrow"}),
            "scheduledFor",
        ),
        (
            json!({"profileKey": key, "content": "x", "platforms": ["linkedin"], "scheduledFor": "2030-01-01T00:00:00"}),
            "scheduledFor",
        ),
        (
            json!({"profileKey": key, "content": "x", "platforms": ["linkedin"], "scheduledFor": past}),
            "scheduledFor",
        ),
        (
            json!({"profileKey": "prof_nope", "content": "x", "platforms": ["linkedin"], "scheduledFor": past}),
            "scheduledFor",
        ),
    ];
    for (body, field) in cases {
        let reply = api(&s, "POST", "/posts", Some(body.clone())).await;
        assert_eq!(
            reply.code(),
            (400, "VALIDATION_ERROR"),
            "{body}: {}",
            reply.body
        );
        assert_eq!(reply.body["field"], field, "{body}");
        assert!(
            reply.body["message"]
                .as_str()
                .is_some_and(|m| m.contains(field)),
            "{}",
            reply.body
        );
    }
    let bad_json = send(&s, "POST", "/posts", Some(DEFAULT_API_KEY), Some("{")).await;
    assert_eq!(bad_json.code(), (400, "INVALID_JSON"));
    let no_key = send(&s, "POST", "/posts", None, Some("{}")).await;
    assert_eq!(no_key.code(), (401, "MISSING_API_KEY"));

    let ok = api(&s, "POST", "/posts", Some(json!({"profileKey": key, "content": max, "platforms": ["linkedin"], "scheduledFor": future}))).await;
    assert_eq!(ok.status, 201, "3000 characters are allowed: {}", ok.body);
    let unknown = api(
        &s,
        "POST",
        "/posts",
        Some(post_body("prof_nope", &["linkedin"], &future)),
    )
    .await;
    assert_eq!(unknown.code(), (404, "PROFILE_NOT_FOUND"));
}

#[tokio::test]
async fn names_the_platforms_that_are_not_connected() {
    let s = server().await;
    let none = connected_profile(&s, &[]).await;
    let at = iso_from_now(&s, 600);
    let reply = api(
        &s,
        "POST",
        "/posts",
        Some(post_body(&none, &["linkedin", "bluesky"], &at)),
    )
    .await;
    assert_eq!(
        (reply.status, &reply.body),
        (
            400,
            &json!({"error": "PLATFORMS_NOT_CONNECTED",
                      "message": "The following platforms are not connected: linkedin, bluesky",
                      "missing_platforms": ["linkedin", "bluesky"]})
        )
    );
    let bluesky = connected_profile(&s, &["bluesky"]).await;
    let reply = api(
        &s,
        "POST",
        "/posts",
        Some(post_body(&bluesky, &["bluesky", "linkedin"], &at)),
    )
    .await;
    assert_eq!(reply.body["missing_platforms"], json!(["linkedin"]));
    assert_eq!(
        reply.body["message"],
        "The following platforms are not connected: linkedin"
    );
    assert!(s.posts().is_empty());
}

#[tokio::test]
async fn enforces_the_monthly_quota() {
    let s = start(MockConfig {
        posts_per_month: 3,
        ..MockConfig::default()
    })
    .await;
    let key = connected_profile(&s, &["linkedin", "bluesky"]).await;
    let base = now_secs(&s) + 600;
    let first = api(
        &s,
        "POST",
        "/posts",
        Some(post_body(&key, &["linkedin", "bluesky"], &iso(base))),
    )
    .await;
    assert_eq!(first.body["usage"]["remaining"], 1);
    let id = first.body["posts"][0]["postId"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        api(&s, "DELETE", &format!("/posts/{id}"), None)
            .await
            .status,
        200
    );

    let over = api(
        &s,
        "POST",
        "/posts",
        Some(post_body(&key, &["linkedin", "bluesky"], &iso(base + 600))),
    )
    .await;
    assert_eq!(
        over.code(),
        (403, "MONTHLY_LIMIT_EXCEEDED"),
        "deleting gave nothing back"
    );
    assert_eq!(
        over.body["message"],
        "Monthly post limit reached: 3 posts per month"
    );
    assert_eq!(over.body["usage"]["used"], 2);
    assert_eq!(over.body["usage"]["limit"], 3);
    assert_eq!(over.body["usage"]["remaining"], 1);

    let last = api(
        &s,
        "POST",
        "/posts",
        Some(post_body(&key, &["linkedin"], &iso(base + 600))),
    )
    .await;
    assert_eq!(last.status, 201);
    assert_eq!(last.body["usage"]["remaining"], 0);
    let full = api(
        &s,
        "POST",
        "/posts",
        Some(post_body(&key, &["bluesky"], &iso(base + 1200))),
    )
    .await;
    assert_eq!(full.code(), (403, "MONTHLY_LIMIT_EXCEEDED"));

    s.advance(std::time::Duration::from_secs(32 * 86_400));
    let next_month = api(
        &s,
        "POST",
        "/posts",
        Some(post_body(&key, &["bluesky"], &iso_from_now(&s, 60))),
    )
    .await;
    assert_eq!(next_month.status, 201, "{}", next_month.body);
    assert_eq!(next_month.body["usage"]["used"], 1);
    assert_ne!(
        next_month.body["usage"]["month"],
        last.body["usage"]["month"]
    );
}

#[tokio::test]
async fn keeps_posts_of_a_profile_apart_per_platform() {
    let s = server().await;
    let key = connected_profile(&s, &["linkedin", "bluesky"]).await;
    let other = connected_profile(&s, &["linkedin"]).await;
    let t = now_secs(&s) + 3600;
    let create = |key: &str, platforms: &[&str], at: i64| post_body(key, platforms, &iso(at));
    assert_eq!(
        api(
            &s,
            "POST",
            "/posts",
            Some(create(&key, &["linkedin", "bluesky"], t))
        )
        .await
        .status,
        201
    );
    assert_eq!(
        api(
            &s,
            "POST",
            "/posts",
            Some(create(&key, &["linkedin"], t + 60))
        )
        .await
        .status,
        201
    );

    let close = api(
        &s,
        "POST",
        "/posts",
        Some(create(&key, &["linkedin"], t + 30)),
    )
    .await;
    let next = iso(t + 120);
    assert_eq!(
        (close.status, &close.body),
        (
            429,
            &json!({"error": "RATE_LIMIT_EXCEEDED",
                      "message": format!("LinkedIn requires 60 seconds between posts. Next available: {next}"),
                      "platform": "linkedin", "next_available": next})
        )
    );
    assert!(close.body.get("retry_after").is_none());
    let before = api(
        &s,
        "POST",
        "/posts",
        Some(create(&key, &["linkedin"], t - 59)),
    )
    .await;
    assert_eq!(
        before.body["next_available"],
        iso(t + 60),
        "the latest conflicting post counts"
    );

    let bluesky = api(
        &s,
        "POST",
        "/posts",
        Some(create(&key, &["bluesky", "linkedin"], t)),
    )
    .await;
    assert_eq!(
        bluesky.body["platform"], "bluesky",
        "checked in request order"
    );
    assert_eq!(
        bluesky.body["message"],
        format!(
            "Bluesky requires 1 seconds between posts. Next available: {}",
            iso(t + 1)
        )
    );
    assert_eq!(
        api(
            &s,
            "POST",
            "/posts",
            Some(create(&key, &["bluesky"], t + 1))
        )
        .await
        .status,
        201
    );
    assert_eq!(
        api(
            &s,
            "POST",
            "/posts",
            Some(create(&key, &["linkedin"], t - 60))
        )
        .await
        .status,
        201
    );
    assert_eq!(
        api(&s, "POST", "/posts", Some(create(&other, &["linkedin"], t)))
            .await
            .status,
        201,
        "per profile"
    );

    // A deleted (or failed) post no longer blocks the slot.
    let blocker = s
        .posts()
        .into_iter()
        .find(|p| p.scheduled_for == iso(t + 60))
        .expect("post");
    assert_eq!(
        api(&s, "DELETE", &format!("/posts/{}", blocker.post_id), None)
            .await
            .status,
        200
    );
    assert_eq!(
        api(
            &s,
            "POST",
            "/posts",
            Some(create(&key, &["linkedin"], t + 90))
        )
        .await
        .status,
        201
    );
}
