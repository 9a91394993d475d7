//! `/__mock` endpoints: `$NOW` templates in faults, seeding (small and huge), connection stats.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{api, control, iso, now_secs, server};

#[tokio::test]
async fn templates_in_faults_use_the_mock_clock() {
    let s = server().await;
    s.advance(Duration::from_secs(86_400));
    let queued = control(
        &s,
        "POST",
        "/__mock/faults",
        Some(json!([
            {"status": 429,
             "body": {"error": "RATE_LIMIT_EXCEEDED", "message": "slow down", "platform": "linkedin",
                      "next_available": "$NOW+1", "list": ["$NOW-60", "$NOW+x"]},
             "headers": {"x-when": "$NOW", "retry-after": "1"}},
            {"status": 503, "body": "$NOW"}
        ])),
    )
    .await;
    assert_eq!(queued.body["queued"], 2);
    let before = now_secs(&s);
    let reply = api(&s, "GET", "/profiles", None).await;
    let after = now_secs(&s);
    assert_eq!(reply.code(), (429, "RATE_LIMIT_EXCEEDED"));
    let within = |text: &str, delta: i64| (before..=after).any(|t| iso(t + delta) == text);
    assert!(
        within(reply.body["next_available"].as_str().expect("iso"), 1),
        "{}",
        reply.body
    );
    assert!(within(reply.body["list"][0].as_str().expect("iso"), -60));
    assert_eq!(
        reply.body["list"][1], "$NOW+x",
        "not a template: left alone"
    );
    assert!(within(reply.header("x-when"), 0));
    let text = api(&s, "GET", "/profiles", None).await;
    assert_eq!(text.status, 503);
    assert!(within(text.body.as_str().expect("text body"), 0));
}

#[tokio::test]
async fn a_fault_aimed_at_an_endpoint_lets_the_others_pass() {
    let s = server().await;
    control(
        &s,
        "POST",
        "/__mock/faults",
        Some(json!([
            {"method": "POST", "path": "/profiles/create", "times": 2},
            {"method": "POST", "path": "/profiles/create", "status": 500, "process": true},
            {"status": 503}
        ])),
    )
    .await;
    // GETs pass the aimed faults by; two creates pass, the third is created and answered 500.
    for _ in 0..2 {
        assert_eq!(api(&s, "GET", "/profiles", None).await.status, 200);
        assert_eq!(
            api(&s, "POST", "/profiles/create", Some(json!({})))
                .await
                .status,
            201
        );
    }
    assert_eq!(api(&s, "GET", "/profiles?x=1", None).await.status, 200);
    assert_eq!(
        api(&s, "POST", "/profiles/create", Some(json!({})))
            .await
            .status,
        500
    );
    assert_eq!(s.profiles().len(), 3);
    // Then the unaimed fault takes the next request, whatever it is.
    assert_eq!(api(&s, "GET", "/profiles", None).await.status, 503);
}

#[tokio::test]
async fn seeds_profiles_and_posts() {
    let s = server().await;
    let seeded = control(
        &s,
        "POST",
        "/__mock/seed",
        Some(json!({
            "profiles": [
                {"profileKey": "prof_ann", "profileName": "Ann", "connect": ["linkedin", "bluesky"],
                 "blueskyHandle": "ann.example.com"},
                {"profileKey": "prof_team", "count": 3, "connect": ["bluesky"]},
                {"count": 2, "profileName": null},
                {}
            ],
            "posts": [
                {"postId": "post_a", "profileKey": "prof_ann", "platform": "bluesky", "content": "a",
                 "scheduledFor": "$NOW-60", "status": "published"},
                {"profileKey": "prof_team_2", "platform": "bluesky", "content": "b",
                 "scheduledFor": "$NOW+60"},
                {"profileKey": "prof_ann", "platform": "linkedin", "content": "c",
                 "scheduledFor": "2030-01-01T00:00:00Z", "status": "failed"}
            ]
        })),
    )
    .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    let keys: Vec<&str> = seeded.body["profiles"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k.as_str())
        .collect();
    assert_eq!(keys.len(), 7);
    assert_eq!(
        keys[..4],
        ["prof_ann", "prof_team_1", "prof_team_2", "prof_team_3"]
    );
    assert!(
        keys[4..]
            .iter()
            .all(|k| k.starts_with("prof_") && k.len() == 17)
    );
    let post_ids = seeded.body["posts"].as_array().expect("ids");
    assert_eq!(post_ids[0], "post_a");
    assert!(
        post_ids[1]
            .as_str()
            .is_some_and(|id| id.starts_with("post_"))
    );

    let profiles = s.profiles();
    assert_eq!(profiles[0].profile_name.as_deref(), Some("Ann"));
    let platforms: Vec<&str> = profiles[0]
        .connected_platforms
        .iter()
        .map(|c| c.platform.as_str())
        .collect();
    assert_eq!(platforms, ["linkedin", "bluesky"]);
    assert_eq!(
        profiles[0].connected_platforms[1].username,
        "ann.example.com"
    );
    assert_eq!(profiles[0].connected_platforms[1].display_name, "ann");
    assert_eq!(
        profiles[1].connected_platforms[0].username,
        "mock.bsky.social"
    );
    assert_eq!(profiles[4].profile_name, None);

    let posts = s.posts();
    assert_eq!(posts[0].status, postcore_mock::PostStatus::Published);
    assert!(
        posts[0]
            .platform_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://bsky.app/profile/ann.example.com/post/"))
    );
    assert_eq!(
        posts[0].published_at.as_deref(),
        Some(posts[0].scheduled_for.as_str())
    );
    assert_eq!(posts[1].status, postcore_mock::PostStatus::Pending);
    assert_eq!(posts[2].status, postcore_mock::PostStatus::Failed);
    assert_eq!(posts[2].scheduled_for, "2030-01-01T00:00:00Z");

    let typed = s
        .seed(json!({"profiles": [{"profileKey": "prof_lib"}]}))
        .expect("library seed");
    assert_eq!(typed.profiles, ["prof_lib"]);
    assert_eq!(s.profiles().len(), 8);
}

#[tokio::test]
async fn refuses_bad_seeds_without_storing_anything() {
    let s = server().await;
    s.seed(json!({"profiles": [{"profileKey": "prof_taken"}]}))
        .expect("seed");
    for bad in [
        json!({"profile": []}),
        json!({"profiles": [{"profileKey": "prof_new"}, {"profileKey": "prof_taken"}]}),
        json!({"profiles": [{"profileKey": "prof_x"}, {"profileKey": "prof_x"}]}),
        json!({"profiles": [{"profileKey": "prof_x", "connect": ["twitter"]}]}),
        json!({"profiles": [{"profileKey": "prof_x", "connect": ["bluesky"], "blueskyHandle": "nodot"}]}),
        json!({"profiles": [{"profileKey": "prof_x", "nmae": "typo"}]}),
        json!({"profiles": [{"profileKey": "prof_x"}], "posts": [{"profileKey": "prof_nope",
               "platform": "bluesky", "content": "x", "scheduledFor": "$NOW"}]}),
        json!({"profiles": [{"profileKey": "prof_x"}], "posts": [{"profileKey": "prof_x",
               "platform": "bluesky", "content": "x", "scheduledFor": "soon"}]}),
        json!({"profiles": [{"profileKey": "prof_x"}], "posts": [{"profileKey": "prof_x",
               "platform": "bluesky", "content": "x", "scheduledFor": "$NOW", "status": "gone"}]}),
        json!({"profiles": [{"count": 2_000_000}]}),
        json!([]),
    ] {
        let reply = control(&s, "POST", "/__mock/seed", Some(bad.clone())).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        assert!(
            matches!(reply.code().1, "INVALID_SEED" | "VALIDATION_ERROR"),
            "{bad}: {}",
            reply.body
        );
    }
    let keys: Vec<String> = s.profiles().into_iter().map(|p| p.profile_key).collect();
    assert_eq!(keys, ["prof_taken"]);
    assert!(s.posts().is_empty());
}

#[tokio::test]
async fn seeds_thirty_thousand_profiles_quickly() {
    let s = server().await;
    let name = "n".repeat(300);
    let started = Instant::now();
    let seeded = control(
        &s,
        "POST",
        "/__mock/seed",
        Some(
            json!({"profiles": [{"count": 30_000, "profileName": name, "connect": ["linkedin"]}]}),
        ),
    )
    .await;
    let took = started.elapsed();
    assert_eq!(seeded.status, 200);
    assert_eq!(
        seeded.body["profiles"].as_array().map(Vec::len),
        Some(30_000)
    );
    assert!(took < Duration::from_secs(2), "seeding took {took:?}");

    let started = Instant::now();
    let response = reqwest::Client::new()
        .get(format!("{}/profiles", s.url()))
        .header("x-api-key", postcore_mock::DEFAULT_API_KEY)
        .send()
        .await
        .expect("list");
    let body = response.bytes().await.expect("body");
    assert!(body.len() > 8 * 1024 * 1024, "{} bytes", body.len());
    let listed: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(listed["profiles"].as_array().map(Vec::len), Some(30_000));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn counts_tcp_connections() {
    let s = server().await;
    // One client, so the stats requests reuse one keep-alive connection.
    let client = reqwest::Client::new();
    let stats = || async {
        let reply = client
            .get(format!("{}/__mock/stats", s.url()))
            .send()
            .await
            .expect("stats");
        let body: serde_json::Value =
            serde_json::from_str(&reply.text().await.expect("body")).expect("JSON");
        body["connections"].clone()
    };
    let until = |open: u64| {
        let stats = &stats;
        async move {
            let mut seen = json!(null);
            for _ in 0..200 {
                seen = stats().await;
                if seen["open"] == open {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            seen
        }
    };
    let first = stats().await;
    assert_eq!(first, json!({"open": 1, "max_open": 1, "total": 1}));

    let sockets: Vec<std::net::TcpStream> = (0..3)
        .map(|_| std::net::TcpStream::connect(s.addr()).expect("connect"))
        .collect();
    let seen = until(4).await;
    assert_eq!(
        seen,
        json!({"open": 4, "max_open": 4, "total": 4}),
        "three sockets and ours"
    );
    drop(sockets);
    let settled = until(1).await;
    assert_eq!(settled, json!({"open": 1, "max_open": 4, "total": 4}));

    let reset = client
        .post(format!("{}/__mock/reset", s.url()))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), 204);
    assert_eq!(
        stats().await,
        json!({"open": 1, "max_open": 1, "total": 0}),
        "reset starts from the connections open now"
    );
    assert_eq!(s.stats().open, 1);
}

#[tokio::test]
async fn the_in_process_control_surface_is_the_http_one() {
    let s = server().await;
    // Every operation of the table answers in-process as it does over HTTP.
    let seeded = s
        .control("seed", json!({"profiles": [{"profileName": "a"}]}))
        .expect("seed");
    let key = seeded["profiles"][0].as_str().expect("a key").to_owned();
    let over_http = control(&s, "GET", "/__mock/profiles", None).await;
    assert_eq!(over_http.status, 200);
    let in_process = s.control("profiles", json!({})).expect("profiles");
    assert_eq!(in_process, over_http.body);
    assert_eq!(in_process["profiles"][0]["profileKey"], key.as_str());
    for name in postcore_mock::MockServer::controls() {
        if ["reset", "seed", "linkedin", "faults", "fail_next"].contains(&name) {
            continue;
        }
        assert!(s.control(name, json!({"seconds": 0})).is_ok(), "{name}");
    }
    // Refusals carry the status and code the HTTP answer has.
    let refused = s
        .control("seed", json!({"profiles": 3}))
        .expect_err("a bad seed");
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (400, "INVALID_SEED")
    );
    let unknown = s.control("nope", json!({})).expect_err("no such operation");
    assert_eq!(
        (unknown.status, unknown.code.as_str()),
        (404, "UNKNOWN_CONTROL")
    );
    let backwards = s.control("advance", json!({"seconds": -1, "forward": true}));
    assert_eq!(
        backwards.map_err(|e| e.code),
        Err("VALIDATION_ERROR".to_owned())
    );
    let clock = s
        .control("advance", json!({"seconds": 60}))
        .expect("advance");
    assert!(
        clock["unixMs"]
            .as_i64()
            .is_some_and(|ms| ms / 1000 >= now_secs(&s) - 1)
    );
}
