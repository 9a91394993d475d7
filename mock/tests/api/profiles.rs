//! Profiles: create, list, delete; routing edges; the request log's status and time.

use postcore_mock::{DEFAULT_API_KEY, Fault};
use serde_json::json;

use crate::support::{api, control, send, server};

#[tokio::test]
async fn deletes_profiles_and_their_pending_posts_only() {
    let s = server().await;
    let seeded = control(
        &s,
        "POST",
        "/__mock/seed",
        Some(json!({
            "profiles": [{"profileKey": "prof_gone", "connect": ["linkedin", "bluesky"]},
                         {"profileKey": "prof_kept", "connect": ["bluesky"]}],
            "posts": [
                {"postId": "post_pending", "profileKey": "prof_gone", "platform": "linkedin",
                 "content": "later", "scheduledFor": "$NOW+3600"},
                {"postId": "post_done", "profileKey": "prof_gone", "platform": "bluesky",
                 "content": "earlier", "scheduledFor": "$NOW-60", "status": "published"},
                {"postId": "post_other", "profileKey": "prof_kept", "platform": "bluesky",
                 "content": "other", "scheduledFor": "$NOW+3600"}
            ]
        })),
    )
    .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);

    let deleted = api(&s, "DELETE", "/profiles/prof_gone", None).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.body,
        json!({"message": "Profile deleted successfully"})
    );
    assert_eq!(deleted.header("content-type"), "application/json");

    let ids: Vec<String> = s.posts().into_iter().map(|p| p.post_id).collect();
    assert_eq!(ids, ["post_done", "post_other"]);
    let keys: Vec<String> = s.profiles().into_iter().map(|p| p.profile_key).collect();
    assert_eq!(keys, ["prof_kept"]);

    let again = api(&s, "DELETE", "/profiles/prof_gone", None).await;
    assert_eq!(again.code(), (404, "PROFILE_NOT_FOUND"));
    assert_eq!(again.body["message"], "Profile not found");
    let unauthorized = send(&s, "DELETE", "/profiles/prof_kept", None, None).await;
    assert_eq!(unauthorized.code(), (401, "MISSING_API_KEY"));
}

#[tokio::test]
async fn lists_profiles_in_creation_order_with_connections() {
    let s = server().await;
    for name in ["first", "second", "third"] {
        let created = api(
            &s,
            "POST",
            "/profiles/create",
            Some(json!({ "profileName": name })),
        )
        .await;
        assert_eq!(created.status, 201);
        assert_eq!(
            created.body.as_object().map(|o| o.len()),
            Some(2),
            "the create answer stays {{profileKey, profileName}}: {}",
            created.body
        );
    }
    let listed = api(&s, "GET", "/profiles", None).await;
    let names: Vec<&str> = listed.body["profiles"]
        .as_array()
        .expect("profiles")
        .iter()
        .map(|p| p["profileName"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["first", "second", "third"]);
    assert_eq!(listed.body["profiles"][0]["connectedPlatforms"], json!([]));
}

#[tokio::test]
async fn path_segments_are_percent_decoded() {
    let s = server().await;
    let seeded = control(
        &s,
        "POST",
        "/__mock/seed",
        Some(json!({"profiles": [{"profileKey": "prof a/b"}]})),
    )
    .await;
    assert_eq!(seeded.status, 200);
    let deleted = api(&s, "DELETE", "/profiles/prof%20a%2Fb", None).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let bad_utf8 = api(&s, "DELETE", "/profiles/%FF", None).await;
    assert_eq!(bad_utf8.code(), (404, "PROFILE_NOT_FOUND"));
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_errors() {
    let s = server().await;
    let missing = api(&s, "GET", "/nope", None).await;
    assert_eq!(missing.code(), (404, "NOT_FOUND"));
    assert_eq!(missing.header("content-type"), "application/json");
    let wrong_method = api(&s, "PUT", "/posts", None).await;
    assert_eq!(wrong_method.code(), (405, "METHOD_NOT_ALLOWED"));
}

#[tokio::test]
async fn the_request_log_has_status_and_time() {
    let s = server().await;
    s.push_fault(Fault::drop_connection());
    let dropped = reqwest::Client::new()
        .get(format!("{}/profiles", s.url()))
        .header("x-api-key", DEFAULT_API_KEY)
        .send()
        .await;
    assert!(dropped.is_err());
    api(&s, "GET", "/profiles", None).await;
    send(&s, "GET", "/profiles?x=1", Some("wrong"), None).await;

    let log = control(&s, "GET", "/__mock/requests", None).await;
    let requests = log.body["requests"].as_array().expect("requests");
    let statuses: Vec<_> = requests.iter().map(|r| r["status"].clone()).collect();
    assert_eq!(statuses, [json!(null), json!(200), json!(401)]);
    assert_eq!(requests[2]["path"], "/profiles?x=1");
    for request in requests {
        let time = request["time"].as_str().expect("time");
        assert!(time.len() == 20 && time.ends_with('Z'), "{time}");
    }
    let typed = s.requests();
    assert_eq!(typed[1].status, Some(200));
    assert_eq!(typed[0].status, None);
}
