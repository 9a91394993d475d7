//! The dashboard: the page and its files, the state snapshot, masking, the event stream, and
//! who may see it (loopback peers under a loopback `Host`; no cross-site browser requests).

use std::time::Duration;

use postcore_mock::{Fault, MockConfig, MockServer};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{Reply, api, connected_profile, control, iso_from_now, send, server, start};

const LONG_KEY: &str = "pc_dashboard_secret_0123456789";

/// A request to any base URL, with extra headers.
async fn raw(base: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = client.request(method, format!("{base}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

async fn snapshot(s: &MockServer) -> Value {
    let reply = control(s, "GET", "/__mock/dashboard/state", None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), "no-store");
    reply.body
}

#[tokio::test]
async fn serves_the_page_and_its_files_outside_the_api_pipeline() {
    let s = server().await;
    s.push_fault(Fault::status(503));
    let page = raw(s.url(), "GET", "/", &[]).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert!(
        page.header("content-security-policy")
            .contains("default-src 'none'")
    );
    assert_eq!(page.header("x-frame-options"), "DENY");
    let html = page.body.as_str().expect("html");
    assert!(
        html.contains("<title>postcore local server</title>"),
        "{html}"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no outside URL"
    );
    assert_eq!(raw(s.url(), "HEAD", "/", &[]).await.status, 200);
    for (path, content_type, needle) in [
        ("dashboard.css", "text/css; charset=utf-8", ":root"),
        (
            "dashboard.js",
            "text/javascript; charset=utf-8",
            "EventSource",
        ),
        ("icon.svg", "image/svg+xml", "<svg"),
    ] {
        let file = raw(s.url(), "GET", &format!("/__mock/dashboard/{path}"), &[]).await;
        assert_eq!(file.status, 200, "{path}");
        assert_eq!(file.header("content-type"), content_type, "{path}");
        assert_eq!(file.header("x-content-type-options"), "nosniff");
        assert!(file.body.as_str().expect("text").contains(needle), "{path}");
    }
    assert!(s.requests().is_empty(), "the page is not an API request");
    // The fault is still queued for the app's next API request; `/` with another method is an
    // unknown API path, as before.
    let next = api(&s, "POST", "/", None).await;
    assert_eq!(next.status, 503);
    assert_eq!(api(&s, "POST", "/", None).await.code(), (404, "NOT_FOUND"));
    assert_eq!(s.requests().len(), 2);
}

#[tokio::test]
async fn the_snapshot_shows_profiles_posts_requests_faults_and_the_clock() {
    let s = server().await;
    let empty = snapshot(&s).await;
    assert_eq!(
        empty["totals"],
        json!({"profiles": 0, "posts": 0, "requests": 0, "events": 0})
    );
    assert_eq!(
        empty["limits"],
        json!({"contentChars": 3000, "blueskyGraphemes": 300})
    );
    assert_eq!(empty["clockOffsetMs"], 0);

    let key = connected_profile(&s, &["linkedin", "bluesky"]).await;
    let soon = iso_from_now(&s, 120);
    let created = api(
        &s,
        "POST",
        "/posts",
        Some(
            json!({"profileKey": key, "content": "Hello #rust @ann.bsky.social",
                    "platforms": ["linkedin", "bluesky"], "scheduledFor": soon}),
        ),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    // 301 family emoji: 301 graphemes, 1,505 scalar values; Bluesky refuses it when due.
    let long = "👨‍👩‍👧‍👦".repeat(301);
    let seeded = control(
        &s,
        "POST",
        "/__mock/seed",
        Some(
            json!({"posts": [{"profileKey": key, "platform": "bluesky", "content": long,
                               "scheduledFor": "$NOW+3600"}]}),
        ),
    )
    .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    control(
        &s,
        "POST",
        "/__mock/faults",
        Some(json!({"status": 503, "delay_ms": 5, "times": 2})),
    )
    .await;
    control(
        &s,
        "POST",
        "/__mock/linkedin",
        Some(json!({"profileKey": key, "needsReconnect": true})),
    )
    .await;

    let snap = snapshot(&s).await;
    assert_eq!(
        snap["totals"],
        json!({"profiles": 1, "posts": 3, "requests": 1, "events": 1})
    );
    let profile = &snap["profiles"][0];
    assert_eq!(profile["profileKey"], key.as_str());
    assert_eq!(
        profile["postCounts"],
        json!({"pending": 3, "published": 0, "failed": 0})
    );
    let linkedin = &profile["connectedPlatforms"][0];
    assert_eq!(linkedin["platform"], "linkedin");
    assert_eq!(linkedin["needsReconnect"], true);
    assert_eq!(linkedin["daysUntilExpiry"], 60);
    assert_eq!(
        profile["connectedPlatforms"][1]["username"],
        "mock.bsky.social"
    );

    let posts = snap["posts"].as_array().expect("posts");
    let find = |platform: &str, chars: u64| {
        posts
            .iter()
            .find(|p| p["platform"] == platform && p["chars"] == chars)
            .unwrap_or_else(|| panic!("{platform} post of {chars} chars in {posts:?}"))
    };
    let li = find("linkedin", 28);
    assert_eq!(li["graphemes"], 28);
    assert_eq!(li["status"], "pending");
    assert_eq!(li["scheduledFor"], soon.as_str());
    assert_eq!(li["willFail"], "The LinkedIn connection needs reconnecting");
    assert_eq!(find("bluesky", 28)["willFail"], Value::Null);
    let too_long = find("bluesky", 301 * 7);
    assert_eq!(too_long["graphemes"], 301);
    assert!(
        too_long["willFail"]
            .as_str()
            .is_some_and(|r| r.contains("limited to 300")),
        "{too_long}"
    );

    let line = &snap["requests"][0];
    assert_eq!(line["id"], 0);
    assert_eq!(line["method"], "POST");
    assert_eq!(line["path"], "/posts");
    assert_eq!(line["status"], 201);
    assert!(line["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(line.get("headers").is_none() && line.get("body").is_none());
    assert_eq!(
        snap["faults"],
        json!([{"status": 503, "delayMs": 5, "action": "respond", "process": false, "times": 2}])
    );
    assert_eq!(snap["usage"]["used"], 3);

    // Advancing publishes the due pair (LinkedIn fails: flagged); the version moves on.
    let before = snap["version"].as_u64().expect("version");
    s.advance(Duration::from_secs(600));
    let later = snapshot(&s).await;
    assert!(later["version"].as_u64().expect("version") > before);
    assert!(later["clockOffsetMs"].as_i64().expect("offset") >= 600_000);
    let statuses: Vec<(&str, &str)> = later["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .map(|p| {
            (
                p["platform"].as_str().unwrap_or(""),
                p["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("linkedin", "failed"),
            ("bluesky", "published"),
            ("bluesky", "pending")
        ]
    );
    assert_eq!(later["posts"][0]["willFail"], Value::Null, "decided");

    // One request in detail; an unknown one is a 404. Clearing the fault queue shows at once.
    let detail = control(&s, "GET", "/__mock/dashboard/requests/0", None).await;
    assert_eq!(detail.status, 200);
    assert!(
        detail.body["body"]
            .as_str()
            .is_some_and(|b| b.contains("#rust"))
    );
    assert_eq!(detail.body["headers"]["content-type"], "application/json");
    for path in [
        "/__mock/dashboard/requests/1",
        "/__mock/dashboard/requests/x",
    ] {
        let missing = control(&s, "GET", path, None).await;
        assert_eq!(missing.code(), (404, "REQUEST_NOT_FOUND"), "{path}");
    }
    let cleared = control(&s, "DELETE", "/__mock/faults", None).await;
    assert_eq!(cleared.body, json!({"cleared": 1}));
    assert_eq!(snapshot(&s).await["faults"], json!([]));
}

#[tokio::test]
async fn the_api_key_is_masked_everywhere_the_dashboard_shows_it() {
    let s = start(MockConfig {
        api_keys: vec![LONG_KEY.into()],
        ..MockConfig::default()
    })
    .await;
    let key = Some(LONG_KEY);
    let named = send(
        &s,
        "POST",
        "/profiles/create",
        key,
        Some(&json!({"profileName": format!("copied {LONG_KEY} by mistake")}).to_string()),
    )
    .await;
    let profile = named.body["profileKey"].as_str().expect("key").to_owned();
    let oauth = format!(
        "/profiles/connect?apiKey={LONG_KEY}&platform=linkedin&profileKey={profile}&returnUrl=http%3A%2F%2F127.0.0.1%2Fcb"
    );
    assert_eq!(send(&s, "GET", &oauth, None, None).await.status, 302);
    let bluesky = json!({"profileKey": profile, "platform": "bluesky",
        "credentials": {"handle": "ann.bsky.social", "appPassword": "abcd-efgh-ijkl-mnop"}});
    let connected = send(
        &s,
        "POST",
        "/profiles/connect",
        key,
        Some(&bluesky.to_string()),
    )
    .await;
    assert_eq!(connected.status, 200, "{}", connected.body);
    let wrong = send(
        &s,
        "GET",
        "/profiles",
        Some("sk_live_someone_elses_key"),
        None,
    )
    .await;
    assert_eq!(wrong.status, 401);

    let snap = snapshot(&s).await;
    let text = snap.to_string();
    let paths: Vec<&str> = snap["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r["path"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        paths[1],
        format!(
            "/profiles/connect?apiKey=pc_d••••••••&platform=linkedin&profileKey={profile}&returnUrl=http%3A%2F%2F127.0.0.1%2Fcb"
        )
    );
    assert_eq!(
        snap["profiles"][0]["profileName"],
        "copied pc_d•••••••• by mistake"
    );
    let mut everything = vec![text];
    for id in 0..4 {
        let detail = control(&s, "GET", &format!("/__mock/dashboard/requests/{id}"), None).await;
        assert_eq!(detail.status, 200);
        let headers = &detail.body["headers"];
        if let Some(value) = headers.get("x-api-key") {
            assert!(
                value.as_str().is_some_and(|v| v.ends_with("••••••••")),
                "{value}"
            );
        }
        everything.push(detail.body.to_string());
    }
    for text in &everything {
        for secret in [LONG_KEY, "abcd-efgh-ijkl-mnop", "sk_live_someone_elses_key"] {
            assert!(!text.contains(secret), "{secret} shown in {text}");
        }
    }
    assert!(
        everything[3].contains("ann.bsky.social"),
        "{}",
        everything[3]
    );
    assert!(
        everything[4].contains("\"x-api-key\":\"sk_l••••••••\""),
        "{}",
        everything[4]
    );

    // The test-facing log is unchanged: tests check what their client sent.
    let recorded = control(&s, "GET", "/__mock/requests", None).await;
    assert!(recorded.body.to_string().contains(LONG_KEY));
}

/// This machine's address on its default route, if it has one.
fn non_loopback_ipv4() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("203.0.113.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn only_loopback_peers_see_the_dashboard() {
    let s = start(MockConfig {
        host: "0.0.0.0".into(),
        ..MockConfig::default()
    })
    .await;
    let port = s.addr().port();
    assert_eq!(s.dashboard_url(), format!("http://127.0.0.1:{port}/"));
    let local = format!("http://127.0.0.1:{port}");
    assert_eq!(raw(&local, "GET", "/", &[]).await.status, 200);
    assert_eq!(
        raw(&local, "GET", "/__mock/dashboard/state", &[])
            .await
            .status,
        200
    );

    match non_loopback_ipv4() {
        Some(ip) => {
            let remote = format!("http://{ip}:{port}");
            for path in [
                "/",
                "/__mock/dashboard/state",
                "/__mock/dashboard/dashboard.js",
            ] {
                let refused = raw(&remote, "GET", path, &[]).await;
                assert_eq!(refused.code(), (403, "LOOPBACK_ONLY"), "{path}");
            }
            // The API and the test-facing control endpoints answer as before.
            let listed = raw(&remote, "GET", "/profiles", &[("x-api-key", "pc_test_key")]).await;
            assert_eq!(listed.status, 200);
            assert_eq!(raw(&remote, "GET", "/__mock/clock", &[]).await.status, 200);
        }
        None => eprintln!(
            "only_loopback_peers_see_the_dashboard: this machine has no non-loopback address; \
             the remote half was not run (the access unit tests cover it)"
        ),
    }

    // Under another host name (DNS rebinding), the dashboard is refused even on loopback.
    let rebound = raw(&local, "GET", "/", &[("host", "attacker.example")]).await;
    assert_eq!(rebound.code(), (403, "FORBIDDEN_HOST"));
    let rebound = raw(
        &local,
        "GET",
        "/__mock/dashboard/state",
        &[("host", "attacker.example")],
    )
    .await;
    assert_eq!(rebound.code(), (403, "FORBIDDEN_HOST"));
    assert_eq!(
        raw(&local, "GET", "/", &[("host", "localhost")])
            .await
            .status,
        200
    );

    // A web page on another origin cannot drive the control endpoints through the browser.
    s.push_fault(Fault::status(500));
    let csrf = raw(
        &local,
        "POST",
        "/__mock/reset",
        &[
            ("origin", "http://localhost:3000"),
            ("sec-fetch-site", "same-site"),
        ],
    )
    .await;
    assert_eq!(csrf.code(), (403, "CROSS_ORIGIN"));
    let own = format!("http://127.0.0.1:{port}");
    let allowed = raw(
        &local,
        "POST",
        "/__mock/faults",
        &[("origin", own.as_str()), ("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(
        allowed.code(),
        (400, "INVALID_FAULT"),
        "reached the endpoint"
    );
    assert_eq!(
        snapshot(&s).await["faults"].as_array().map(Vec::len),
        Some(1),
        "the cross-site reset did nothing"
    );
}

#[tokio::test]
async fn dashboard_url_is_the_root_of_the_server() {
    let s = server().await;
    assert_eq!(s.dashboard_url(), format!("{}/", s.url()));
}

/// Reads from an event stream until `needle` has appeared `count` times in all.
async fn read_until(
    stream: &mut tokio::net::TcpStream,
    seen: &mut String,
    needle: &str,
    count: usize,
) {
    let mut buf = [0u8; 4096];
    while seen.matches(needle).count() < count {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("an event within 5 s")
            .expect("read");
        assert!(n > 0, "stream ended early: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

#[tokio::test]
async fn the_event_stream_announces_changes_and_ends_with_the_server() {
    let s = server().await;
    let mut stream = tokio::net::TcpStream::connect(s.addr())
        .await
        .expect("connect");
    stream
        .write_all(b"GET /__mock/dashboard/events HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
        .await
        .expect("write");
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "event: change", 1).await;
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(
        seen.to_ascii_lowercase()
            .contains("content-type: text/event-stream")
    );
    assert!(seen.contains("retry: 1000"), "{seen}");

    // A burst of changes comes as one or a few events, the last with the latest counter.
    for _ in 0..20 {
        api(&s, "GET", "/profiles", None).await;
    }
    let latest = snapshot(&s).await["version"].as_u64().expect("version");
    let wanted = format!("data: {latest}\n");
    let mut buf = [0u8; 4096];
    while !seen.contains(&wanted) {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("the latest version within 5 s")
            .expect("read");
        assert!(n > 0, "stream ended early: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    let events = seen.matches("event: change").count();
    assert!(events < 10, "{events} events for 40 changes: {seen}");

    // Dropping the server ends the stream (and closes the connection).
    drop(s);
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived the server");
}

#[tokio::test]
async fn the_snapshot_keeps_the_latest_entries_and_counts_all() {
    let s = server().await;
    let seeded = s.seed(json!({"profiles": [{"profileKey": "prof_many", "count": 250}]}));
    assert!(seeded.is_ok(), "{seeded:?}");
    for _ in 0..205 {
        api(&s, "GET", "/profiles/none", None).await;
    }
    let snap = snapshot(&s).await;
    assert_eq!(
        snap["totals"],
        json!({"profiles": 250, "posts": 0, "requests": 205, "events": 0})
    );
    let profiles = snap["profiles"].as_array().expect("profiles");
    assert_eq!(profiles.len(), 200);
    assert_eq!(profiles[0]["profileKey"], "prof_many_51");
    assert_eq!(profiles[199]["profileKey"], "prof_many_250");
    let requests = snap["requests"].as_array().expect("requests");
    assert_eq!(requests.len(), 200);
    assert_eq!(requests[0]["id"], 5);
    assert_eq!(requests[199]["id"], 204);
    assert_eq!(requests[199]["status"], 405);
}
