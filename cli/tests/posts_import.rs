//! `postcore posts import` against the mock: every row's posts exactly once, through SIGINT,
//! `kill -9` and faults on `POST /posts`, inside the rate budgets; the spacing checked before
//! anything is sent. Every test runs the built binary as a child process and counts the posts
//! at the mock.

#![cfg(unix)]

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use postcore_mock::MockConfig;
use serde_json::json;

/// The columns of the tests' posts CSVs.
const COLUMNS: [&str; 6] = [
    "id",
    "profileKey",
    "platforms",
    "scheduledFor",
    "content",
    "contentFile",
];

/// One row of a posts CSV.
#[derive(Debug, Clone)]
struct PostRow {
    profile: String,
    platforms: &'static str,
    at: String,
    content: String,
    /// Written to this file (relative to the CSV) instead of the content column.
    file: Option<String>,
}

impl PostRow {
    fn platforms(&self) -> Vec<&'static str> {
        self.platforms.split(';').collect()
    }
}

/// A mock that enforces `limit` requests per `window` seconds (if any) and whose monthly quota
/// does not get in the way, with `profiles` profiles connected to both platforms.
fn mock_with_profiles(limit: Option<u32>, window: u64, profiles: usize) -> (Mock, Vec<String>) {
    let mock = Mock::start(MockConfig {
        rate_limit: limit,
        rate_window: Duration::from_secs(window),
        posts_per_month: 1_000_000,
        ..MockConfig::default()
    });
    let seeded = mock
        .server
        .seed(json!({ "profiles": [{
            "profileKey": "prof_imp", "count": profiles, "connect": ["linkedin", "bluesky"]
        }] }))
        .expect("seed");
    let keys = seeded.profiles;
    (mock, keys)
}

/// `n` rows over the profiles, one LinkedIn spacing (60 s) apart per profile, in 2030; every
/// seventh row's text is in a file.
fn rows(profiles: &[String], n: usize) -> Vec<PostRow> {
    const PLATFORMS: [&str; 3] = ["linkedin;bluesky", "linkedin", "bluesky"];
    let start = 1_893_456_000; // 2030-01-01T00:00:00Z
    (0..n)
        .map(|i| {
            let slot = i64::try_from(i / profiles.len()).expect("slot");
            PostRow {
                profile: profiles[i % profiles.len()].clone(),
                platforms: PLATFORMS[i % PLATFORMS.len()],
                at: postcore::Timestamp::from_unix(start + slot * 60).to_string(),
                content: format!("Post number {i}, row {}", i + 1),
                file: (i % 7 == 3).then(|| format!("texts/post-{i}.txt")),
            }
        })
        .collect()
}

fn write_posts(dir: &Path, rows: &[PostRow]) {
    std::fs::create_dir_all(dir.join("texts")).expect("texts dir");
    let mut writer = csv::Writer::from_path(dir.join("posts.csv")).expect("csv");
    writer.write_record(COLUMNS).expect("csv");
    for (i, row) in rows.iter().enumerate() {
        let (content, file) = match &row.file {
            Some(file) => {
                std::fs::write(dir.join(file), &row.content).expect("content file");
                ("", file.as_str())
            }
            None => (row.content.as_str(), ""),
        };
        writer
            .write_record([
                &i.to_string(),
                &row.profile,
                row.platforms,
                &row.at,
                content,
                file,
            ])
            .expect("csv");
    }
    writer.flush().expect("csv");
}

fn import_args(dir: &Path, extra: &[&str]) -> Vec<String> {
    let posts = dir.join("posts.csv").display().to_string();
    let head = vec!["posts".to_owned(), "import".to_owned(), posts];
    common::import_args(head, dir, "scheduled.csv", extra)
}

/// Runs the import to the end.
fn import(url: &str, dir: &Path, extra: &[&str]) -> Output {
    run_at(url, &import_args(dir, extra))
}

/// A fresh `dir` with a posts CSV of `n` rows over `profiles` profiles, and its mock
/// (`limit` requests per `window` seconds, if any).
fn setup(
    name: &str,
    limit: Option<u32>,
    window: u64,
    profiles: usize,
    n: usize,
) -> (std::path::PathBuf, Mock, Vec<PostRow>) {
    let dir = temp_dir(name);
    let (mock, keys) = mock_with_profiles(limit, window, profiles);
    let rows = rows(&keys, n);
    write_posts(&dir, &rows);
    (dir, mock, rows)
}

/// Lets `pass` POST /posts through (others pass anyway), then applies `fault` to the next.
fn after_posts(mock: &Mock, pass: u32, fault: serde_json::Value) {
    let aimed = |mut fault: serde_json::Value| {
        fault["method"] = json!("POST");
        fault["path"] = json!("/posts");
        mock.fault(fault);
    };
    if pass > 0 {
        aimed(json!({ "times": pass }));
    }
    aimed(fault);
}

fn post_requests(mock: &Mock) -> Vec<postcore_mock::RecordedRequest> {
    mock.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/posts")
        .collect()
}

/// The end state: at the mock, exactly one post per row and platform (same profile, time
/// and content) and no other; `scheduled.csv` gives each row its posts' ids.
fn assert_each_row_scheduled_once(mock: &Mock, rows: &[PostRow], out: &Path) {
    let posts = mock.server.posts();
    let expected: usize = rows.iter().map(|r| r.platforms().len()).sum();
    let mut seen: HashMap<(String, String, String, String), Vec<String>> = HashMap::new();
    for post in &posts {
        seen.entry((
            post.profile_key.clone(),
            post.platform.clone(),
            post.scheduled_for.clone(),
            post.content.clone(),
        ))
        .or_default()
        .push(post.post_id.clone());
    }
    let twice: Vec<_> = seen.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(twice.is_empty(), "posts scheduled twice: {twice:?}");
    assert_eq!(posts.len(), expected, "posts at the mock");
    let mut reader = csv::Reader::from_path(out).expect("scheduled csv");
    let headers: Vec<String> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(headers[..COLUMNS.len()], COLUMNS, "the input's columns");
    assert_eq!(headers[COLUMNS.len()..], ["postIds"], "and the post ids");
    let written: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(written.len(), rows.len(), "rows in scheduled.csv");
    for (row, record) in rows.iter().zip(&written) {
        let ids: Vec<&str> = record[6].split(';').collect();
        assert_eq!(ids.len(), row.platforms().len(), "{record:?}");
        for (platform, id) in row.platforms().iter().zip(&ids) {
            let key = (
                row.profile.clone(),
                (*platform).to_owned(),
                row.at.clone(),
                row.content.clone(),
            );
            assert_eq!(
                seen.get(&key).map(Vec::as_slice),
                Some(&[(*id).to_owned()][..]),
                "{key:?}"
            );
        }
    }
}

/// A pseudo-random number below `n`, printed so that a failure can be replayed by reading.
fn random_below(n: usize, what: &str) -> usize {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let value = usize::try_from(nanos).unwrap_or(0) % n;
    eprintln!("{what}: {value}");
    value
}

#[test]
fn a_300_row_import_through_sigint_sigkill_and_faults_schedules_every_post_once() {
    let (dir, mock, rows) = setup("posts-300", Some(60), 1, 10, 300);
    let url = mock.url();
    // Faults on POST /posts only (GET /posts, which reconciles, passes them by); they stay
    // queued across the runs, so they land in whichever run reaches them.
    let faults = [
        json!({ "action": "drop", "process": true }), // processed, answer lost
        json!({ "status": 500, "process": true, "body": { "error": "INTERNAL", "message": "oops" } }),
        json!({ "action": "reset" }), // not processed
        json!({ "delay_ms": 3000 }),  // a timeout (1 s) before processing
        json!({ "action": "truncate", "process": true }),
        json!({ "action": "drop", "process": true }),
        json!({ "status": 503 }), // not processed
        json!({ "action": "drop", "process": true }),
    ];
    for fault in &faults {
        after_posts(&mock, 25, fault.clone());
    }
    // Not processed (reset, 503), so the request is sent again by the client itself within the
    // call (the posting history of the import counts it once).
    let resent_by_the_client = 2;
    let posting = ["--posting-budget", "100/4"];
    let common = [
        posting[0],
        posting[1],
        "--request-timeout",
        "1",
        "--settle",
        "0.5",
    ];
    let started = Instant::now();

    // Run 1: Ctrl-C somewhere after 60 posts.
    let first_stop = 60 + random_below(60, "SIGINT after posts");
    let mut child = spawn_at(&url, &import_args(&dir, &common), &dir, "run1.log");
    wait_until(Duration::from_secs(60), "posts before SIGINT", || {
        mock.server.posts().len() >= first_stop
    });
    interrupt(&child);
    let code = wait_child(&mut child, Duration::from_secs(30));
    let run1 = read_log(&dir, "run1.log");
    assert_eq!(code, 130, "{run1}");
    assert!(
        run1.contains("Resume with:\n  postcore posts import"),
        "{run1}"
    );
    assert!(run1.contains("--posting-budget 100/4"), "{run1}");
    assert!(!run1.contains(KEY), "the key must never be printed");
    assert_eq!(rows_in_state(&dir, "sent"), 0, "{run1}");

    // Run 2: kill -9 somewhere after 80 more posts.
    let after_first = mock.server.posts().len();
    let second_stop = after_first + 80 + random_below(80, "SIGKILL after more posts");
    let mut child = spawn_at(&url, &import_args(&dir, &common), &dir, "run2.log");
    wait_until(Duration::from_secs(60), "posts before SIGKILL", || {
        mock.server.posts().len() >= second_stop
    });
    kill(&mut child);
    assert!(
        mock.server.posts().len() < 400,
        "killed too late to test anything"
    );

    // Run 3: to the end, once the killed run's last second has left the general window (60
    // per second): what a SIGKILLed process sent in its last second is in no store the next
    // one reads, so starting within that second could draw one 429 (retried, but not what
    // this test checks).
    std::thread::sleep(Duration::from_millis(1200));
    let out = import(&url, &dir, &common);
    let elapsed = started.elapsed();
    assert_eq!(
        out.code,
        0,
        "{out:?}\n{run1}\n{}",
        read_log(&dir, "run2.log")
    );
    out.says("300 of 300 rows are scheduled");
    assert_each_row_scheduled_once(&mock, &rows, &dir.join("scheduled.csv"));
    let all = format!("{run1}\n{}\n{}", read_log(&dir, "run2.log"), out.stderr);
    assert!(
        all.contains("its posts may have been scheduled; looking for them"),
        "the timeout was reconciled by the import: {all}"
    );

    // No 429 at all: the pacing kept the general budget (60/s) and nothing was sent twice
    // (a second post at the same time would have been refused with a 429).
    let statuses = mock.statuses();
    assert_eq!(statuses.get(&Some(429)), None, "{statuses:?}\n{all}");
    // Nothing was sent blindly twice: one request per row, plus one for each fault that
    // provably created nothing (reset, 503, the timeout before processing), plus at most one
    // for a request the kill cut off before it reached the server's handler.
    let requests = post_requests(&mock);
    let mut by_status: HashMap<Option<u16>, usize> = HashMap::new();
    for request in &requests {
        *by_status.entry(request.status).or_default() += 1;
    }
    eprintln!("POST /posts by status: {by_status:?}");
    // Every fault was spent on a POST /posts (drops, the reset and the timeout got no answer).
    assert_eq!(by_status.get(&Some(500)), Some(&1), "{by_status:?}");
    assert_eq!(by_status.get(&Some(503)), Some(&1), "{by_status:?}");
    assert!(
        by_status.get(&None).copied().unwrap_or(0) >= 5,
        "{by_status:?}"
    );
    assert!(
        (300 + 3..=300 + 4).contains(&requests.len()),
        "{} POST /posts\n{all}",
        requests.len()
    );
    // The posting budget (100 per 4 s), kept across the restarts: no 101 POST /posts (plus
    // the client's own resends) within 3 s (the mock's times are whole seconds).
    let times: Vec<i64> = requests
        .iter()
        .map(|r| {
            postcore::Timestamp::parse(&r.time)
                .expect("time")
                .unix_seconds()
        })
        .collect();
    let span = 100 + resent_by_the_client;
    for (i, window) in times.windows(span + 1).enumerate() {
        assert!(
            window[span] - window[0] >= 3,
            "POST /posts {i}..{}: {} requests within {} s",
            i + span,
            span + 1,
            window[span] - window[0]
        );
    }
    assert!(
        elapsed < Duration::from_secs(50),
        "{elapsed:?}: pacing waits too long"
    );

    // A fourth run has nothing to do and sends nothing.
    let before = mock.requests().len();
    let out = import(&url, &dir, &common);
    out.exits(0);
    assert_eq!(mock.requests().len(), before);
    assert_each_row_scheduled_once(&mock, &rows, &dir.join("scheduled.csv"));
}

#[test]
fn a_kill_after_the_server_scheduled_a_row_is_reconciled_with_get_posts() {
    // The client's store is memory://: its idempotency record dies with the process; the
    // state file's `sent` row is what finds the posts again.
    let (dir, mock, mut rows) = setup("posts-kill-processed", None, 900, 2, 12);
    rows[4].content = "The slow one".into();
    rows[4].file = None;
    write_posts(&dir, &rows);
    // Row 5's request is processed, its answer held back for 5 s; the import is killed then.
    let proxy = SlowProxy::start(&mock, "The slow one", 1, Duration::from_secs(5));
    let mut child = spawn_at(&proxy.url, &import_args(&dir, &[]), &dir, "run1.log");
    wait_until(Duration::from_secs(20), "row 5 scheduled", || {
        mock.server
            .posts()
            .iter()
            .any(|p| p.content == "The slow one")
    });
    kill(&mut child);
    assert_eq!(rows_in_state(&dir, "sent"), 1, "row 5 is recorded as sent");

    let out = import(&proxy.url, &dir, &["--settle", "0"]);
    out.exits(0);
    out.says("row 5 (prof_imp_1 at 2030-01-01T00:02:00Z): reconciled: the request had been processed, its posts are post_");
    assert_each_row_scheduled_once(&mock, &rows, &dir.join("scheduled.csv"));
    let sends_of_row_5 = post_requests(&mock)
        .iter()
        .filter(|r| r.body.contains("The slow one"))
        .count();
    assert_eq!(sends_of_row_5, 1, "row 5 was sent once: by the killed run");
}

#[test]
fn a_kill_before_the_server_scheduled_a_row_sends_it_again() {
    let (dir, mock, rows) = setup("posts-kill-unprocessed", None, 900, 2, 8);
    // The fourth POST /posts waits 5 s before being handled; the import is killed meanwhile.
    after_posts(&mock, 3, json!({ "delay_ms": 5000 }));
    let mut child = spawn_at(&mock.url(), &import_args(&dir, &[]), &dir, "run1.log");
    wait_until(Duration::from_secs(20), "row 4 sent", || {
        post_requests(&mock).len() >= 4
    });
    std::thread::sleep(Duration::from_millis(100));
    kill(&mut child);
    assert_eq!(rows_in_state(&dir, "sent"), 1);
    let out = import(&mock.url(), &dir, &["--settle", "0"]);
    out.exits(0);
    out.says("reconciled: no post was scheduled; sending it again");
    assert_each_row_scheduled_once(&mock, &rows, &dir.join("scheduled.csv"));
}

#[test]
fn rows_too_close_are_reported_before_anything_is_sent_and_respace_moves_them() {
    let dir = temp_dir("posts-spacing");
    let (mock, profiles) = mock_with_profiles(None, 900, 2);
    let (a, b) = (&profiles[0], &profiles[1]);
    // An existing LinkedIn post of profile a at 10:00:00.
    mock.server
        .seed(json!({ "posts": [{ "postId": "post_existing", "profileKey": a, "platform": "linkedin",
                                  "content": "Already there", "scheduledFor": "2030-06-01T10:00:00Z" }] }))
        .expect("seed post");
    let row = |profile: &String, platforms, at: &str, content: &str| PostRow {
        profile: profile.clone(),
        platforms,
        at: at.to_owned(),
        content: content.to_owned(),
        file: None,
    };
    let rows = vec![
        row(a, "linkedin", "2030-06-01T10:00:30Z", "Near the old one"), // row 1
        row(a, "bluesky", "2030-06-01T10:00:30Z", "Bluesky is free"),   // row 2
        row(b, "linkedin;bluesky", "2030-06-01T10:00:00Z", "B first"),  // row 3
        row(b, "linkedin;bluesky", "2030-06-01T10:00:00Z", "B too"),    // row 4
        row(b, "bluesky", "2030-06-01T10:00:01Z", "B 1 s later"),       // row 5
        row(a, "linkedin", "2030-06-01T12:00:00Z", "Far off"),          // row 6
    ];
    write_posts(&dir, &rows);

    let out = import(&mock.url(), &dir, &[]);
    out.exits(1);
    for expected in [
        "row 1 (prof_imp_1, linkedin): 2030-06-01T10:00:30Z is too close: LinkedIn needs 60 s between a profile's posts; the scheduled post post_existing is at 2030-06-01T10:00:00Z",
        "row 4 (prof_imp_2, bluesky): 2030-06-01T10:00:00Z is too close: Bluesky needs 1 s",
        "row 4 (prof_imp_2, linkedin): 2030-06-01T10:00:00Z is too close: LinkedIn needs 60 s between a profile's posts; row 3 is at",
        "2 rows break the per-profile spacing",
        "--respace",
    ] {
        out.says(expected);
    }
    // Row 2 (Bluesky, where profile a has nothing) and row 5 (Bluesky, 1 s after rows 3 and
    // 4) keep the spacing.
    assert!(!out.stderr.contains("row 2 ("), "{}", out.stderr);
    assert!(!out.stderr.contains("row 5 ("), "{}", out.stderr);
    assert!(post_requests(&mock).is_empty(), "nothing was sent");
    assert!(!dir.join("state.db").exists(), "no state to resume");

    let out = import(&mock.url(), &dir, &["--respace"]);
    out.exits(0);
    for expected in [
        "row 1: moved from 2030-06-01T10:00:30Z to 2030-06-01T10:01:00Z",
        "row 4: moved from 2030-06-01T10:00:00Z to 2030-06-01T10:01:00Z",
    ] {
        out.says(expected);
    }
    assert!(!out.stderr.contains("row 5: moved"), "{}", out.stderr);
    assert_eq!(
        mock.statuses().get(&Some(429)),
        None,
        "the mock's spacing accepted all"
    );
    let mut moved = rows.clone();
    moved[0].at = "2030-06-01T10:01:00Z".into();
    moved[3].at = "2030-06-01T10:01:00Z".into();
    let posts = mock.server.posts();
    assert_eq!(posts.len(), 1 + 8, "the existing post and the rows' 8");
    let out_csv = std::fs::read_to_string(dir.join("scheduled.csv")).expect("out");
    assert!(
        out_csv.contains("2030-06-01T10:01:00Z,Near the old one"),
        "{out_csv}"
    );
    for row in &moved {
        for platform in row.platforms() {
            assert_eq!(
                posts
                    .iter()
                    .filter(|p| p.profile_key == row.profile
                        && p.platform == platform
                        && p.scheduled_for == row.at
                        && p.content == row.content)
                    .count(),
                1,
                "{row:?} on {platform}"
            );
        }
    }
}

#[test]
fn invalid_and_past_rows_fail_up_front_and_the_others_are_scheduled() {
    let dir = temp_dir("posts-invalid");
    let (mock, profiles) = mock_with_profiles(None, 900, 1);
    let p = &profiles[0];
    std::fs::create_dir_all(dir.join("texts")).expect("dir");
    std::fs::write(dir.join("texts/ok.txt"), "From a file").expect("file");
    let long = "é".repeat(301);
    let csv = format!(
        "profileKey,platforms,scheduledFor,content,contentFile\n\
         {p},linkedin,2030-01-01T10:00:00+02:00,Fine,\n\
         {p},bluesky,2030-01-01T10:00:00Z,{long},\n\
         {p},linkedin,2020-01-01T10:00:00Z,In the past,\n\
         {p},linkedin;myspace,2030-01-01T11:00:00Z,Unknown platform,\n\
         {p},linkedin,tomorrow,Not a time,\n\
         {p},linkedin,2030-01-01T12:00:00Z,,texts/missing.txt\n\
         {p},linkedin,2030-01-01T13:00:00Z,,texts/ok.txt\n\
         prof_nobody,linkedin,2030-01-01T14:00:00Z,No such profile,\n"
    );
    std::fs::write(dir.join("posts.csv"), csv).expect("csv");
    let out = import(&mock.url(), &dir, &["--json"]);
    out.exits(1);
    let stderr = &out.stderr;
    for expected in [
        "row 2: failed: INVALID_ROW: content is 301 characters (graphemes) long; Bluesky allows at most 300",
        "row 3: failed: IN_THE_PAST: scheduledFor 2020-01-01T10:00:00Z is not in the future",
        "row 4: failed: INVALID_ROW: platforms: unknown platform \"myspace\"",
        "row 5: failed: INVALID_ROW: scheduledFor: not an ISO 8601 timestamp",
        "row 6: failed: CONTENT_FILE: contentFile",
        "PROFILE_NOT_FOUND (404)",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    // The up-front failures come before any request's outcome.
    let first_failure = stderr.find("row 2: failed").expect("row 2");
    let profile_refused = stderr.find("PROFILE_NOT_FOUND").expect("row 8");
    assert!(first_failure < profile_refused);
    let summary = out.json();
    assert_eq!(summary["created"], 2, "{summary}");
    let failed: Vec<i64> = summary["failed"]
        .as_array()
        .expect("failed")
        .iter()
        .map(|f| f["row"].as_i64().expect("row"))
        .collect();
    assert_eq!(failed, [2, 3, 4, 5, 6, 8]);
    assert_eq!(summary["failed"][5]["profileKey"], "prof_nobody");
    // Only rows 1, 7 and 8 were sent.
    assert_eq!(post_requests(&mock).len(), 3);
    let posts = mock.server.posts();
    assert_eq!(posts.len(), 2);
    assert!(
        posts
            .iter()
            .any(|p| p.scheduled_for == "2030-01-01T08:00:00Z")
    );
    assert!(posts.iter().any(|p| p.content == "From a file"));
    // --retry-failed sends the row the API refused again, not the rows that cannot change.
    let out = import(&mock.url(), &dir, &["--retry-failed"]);
    out.exits(1);
    out.says("retrying 1 failed rows");
    assert_eq!(post_requests(&mock).len(), 4);
}

#[test]
fn the_same_csv_with_a_new_state_file_schedules_nothing_twice() {
    let (dir, mock, rows) = setup("posts-again", None, 900, 3, 9);
    let out = import(&mock.url(), &dir, &[]);
    out.exits(0);
    let sent = post_requests(&mock).len();
    std::fs::remove_file(dir.join("state.db")).expect("rm state");
    let out = import(&mock.url(), &dir, &[]);
    out.exits(0);
    out.says("row 1: already scheduled exactly so (post_");
    assert_eq!(post_requests(&mock).len(), sent, "nothing sent again");
    assert_each_row_scheduled_once(&mock, &rows, &dir.join("scheduled.csv"));
}

#[test]
fn a_spacing_refusal_is_looked_into_not_resent() {
    // Another client schedules a post in row 3's slot after the import has listed the posts:
    // the API refuses row 3 (429 with next_available); the import looks for row 3's own post,
    // finds none, and records the row as failed without sending it again.
    let (dir, mock, rows) = setup("posts-conflict", None, 900, 1, 5);
    after_posts(
        &mock,
        2,
        json!({ "status": 429, "body": {
        "error": "RATE_LIMIT_EXCEEDED", "platform": "linkedin", "next_available": "2030-01-01T00:03:00Z",
        "message": "LinkedIn requires 60 seconds between posts. Next available: 2030-01-01T00:03:00Z" } }),
    );
    let out = import(&mock.url(), &dir, &[]);
    out.exits(1);
    out.says("failed: row 3 (prof_imp_1 at 2030-01-01T00:02:00Z): SPACING_CONFLICT: LinkedIn requires 60 seconds");
    assert_eq!(post_requests(&mock).len(), 5, "row 3 was not sent again");
    let expected: usize = rows.iter().map(|r| r.platforms().len()).sum();
    assert_eq!(
        mock.server.posts().len(),
        expected - rows[2].platforms().len()
    );
}

#[test]
fn bad_arguments_and_files_are_usage_errors() {
    let dir = temp_dir("posts-usage");
    let mock = Mock::plain();
    std::fs::write(dir.join("posts.csv"), "profileKey,platforms,when,content\n").expect("csv");
    let out = import(&mock.url(), &dir, &[]);
    out.exits(2);
    out.says("no scheduledFor column");
    // A state file of the other import is refused.
    std::fs::write(dir.join("users.csv"), "email\na@x\n").expect("users");
    let users = dir.join("users.csv").display().to_string();
    let state = dir.join("state.db").display().to_string();
    let out = run(
        postcore_at(&mock.url()),
        &[
            "profiles",
            "import",
            &users,
            "--name-column",
            "email",
            "--state",
            &state,
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    std::fs::write(
        dir.join("posts.csv"),
        "profileKey,platforms,scheduledFor,content\nprof_x,linkedin,2030-01-01T00:00:00Z,Hi\n",
    )
    .expect("csv");
    let out = import(&mock.url(), &dir, &[]);
    out.exits(2);
    out.says("belongs to a profiles import, not a posts import");
    let requests = mock.requests().len();
    let bad = run(
        postcore_at(&mock.url()),
        &["--posting-budget", "0/10", "posts", "list"],
    );
    assert_eq!(bad.code, 2, "{bad:?}");
    assert_eq!(mock.requests().len(), requests);
}

#[test]
fn waits_for_the_general_budget_are_not_counted_as_posts_sent() {
    // 4 requests per 3 s: the client refuses (nothing sent) whenever the next slot is more
    // than 2 s away, and the import waits. Those refusals are not posts: with a posting budget
    // of 8 per minute, 8 rows go without waiting for the posting budget.
    let (dir, mock, rows) = setup("posts-budget-refusals", Some(4), 3, 8, 8);
    let started = Instant::now();
    let out = import(&mock.url(), &dir, &["--posting-budget", "8/60", "--json"]);
    out.exits(0);
    out.says("the rate budget");
    assert!(!out.stderr.contains("posting budget:"), "{}", out.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(mock.statuses().get(&Some(429)), None);
    assert_eq!(out.json()["requests"], 9, "GET /posts and 8 POST /posts");
    assert_each_row_scheduled_once(&mock, &rows, &dir.join("scheduled.csv"));
}
