//! Every command but the import, against the mock: tables and `--json`, exit statuses 0/1/2,
//! the app password kept out of argv, the key never printed, `postcore mock` itself.

#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use common::*;
use serde_json::json;

/// The value of a `name  value` line.
fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        rest.starts_with(' ').then(|| rest.trim())
    })
}

fn cli(mock: &Mock, args: &[&str]) -> Output {
    run(postcore_at(&mock.url()), args)
}

fn create_profile(mock: &Mock, name: &str) -> String {
    let out = cli(mock, &["profiles", "create", "--name", name, "--json"]);
    assert_eq!(out.code, 0, "{out:?}");
    out.json()["profileKey"]
        .as_str()
        .expect("profileKey")
        .to_owned()
}

#[test]
fn profiles_create_list_delete() {
    let mock = Mock::plain();
    // Table output.
    let out = cli(
        &mock,
        &["profiles", "create", "--name", "User: john@example.com"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.starts_with("profileKey   prof_"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("profileName  User: john@example.com"),
        "{}",
        out.stdout
    );
    // JSON output: the API's body.
    let out = cli(&mock, &["profiles", "create", "--json"]);
    assert_eq!(out.code, 0);
    let created = out.json();
    assert!(
        created["profileKey"]
            .as_str()
            .is_some_and(|k| k.starts_with("prof_"))
    );
    assert_eq!(created["profileName"], json!(null));
    // The request is the documented one.
    let request = mock.requests().pop().expect("request");
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/profiles/create")
    );
    assert_eq!(
        request.headers.get("x-api-key").map(String::as_str),
        Some(KEY)
    );
    assert!(request.headers["user-agent"].contains("postcore-cli/"));

    let out = cli(&mock, &["profiles", "list"]);
    assert_eq!(out.code, 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(lines[0].starts_with("PROFILE KEY"));
    assert!(lines[1].contains("User: john@example.com"));
    let listed = cli(&mock, &["--json", "profiles", "list"]).json();
    assert_eq!(listed["profiles"].as_array().map(Vec::len), Some(2));
    assert!(listed["profiles"][0]["createdAt"].is_string());

    let key = created["profileKey"].as_str().expect("key").to_owned();
    let out = cli(&mock, &["profiles", "delete", &key]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, format!("deleted profile {key}\n"));
    // Gone: 404 with the API's code and message on stderr, exit 1.
    let out = cli(&mock, &["profiles", "delete", &key]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr.trim(),
        "error: PROFILE_NOT_FOUND (404): Profile not found"
    );
    let out = cli(&mock, &["profiles", "delete", &key, "--json"]);
    assert_eq!(out.code, 1);
    let error: serde_json::Value = serde_json::from_str(out.stderr.trim()).expect("JSON error");
    assert_eq!(error["error"], "PROFILE_NOT_FOUND");
    assert_eq!(error["status"], 404);
    // An empty list.
    let empty = Mock::plain();
    assert_eq!(cli(&empty, &["profiles", "list"]).stdout, "no profiles\n");
    assert_eq!(
        cli(&empty, &["profiles", "list", "--json"]).json(),
        json!({ "profiles": [] })
    );
}

#[test]
fn connect_bluesky_reads_the_app_password_from_stdin_or_the_environment() {
    let mock = Mock::plain();
    let key = create_profile(&mock, "Ann");
    let password = "abcd-efgh-ijkl-mnop";
    let out = run_with_stdin(
        postcore_at(&mock.url()),
        &[
            "profiles",
            "connect-bluesky",
            "--handle",
            "ann.bsky.social",
            "--profile",
            &key,
        ],
        &format!("{password}\n"),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        field(&out.stdout, "username"),
        Some("ann.bsky.social"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(password) && !out.stderr.contains(password));
    let body: serde_json::Value =
        serde_json::from_str(&mock.requests().pop().expect("request").body).expect("body");
    assert_eq!(body["credentials"]["appPassword"], password);
    assert_eq!(body["profileKey"], key.as_str());

    // From the environment, JSON output, a new profile.
    let mut command = postcore_at(&mock.url());
    command.env("POSTCORE_BLUESKY_APP_PASSWORD", "wxyz-wxyz-wxyz-wxyz");
    let out = run(
        command,
        &[
            "profiles",
            "connect-bluesky",
            "--handle",
            "bob.bsky.social",
            "--json",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()["username"], "bob.bsky.social");
    assert_eq!(mock.profiles().len(), 2);

    // Never from argv.
    let out = cli(
        &mock,
        &[
            "profiles",
            "connect-bluesky",
            "--handle",
            "x.bsky.social",
            "--app-password",
            password,
        ],
    );
    assert_eq!(out.code, 2);
    // Nothing on stdin: a usage error, no request.
    let before = mock.requests().len();
    let out = cli(
        &mock,
        &["profiles", "connect-bluesky", "--handle", "x.bsky.social"],
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("POSTCORE_BLUESKY_APP_PASSWORD"),
        "{}",
        out.stderr
    );
    assert_eq!(mock.requests().len(), before);
    // Refused credentials: the API's code.
    let out = run_with_stdin(
        postcore_at(&mock.url()),
        &["profiles", "connect-bluesky", "--handle", "x.bsky.social"],
        "0000-0000-0000-0000\n",
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("INVALID_CREDENTIALS (400)"),
        "{}",
        out.stderr
    );
}

#[test]
fn connect_url_is_built_locally() {
    let mock = Mock::plain();
    let out = cli(
        &mock,
        &[
            "profiles",
            "connect-url",
            "--return-url",
            "https://app.example.com/done",
            "--profile",
            "prof_abc",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let url = out.stdout.trim();
    assert!(
        url.starts_with(&format!("{}/profiles/connect?", mock.url())),
        "{url}"
    );
    assert!(url.contains("platform=linkedin"));
    assert!(url.contains("profileKey=prof_abc"));
    assert!(url.contains("returnUrl=https%3A%2F%2Fapp.example.com%2Fdone"));
    assert!(mock.requests().is_empty(), "no request is made");
    let out = cli(
        &mock,
        &[
            "profiles",
            "connect-url",
            "--return-url",
            "ftp://x",
            "--json",
        ],
    );
    assert_eq!(out.code, 2, "{out:?}");
}

#[test]
fn posts_create_list_get_wait_delete() {
    let mock = Mock::plain();
    let key = create_profile(&mock, "Ann");
    let out = run_with_stdin(
        postcore_at(&mock.url()),
        &[
            "profiles",
            "connect-bluesky",
            "--handle",
            "ann.bsky.social",
            "--profile",
            &key,
        ],
        "abcd-efgh-ijkl-mnop\n",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let soon = postcore::Timestamp::now()
        .add(Duration::from_secs(2))
        .to_string();
    let later = postcore::Timestamp::now()
        .add(Duration::from_secs(3600))
        .to_string();

    // Not connected to LinkedIn: the API's refusal.
    let out = cli(
        &mock,
        &[
            "posts",
            "create",
            "--profile",
            &key,
            "--platform",
            "linkedin",
            "--at",
            &later,
            "--content",
            "hi",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("PLATFORMS_NOT_CONNECTED (400)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hint: connect linkedin first"),
        "{}",
        out.stderr
    );

    let out = cli(
        &mock,
        &[
            "posts",
            "create",
            "--profile",
            &key,
            "--platform",
            "bluesky",
            "--at",
            &soon,
            "--content",
            "Hello from the CLI",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.starts_with("POST ID"), "{}", out.stdout);
    assert!(
        out.stdout.contains("usage: 1 of 10 posts"),
        "{}",
        out.stdout
    );

    let dir = temp_dir("posts");
    let file = dir.join("post.txt");
    std::fs::write(&file, "From a file").expect("write");
    let out = cli(
        &mock,
        &[
            "posts",
            "create",
            "--profile",
            &key,
            "--platform",
            "bluesky",
            "--at",
            &later,
            "--content-file",
            &file.display().to_string(),
            "--json",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let scheduled = out.json();
    assert_eq!(scheduled["posts"][0]["status"], "pending");
    assert_eq!(scheduled["usage"]["used"], 2);
    let later_id = scheduled["posts"][0]["postId"]
        .as_str()
        .expect("postId")
        .to_owned();

    let out = cli(&mock, &["posts", "list"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout.lines().count(), 3, "{}", out.stdout);
    assert!(out.stdout.contains("From a file"));
    let posts = cli(&mock, &["posts", "list", "--json"]).json();
    let soon_id = posts["posts"][0]["postId"]
        .as_str()
        .expect("postId")
        .to_owned();

    // Wait: published once due.
    let out = cli(
        &mock,
        &[
            "posts",
            "wait",
            &soon_id,
            "--interval",
            "1",
            "--timeout",
            "30",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        field(&out.stdout, "status"),
        Some("published"),
        "{}",
        out.stdout
    );
    assert!(field(&out.stdout, "platformUrl").is_some_and(|u| u.starts_with("https://bsky.app/")));
    // A wait that runs out: exit 1 with the post as last seen.
    let out = cli(&mock, &["posts", "wait", &later_id, "--timeout", "1"]);
    assert_eq!(out.code, 1, "{out:?}");

    let out = cli(&mock, &["posts", "get", &later_id, "--json"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.json()["post"]["content"], "From a file");
    let out = cli(&mock, &["posts", "get", &later_id]);
    assert_eq!(
        field(&out.stdout, "status"),
        Some("pending"),
        "{}",
        out.stdout
    );

    let out = cli(&mock, &["posts", "delete", &later_id]);
    assert_eq!(out.code, 0, "{out:?}");
    let out = cli(&mock, &["posts", "get", &later_id]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("POST_NOT_FOUND (404)"),
        "{}",
        out.stderr
    );
    // Only pending posts can be deleted.
    let out = cli(&mock, &["posts", "delete", &soon_id]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("POST_NOT_PENDING"), "{}", out.stderr);
}

#[test]
fn a_failed_post_makes_wait_exit_1() {
    let mock = Mock::plain();
    let key = create_profile(&mock, "Ann");
    mock.server
        .seed(json!({ "posts": [{ "postId": "post_failed", "profileKey": key, "platform": "bluesky", "content": "x", "scheduledFor": "$NOW-5", "status": "failed" }] }))
        .expect("seed");
    let out = cli(&mock, &["posts", "wait", "post_failed"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        field(&out.stdout, "status") == Some("failed"),
        "{}",
        out.stdout
    );
    assert!(
        field(&out.stdout, "failureReason") == Some("Seeded as failed"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("post post_failed failed"),
        "{}",
        out.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    let mock = Mock::plain();
    for args in [
        &[][..],
        &["profiles"],
        &["profiles", "frobnicate"],
        &["profiles", "create", "--unknown"],
        &[
            "posts",
            "create",
            "--profile",
            "prof_a",
            "--platform",
            "bluesky",
            "--at",
            "tomorrow",
            "--content",
            "x",
        ],
        &[
            "posts",
            "create",
            "--profile",
            "prof_a",
            "--platform",
            "myspace",
            "--at",
            "2030-01-01T00:00:00Z",
            "--content",
            "x",
        ],
        &[
            "posts",
            "create",
            "--profile",
            "prof_a",
            "--platform",
            "bluesky",
            "--at",
            "2030-01-01T00:00:00Z",
        ],
        &[
            "posts",
            "create",
            "--profile",
            "prof_a",
            "--platform",
            "bluesky",
            "--at",
            "2030-01-01T00:00:00Z",
            "--content",
            "x",
            "--content-file",
            "f",
        ],
        &["posts", "wait", "post_a", "--timeout", "-1"],
        &["profiles", "list", "--request-timeout", "0"],
    ] {
        let out = cli(&mock, args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // Content longer than Bluesky allows: refused before sending.
    let long = "x".repeat(400);
    let out = cli(
        &mock,
        &[
            "posts",
            "create",
            "--profile",
            "prof_a",
            "--platform",
            "bluesky",
            "--at",
            "2030-01-01T00:00:00Z",
            "--content",
            &long,
        ],
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(mock.requests().is_empty(), "no usage error sends anything");
    // Help and version: exit 0 on stdout.
    let out = cli(&mock, &["--help"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("profiles")
            && out.stdout.contains("posts")
            && out.stdout.contains("mock")
    );
    let out = cli(&mock, &["profiles", "import", "--help"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("--name-column"));
    let out = cli(&mock, &["--version"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("postcore "));
}

#[test]
fn the_key_comes_from_the_environment_only() {
    let mock = Mock::plain();
    // No key: exit 2, before any request, with what to set.
    let mut command = postcore();
    command.env("POSTCORE_BASE_URL", mock.url());
    let out = run(command, &["profiles", "list"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("POSTCORE_API_KEY"), "{}", out.stderr);
    // --api-key-env names the variable.
    let mut command = postcore();
    command
        .env("POSTCORE_BASE_URL", mock.url())
        .env("ACME_POSTCORE_KEY", KEY);
    let out = run(
        command,
        &["profiles", "list", "--api-key-env", "ACME_POSTCORE_KEY"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(
        postcore_at(&mock.url()),
        &["profiles", "list", "--api-key-env", "UNSET_VARIABLE"],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("UNSET_VARIABLE"), "{}", out.stderr);
    // --base-url wins over the environment.
    let mut command = postcore();
    command
        .env("POSTCORE_API_KEY", KEY)
        .env("POSTCORE_BASE_URL", "http://127.0.0.1:9");
    let out = run(command, &["profiles", "list", "--base-url", &mock.url()]);
    assert_eq!(out.code, 0, "{out:?}");
    // A wrong key: 401 with the code, and the key is never printed.
    let secret = "pc_live_secret_value_123";
    let mut command = postcore();
    command
        .env("POSTCORE_API_KEY", secret)
        .env("POSTCORE_BASE_URL", mock.url());
    let out = run(command, &["profiles", "list"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("INVALID_API_KEY (401)"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(secret) && !out.stdout.contains(secret));
    // A server that echoes the key back: redacted.
    mock.fault(json!({ "status": 400, "body": { "error": "BAD", "message": format!("key {KEY} is odd") } }));
    let out = cli(&mock, &["profiles", "list"]);
    assert_eq!(out.code, 1);
    assert!(!out.stderr.contains(KEY), "{}", out.stderr);
    // http:// to a non-loopback host is refused (the key would travel in clear).
    let mut command = postcore();
    command
        .env("POSTCORE_API_KEY", KEY)
        .env("POSTCORE_BASE_URL", "http://api.example.com");
    assert_eq!(run(command, &["profiles", "list"]).code, 2);
}

#[test]
fn network_errors_exit_1() {
    // Nothing listens on port 9 (discard) here: the connection is refused.
    let out = run(
        postcore_at("http://127.0.0.1:9"),
        &["profiles", "list", "--request-timeout", "2"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    let out = run(
        postcore_at("http://127.0.0.1:9"),
        &["profiles", "list", "--json"],
    );
    assert_eq!(out.code, 1);
    let error: serde_json::Value = serde_json::from_str(out.stderr.trim()).expect("JSON error");
    assert_eq!(error["error"], "CONNECTION_ERROR");
}

#[test]
fn closed_stdout_is_not_a_crash() {
    let mock = Mock::plain();
    for i in 0..50 {
        create_profile(&mock, &format!("user{i}"));
    }
    let mut child = postcore_at(&mock.url())
        .args(["profiles", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let code = wait_child(&mut child, Duration::from_secs(10));
    assert!(code == 0 || code == 1, "exit {code}");
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn postcore_mock_serves_until_interrupted() {
    let mut child = postcore()
        .args([
            "mock",
            "--port",
            "0",
            "--api-key",
            "pc_local",
            "--rate-limit",
            "100",
            "--rate-window",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn mock");
    let stdout = child.stdout.take().expect("stdout");
    let mut url = String::new();
    BufReader::new(stdout)
        .read_line(&mut url)
        .expect("URL line");
    let url = url.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let mut command = postcore();
    command
        .env("POSTCORE_API_KEY", "pc_local")
        .env("POSTCORE_BASE_URL", &url);
    let out = run(
        command,
        &["profiles", "create", "--name", "local", "--json"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let mut command = postcore();
    command
        .env("POSTCORE_API_KEY", "pc_local")
        .env("POSTCORE_BASE_URL", &url);
    let listed = run(command, &["profiles", "list", "--json"]).json();
    assert_eq!(listed["profiles"][0]["profileName"], "local");
    interrupt(&child);
    assert_eq!(wait_child(&mut child, Duration::from_secs(10)), 0);
    // A usage error of its own.
    let out = run(postcore(), &["mock", "--rate-window", "0"]);
    assert_eq!(out.code, 2);
}

#[test]
fn sdk_names_work_and_errors_name_the_flags() {
    let mock = Mock::plain();
    let out = cli(
        &mock,
        &[
            "profiles",
            "linkedin-connect-url",
            "--return-url",
            "https://app.example.com/done",
            "--profile-key",
            "prof_abc",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("profileKey=prof_abc"), "{out:?}");
    let out = cli(
        &mock,
        &[
            "profiles",
            "linkedin-connect-url",
            "--return-url",
            "ftp://x",
        ],
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("--return-url must be"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("return_url"), "{}", out.stderr);
    for name in ["retrieve", "get"] {
        let out = cli(&mock, &["posts", name, "post_nope"]);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(out.stderr.contains("POST_NOT_FOUND"), "{}", out.stderr);
    }
}

#[test]
fn postcore_mock_says_where_it_is_masks_its_keys_and_moves_its_clock() {
    let secret = "pc_live_SUPERSECRET_123";
    let mut child = postcore()
        .args(["mock", "--port", "0"])
        .env("POSTCORE_API_KEY", secret)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mock");
    let mut url = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("URL line");
    let url = url.trim().to_owned();
    // Both the default test key (the README's next step) and the environment's are accepted.
    for key in [postcore_mock::DEFAULT_API_KEY, secret] {
        let mut command = postcore();
        command
            .env("POSTCORE_API_KEY", key)
            .env("POSTCORE_BASE_URL", &url);
        let out = run(command, &["profiles", "list", "--json"]);
        assert_eq!(out.code, 0, "{key}: {out:?}");
    }
    let mut command = postcore();
    command.env("POSTCORE_BASE_URL", &url);
    let out = run(command, &["mock", "advance", "2h"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.starts_with("the server's clock is now 2"),
        "{out:?}"
    );
    interrupt(&child);
    assert_eq!(wait_child(&mut child, Duration::from_secs(10)), 0);
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    assert!(stderr.contains(&format!("dashboard at {url}/")), "{stderr}");
    assert!(
        stderr.contains(
            "accepts x-api-key pc_t…_key (the default test key) or pc_l…_123 (from $POSTCORE_API_KEY)"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("SUPERSECRET"), "{stderr}");
    // Without a server to talk to, advance says how to name one.
    let out = run(postcore(), &["mock", "advance", "1h"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("POSTCORE_BASE_URL"), "{out:?}");
}
