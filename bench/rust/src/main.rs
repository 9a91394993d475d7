//! `postcore-bench CLIENT MODE` — one measurement of `create_profile` against a running
//! postcore-mock, printed as one JSON line on stdout (the driver, `bench/driver.py`, runs it).
//!
//! * CLIENT: `postcore` (our `postcore::Client`), `postcore-hook` (with no-op `Hooks`),
//!   `postcore-spans` (with a `tracing` subscriber that takes its spans) or `reqwest` (a bare
//!   reqwest loop sending the same request: the floor that shows what our layers cost).
//! * MODE: `seq` (calls one after another), `conc` (a fixed number in flight), `cold` (one
//!   call right after process start: the driver times the whole process), or `seq-ct`: `seq`
//!   on a current-thread runtime, where no wake-up crosses threads.
//!
//! Environment: POSTCORE_BASE_URL, POSTCORE_API_KEY, BENCH_CALLS, BENCH_CONCURRENCY,
//! BENCH_WARMUP. Every mode but `seq-ct` runs on tokio's default multi-thread runtime, as
//! `#[tokio::main]` (and the README's example) does.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};

const PROFILE_NAME: &str = "User: john@example.com";

/// The two clients under test, behind one `call()`.
#[derive(Clone)]
enum Bench {
    Postcore(postcore::Client),
    Reqwest {
        http: reqwest::Client,
        url: Arc<str>,
    },
}

impl Bench {
    fn new(which: &str, base_url: &str, api_key: &str) -> Self {
        match which {
            "postcore" | "postcore-spans" => Bench::Postcore(
                postcore::Client::builder()
                    .api_key(api_key)
                    .base_url(base_url)
                    .build()
                    .expect("postcore client"),
            ),
            "postcore-hook" => Bench::Postcore(
                postcore::Client::builder()
                    .api_key(api_key)
                    .base_url(base_url)
                    .hooks(NoopHooks)
                    .build()
                    .expect("postcore client"),
            ),
            "reqwest" => {
                // The same headers our client sends, set once as defaults, like ours does.
                let mut headers = HeaderMap::new();
                headers.insert("x-api-key", HeaderValue::from_str(api_key).unwrap());
                headers.insert(USER_AGENT, HeaderValue::from_static("postcore-bench/0"));
                headers.insert("accept", HeaderValue::from_static("application/json"));
                let http = reqwest::Client::builder()
                    .default_headers(headers)
                    .tcp_nodelay(true)
                    .build()
                    .expect("reqwest client");
                Bench::Reqwest {
                    http,
                    url: format!("{base_url}/profiles/create").into(),
                }
            }
            other => panic!(
                "unknown client {other:?} (postcore | postcore-hook | postcore-spans | reqwest)"
            ),
        }
    }

    /// One `create_profile`; returns the profile key's length so the work cannot be elided.
    async fn call(&self) -> usize {
        match self {
            Bench::Postcore(client) => {
                let params = postcore::CreateProfile {
                    profile_name: Some(PROFILE_NAME.to_owned()),
                };
                client
                    .create_profile(params)
                    .await
                    .expect("create_profile")
                    .profile_key
                    .len()
            }
            Bench::Reqwest { http, url } => {
                let body = serde_json::to_vec(&serde_json::json!({ "profileName": PROFILE_NAME }))
                    .unwrap();
                let response = http
                    .post(&**url)
                    .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                    .body(body)
                    .send()
                    .await
                    .expect("send");
                assert!(
                    response.status().is_success(),
                    "status {}",
                    response.status()
                );
                let bytes = response.bytes().await.expect("body");
                let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
                value["profileKey"].as_str().expect("profileKey").len()
            }
        }
    }
}

/// Hooks that do nothing: the cost of the hooks' plumbing.
struct NoopHooks;

impl postcore::Hooks for NoopHooks {
    fn on_request(&self, event: &postcore::HookEvent<'_>, _headers: &mut postcore::HeaderMap) {
        std::hint::black_box(event.attempt);
    }

    fn on_response(&self, event: &postcore::HookEvent<'_>) {
        std::hint::black_box(event.status);
    }
}

/// A `tracing` subscriber that takes every span and event of the client and keeps nothing:
/// what the client's spans cost before any bridge (`tracing-opentelemetry`) does its work.
struct TakeAll;

impl tracing::Subscriber for TakeAll {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        std::hint::black_box(span.metadata().name());
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        std::hint::black_box(values.len());
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `calls` calls one after another; per-call latencies in seconds.
async fn sequential(bench: &Bench, calls: usize) -> Vec<f64> {
    let mut latencies = Vec::with_capacity(calls);
    for _ in 0..calls {
        let start = Instant::now();
        std::hint::black_box(bench.call().await);
        latencies.push(start.elapsed().as_secs_f64());
    }
    latencies
}

/// `calls` calls with `concurrency` in flight: that many workers take calls off one counter.
async fn concurrent(bench: &Bench, calls: usize, concurrency: usize) -> Vec<f64> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (bench, next) = (bench.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < calls {
                let start = Instant::now();
                std::hint::black_box(bench.call().await);
                latencies.push(start.elapsed().as_secs_f64());
            }
            latencies
        }));
    }
    let mut all = Vec::with_capacity(calls);
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    all
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [which, mode] = args.as_slice() else {
        eprintln!(
            "usage: postcore-bench postcore|postcore-hook|postcore-spans|reqwest seq|seq-ct|conc|cold"
        );
        std::process::exit(2);
    };
    if which == "postcore-spans" {
        tracing::subscriber::set_global_default(TakeAll).expect("the only subscriber");
    }
    let base_url = std::env::var("POSTCORE_BASE_URL").expect("POSTCORE_BASE_URL");
    let api_key = std::env::var("POSTCORE_API_KEY").expect("POSTCORE_API_KEY");
    let calls = env_usize("BENCH_CALLS", 5000);
    let concurrency = env_usize("BENCH_CONCURRENCY", 64);
    let warmup = env_usize("BENCH_WARMUP", 200);

    let runtime = match mode.as_str() {
        "seq-ct" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        _ => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
    }
    .expect("runtime");

    runtime.block_on(async {
        let bench = Bench::new(which, &base_url, &api_key);
        if mode == "cold" {
            bench.call().await;
            println!("{}", peak_rss_kib());
            return;
        }
        let run = |n| {
            let bench = bench.clone();
            async move {
                match mode.as_str() {
                    "seq" | "seq-ct" => sequential(&bench, n).await,
                    "conc" => concurrent(&bench, n, concurrency).await,
                    other => panic!("unknown mode {other:?} (seq | seq-ct | conc | cold)"),
                }
            }
        };
        run(warmup).await;
        let started = Instant::now();
        let mut latencies = run(calls).await;
        let elapsed = started.elapsed();
        latencies.sort_by(f64::total_cmp);
        print_result(calls, elapsed, &latencies);
    });
}

fn print_result(calls: usize, elapsed: Duration, sorted: &[f64]) {
    println!(
        "{}",
        serde_json::json!({
            "calls": calls,
            "elapsed_s": elapsed.as_secs_f64(),
            "calls_per_s": calls as f64 / elapsed.as_secs_f64(),
            "p50_ms": percentile(sorted, 50.0) * 1e3,
            "p99_ms": percentile(sorted, 99.0) * 1e3,
        })
    );
}

/// VmHWM from /proc/self/status (the driver cannot use the child's rusage: it also counts the
/// parent's memory at fork/exec time).
fn peak_rss_kib() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or("0")
        .to_owned()
}
