//! `postcore profiles import` against the mock: interruptions, ambiguous failures, refusals,
//! pacing. Every test runs the built binary as a child process.

#![cfg(unix)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

fn import_args(dir: &Path, extra: &[&str]) -> Vec<String> {
    let users = dir.join("users.csv").display().to_string();
    let head = ["profiles", "import", &users, "--name-column", "email"];
    common::import_args(head.map(str::to_owned).to_vec(), dir, "keys.csv", extra)
}

fn import(url: &str, dir: &Path, extra: &[&str]) -> Output {
    run_at(url, &import_args(dir, extra))
}

fn spawn_import(url: &str, dir: &Path, extra: &[&str], log: &str) -> std::process::Child {
    spawn_at(url, &import_args(dir, extra), dir, log)
}

#[test]
fn a_300_row_import_interrupted_by_sigint_and_sigkill_ends_with_300_profiles() {
    let dir = temp_dir("interrupted");
    let names = numbered(300);
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::rate_limited(50, 2);
    let url = mock.url();

    // Run 1: Ctrl-C after about 60 profiles.
    let mut child = spawn_import(&url, &dir, &[], "run1.log");
    wait_until(Duration::from_secs(60), "60 profiles", || {
        mock.profiles().len() >= 60
    });
    interrupt(&child);
    let code = wait_child(&mut child, Duration::from_secs(30));
    let log = std::fs::read_to_string(dir.join("run1.log")).unwrap_or_default();
    assert_eq!(code, 130, "{log}");
    assert!(log.contains("Resume with:"), "{log}");
    assert!(log.contains("postcore profiles import"), "{log}");
    assert!(!log.contains(KEY), "the key must never be printed");
    // The request in flight was finished and recorded: nothing is left in doubt.
    assert_eq!(rows_in_state(&dir, "sent"), 0, "{log}");
    let after_first = mock.profiles().len();
    assert_eq!(rows_in_state(&dir, "created") as usize, after_first);
    assert_eq!(read_keys(&dir.join("keys.csv")).len(), after_first);

    // Run 2: kill -9 after about 90 more.
    let mut child = spawn_import(&url, &dir, &["--settle", "0.5"], "run2.log");
    wait_until(Duration::from_secs(60), "90 more profiles", || {
        mock.profiles().len() >= after_first + 90
    });
    child.kill().expect("SIGKILL");
    let _ = wait_child(&mut child, Duration::from_secs(10));
    assert!(
        mock.profiles().len() < 300,
        "killed too late to test anything"
    );

    // Run 3: to the end.
    let out = import(&url, &dir, &["--settle", "0.5"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("300 of 300 rows have a profile"),
        "{}",
        out.stderr
    );
    assert_one_profile_per_row(&mock, &names, &dir.join("keys.csv"));
    // A fourth run has nothing to do, sends nothing, and writes the same keys.
    let before = mock.requests().len();
    let out = import(&url, &dir, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(mock.requests().len(), before);
    assert_one_profile_per_row(&mock, &names, &dir.join("keys.csv"));
}

#[test]
fn a_kill_with_a_request_in_flight_is_reconciled_on_resume() {
    let dir = temp_dir("kill-in-flight");
    let mut names = numbered(12);
    names[4] = "slow@example.com".into();
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::plain();
    // Row 5's request is processed by the server, but its answer is held for 3 s.
    let proxy = SlowProxy::start(&mock, "slow@example.com", 1, Duration::from_secs(3));
    let mut child = spawn_import(&proxy.url, &dir, &[], "run1.log");
    wait_until(Duration::from_secs(20), "row 5 processed", || {
        mock.profiles()
            .iter()
            .any(|p| p.profile_name.as_deref() == Some("slow@example.com"))
    });
    child.kill().expect("SIGKILL");
    let _ = wait_child(&mut child, Duration::from_secs(10));
    assert_eq!(rows_in_state(&dir, "sent"), 1, "row 5 is recorded as sent");
    assert_eq!(mock.profiles().len(), 5);

    let out = import(&proxy.url, &dir, &["--settle", "0"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("row 5 (\"slow@example.com\"): reconciled: the request had been processed"),
        "{}",
        out.stderr
    );
    assert_one_profile_per_row(&mock, &names, &dir.join("keys.csv"));
    // Row 5 was created once: by the killed run.
    let creates_of_row_5 = mock
        .requests()
        .iter()
        .filter(|r| r.path == "/profiles/create" && r.body.contains("slow@example.com"))
        .count();
    assert_eq!(creates_of_row_5, 1);
}

#[test]
fn ctrl_c_finishes_the_request_in_flight_and_a_second_one_stops_at_once() {
    let names = numbered(10);
    // First: one Ctrl-C while row 3's answer is held back for 2 s. The import waits for it,
    // records the profile, and exits 130 with nothing left in doubt.
    let dir = temp_dir("ctrl-c-in-flight");
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::plain();
    let proxy = SlowProxy::start(&mock, "user2@example.com", 1, Duration::from_secs(2));
    let mut child = spawn_import(&proxy.url, &dir, &[], "run1.log");
    wait_until(Duration::from_secs(20), "row 3 processed", || {
        mock.profiles().len() >= 3
    });
    let interrupted = Instant::now();
    interrupt(&child);
    assert_eq!(wait_child(&mut child, Duration::from_secs(20)), 130);
    assert!(
        interrupted.elapsed() >= Duration::from_millis(1200),
        "did not wait for the answer"
    );
    let log = std::fs::read_to_string(dir.join("run1.log")).unwrap_or_default();
    assert!(
        log.contains("stopping after the request in flight"),
        "{log}"
    );
    assert_eq!(rows_in_state(&dir, "sent"), 0, "{log}");
    assert_eq!(rows_in_state(&dir, "created"), 3, "{log}");
    assert_eq!(read_keys(&dir.join("keys.csv")).len(), 3);

    // Then: a second Ctrl-C abandons the held request at once; its row stays `sent` and the
    // next run finds its profile instead of creating another.
    let dir = temp_dir("ctrl-c-twice");
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::plain();
    let proxy = SlowProxy::start(&mock, "user2@example.com", 1, Duration::from_secs(10));
    let mut child = spawn_import(&proxy.url, &dir, &[], "run1.log");
    wait_until(Duration::from_secs(20), "row 3 processed", || {
        mock.profiles().len() >= 3
    });
    let interrupted = Instant::now();
    interrupt(&child);
    std::thread::sleep(Duration::from_millis(300));
    interrupt(&child);
    assert_eq!(wait_child(&mut child, Duration::from_secs(20)), 130);
    assert!(
        interrupted.elapsed() < Duration::from_secs(5),
        "the second Ctrl-C did not stop it"
    );
    assert_eq!(rows_in_state(&dir, "sent"), 1);
    let out = import(&proxy.url, &dir, &["--settle", "0"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("row 3 (\"user2@example.com\"): reconciled: the request had been processed"),
        "{}",
        out.stderr
    );
    assert_one_profile_per_row(&mock, &names, &dir.join("keys.csv"));
}

#[test]
fn a_kill_before_the_server_processed_the_request_sends_it_again() {
    let dir = temp_dir("kill-unprocessed");
    let names = numbered(8);
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::plain();
    // Request 1 is the baseline GET, then rows 1-3; row 4 waits 5 s before being handled and
    // the client is killed during the wait: the handler never runs.
    mock.pass(4);
    mock.fault(json!({ "delay_ms": 5000 }));
    let mut child = spawn_import(&mock.url(), &dir, &[], "run1.log");
    wait_until(Duration::from_secs(20), "row 4 sent", || {
        mock.requests().len() >= 5
    });
    std::thread::sleep(Duration::from_millis(100));
    child.kill().expect("SIGKILL");
    let _ = wait_child(&mut child, Duration::from_secs(10));
    assert_eq!(rows_in_state(&dir, "sent"), 1);
    let out = import(&mock.url(), &dir, &["--settle", "0"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("row 4 (\"user3@example.com\"): reconciled: no profile was created"),
        "{}",
        out.stderr
    );
    assert_one_profile_per_row(&mock, &names, &dir.join("keys.csv"));
}

#[test]
fn ambiguous_failures_are_reconciled_not_duplicated() {
    let dir = temp_dir("ambiguous");
    // Same display names on purpose: reconciling by name must give each row its own profile.
    let mut names = numbered(24);
    for i in [1, 3, 5, 11] {
        names[i] = "Ann".into(); // rows 2, 4, 6, 12
    }
    for i in [7, 9, 12] {
        names[i] = "Bob".into(); // rows 8, 10, 13
    }
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::plain();
    // A timeout after processing: row 11's answer comes 3 s late, the client waits 0.5 s.
    let proxy = SlowProxy::start(&mock, "user10@example.com", 1, Duration::from_secs(3));
    // Request 1 is the baseline GET, request n + 1 is row n: each fault follows a success, so
    // every backoff is the first, short one, and all faults are spent on creates before the
    // first look at GET /profiles (settle 4 s).
    mock.pass(2); // GET, row 1
    mock.fault(json!({ "action": "drop", "process": true })); // row 2 (Ann): created, answer lost
    mock.pass(1);
    mock.fault(json!({ "action": "drop" })); // row 4 (Ann): lost before processing
    mock.pass(1);
    mock.fault(json!({ "action": "truncate", "process": true })); // row 6 (Ann): created, answer cut short
    mock.pass(1);
    mock.fault(json!({ "status": 500, "process": true, "body": { "error": "INTERNAL", "message": "oops" } })); // row 8 (Bob): created, then a 500
    mock.pass(1);
    mock.fault(json!({ "action": "drop" })); // row 10 (Bob): lost before processing
    let out = import(
        &proxy.url,
        &dir,
        &["--settle", "4", "--request-timeout", "0.5", "--json"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_one_profile_per_row(&mock, &names, &dir.join("keys.csv"));
    let summary = out.json();
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["created"], 24);
    // Rows 2, 6, 8 and 11 were processed: found. Rows 4 and 10 were not: sent again. (Which
    // "Ann" row gets which "Ann" profile does not matter; the counts do.)
    assert_eq!(summary["reconciled"], 4, "{summary}\n{}", out.stderr);
    assert_eq!(summary["resent"], 2, "{summary}\n{}", out.stderr);
    assert!(out.stderr.contains("timed out"), "{}", out.stderr);
    assert!(out.stderr.contains("INTERNAL (500)"), "{}", out.stderr);
    assert!(!out.stderr.contains("warning: profile"), "{}", out.stderr);
    assert_eq!(proxy.remaining.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert_eq!(mock.creates(), 24 + 2);
}

#[test]
fn profiles_that_existed_before_the_import_are_never_claimed() {
    let dir = temp_dir("baseline");
    let names = numbered(6);
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::plain();
    // The account already has a profile named like row 2 (created by hand, say).
    mock.server
        .seed(json!({ "profiles": [{ "profileKey": "prof_older", "profileName": "user1@example.com" }] }))
        .expect("seed");
    mock.pass(2); // baseline GET, row 1
    mock.fault(json!({ "action": "drop" })); // row 2: lost before processing
    let out = import(&mock.url(), &dir, &["--settle", "0.2"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("already used by profiles that existed before"),
        "{}",
        out.stderr
    );
    let keys = read_keys(&dir.join("keys.csv"));
    assert_eq!(keys.len(), 6);
    assert_ne!(keys[1].1, "prof_older", "row 2 must get its own profile");
    assert_eq!(mock.profiles().len(), 7);
}

#[test]
fn a_400_row_is_recorded_and_reported_while_the_others_go_on() {
    let dir = temp_dir("bad-row");
    let names = numbered(10);
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::plain();
    mock.pass(4); // baseline GET, rows 1-3
    mock.fault(json!({ "status": 400, "body": { "error": "VALIDATION_ERROR", "message": "profileName is not acceptable", "field": "profileName" } }));
    let out = import(&mock.url(), &dir, &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains(
            "failed: row 4 (\"user3@example.com\"): VALIDATION_ERROR: profileName is not acceptable"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(mock.profiles().len(), 9);
    let keys = read_keys(&dir.join("keys.csv"));
    assert_eq!(keys.len(), 9);
    assert!(keys.iter().all(|(email, _)| email != "user3@example.com"));

    // A second run reports it again, sends nothing.
    let before = mock.requests().len();
    let out = import(&mock.url(), &dir, &[]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("failed: row 4"), "{}", out.stderr);
    assert_eq!(mock.requests().len(), before);

    // --retry-failed sends it again.
    let out = import(&mock.url(), &dir, &["--retry-failed"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_one_profile_per_row(&mock, &names, &dir.join("keys.csv"));
}

#[test]
fn a_401_stops_the_run_at_once() {
    let dir = temp_dir("unauthorised");
    let names = numbered(10);
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::plain();
    mock.pass(3); // baseline GET, rows 1-2
    mock.fault(json!({ "status": 401, "body": { "error": "INVALID_API_KEY", "message": "Invalid API key" } }));
    let out = import(&mock.url(), &dir, &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("INVALID_API_KEY (401): Invalid API key"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Resume with:"), "{}", out.stderr);
    assert_eq!(mock.requests().len(), 4, "no request after the 401");
    assert_eq!(mock.profiles().len(), 2);
    assert_eq!(
        rows_in_state(&dir, "pending"),
        8,
        "the refused row is not failed: it waits"
    );
    assert_eq!(read_keys(&dir.join("keys.csv")).len(), 2);
    // With the key fixed (here: the fault is gone), the same command finishes.
    let out = import(&mock.url(), &dir, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_one_profile_per_row(&mock, &names, &dir.join("keys.csv"));

    // A wrong key from the start: not a single create.
    let dir = temp_dir("unauthorised-key");
    write_users(&dir.join("users.csv"), &names);
    let fresh = Mock::plain();
    let args = import_args(&dir, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut command = postcore();
    command
        .env("POSTCORE_BASE_URL", fresh.url())
        .env("MY_KEY", "pc_wrong_key");
    let mut all = args.clone();
    all.extend(["--api-key-env", "MY_KEY"]);
    let out = run(command, &all);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("INVALID_API_KEY"), "{}", out.stderr);
    assert!(
        out.stderr.contains("--api-key-env MY_KEY"),
        "the resume command names the variable"
    );
    assert!(!out.stderr.contains("pc_wrong_key") && !out.stdout.contains("pc_wrong_key"));
    assert_eq!(fresh.creates(), 0);
}

#[test]
fn pacing_draws_no_429_in_steady_state() {
    let dir = temp_dir("pacing");
    let names = numbered(200);
    write_users(&dir.join("users.csv"), &names);
    let (limit, window) = (40u32, 1u64);
    let mock = Mock::rate_limited(limit, window);
    let started = Instant::now();
    let out = import(&mock.url(), &dir, &["--json"]);
    let elapsed = started.elapsed();
    assert_eq!(out.code, 0, "{out:?}");
    let statuses = mock.statuses();
    assert_eq!(
        statuses.get(&Some(429)),
        None,
        "{statuses:?}\n{}",
        out.stderr
    );
    assert_eq!(statuses.get(&Some(201)), Some(&200));
    assert_eq!(out.json()["rateLimited"], 0);
    assert_one_profile_per_row(&mock, &names, &dir.join("keys.csv"));
    // 201 requests at 40 per 1 s window: at least 5 windows; not much more than that.
    let minimum = Duration::from_secs((201u64.div_ceil(u64::from(limit)) - 1) * window);
    assert!(
        elapsed + Duration::from_secs(1) >= minimum,
        "{elapsed:?} is faster than the limit allows"
    );
    assert!(
        elapsed < minimum * 2 + Duration::from_secs(3),
        "{elapsed:?}: pacing waits too long"
    );
    // Progress lines say where it stands.
    assert!(out.stderr.contains("rows done"), "{}", out.stderr);
}

#[test]
fn a_429_is_waited_out_and_the_row_sent_again() {
    let dir = temp_dir("429");
    let names = numbered(6);
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::plain();
    mock.pass(3); // baseline GET, rows 1-2
    mock.fault(json!({ "status": 429, "body": { "error": "RATE_LIMIT_EXCEEDED", "message": "Rate limit exceeded. Try again in 1 seconds", "retry_after": 1 } }));
    let started = Instant::now();
    let out = import(&mock.url(), &dir, &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(
        out.stderr.contains("RATE_LIMIT_EXCEEDED (429)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("1 answered 429"), "{}", out.stderr);
    assert_one_profile_per_row(&mock, &names, &dir.join("keys.csv"));
}

#[test]
fn the_state_file_belongs_to_one_csv_and_one_run_at_a_time() {
    let dir = temp_dir("guard");
    let names = numbered(30);
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::rate_limited(5, 1);
    let mut child = spawn_import(&mock.url(), &dir, &[], "run1.log");
    wait_until(Duration::from_secs(20), "a first profile", || {
        !mock.profiles().is_empty()
    });
    // Same state file while the first import runs: refused.
    let out = import(&mock.url(), &dir, &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("in use by another import"),
        "{}",
        out.stderr
    );
    interrupt(&child);
    assert_eq!(wait_child(&mut child, Duration::from_secs(30)), 130);

    // Another CSV with the same state file: refused, with what to do.
    let mut edited = names.clone();
    edited[3] = "someone.else@example.com".into();
    write_users(&dir.join("users.csv"), &edited);
    let out = import(&mock.url(), &dir, &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("belongs to another CSV"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("new --state file"), "{}", out.stderr);
    // Another column: refused too.
    write_users(&dir.join("users.csv"), &names);
    let args = import_args(&dir, &[]);
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    args[4] = "plan";
    let out = run(postcore_at(&mock.url()), &args);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--name-column"), "{}", out.stderr);
}

#[test]
fn bad_input_is_a_usage_error() {
    let dir = temp_dir("bad-input");
    let mock = Mock::plain();
    // No such column.
    write_users(&dir.join("users.csv"), &numbered(2));
    let mut args = import_args(&dir, &[]);
    args[4] = "mail".into();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(postcore_at(&mock.url()), &args);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("its columns: id, email, plan"),
        "{}",
        out.stderr
    );
    // Missing file, ragged rows.
    std::fs::remove_file(dir.join("users.csv")).expect("rm");
    assert_eq!(import(&mock.url(), &dir, &[]).code, 2);
    std::fs::write(dir.join("users.csv"), "id,email\n1,a@x,extra\n").expect("write");
    let out = import(&mock.url(), &dir, &[]);
    assert_eq!(out.code, 2);
    // --out on top of the input.
    std::fs::write(dir.join("users.csv"), "id,email\n1,a@x\n").expect("write");
    let args = import_args(&dir, &[]);
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let input = dir.join("users.csv").display().to_string();
    args[8] = &input;
    assert_eq!(run(postcore_at(&mock.url()), &args).code, 2);
    // --out in a directory that does not exist.
    let args = import_args(&dir, &[]);
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let nowhere = dir.join("no/such/dir/keys.csv").display().to_string();
    args[8] = &nowhere;
    let out = run(postcore_at(&mock.url()), &args);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--out"), "{}", out.stderr);
    assert!(mock.requests().is_empty());
}

#[test]
fn empty_names_fail_without_a_request() {
    let dir = temp_dir("empty-names");
    let names: Vec<String> = vec!["a@x".into(), "".into(), "c@x".into()];
    write_users(&dir.join("users.csv"), &names);
    let mock = Mock::plain();
    let out = import(&mock.url(), &dir, &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("row 2 (\"\"): EMPTY_NAME"),
        "{}",
        out.stderr
    );
    assert_eq!(mock.creates(), 2);
}
