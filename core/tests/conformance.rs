//! Replays every cross-language scenario in `tests/scenarios/` through the Rust client against
//! the local postcore server. The Python and Node suites replay the same files.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use postcore::{Client, CreateProfile, Error, RequestOptions};
use postcore_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use serde_json::Value;

const WRONG_KEY: &str = "pc_wrong_key";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_behaves_as_specified() {
    // SAFETY: this is the only test in this binary, and no other thread reads the environment yet.
    unsafe { std::env::remove_var("POSTCORE_API_KEY") };
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenario folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "expected the full scenario set, found {}",
        files.len()
    );

    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable scenario");
        let scenario: Value = serde_json::from_str(&text).expect("valid scenario JSON");
        let name = scenario["name"].as_str().unwrap_or("?").to_owned();
        match replay(&server, &scenario).await {
            Ok(()) => println!("ok   {name}"),
            Err(problem) => {
                println!("FAIL {name}: {problem}");
                failures.push(format!("{name}: {problem}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

async fn replay(server: &MockServer, scenario: &Value) -> Result<(), String> {
    server.reset();
    for fault in scenario["faults"].as_array().into_iter().flatten() {
        server.push_fault(
            serde_json::from_value(fault.clone()).map_err(|e| format!("bad fault: {e}"))?,
        );
    }
    let client_spec = &scenario["client"];
    let api_key = match client_spec["api_key"].as_str() {
        Some("valid") => Some(DEFAULT_API_KEY),
        Some("invalid") => Some(WRONG_KEY),
        _ => None,
    };
    let base_url = match client_spec["base_url"].as_str() {
        Some("refused") => refused_url(),
        _ => server.url().to_owned(),
    };
    let call = &scenario["call"];
    let params = CreateProfile {
        profile_name: call["params"]["profile_name"].as_str().map(str::to_owned),
    };
    let mut options = RequestOptions::new();
    if let Some(ms) = call["options"]["timeout_ms"].as_u64() {
        options = options.timeout(Duration::from_millis(ms));
    }
    if let Some(n) = call["options"]["max_retries"].as_u64() {
        options = options.max_retries(n as u32);
    }

    let started = Instant::now();
    let outcome = async {
        let mut builder = Client::builder().base_url(base_url);
        if let Some(key) = api_key {
            builder = builder.api_key(key);
        }
        if let Some(ms) = client_spec["timeout_ms"].as_u64() {
            builder = builder.timeout(Duration::from_millis(ms));
        }
        if let Some(n) = client_spec["max_retries"].as_u64() {
            builder = builder.max_retries(n as u32);
        }
        builder.build()?.create_profile_with(params, &options).await
    }
    .await;
    let elapsed = started.elapsed().as_millis() as u64;

    let expect = &scenario["expect"];
    match (outcome, &expect["result"], &expect["error"]) {
        (Ok(response), want, Value::Null) if !want.is_null() => {
            let got = serde_json::to_value(&response.data).map_err(|e| e.to_string())?;
            check_profile(&got, want)?;
        }
        (Err(error), Value::Null, want) if !want.is_null() => check_error(&error, want)?,
        (Ok(response), _, _) => return Err(format!("expected an error, got {:?}", response.data)),
        (Err(error), _, _) => {
            return Err(format!(
                "expected a result, got {:?}: {error}",
                error.kind()
            ));
        }
    }

    let requests = server.requests();
    if let Some(n) = expect["server_requests"].as_u64() {
        if requests.len() as u64 != n {
            return Err(format!(
                "server saw {} requests, expected {n}",
                requests.len()
            ));
        }
    }
    if let Some(n) = expect["profiles_created"].as_u64() {
        let stored = server.profiles().len() as u64;
        if stored != n {
            return Err(format!("server stores {stored} profiles, expected {n}"));
        }
    }
    if let Some(min) = expect["min_elapsed_ms"].as_u64() {
        if elapsed < min {
            return Err(format!("took {elapsed} ms, expected at least {min} ms"));
        }
    }
    if let Some(max) = expect["max_elapsed_ms"].as_u64() {
        if elapsed > max {
            return Err(format!("took {elapsed} ms, expected at most {max} ms"));
        }
    }
    if let Some(want) = expect["request"].as_object() {
        let first = requests.first().ok_or("no request recorded")?;
        if want["method"].as_str() != Some(first.method.as_str()) {
            return Err(format!("method {} != {}", first.method, want["method"]));
        }
        if want["path"].as_str() != Some(first.path.as_str()) {
            return Err(format!("path {} != {}", first.path, want["path"]));
        }
        for (name, value) in want["headers"].as_object().into_iter().flatten() {
            let value = value.as_str().unwrap_or_default();
            let value = if value == "$API_KEY" {
                api_key.unwrap_or_default()
            } else {
                value
            };
            if first.headers.get(name).map(String::as_str) != Some(value) {
                return Err(format!(
                    "header {name}: {:?} != {value:?}",
                    first.headers.get(name)
                ));
            }
        }
        let ua = first.headers.get("user-agent").cloned().unwrap_or_default();
        if !ua.starts_with("postcore-rust/") {
            return Err(format!("user-agent {ua:?}"));
        }
        let body: Value =
            serde_json::from_str(&first.body).map_err(|e| format!("request body: {e}"))?;
        if body != want["json"] {
            return Err(format!("request body {body} != {}", want["json"]));
        }
    }
    Ok(())
}

fn check_profile(got: &Value, want: &Value) -> Result<(), String> {
    let (got_map, want_map) = (
        got.as_object().ok_or("not an object")?,
        want.as_object().ok_or("bad spec")?,
    );
    if got_map.len() != want_map.len() {
        return Err(format!("profile {got} has other fields than {want}"));
    }
    for (key, wanted) in want_map {
        let value = &got[key];
        let ok = match wanted.as_str() {
            Some(pattern) if pattern.ends_with('*') => value.as_str().is_some_and(|v| {
                v.starts_with(pattern.trim_end_matches('*')) && v.len() > pattern.len()
            }),
            _ => value == wanted,
        };
        if !ok {
            return Err(format!(
                "profile field {key}: {value} does not match {wanted}"
            ));
        }
    }
    Ok(())
}

fn check_error(error: &Error, want: &Value) -> Result<(), String> {
    let kind = error.kind().class_name();
    if want["type"].as_str() != Some(kind) {
        return Err(format!("error type {kind} != {}: {error}", want["type"]));
    }
    if let Some(status) = want.get("status") {
        if status.as_u64() != error.status().map(u64::from) {
            return Err(format!("status {:?} != {status}", error.status()));
        }
    }
    if let Some(code) = want.get("code") {
        if code.as_str() != error.code() {
            return Err(format!("code {:?} != {code}", error.code()));
        }
    }
    if let Some(part) = want["message_contains"].as_str() {
        if !error.message().contains(part) {
            return Err(format!("message {:?} lacks {part:?}", error.message()));
        }
    }
    if let Some(part) = want["body_contains"].as_str() {
        if !error.body().unwrap_or_default().contains(part) {
            return Err(format!("body {:?} lacks {part:?}", error.body()));
        }
    }
    for (key, value) in want["body_json"].as_object().into_iter().flatten() {
        if error.body_json().and_then(|b| b.get(key)) != Some(value) {
            return Err(format!(
                "body JSON {:?} lacks {key}={value}",
                error.body_json()
            ));
        }
    }
    if let Some(seconds) = want["retry_after"].as_f64() {
        if error.retry_after().map(|d| d.as_secs_f64()) != Some(seconds) {
            return Err(format!(
                "retry_after {:?} != {seconds}",
                error.retry_after()
            ));
        }
    }
    Ok(())
}

/// A loopback URL where nothing listens.
fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
