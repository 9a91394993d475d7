//! Connecting platforms: the LinkedIn OAuth URL (a redirect) and Bluesky app passwords.

use postcore_mock::DEFAULT_API_KEY;
use serde_json::{Value, json};

use crate::support::{api, control, now_secs, send, server};

fn oauth_path(query: &str) -> String {
    format!("/profiles/connect?{query}")
}

/// The `profileKey` query parameter of a `Location`.
fn key_in(location: &str) -> String {
    let query = location.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("profileKey="))
        .expect("profileKey in the Location")
        .to_owned()
}

#[tokio::test]
async fn the_oauth_url_connects_linkedin_and_redirects_back() {
    let s = server().await;
    let reply = send(
        &s,
        "GET",
        &oauth_path(&format!(
            "apiKey={DEFAULT_API_KEY}&platform=linkedin&returnUrl=https%3A%2F%2Fapp.example%2Fdone"
        )),
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, 302, "{}", reply.body);
    let location = reply.header("location").to_owned();
    assert!(
        location.starts_with("https://app.example/done?profileKey=prof_"),
        "{location}"
    );
    assert!(reply.header("content-type").starts_with("text/html"));
    assert!(reply.body.as_str().is_some_and(|b| b.contains("<a href=")));
    assert!(reply.headers.contains_key("x-ratelimit-limit"));
    let key = key_in(&location);

    let profiles = s.profiles();
    assert_eq!(profiles.len(), 1, "a profile was auto-created");
    assert_eq!(profiles[0].profile_key, key);
    assert_eq!(profiles[0].profile_name, None);
    let linkedin = &profiles[0].connected_platforms[0];
    assert_eq!(linkedin.platform, "linkedin");
    assert_eq!(linkedin.display_name, "Mock LinkedIn User");
    let suffix = linkedin
        .username
        .strip_prefix("mock-linkedin-")
        .expect("username");
    assert!(
        suffix.len() == 6
            && suffix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    assert_eq!(linkedin.days_until_expiry, Some(60), "rounded up");
    assert!(!linkedin.needs_reconnect);

    let log = s.requests();
    assert_eq!(log.len(), 1, "the OAuth URL is an API request");
    assert_eq!(log[0].status, Some(302));
}

#[tokio::test]
async fn the_oauth_url_reconnects_an_existing_profile() {
    let s = server().await;
    let created = api(
        &s,
        "POST",
        "/profiles/create",
        Some(json!({"profileName": "Ann"})),
    )
    .await;
    let key = created.body["profileKey"].as_str().expect("key").to_owned();
    let path = oauth_path(&format!(
        "apiKey={DEFAULT_API_KEY}&platform=linkedin&profileKey={key}&returnUrl=http%3A%2F%2Flocalhost%3A3000%2Fcb%3Fuser%3D7%23tab"
    ));
    let first = send(&s, "GET", &path, None, None).await;
    assert_eq!(first.status, 302);
    assert_eq!(
        first.header("location"),
        format!("http://localhost:3000/cb?user=7&profileKey={key}#tab")
    );
    let username = s.profiles()[0].connected_platforms[0].username.clone();

    let flagged = control(
        &s,
        "POST",
        "/__mock/linkedin",
        Some(json!({"profileKey": key, "needsReconnect": true})),
    )
    .await;
    assert_eq!(flagged.status, 200);
    assert_eq!(flagged.body["connection"]["needsReconnect"], true);
    s.advance(std::time::Duration::from_secs(86_400 * 3 + 10));

    let second = send(&s, "GET", &path, None, None).await;
    assert_eq!(second.status, 302);
    let profiles = s.profiles();
    assert_eq!(profiles.len(), 1, "no new profile");
    assert_eq!(
        profiles[0].connected_platforms.len(),
        1,
        "replaced, not added"
    );
    let linkedin = &profiles[0].connected_platforms[0];
    assert!(!linkedin.needs_reconnect);
    assert_eq!(linkedin.days_until_expiry, Some(60));
    assert_ne!(linkedin.username, username, "a fresh fake account");
}

#[tokio::test]
async fn the_oauth_url_refuses_bad_parameters() {
    let s = server().await;
    let good_return = "returnUrl=https%3A%2F%2Fapp.example%2F";
    for (query, status, code) in [
        (
            format!("platform=linkedin&{good_return}"),
            401,
            "MISSING_API_KEY",
        ),
        (
            format!("apiKey=&platform=linkedin&{good_return}"),
            401,
            "MISSING_API_KEY",
        ),
        (
            format!("apiKey=wrong&platform=linkedin&{good_return}"),
            401,
            "INVALID_API_KEY",
        ),
        (
            format!("apiKey={DEFAULT_API_KEY}&platform=bluesky&{good_return}"),
            400,
            "VALIDATION_ERROR",
        ),
        (
            format!("apiKey={DEFAULT_API_KEY}&{good_return}"),
            400,
            "VALIDATION_ERROR",
        ),
        (
            format!("apiKey={DEFAULT_API_KEY}&platform=linkedin"),
            400,
            "VALIDATION_ERROR",
        ),
        (
            format!("apiKey={DEFAULT_API_KEY}&platform=linkedin&returnUrl=%2Fdone"),
            400,
            "VALIDATION_ERROR",
        ),
        (
            format!("apiKey={DEFAULT_API_KEY}&platform=linkedin&returnUrl=ftp%3A%2F%2Fx%2F"),
            400,
            "VALIDATION_ERROR",
        ),
        (
            format!(
                "apiKey={DEFAULT_API_KEY}&platform=linkedin&profileKey=prof_nope&{good_return}"
            ),
            404,
            "PROFILE_NOT_FOUND",
        ),
    ] {
        let reply = send(&s, "GET", &oauth_path(&query), None, None).await;
        assert_eq!(reply.code(), (status, code), "{query}: {}", reply.body);
        assert_eq!(reply.header("content-type"), "application/json");
    }
    assert!(s.profiles().is_empty());
}

fn bluesky(handle: &str, password: &str) -> Value {
    json!({"platform": "bluesky", "credentials": {"handle": handle, "appPassword": password}})
}

#[tokio::test]
async fn connects_bluesky_with_an_app_password() {
    let s = server().await;
    let reply = api(
        &s,
        "POST",
        "/profiles/connect",
        Some(bluesky("ann.bsky.social", "abcd-efgh-ijkl-mnop")),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let key = reply.body["profileKey"].as_str().expect("key").to_owned();
    assert!(key.starts_with("prof_"));
    assert_eq!(reply.body["platform"], "bluesky");
    assert_eq!(reply.body["username"], "ann.bsky.social");
    assert_eq!(reply.body["displayName"], "ann");
    let connected_at = reply.body["connectedAt"].as_str().expect("connectedAt");
    assert_eq!(connected_at, crate::support::iso(now_secs(&s)).as_str());

    let listed = api(&s, "GET", "/profiles", None).await;
    assert_eq!(
        listed.body["profiles"][0]["connectedPlatforms"][0],
        json!({"platform": "bluesky", "displayName": "ann", "username": "ann.bsky.social",
               "connectedAt": connected_at, "expiresAt": null, "daysUntilExpiry": null,
               "needsReconnect": false})
    );

    let mut body = bluesky("other.example.com", "abcd-efgh-ijkl-mnop");
    body["profileKey"] = json!(key);
    let again = api(&s, "POST", "/profiles/connect", Some(body)).await;
    assert_eq!(again.code(), (400, "PROFILE_ALREADY_EXISTS"));
    assert_eq!(
        again.body["message"],
        "Profile for this platform already exists"
    );

    let named = api(
        &s,
        "POST",
        "/profiles/create",
        Some(json!({"profileName": "x"})),
    )
    .await;
    let mut body = bluesky("bob.example.com", "a1b2-c3d4-e5f6-g7h8");
    body["profileKey"] = named.body["profileKey"].clone();
    let onto_existing = api(&s, "POST", "/profiles/connect", Some(body)).await;
    assert_eq!(onto_existing.status, 200);
    assert_eq!(onto_existing.body["profileKey"], named.body["profileKey"]);
    assert_eq!(s.profiles().len(), 2);
}

#[tokio::test]
async fn bluesky_connect_refuses_bad_requests() {
    let s = server().await;
    let good = "abcd-efgh-ijkl-mnop";
    let mut unknown_profile = bluesky("ann.bsky.social", good);
    unknown_profile["profileKey"] = json!("prof_nope");
    let cases: Vec<(String, u16, &str)> = vec![
        ("{oops".into(), 400, "INVALID_JSON"),
        ("[]".into(), 400, "VALIDATION_ERROR"),
        (json!({"platform": "linkedin", "credentials": {"handle": "a.b", "appPassword": good}}).to_string(), 400, "VALIDATION_ERROR"),
        (json!({"credentials": {"handle": "a.b", "appPassword": good}}).to_string(), 400, "VALIDATION_ERROR"),
        (json!({"platform": "bluesky"}).to_string(), 400, "VALIDATION_ERROR"),
        (json!({"platform": "bluesky", "credentials": {"handle": 7, "appPassword": good}}).to_string(), 400, "VALIDATION_ERROR"),
        (json!({"profileKey": 5, "platform": "bluesky", "credentials": {"handle": "a.b", "appPassword": good}}).to_string(), 400, "VALIDATION_ERROR"),
        (bluesky("", good).to_string(), 400, "INVALID_CREDENTIALS"),
        (bluesky("nodot", good).to_string(), 400, "INVALID_CREDENTIALS"),
        (bluesky("bad..handle", good).to_string(), 400, "INVALID_CREDENTIALS"),
        (bluesky("sp ace.bsky.social", good).to_string(), 400, "INVALID_CREDENTIALS"),
        (bluesky("ann.bsky.social", "abcd-efgh-ijkl").to_string(), 400, "INVALID_CREDENTIALS"),
        (bluesky("ann.bsky.social", "ABCD-efgh-ijkl-mnop").to_string(), 400, "INVALID_CREDENTIALS"),
        (bluesky("ann.bsky.social", "password").to_string(), 400, "INVALID_CREDENTIALS"),
        (bluesky("ann.bsky.social", "0000-0000-0000-0000").to_string(), 400, "INVALID_CREDENTIALS"),
        (unknown_profile.to_string(), 404, "PROFILE_NOT_FOUND"),
    ];
    for (body, status, code) in cases {
        let reply = send(
            &s,
            "POST",
            "/profiles/connect",
            Some(DEFAULT_API_KEY),
            Some(&body),
        )
        .await;
        assert_eq!(reply.code(), (status, code), "{body}: {}", reply.body);
        if code == "INVALID_CREDENTIALS" {
            assert_eq!(reply.body["message"], "Invalid Bluesky credentials");
        }
    }
    let no_key = send(
        &s,
        "POST",
        "/profiles/connect",
        None,
        Some(&bluesky("ann.bsky.social", good).to_string()),
    )
    .await;
    assert_eq!(no_key.code(), (401, "MISSING_API_KEY"));
    assert!(s.profiles().is_empty(), "nothing was auto-created");
}

#[tokio::test]
async fn linkedin_expiry_counts_down_on_the_mock_clock() {
    let s = server().await;
    let before = now_secs(&s);
    let key = crate::support::connected_profile(&s, &["linkedin"]).await;
    let after = now_secs(&s);
    let connection = |s: &postcore_mock::MockServer| s.profiles()[0].connected_platforms[0].clone();
    let fresh = connection(&s);
    let connected = (before..=after)
        .find(|t| crate::support::iso(*t) == fresh.connected_at)
        .expect("connectedAt is mock-now");
    assert_eq!(
        fresh.expires_at,
        Some(crate::support::iso(connected + 60 * 86_400))
    );
    assert_eq!(fresh.days_until_expiry, Some(60));
    s.advance(std::time::Duration::from_secs(30 * 86_400));
    assert_eq!(
        connection(&s).days_until_expiry,
        Some(30),
        "whole days advanced: exact"
    );
    s.advance(std::time::Duration::from_secs(29 * 86_400 + 3600));
    assert_eq!(
        connection(&s).days_until_expiry,
        Some(1),
        "part of a day left counts"
    );
    assert!(!connection(&s).needs_reconnect);
    s.advance(std::time::Duration::from_secs(86_400));
    assert_eq!(connection(&s).days_until_expiry, Some(0), "never negative");
    assert!(connection(&s).needs_reconnect, "expired");

    let missing = control(
        &s,
        "POST",
        "/__mock/linkedin",
        Some(json!({"profileKey": "prof_nope", "expired": true})),
    )
    .await;
    assert_eq!(missing.code(), (404, "PROFILE_NOT_FOUND"));
    let bluesky_only = crate::support::connected_profile(&s, &["bluesky"]).await;
    let no_linkedin = control(
        &s,
        "POST",
        "/__mock/linkedin",
        Some(json!({"profileKey": bluesky_only, "expired": true})),
    )
    .await;
    assert_eq!(no_linkedin.code(), (404, "CONNECTION_NOT_FOUND"));
    let restored = control(
        &s,
        "POST",
        "/__mock/linkedin",
        Some(json!({"profileKey": key, "expired": false})),
    )
    .await;
    assert_eq!(
        restored.body["connection"]["expiresAt"],
        json!(fresh.expires_at)
    );
}
