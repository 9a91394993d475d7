//! Replays every cross-language scenario in `tests/scenarios/` (format: `tests/README.md`)
//! through the Rust client against the local postcore server. The Python and Node suites
//! replay the same files.
//!
//! Every scenario is replayed twice: through `postcore::bindings`, the same generic dispatch
//! the Python and Node packages use, with Python's argument spelling; and through the typed
//! Rust API (`Client::create_post_with`, …), the arguments read into its parameter types. A
//! scenario whose arguments no Rust type can hold (a number for a name: the compiler refuses
//! it) has no typed replay; every operation of the table is replayed typed at least once.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use postcore::bindings::{self, Language};
use postcore::{
    Client, ConnectBluesky, CreatePost, CreateProfile, Error, RequestOptions, Timestamp,
    WaitOptions,
};
use postcore_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use serde_json::{Map, Value, json};

const WRONG_KEY: &str = "pc_wrong_key";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_behaves_as_specified() {
    // SAFETY: this is the only test in this binary, and no other thread reads the environment yet.
    unsafe { std::env::remove_var("POSTCORE_API_KEY") };
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    let scenarios = load_scenarios();
    // Every operation the packages expose has scenarios (the table says which there are).
    for op in postcore::spec::OPERATIONS {
        assert!(
            scenarios
                .iter()
                .any(|s| operations_of(s).iter().any(|o| o == op.name)),
            "no scenario calls {}",
            op.name
        );
    }
    let mut names: Vec<&str> = scenarios
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "scenario names must be unique");
    assert_eq!(before, scenarios.len(), "every scenario has a name");
    let control = Control::new(server.url());
    let mut failures = Vec::new();
    let mut typed: Vec<String> = Vec::new();
    for scenario in &scenarios {
        let name = scenario["name"].as_str().unwrap_or("?").to_owned();
        for via in [Via::Dispatch, Via::Typed] {
            match replay(&server, &control, scenario, via).await {
                Ok(Replayed::Done) => {
                    println!("ok   {name} ({via:?})");
                    if via == Via::Typed {
                        typed.extend(operations_of(scenario));
                    }
                }
                Ok(Replayed::NotTyped) => {
                    println!("--   {name} (no Rust type holds its arguments)")
                }
                Err(problem) => {
                    println!("FAIL {name} ({via:?}): {problem}");
                    failures.push(format!("{name} ({via:?}): {problem}"));
                }
            }
        }
    }
    // Every operation of the table is replayed through the typed API at least once.
    for op in postcore::spec::OPERATIONS.iter().filter(|op| op.method) {
        assert!(
            typed.iter().any(|t| t == op.name),
            "no scenario replays {} through the typed Rust API",
            op.name
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenario(s) failed:\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n")
    );
}

/// Every scenario of every file, families expanded.
fn load_scenarios() -> Vec<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenario folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut scenarios = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable scenario");
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", file.display()));
        match value.get("cases").and_then(Value::as_array) {
            Some(cases) => {
                for case in cases {
                    let mut scenario = value["template"].clone();
                    merge(&mut scenario, case);
                    scenarios.push(scenario);
                }
            }
            None => scenarios.push(value),
        }
    }
    scenarios
}

/// Deep merge: objects key by key, anything else replaced.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                merge(base.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        (base, over) => *base = over.clone(),
    }
}

/// The mock's `/__mock/*` endpoints, over HTTP as the other languages use them.
struct Control {
    http: reqwest::Client,
    url: String,
}

impl Control {
    fn new(url: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: url.to_owned(),
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let url = format!("{}/__mock/{path}", self.url);
        let request = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url),
        };
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(body.to_string()),
            None => request,
        };
        let response = request.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{path} answered {status}: {text}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn list(&self, what: &str) -> Result<Vec<Value>, String> {
        let value = self.call("GET", what, None).await?;
        Ok(value[what].as_array().cloned().unwrap_or_default())
    }
}

/// `$NOW+<n>` / `$NOW-<n>` strings replaced by `now` ± n seconds.
fn expand_now(value: &mut Value, now: &Timestamp) {
    match value {
        Value::String(text) => {
            if let Some(at) = now_offset(text, now) {
                *text = at.to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| expand_now(v, now)),
        Value::Object(map) => map.values_mut().for_each(|v| expand_now(v, now)),
        _ => {}
    }
}

fn now_offset(text: &str, now: &Timestamp) -> Option<Timestamp> {
    let rest = text.strip_prefix("$NOW")?;
    let whole = Timestamp::from_unix(now.unix_seconds());
    if rest.is_empty() {
        return Some(whole);
    }
    let (sign, digits) = rest.split_at(1);
    let n: u64 = digits.parse().ok()?;
    match sign {
        "+" => Some(whole.add(Duration::from_secs(n))),
        "-" => Some(Timestamp::from_unix(whole.unix_seconds() - n as i64)),
        _ => None,
    }
}

/// Runs one call of a scenario (its main call or a `then` step) with `client`.
async fn run_call(
    client: &Client,
    method: &str,
    params: Value,
    options: &RequestOptions,
    wire_options: &Value,
    via: Via,
) -> Option<Result<Success, Error>> {
    match via {
        Via::Dispatch => Some(run_dispatched(client, method, params, options, wire_options).await),
        Via::Typed => run_typed(client, method, params, options).await,
    }
}

/// How a scenario's calls are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// The bindings' generic dispatch.
    Dispatch,
    /// The typed Rust methods.
    Typed,
}

/// What replaying a scenario came to.
enum Replayed {
    Done,
    /// A call's arguments fit no Rust type: there is no typed replay.
    NotTyped,
}

/// The operations a scenario calls (`create_profile` is `profiles.create`).
fn operations_of(scenario: &Value) -> Vec<String> {
    let steps = scenario["then"].as_array().into_iter().flatten();
    std::iter::once(&scenario["call"])
        .chain(steps.map(|step| &step["call"]))
        .filter_map(|call| call["method"].as_str())
        .map(|m| {
            if m == "create_profile" {
                "profiles.create"
            } else {
                m
            }
            .to_owned()
        })
        .collect()
}

/// `value` as `T`, its keys camelCased as the API spells them; `None` if no `T` holds it.
fn typed<T: serde::de::DeserializeOwned>(value: &Value) -> Option<T> {
    let map = value.as_object()?;
    let camel: Map<String, Value> = map
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (bindings::snake_to_camel(k), v.clone()))
        .collect();
    serde_json::from_value(Value::Object(camel)).ok()
}

fn success<T: serde::Serialize>(response: postcore::Response<T>) -> Success {
    Success {
        data: serde_json::to_value(&response.data).unwrap_or_default(),
        status: response.status,
        attempts: response.attempts,
        rate_limit: response.rate_limit,
        headers: response.headers,
    }
}

/// A duration argument in seconds (Python's spelling), if given; `Err` if it is not one.
fn seconds(value: &Value) -> Result<Option<Duration>, ()> {
    match value {
        Value::Null => Ok(None),
        other => other
            .as_f64()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .map(Some)
            .ok_or(()),
    }
}

/// One call through the typed Rust API; `None` when its arguments fit no Rust type.
async fn run_typed(
    client: &Client,
    method: &str,
    mut params: Value,
    options: &RequestOptions,
) -> Option<Result<Success, Error>> {
    let mut options = options.clone();
    if let Some(map) = params.as_object_mut() {
        match map.remove("idempotency_key") {
            None | Some(Value::Null) => {}
            Some(Value::String(key)) => options = options.idempotency_key(key),
            Some(_) => return None,
        }
    }
    let text = |name: &str| params[name].as_str().map(str::to_owned);
    let only = |names: &[&str]| {
        params.as_object().is_some_and(|m| {
            m.iter()
                .all(|(k, v)| v.is_null() || names.contains(&k.as_str()))
        })
    };
    Some(match method {
        "create_profile" | "profiles.create" => {
            let args: CreateProfile = typed(&params)?;
            client
                .create_profile_with(args, &options)
                .await
                .map(success)
        }
        "profiles.list" if only(&[]) => client.list_profiles_with(&options).await.map(success),
        "profiles.delete" if only(&["profile_key"]) => client
            .delete_profile_with(&text("profile_key")?, &options)
            .await
            .map(success),
        "profiles.connect_bluesky" => {
            let args: ConnectBluesky = typed(&params)?;
            client
                .connect_bluesky_with(args, &options)
                .await
                .map(success)
        }
        "profiles.linkedin_connect_url" if only(&["return_url", "profile_key"]) => {
            let profile_key = match &params["profile_key"] {
                Value::Null => None,
                Value::String(key) => Some(key.clone()),
                _ => return None,
            };
            client
                .linkedin_connect_url(&text("return_url")?, profile_key.as_deref())
                .map(|url| Success {
                    data: Value::String(url),
                    status: 0,
                    attempts: 0,
                    rate_limit: None,
                    headers: postcore::HeaderMap::new(),
                })
        }
        "posts.create" => {
            let args: CreatePost = typed(&params)?;
            client.create_post_with(args, &options).await.map(success)
        }
        "posts.list" if only(&[]) => client.list_posts_with(&options).await.map(success),
        "posts.retrieve" if only(&["post_id"]) => client
            .retrieve_post_with(&text("post_id")?, &options)
            .await
            .map(success),
        "posts.delete" if only(&["post_id"]) => client
            .delete_post_with(&text("post_id")?, &options)
            .await
            .map(success),
        "posts.wait" | "posts.wait_many"
            if only(&["post_id", "post_ids", "timeout", "interval"]) =>
        {
            let mut wait = WaitOptions::new();
            wait.timeout = seconds(&params["timeout"]).ok()?;
            wait.interval = seconds(&params["interval"]).ok()?;
            wait.request = options;
            if method == "posts.wait" {
                client
                    .wait_for_post_with(&text("post_id")?, &wait)
                    .await
                    .map(success)
            } else {
                let ids: Vec<String> = serde_json::from_value(params["post_ids"].clone()).ok()?;
                client.wait_for_posts_with(&ids, &wait).await.map(success)
            }
        }
        _ => return None,
    })
}

/// One call through the bindings' dispatch, its options as Python spells them.
async fn run_dispatched(
    client: &Client,
    method: &str,
    params: Value,
    options: &RequestOptions,
    wire_options: &Value,
) -> Result<Success, Error> {
    match method {
        "create_profile" => {
            let params = CreateProfile {
                profile_name: params["profile_name"].as_str().map(str::to_owned),
            };
            let response = client.create_profile_with(params, options).await?;
            Ok(Success {
                data: serde_json::to_value(&response.data).unwrap_or_default(),
                status: response.status,
                attempts: response.attempts,
                rate_limit: response.rate_limit,
                headers: response.headers,
            })
        }
        operation => {
            let prepared =
                bindings::prepare(Language::Python, operation, params, wire_options.clone())?;
            let response = prepared.send(client).await?;
            Ok(Success {
                data: response.data,
                status: response.status,
                attempts: response.attempts,
                rate_limit: response.rate_limit,
                headers: response.headers,
            })
        }
    }
}

/// What a call returned, as the API's JSON, with its metadata.
struct Success {
    data: Value,
    status: u16,
    attempts: u32,
    rate_limit: Option<postcore::RateLimit>,
    headers: postcore::HeaderMap,
}

async fn replay(
    server: &MockServer,
    control: &Control,
    scenario: &Value,
    via: Via,
) -> Result<Replayed, String> {
    control.call("POST", "reset", Some(&json!({}))).await?;
    if let Some(seed) = scenario.get("seed").filter(|s| !s.is_null()) {
        control.call("POST", "seed", Some(seed)).await?;
    }
    if let Some(seconds) = scenario.get("advance").and_then(Value::as_f64) {
        control
            .call("POST", "advance", Some(&json!({ "seconds": seconds })))
            .await?;
    }
    if let Some(faults) = scenario.get("faults").filter(|f| f.is_array()) {
        control.call("POST", "faults", Some(faults)).await?;
    }
    let clock = control.call("GET", "clock", None).await?;
    let now = clock["now"]
        .as_str()
        .and_then(|t| Timestamp::parse(t).ok())
        .ok_or("no server clock")?;

    let client_spec = &scenario["client"];
    let api_key = match client_spec["api_key"].as_str() {
        Some("invalid") => Some(WRONG_KEY),
        Some("missing") => None,
        _ => Some(DEFAULT_API_KEY),
    };
    let base_url = match client_spec["base_url"].as_str() {
        Some("refused") => refused_url(),
        _ => server.url().to_owned(),
    };
    let call = &scenario["call"];
    let method = call["method"].as_str().ok_or("no call.method")?;
    let mut params = call.get("params").cloned().unwrap_or(json!({}));
    expand_now(&mut params, &now);
    let mut options = RequestOptions::new();
    // The same options as the dispatch takes them from Python.
    let mut wire_options = serde_json::Map::new();
    if let Some(ms) = call["options"]["timeout_ms"].as_u64() {
        options = options.timeout(Duration::from_millis(ms));
        wire_options.insert("timeout".into(), json!(ms as f64 / 1000.0));
    }
    if let Some(n) = call["options"]["max_retries"].as_u64() {
        options = options.max_retries(n as u32);
        wire_options.insert("max_retries".into(), json!(n));
    }
    if let Some(headers) = call["options"]["headers"].as_object() {
        for (name, value) in headers {
            options = options.header(name.clone(), value.as_str().unwrap_or_default());
        }
        wire_options.insert("extra_headers".into(), Value::Object(headers.clone()));
    }
    let wire_options = Value::Object(wire_options);

    let started = Instant::now();
    let mut built: Option<Client> = None;
    let outcome: Option<Result<Success, Error>> = async {
        // A store of its own, so that no scenario's rate budget carries over to the next.
        let mut builder = Client::builder().base_url(base_url).store(format!(
            "memory://scenario-{}-{via:?}",
            scenario["name"].as_str().unwrap_or("?")
        ));
        if let Some(key) = api_key {
            builder = builder.api_key(key);
        }
        if let Some(ms) = client_spec["timeout_ms"].as_u64() {
            builder = builder.timeout(Duration::from_millis(ms));
        }
        if let Some(n) = client_spec["max_retries"].as_u64() {
            builder = builder.max_retries(n as u32);
        }
        if let Some(ms) = client_spec["max_rate_limit_wait_ms"].as_u64() {
            builder = builder.max_rate_limit_wait(Duration::from_millis(ms));
        }
        let client = match builder.build() {
            Ok(client) => client,
            Err(error) => return Some(Err(error)),
        };
        let result = run_call(&client, method, params, &options, &wire_options, via).await;
        built = Some(client);
        result
    }
    .await;
    let Some(outcome) = outcome else {
        return Ok(Replayed::NotTyped);
    };
    let elapsed = started.elapsed().as_millis() as u64;

    let mut expect = scenario["expect"].clone();
    expand_now(&mut expect, &now);
    let expect_result = expect.get("result").is_some() || expect.get("result_contains").is_some();
    // What each call returned, for `same_result_as` (0: this call, k: the step then[k - 1]).
    let mut results: Vec<Option<Value>> = vec![outcome.as_ref().ok().map(|s| s.data.clone())];
    match (outcome, expect_result) {
        (Ok(success), true) => check_success(&success, &expect)?,
        (Err(error), false) if expect.get("error").is_some() => {
            check_error(&error, &expect["error"])?
        }
        (Ok(success), _) => return Err(format!("expected an error, got {}", success.data)),
        (Err(error), _) => {
            return Err(format!(
                "expected a result, got {}: {error}",
                error.kind().class_name()
            ));
        }
    }

    let requests = control.list("requests").await?;
    if let Some(n) = expect["server_requests"].as_u64() {
        if requests.len() as u64 != n {
            return Err(format!(
                "server saw {} requests, expected {n}",
                requests.len()
            ));
        }
    }
    if let Some(n) = expect["profiles_created"].as_u64() {
        let stored = control.list("profiles").await?.len() as u64;
        if stored != n {
            return Err(format!("server stores {stored} profiles, expected {n}"));
        }
    }
    if let Some(n) = expect["posts_stored"].as_u64() {
        let stored = control.list("posts").await?.len() as u64;
        if stored != n {
            return Err(format!("server stores {stored} posts, expected {n}"));
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
        check_request(
            requests.first().ok_or("no request recorded")?,
            want,
            api_key,
        )?;
    }
    // Further calls with the same client (what the first one left in its rate budget).
    for (i, step) in scenario["then"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let client = built.as_ref().ok_or("then: the client was not built")?;
        let call = &step["call"];
        let method = call["method"].as_str().ok_or("then: no call.method")?;
        let mut params = call.get("params").cloned().unwrap_or(json!({}));
        expand_now(&mut params, &now);
        let started = Instant::now();
        let none = (RequestOptions::new(), Value::Null);
        let Some(outcome) = run_call(client, method, params, &none.0, &none.1, via).await else {
            return Ok(Replayed::NotTyped);
        };
        let elapsed = started.elapsed().as_millis() as u64;
        let mut expect = step["expect"].clone();
        expand_now(&mut expect, &now);
        let step_error = |problem: String| format!("then[{i}]: {problem}");
        results.push(outcome.as_ref().ok().map(|s| s.data.clone()));
        let expect_result =
            expect.get("result").is_some() || expect.get("same_result_as").is_some();
        match (outcome, expect_result) {
            (Ok(success), true) => check_success(&success, &expect).map_err(step_error)?,
            (Err(error), false) if expect.get("error").is_some() => {
                check_error(&error, &expect["error"]).map_err(step_error)?
            }
            (Ok(success), _) => {
                return Err(step_error(format!(
                    "expected an error, got {}",
                    success.data
                )));
            }
            (Err(error), _) => {
                return Err(step_error(format!(
                    "expected a result, got {}: {error}",
                    error.kind().class_name()
                )));
            }
        }
        if let Some(k) = expect.get("same_result_as") {
            let earlier = k
                .as_u64()
                .filter(|k| *k <= i as u64)
                .and_then(|k| results[k as usize].as_ref());
            match (&results[i + 1], earlier) {
                (Some(got), Some(want)) if got == want => {}
                (got, want) => {
                    return Err(step_error(format!(
                        "same_result_as {k}: got {got:?}, that call returned {want:?}"
                    )));
                }
            }
        }
        if let Some(n) = expect["server_requests"].as_u64() {
            let seen = control.list("requests").await?.len() as u64;
            if seen != n {
                return Err(step_error(format!(
                    "server saw {seen} requests in all, expected {n}"
                )));
            }
        }
        if let Some(min) = expect["min_elapsed_ms"].as_u64() {
            if elapsed < min {
                return Err(step_error(format!(
                    "took {elapsed} ms, expected at least {min} ms"
                )));
            }
        }
        if let Some(max) = expect["max_elapsed_ms"].as_u64() {
            if elapsed > max {
                return Err(step_error(format!(
                    "took {elapsed} ms, expected at most {max} ms"
                )));
            }
        }
    }
    Ok(Replayed::Done)
}

fn check_request(
    first: &Value,
    want: &Map<String, Value>,
    api_key: Option<&str>,
) -> Result<(), String> {
    for field in ["method", "path"] {
        if let Some(wanted) = want.get(field) {
            if &first[field] != wanted {
                return Err(format!("request {field} {} != {wanted}", first[field]));
            }
        }
    }
    let headers = &first["headers"];
    for (name, value) in want
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let value = value.as_str().unwrap_or_default();
        let value = if value == "$API_KEY" {
            api_key.unwrap_or_default()
        } else {
            value
        };
        if headers[name].as_str() != Some(value) {
            return Err(format!("header {name}: {} != {value:?}", headers[name]));
        }
    }
    let ua = headers["user-agent"].as_str().unwrap_or_default();
    if !ua.starts_with("postcore-rust/") {
        return Err(format!("user-agent {ua:?}"));
    }
    if let Some(json) = want.get("json") {
        let body: Value = serde_json::from_str(first["body"].as_str().unwrap_or_default())
            .map_err(|e| format!("request body: {e}"))?;
        if &body != json {
            return Err(format!("request body {body} != {json}"));
        }
    }
    Ok(())
}

fn check_success(success: &Success, expect: &Value) -> Result<(), String> {
    if let Some(want) = expect.get("result") {
        let exact = expect["result_exact"].as_bool().unwrap_or(false);
        matches(&success.data, want, "result", exact)?;
    }
    for part in expect["result_contains"].as_array().into_iter().flatten() {
        let part = part.as_str().unwrap_or_default();
        if !success.data.as_str().is_some_and(|s| s.contains(part)) {
            return Err(format!("result {} lacks {part:?}", success.data));
        }
    }
    if let Some(want) = expect.get("response") {
        if let Some(status) = want["status"].as_u64() {
            if u64::from(success.status) != status {
                return Err(format!("status {} != {status}", success.status));
            }
        }
        if let Some(attempts) = want["attempts"].as_u64() {
            if u64::from(success.attempts) != attempts {
                return Err(format!("attempts {} != {attempts}", success.attempts));
            }
        }
        if let Some(limit) = want.get("rate_limit") {
            check_rate_limit(success.rate_limit.as_ref(), limit)?;
        }
        for (name, value) in want["headers"].as_object().into_iter().flatten() {
            let got = success.headers.get(name).and_then(|v| v.to_str().ok());
            if got != value.as_str() {
                return Err(format!("response header {name}: {got:?} != {value}"));
            }
        }
    }
    Ok(())
}

fn check_rate_limit(got: Option<&postcore::RateLimit>, want: &Value) -> Result<(), String> {
    let Some(got) = got else {
        return if want.is_null() {
            Ok(())
        } else {
            Err("no rate limit".to_owned())
        };
    };
    for (field, value) in [("limit", got.limit), ("remaining", got.remaining)] {
        if let Some(wanted) = want[field].as_u64() {
            if value != Some(wanted) {
                return Err(format!("rate_limit.{field} {value:?} != {wanted}"));
            }
        }
    }
    if want["reset"] == json!(true) && got.reset.is_none() {
        return Err("rate_limit.reset missing".to_owned());
    }
    Ok(())
}

/// Partial matching, as `tests/README.md` defines it.
fn matches(got: &Value, want: &Value, at: &str, exact: bool) -> Result<(), String> {
    match (got, want) {
        (Value::Object(got_map), Value::Object(want_map)) => {
            for (key, wanted) in want_map {
                let Some(value) = got_map.get(key) else {
                    return Err(format!("{at}.{key} is missing in {got}"));
                };
                matches(value, wanted, &format!("{at}.{key}"), exact)?;
            }
            if let Some(extra) = got_map.keys().find(|k| exact && !want_map.contains_key(*k)) {
                return Err(format!("{at}.{extra} is not expected in {got}"));
            }
            Ok(())
        }
        (Value::Array(got_items), Value::Array(want_items)) => {
            if got_items.len() != want_items.len() {
                return Err(format!(
                    "{at} has {} items, expected {}: {got}",
                    got_items.len(),
                    want_items.len()
                ));
            }
            for (i, (g, w)) in got_items.iter().zip(want_items).enumerate() {
                matches(g, w, &format!("{at}[{i}]"), exact)?;
            }
            Ok(())
        }
        (Value::String(g), Value::String(pattern)) if pattern.ends_with('*') => {
            let prefix = pattern.trim_end_matches('*');
            if g.starts_with(prefix) && g.len() > prefix.len() {
                Ok(())
            } else {
                Err(format!("{at}: {g:?} does not match {pattern:?}"))
            }
        }
        _ if got == want => Ok(()),
        _ => Err(format!("{at}: {got} != {want}")),
    }
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
        if !error.body_text().unwrap_or_default().contains(part) {
            return Err(format!("body {:?} lacks {part:?}", error.body_text()));
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
    if let Some([low, high]) = want["retry_after_range"].as_array().map(Vec::as_slice) {
        let got = error.retry_after().map(|d| d.as_secs_f64());
        let (low, high) = (low.as_f64().unwrap_or(0.0), high.as_f64().unwrap_or(0.0));
        if !got.is_some_and(|g| (low..=high).contains(&g)) {
            return Err(format!("retry_after {got:?} not within [{low}, {high}]"));
        }
    }
    if let Some(retry_after) = want.get("retry_after") {
        let got = error.retry_after().map(|d| d.as_secs_f64());
        if got != retry_after.as_f64() {
            return Err(format!("retry_after {got:?} != {retry_after}"));
        }
    }
    if let Some(platforms) = want.get("missing_platforms") {
        let got = json!(error.missing_platforms());
        if &got != platforms {
            return Err(format!("missing_platforms {got} != {platforms}"));
        }
    }
    if let Some(platform) = want.get("platform") {
        if error.platform() != platform.as_str() {
            return Err(format!("platform {:?} != {platform}", error.platform()));
        }
    }
    if want["next_available"] == json!(true) && error.next_available().is_none() {
        return Err("next_available missing".to_owned());
    }
    if let Some(flag) = want["may_have_been_processed"].as_bool() {
        if error.may_have_been_processed() != flag {
            return Err(format!(
                "may_have_been_processed {} != {flag}",
                error.may_have_been_processed()
            ));
        }
    }
    if let Some(status) = want["post_status"].as_str() {
        let got = error.post().map(|p| p.status.as_str().to_owned());
        if got.as_deref() != Some(status) {
            return Err(format!("post status {got:?} != {status}"));
        }
    }
    if let Some(attempts) = want["attempts"].as_u64() {
        if u64::from(error.attempts()) != attempts {
            return Err(format!("attempts {} != {attempts}", error.attempts()));
        }
    }
    if let Some(limit) = want.get("rate_limit") {
        check_rate_limit(error.rate_limit(), limit)?;
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
