//! `postcore listen` against the mock: the built binary forwarding events to a local receiver
//! that verifies every signature with `postcore::webhooks::verify` and fails some deliveries
//! (500s, a closed connection, one left unanswered while the process is killed).

#![cfg(unix)]

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use postcore::webhooks::{DEFAULT_TOLERANCE, verify};
use postcore::{ConnectBluesky, CreatePost, CreateProfile, Platform, Timestamp};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "whsec_cli_listen_test_5d1f0b9e";
const APP_PASSWORD: &str = "abcd-efgh-ijkl-mnop";
const LIMIT: Duration = Duration::from_secs(30);

/// What the receiver does with one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Ok,
    Status(u16),
    /// Reads the request, then closes the connection without a word.
    Close,
    /// Reads the request and never answers.
    Hang,
}

/// One attempt as the receiver saw it.
#[derive(Debug, Clone)]
struct Seen {
    event: Value,
    /// The signature's `t` minus the receiver's clock, in seconds.
    skew: i64,
    verified: Result<(), String>,
    answer: Answer,
}

/// A local webhook receiver: answers attempt `n` (from 1) with `script(n)`.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Receiver {
    fn start(mock: &Mock, script: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Self {
        let listener = mock
            .runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("receiver bind");
        let url = format!(
            "http://{}/hooks/postcore",
            listener.local_addr().expect("addr")
        );
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let script = Arc::new(script);
        let log = seen.clone();
        mock.runtime.spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, log.clone(), script.clone()));
            }
        });
        Self { url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen").clone()
    }

    /// The ids of the events answered 2xx, in the order they were.
    fn delivered(&self) -> Vec<String> {
        self.seen()
            .iter()
            .filter(|s| s.answer == Answer::Ok)
            .map(|s| id_of(&s.event))
            .collect()
    }
}

fn id_of(event: &Value) -> String {
    event["id"].as_str().unwrap_or_default().to_owned()
}

async fn serve(
    mut socket: TcpStream,
    log: Arc<Mutex<Vec<Seen>>>,
    script: Arc<impl Fn(usize) -> Answer + Send + Sync>,
) {
    let Some((headers, body)) = read_request(&mut socket).await else {
        return;
    };
    let signature = headers
        .get("postcore-signature")
        .cloned()
        .unwrap_or_default();
    let verified = verify(&body, &signature, SECRET, DEFAULT_TOLERANCE)
        .map(|_| ())
        .map_err(|e| e.to_string());
    let t: i64 = signature
        .split(',')
        .find_map(|part| part.strip_prefix("t="))
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let answer = {
        let mut log = log.lock().expect("log");
        let answer = script(log.len() + 1);
        log.push(Seen {
            event: serde_json::from_slice(&body).unwrap_or(Value::Null),
            skew: t - Timestamp::now().unix_seconds(),
            verified,
            answer,
        });
        answer
    };
    let status = match answer {
        Answer::Ok => 200,
        Answer::Status(status) => status,
        Answer::Close => return,
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
    };
    let text = if status == 200 { "ok" } else { "try later" };
    let response = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
}

/// One HTTP/1.1 request: its headers (names lowercased) and body.
async fn read_request(socket: &mut TcpStream) -> Option<(HashMap<String, String>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers.get("content-length")?.parse().ok()?;
    let mut body = buf[end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((headers, body))
}

fn client(mock: &Mock) -> postcore::Client {
    postcore::Client::builder()
        .api_key(KEY)
        .base_url(mock.url())
        .build()
        .expect("client")
}

/// `postcore listen` forwarding to `url`, its stdout and stderr in files of `dir`.
fn spawn_listen(mock: &Mock, dir: &Path, run: &str, extra: &[&str]) -> Child {
    let stdout = std::fs::File::create(dir.join(format!("{run}.out"))).expect("stdout file");
    let stderr = std::fs::File::create(dir.join(format!("{run}.err"))).expect("stderr file");
    postcore_at(&mock.url())
        .env("POSTCORE_WEBHOOK_SECRET", SECRET)
        .args(["listen", "--interval", "0.2"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("spawn postcore listen")
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

/// Listings of `GET /profiles` answered so far (the second request of each poll).
fn polls(mock: &Mock) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.path == "/profiles" && r.status == Some(200))
        .count()
}

/// Waits until the listener has polled twice more: once the second of them started, it has
/// seen everything done before this call.
fn wait_for_polls(mock: &Mock) {
    let before = polls(mock);
    wait_until(LIMIT, "two more polls", || polls(mock) >= before + 2);
}

#[test]
fn every_event_is_delivered_in_order_once_it_succeeds_each_attempt_signed() {
    let dir = temp_dir("listen-forward");
    let mock = Mock::plain();
    let gone = mock
        .server
        .seed(json!({"profiles": [{"profileName": "Gone soon", "connect": ["bluesky"]}]}))
        .expect("seed")
        .profiles[0]
        .clone();
    // The second event fails twice with 500, the fourth's first attempt sees the connection
    // closed, the sixth gets a 503 once.
    let receiver = Receiver::start(&mock, |n| match n {
        2 | 3 => Answer::Status(500),
        6 => Answer::Close,
        9 => Answer::Status(503),
        _ => Answer::Ok,
    });
    let mut child = spawn_listen(
        &mock,
        &dir,
        "run",
        &["--forward-to", &receiver.url, "--consumer", "app"],
    );
    // The first poll takes the starting point: no events for what is already there.
    wait_until(LIMIT, "the first poll", || polls(&mock) >= 1);

    let api = client(&mock);
    let rt = &mock.runtime;
    let ann = rt
        .block_on(api.create_profile(CreateProfile::named("User: ann@example.com")))
        .expect("profile");
    let key = ann.profile_key.clone();
    wait_for_polls(&mock);
    rt.block_on(api.connect_bluesky(
        ConnectBluesky::new("ann.bsky.social", APP_PASSWORD).profile_key(key.clone()),
    ))
    .expect("connect");
    let now = Timestamp::from(mock.server.now());
    let mut posts = Vec::new();
    for (i, at) in [60u64, 120, 180].into_iter().enumerate() {
        let created = rt
            .block_on(api.create_post(CreatePost::new(
                key.clone(),
                format!("post {i}"),
                [Platform::Bluesky],
                now.add(Duration::from_secs(at)),
            )))
            .expect("post");
        posts.push(created.posts[0].post_id.clone());
    }
    wait_for_polls(&mock);
    rt.block_on(api.delete_post(&posts[2])).expect("cancel");
    rt.block_on(api.delete_profile(&gone)).expect("delete");
    mock.server.advance(Duration::from_secs(150));
    // profile.created, connection.connected, post.deleted, connection.disconnected,
    // profile.deleted, post.published × 2.
    let expected = mock.server.events();
    assert_eq!(expected.len(), 7, "{expected:#?}");
    wait_until(LIMIT, "every event delivered", || {
        receiver.delivered().len() >= expected.len()
    });
    interrupt(&child);
    assert_eq!(wait_child(&mut child, LIMIT), 130);

    let seen = receiver.seen();
    let delivered = receiver.delivered();
    // Every event once, nothing else.
    let by_id: HashMap<&str, &postcore_mock::MockEvent> =
        expected.iter().map(|e| (e.id.as_str(), e)).collect();
    assert_eq!(
        delivered.iter().collect::<HashSet<_>>().len(),
        delivered.len(),
        "an event delivered twice: {delivered:?}"
    );
    assert_eq!(
        delivered.iter().map(String::as_str).collect::<HashSet<_>>(),
        by_id.keys().copied().collect::<HashSet<_>>(),
        "the mock's events (same ids) are the ones delivered"
    );
    // The same types and data as the mock's dashboard shows.
    for attempt in &seen {
        let id = id_of(&attempt.event);
        let mine = by_id[id.as_str()];
        assert_eq!(attempt.event["type"], json!(mine.event_type), "{id}");
        assert_eq!(attempt.event["data"], mine.data, "{}", mine.event_type);
    }
    // In order: an event is attempted until it succeeds, and only then the next.
    let mut order: Vec<String> = Vec::new();
    for attempt in &seen {
        let id = id_of(&attempt.event);
        if order.last() != Some(&id) {
            assert!(!order.contains(&id), "{id} attempted again after another");
            if let Some(previous) = order.last() {
                assert_eq!(delivered.get(order.len() - 1), Some(previous));
            }
            order.push(id);
        }
    }
    assert_eq!(order, delivered);
    // Retried after the 500s, the closed connection and the 503.
    assert_eq!(seen.len(), expected.len() + 4, "{seen:#?}");
    assert_eq!(id_of(&seen[1].event), id_of(&seen[3].event));
    assert_eq!(id_of(&seen[5].event), id_of(&seen[6].event));
    // Each attempt verified, signed when it was sent.
    for attempt in &seen {
        assert_eq!(attempt.verified, Ok(()), "{attempt:?}");
        assert!(attempt.skew.abs() <= 1, "signed {} s off", attempt.skew);
    }
    // A post's event carries the post.
    let published: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.answer == Answer::Ok && s.event["type"] == "post.published")
        .collect();
    assert_eq!(published.len(), 2);
    assert_eq!(published[0].event["data"]["postId"], json!(posts[0]));
    assert_eq!(published[0].event["data"]["status"], "published");

    let stdout = read(&dir, "run.out");
    let stderr = read(&dir, "run.err");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), seen.len(), "one line per attempt:\n{stdout}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("delivered evt_"))
            .count(),
        expected.len()
    );
    assert!(
        lines.iter().any(|l| l.starts_with("attempt 2 for evt_")
            && l.contains(": 500 (try later), retrying in ")),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" post.published → 200 in ") && l.ends_with(" ms")),
        "{stdout}"
    );
    assert!(stdout.contains("(attempt 3)"), "{stdout}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains(SECRET), "the secret was printed");
        assert!(!text.contains(KEY), "the API key was printed");
    }
}

#[test]
fn a_restart_after_kill_9_delivers_again_only_the_event_in_flight() {
    let dir = temp_dir("listen-restart");
    let store = format!("sqlite://{}", dir.join("store.db").display());
    let mock = Mock::plain();
    let key = mock
        .server
        .seed(json!({"profiles": [{"connect": ["bluesky"]}]}))
        .expect("seed")
        .profiles[0]
        .clone();
    // The first run: the second event is never answered; the second run: all answered.
    let receiver = Receiver::start(&mock, |n| if n == 2 { Answer::Hang } else { Answer::Ok });
    let args = ["--forward-to", &receiver.url, "--store", &store];
    let mut first = spawn_listen(&mock, &dir, "first", &args);
    wait_until(LIMIT, "the first poll", || polls(&mock) >= 1);
    let api = client(&mock);
    let now = Timestamp::from(mock.server.now());
    let posts: Vec<String> = (0..3u64)
        .map(|i| {
            mock.runtime
                .block_on(api.create_post(CreatePost::new(
                    key.clone(),
                    format!("post {i}"),
                    [Platform::Bluesky],
                    now.add(Duration::from_secs(60 + i * 10)),
                )))
                .expect("post")
                .posts[0]
                .post_id
                .clone()
        })
        .collect();
    wait_for_polls(&mock);
    mock.server.advance(Duration::from_secs(120));
    wait_until(LIMIT, "the second delivery in flight", || {
        receiver.seen().len() >= 2
    });
    first.kill().expect("kill -9");
    let _ = first.wait();
    assert_eq!(receiver.delivered().len(), 1);

    let mut second = spawn_listen(&mock, &dir, "second", &args);
    wait_until(LIMIT, "the rest delivered", || {
        receiver.delivered().len() >= 3
    });
    // Nothing more comes: give it a few polls.
    wait_for_polls(&mock);
    interrupt(&second);
    assert_eq!(wait_child(&mut second, LIMIT), 130);

    let seen = receiver.seen();
    let ids: Vec<String> = seen.iter().map(|s| id_of(&s.event)).collect();
    assert_eq!(seen.len(), 4, "{ids:?}");
    // The one in flight when killed came again, first; the one before it never did.
    assert_eq!(ids[1], ids[2]);
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[2], ids[3]);
    let delivered_posts: Vec<Value> = seen
        .iter()
        .filter(|s| s.answer == Answer::Ok)
        .map(|s| s.event["data"]["postId"].clone())
        .collect();
    let posts: Vec<Value> = posts.into_iter().map(Value::from).collect();
    assert_eq!(delivered_posts, posts, "each post's event once, in order");
    assert!(seen.iter().all(|s| s.verified.is_ok()));
    let second_out = read(&dir, "second.out");
    assert_eq!(second_out.lines().count(), 2, "{second_out}");
}

#[test]
fn without_forward_to_it_prints_each_event() {
    let mock = Mock::plain();
    let child = postcore_at(&mock.url())
        .args(["listen", "--json", "--interval", "0.2"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    wait_until(LIMIT, "the first poll", || polls(&mock) >= 1);
    let api = client(&mock);
    let profile = mock
        .runtime
        .block_on(api.create_profile(CreateProfile::named("Printed")))
        .expect("profile");
    let event = &mock.server.events()[0];
    wait_for_polls(&mock);
    interrupt(&child);
    let started = Instant::now();
    let output = child.wait_with_output().expect("wait");
    assert!(started.elapsed() < LIMIT);
    assert_eq!(output.status.code(), Some(130));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let printed: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON event per line"))
        .collect();
    assert_eq!(printed.len(), 1, "{stdout}");
    assert_eq!(printed[0]["id"], json!(event.id));
    assert_eq!(printed[0]["type"], "profile.created");
    assert_eq!(printed[0]["data"]["profileKey"], json!(profile.profile_key));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("listening for events"), "{stderr}");
    assert!(stderr.contains("--store sqlite://"), "{stderr}");
}

#[test]
fn forwarding_without_a_secret_is_a_usage_error_that_says_how_to_set_it() {
    let output = run(
        postcore_at("http://127.0.0.1:9"),
        &["listen", "--forward-to", "http://127.0.0.1:9/hook"],
    );
    assert_eq!(output.code, 2, "{output:?}");
    assert!(
        output.stderr.contains("POSTCORE_WEBHOOK_SECRET"),
        "{output:?}"
    );
    assert!(output.stderr.contains("export"), "{output:?}");
    let mut command = postcore_at("http://127.0.0.1:9");
    command.env("POSTCORE_WEBHOOK_SECRET", SECRET);
    let output = run(command, &["listen", "--forward-to", "ftp://example.com/x"]);
    assert_eq!(output.code, 2, "{output:?}");
    assert!(output.stderr.contains("--forward-to"), "{output:?}");
    assert!(!output.stderr.contains(SECRET));
}
