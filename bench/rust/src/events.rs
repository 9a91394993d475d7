//! `postcore-bench-events` — the cost of knowing when things happen, against a running
//! postcore-mock (`bench/events.sh` starts one), printed as one JSON document on stdout:
//!
//! * `wait_many`: `client.wait_for_posts` over N posts due within the hour while the mock's
//!   clock runs: requests per poll and per tracked post;
//! * `latency`: from a post's publication (the mock's clock moved past it) to its
//!   `post.published` event from `client.events()` with a short interval;
//! * `poll`: one events poll (both listings, the diff against the consumer's snapshot, the
//!   events queued) with 1,000 / 10,000 / 100,000 posts in `GET /posts`: time and peak heap,
//!   next to what a bare `list_posts()` of the same answer takes and the snapshot's size.
//!
//! Heap figures come from a counting global allocator (bytes requested, not RSS), on a
//! current-thread runtime, so they are the client's own. Environment: POSTCORE_BASE_URL,
//! POSTCORE_API_KEY; BENCH_EVENTS_SIZES (default `1000,10000,100000`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use postcore::{Client, CreatePost, Platform, Timestamp, WaitOptions};
use serde_json::{Value, json};

/// The system allocator, counting the bytes live now and the most live since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f`, returning its output, its wall time and the most heap it held above what was
/// live before (and what stayed live after).
async fn measured<T, F: std::future::Future<Output = T>>(f: F) -> (T, Measure) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let started = Instant::now();
    let out = f.await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    let kept = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    (out, Measure { ms, peak, kept })
}

/// Listings and unchanged polls are repeated this often (the median is reported).
const REPEAT: usize = 5;

/// The median time, with the largest peak and what stayed of the runs.
fn median(mut runs: Vec<Measure>) -> Measure {
    runs.sort_by(|a, b| a.ms.total_cmp(&b.ms));
    Measure {
        ms: runs[runs.len() / 2].ms,
        peak: runs.iter().map(|r| r.peak).max().unwrap_or(0),
        kept: runs[runs.len() / 2].kept,
    }
}

#[derive(Debug, Clone, Copy)]
struct Measure {
    ms: f64,
    /// Bytes above the start, at most.
    peak: usize,
    /// Bytes above the start, at the end (`saturating`: frees of older memory count as 0).
    kept: usize,
}

impl Measure {
    fn json(&self) -> Value {
        json!({ "ms": round(self.ms), "peak_mib": mib(self.peak), "kept_mib": mib(self.kept) })
    }
}

fn mib(bytes: usize) -> f64 {
    round(bytes as f64 / (1024.0 * 1024.0))
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

struct Mock {
    http: reqwest::Client,
    url: String,
}

impl Mock {
    async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("mock control");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        let text = response.text().await.expect("body");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn reset(&self) {
        self.control(reqwest::Method::POST, "/__mock/reset", None)
            .await;
    }

    async fn seed(&self, seed: Value) -> Value {
        self.control(reqwest::Method::POST, "/__mock/seed", Some(seed))
            .await
    }

    async fn advance(&self, seconds: u64) {
        self.control(
            reqwest::Method::POST,
            "/__mock/advance",
            Some(json!({ "seconds": seconds })),
        )
        .await;
    }

    async fn requests(&self) -> Vec<Value> {
        let log = self
            .control(reqwest::Method::GET, "/__mock/requests", None)
            .await;
        log["requests"].as_array().cloned().unwrap_or_default()
    }

    async fn now(&self) -> Timestamp {
        let clock = self
            .control(reqwest::Method::GET, "/__mock/clock", None)
            .await;
        Timestamp::parse(clock["now"].as_str().unwrap_or_default()).expect("mock clock")
    }
}

fn client(url: &str, key: &str, store: &str) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(url)
        .store(store)
        .build()
        .expect("client")
}

/// Posts `range` of one profile; every `due_every`-th is due in a minute, the rest tomorrow.
fn posts_seed(profile: &str, range: std::ops::Range<usize>, due_every: usize) -> Value {
    let posts: Vec<Value> = range
        .map(|i| {
            json!({
                "profileKey": profile,
                "platform": if i % 2 == 0 { "linkedin" } else { "bluesky" },
                "content": format!("Post number {i} of the benchmark: an ordinary length of text, with a link https://example.com/{i}"),
                "scheduledFor": if i % due_every == 0 { "$NOW+60".to_owned() } else { format!("$NOW+{}", 86_400 + i) },
            })
        })
        .collect();
    json!({ "posts": posts })
}

async fn wait_many(mock: &Mock, key: &str, sizes: &[usize]) -> Value {
    let mut rows = Vec::new();
    for &n in sizes {
        mock.reset().await;
        let profile = mock
            .seed(json!({"profiles": [{"connect": ["linkedin", "bluesky"]}]}))
            .await["profiles"][0]
            .as_str()
            .expect("profile")
            .to_owned();
        let posts: Vec<Value> = (0..n)
            .map(|i| {
                json!({
                    "profileKey": profile,
                    "platform": if i % 2 == 0 { "linkedin" } else { "bluesky" },
                    "content": format!("post {i}"),
                    "scheduledFor": format!("$NOW+{}", 60 + i * 3000 / n.max(1)),
                })
            })
            .collect();
        let ids: Vec<String> = mock.seed(json!({ "posts": posts })).await["posts"]
            .as_array()
            .expect("ids")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let client = client(&mock.url, key, &format!("memory://bench-wait-many-{n}"));
        let started = Instant::now();
        let waiting = {
            let client = client.clone();
            let ids = ids.clone();
            tokio::spawn(async move {
                let options = WaitOptions::new()
                    .interval(Duration::from_millis(100))
                    .timeout(Duration::from_secs(120));
                client.wait_for_posts(&ids, &options).await
            })
        };
        // The hour goes by in ten-minute steps, one every 300 ms.
        for _ in 0..7 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            mock.advance(600).await;
        }
        let done = waiting.await.expect("task").expect("every post done");
        let wall = started.elapsed().as_secs_f64();
        assert_eq!(done.len(), n);
        let requests = mock.requests().await;
        let listings = requests.iter().filter(|r| r["path"] == "/posts").count();
        rows.push(json!({
            "posts": n,
            "requests": requests.len(),
            "listings": listings,
            "requests_per_poll": round(requests.len() as f64 / listings.max(1) as f64),
            "requests_per_post": round(requests.len() as f64 / n as f64),
            "wall_s": round(wall),
        }));
    }
    Value::Array(rows)
}

async fn latency(mock: &Mock, key: &str, samples: usize, interval: Duration) -> Value {
    mock.reset().await;
    let profile = mock
        .seed(json!({"profiles": [{"connect": ["bluesky"]}]}))
        .await["profiles"][0]
        .as_str()
        .expect("profile")
        .to_owned();
    let client = client(&mock.url, key, "memory://bench-latency");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(postcore::Event, Instant)>();
    let listener = {
        let client = client.clone();
        tokio::spawn(async move {
            let mut events = client.events("bench-latency", Some(interval));
            while let Some(Ok(event)) = events.next().await {
                if tx.send((event, Instant::now())).is_err() {
                    break;
                }
            }
        })
    };
    // The consumer's first poll takes its starting point.
    tokio::time::sleep(interval * 2).await;
    let mut millis = Vec::new();
    for i in 0..samples {
        let at = mock.now().await.add(Duration::from_secs(60));
        let post = client
            .create_post(CreatePost::new(
                profile.clone(),
                format!("latency {i}"),
                [Platform::Bluesky],
                at,
            ))
            .await
            .expect("post")
            .posts[0]
            .post_id
            .clone();
        // At a random point of the poll cycle.
        tokio::time::sleep(interval.mul_f64(fastrand_unit(i))).await;
        mock.advance(61).await;
        let published = Instant::now();
        loop {
            let (event, seen) = rx.recv().await.expect("an event");
            if event.event_type == "post.published" && event.data["postId"] == json!(post) {
                millis.push(seen.duration_since(published).as_secs_f64() * 1000.0);
                break;
            }
        }
    }
    listener.abort();
    millis.sort_by(f64::total_cmp);
    let pick = |q: f64| round(millis[((millis.len() - 1) as f64 * q).round() as usize]);
    json!({
        "interval_ms": interval.as_millis(),
        "samples": samples,
        "p50_ms": pick(0.5),
        "p95_ms": pick(0.95),
        "max_ms": pick(1.0),
        "min_ms": pick(0.0),
    })
}

/// A spread of points in [0, 1) without a random number generator (golden-ratio steps).
fn fastrand_unit(i: usize) -> f64 {
    (i as f64 * 0.618_033_988_75).fract()
}

async fn poll_cost(mock: &Mock, key: &str, sizes: &[usize]) -> Value {
    let mut rows = Vec::new();
    for &n in sizes {
        mock.reset().await;
        let profile = mock
            .seed(json!({"profiles": [{"connect": ["linkedin", "bluesky"]}]}))
            .await["profiles"][0]
            .as_str()
            .expect("profile")
            .to_owned();
        // 1 % of them due in a minute: the changed poll finds n / 100 events. In seeds of
        // 10,000 (the mock caps a request body).
        for start in (0..n).step_by(10_000) {
            mock.seed(posts_seed(&profile, start..n.min(start + 10_000), 100))
                .await;
        }
        let body = reqwest::Client::new()
            .get(format!("{}/posts", mock.url))
            .header("x-api-key", key)
            .send()
            .await
            .expect("list")
            .bytes()
            .await
            .expect("body")
            .len();
        let client = client(&mock.url, key, &format!("memory://bench-poll-{n}"));
        // Warm the connection and the pacer first.
        client.list_profiles().await.expect("warm-up");
        let mut lists = Vec::new();
        for _ in 0..REPEAT {
            let (list, cost) = measured(client.list_posts()).await;
            assert_eq!(list.expect("list").len(), n);
            lists.push(cost);
        }
        let list_cost = median(lists);
        let consumer = format!("bench-{n}");
        let (found, first) =
            measured(postcore::bindings::poll_events_once(&client, &consumer)).await;
        assert_eq!(found.expect("first poll"), 0);
        // What the first poll left behind is the snapshot (in the memory store).
        let snapshot = first.kept;
        let mut steadies = Vec::new();
        for _ in 0..REPEAT {
            let (found, cost) =
                measured(postcore::bindings::poll_events_once(&client, &consumer)).await;
            assert_eq!(found.expect("steady poll"), 0);
            steadies.push(cost);
        }
        let steady = median(steadies);
        mock.advance(120).await;
        let (found, changed) =
            measured(postcore::bindings::poll_events_once(&client, &consumer)).await;
        let found = found.expect("changed poll");
        assert_eq!(found, n.div_ceil(100));
        rows.push(json!({
            "posts": n,
            "body_mib": mib(body),
            "list_posts": list_cost.json(),
            "snapshot_mib": mib(snapshot),
            "first_poll": first.json(),
            "steady_poll": steady.json(),
            "changed_poll": changed.json(),
            "changed_events": found,
            "peak_over_list_plus_snapshot": round(
                changed.peak as f64 / (list_cost.peak + snapshot) as f64
            ),
            "ms_per_1000_posts": round(changed.ms / n as f64 * 1000.0),
        }));
    }
    Value::Array(rows)
}

fn main() {
    let url = std::env::var("POSTCORE_BASE_URL").expect("POSTCORE_BASE_URL");
    let key = std::env::var("POSTCORE_API_KEY").expect("POSTCORE_API_KEY");
    let sizes: Vec<usize> = std::env::var("BENCH_EVENTS_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".to_owned())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result = runtime.block_on(async {
        let mock = Mock {
            http: reqwest::Client::new(),
            url,
        };
        let wait_many = wait_many(&mock, &key, &[10, 100, 1000]).await;
        let latency = latency(&mock, &key, 20, Duration::from_millis(250)).await;
        let poll = poll_cost(&mock, &key, &sizes).await;
        mock.reset().await;
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        json!({
            "wait_many": wait_many, "latency": latency, "poll": poll,
            "loadavg": load.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        })
    });
    println!("{result}");
}
