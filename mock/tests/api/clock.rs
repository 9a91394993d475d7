//! The movable mock clock: `Date` headers, `/__mock/advance` and `/__mock/clock`, and the
//! rate-limit window that runs on it.

use std::time::Duration;

use postcore_mock::{MockConfig, MockServer};
use serde_json::json;

use crate::support::{api, control, iso, now_secs, server, start};

/// `Sun, 06 Nov 1994 08:49:37 GMT` → `1994-11-06T08:49:37Z`.
fn imf_to_iso(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = date.split(' ').collect();
    assert_eq!(parts.len(), 6, "{date}");
    assert!(parts[0].len() == 4 && parts[0].ends_with(','), "{date}");
    assert_eq!(parts[5], "GMT");
    let month = MONTHS.iter().position(|m| *m == parts[2]).expect("month") + 1;
    format!("{}-{month:02}-{}T{}Z", parts[3], parts[1], parts[4])
}

/// Whether `text` is the ISO form of a mock time within `[before, after]`.
fn between(text: &str, before: i64, after: i64) -> bool {
    (before..=after).any(|t| iso(t) == text)
}

async fn date_of(s: &MockServer) -> String {
    let before = now_secs(s);
    let reply = api(s, "GET", "/profiles", None).await;
    let date = imf_to_iso(reply.header("date"));
    assert!(between(&date, before, now_secs(s)), "{date}");
    date
}

#[tokio::test]
async fn date_headers_follow_the_mock_clock() {
    let s = server().await;
    let real = date_of(&s).await;
    let advanced = control(
        &s,
        "POST",
        "/__mock/advance",
        Some(json!({"seconds": 400 * 86_400})),
    )
    .await;
    assert_eq!(advanced.status, 200);
    let now = advanced.body["now"].as_str().expect("now").to_owned();
    let moved = date_of(&s).await;
    assert!(moved > real && moved[..4] > real[..4], "{real} -> {moved}");
    assert!(now[..10] == moved[..10], "{now} vs {moved}");

    let clock = control(&s, "GET", "/__mock/clock", None).await;
    assert!(between(
        clock.body["now"].as_str().expect("now"),
        now_secs(&s) - 1,
        now_secs(&s)
    ));
    let control_date = imf_to_iso(clock.header("date"));
    assert_eq!(
        control_date[..10],
        moved[..10],
        "control answers carry mock time too"
    );

    let fraction = control(&s, "POST", "/__mock/advance", Some(json!({"seconds": 0.5}))).await;
    assert_eq!(fraction.status, 200);
    for bad in [
        json!({}),
        json!({"seconds": "10"}),
        json!({"seconds": null}),
    ] {
        let refused = control(&s, "POST", "/__mock/advance", Some(bad)).await;
        assert_eq!(refused.code(), (400, "VALIDATION_ERROR"));
    }

    assert_eq!(control(&s, "POST", "/__mock/reset", None).await.status, 204);
    let after_reset = date_of(&s).await;
    assert_eq!(after_reset[..10], real[..10], "reset puts the clock back");
}

#[tokio::test]
async fn the_library_moves_and_reads_the_clock() {
    let s = server().await;
    let start = now_secs(&s);
    s.advance(Duration::from_secs(3600));
    let moved = now_secs(&s);
    assert!(
        (3600..3603).contains(&(moved - start)),
        "{start} -> {moved}"
    );
    s.reset();
    assert!(now_secs(&s) - start < 3);
}

#[tokio::test]
async fn the_rate_window_runs_on_the_mock_clock() {
    let s = start(MockConfig {
        rate_limit: Some(1),
        rate_window: Duration::from_secs(60),
        ..MockConfig::default()
    })
    .await;
    let first = api(&s, "GET", "/profiles", None).await;
    assert_eq!(first.status, 200);
    let reset: i64 = first.header("x-ratelimit-reset").parse().expect("reset");
    assert!((reset - now_secs(&s) - 60).abs() <= 1, "{reset}");
    let limited = api(&s, "GET", "/profiles", None).await;
    assert_eq!(limited.code(), (429, "RATE_LIMIT_EXCEEDED"));
    assert!(
        limited.body["retry_after"]
            .as_i64()
            .is_some_and(|r| (1..=60).contains(&r))
    );

    s.advance(Duration::from_secs(61));
    let fresh = api(&s, "GET", "/profiles", None).await;
    assert_eq!(fresh.status, 200, "a new window opened");
    assert_eq!(fresh.header("x-ratelimit-remaining"), "0");
    let new_reset: i64 = fresh.header("x-ratelimit-reset").parse().expect("reset");
    assert!(new_reset >= reset + 60, "{reset} -> {new_reset}");
}
