//! Helpers for the CLI tests: an in-process mock server, the built `postcore` binary run as a
//! child process, temporary files, and a proxy that delivers chosen answers late.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use postcore_mock::{Fault, MockConfig, MockServer, RecordedRequest, StoredProfile};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const KEY: &str = "pc_cli_test_key";

/// A mock server on its own runtime thread, so tests can block on child processes.
pub struct Mock {
    pub server: MockServer,
    pub runtime: tokio::runtime::Runtime,
}

impl Mock {
    pub fn start(config: MockConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let config = MockConfig {
            api_keys: vec![KEY.to_owned()],
            ..config
        };
        let server = runtime
            .block_on(MockServer::start(config))
            .expect("mock server");
        Self { server, runtime }
    }

    pub fn plain() -> Self {
        Self::start(MockConfig::default())
    }

    /// Enforces `limit` requests per `window` seconds.
    pub fn rate_limited(limit: u32, window: u64) -> Self {
        Self::start(MockConfig {
            rate_limit: Some(limit),
            rate_window: Duration::from_secs(window),
            ..MockConfig::default()
        })
    }

    pub fn url(&self) -> String {
        self.server.url().to_owned()
    }

    pub fn profiles(&self) -> Vec<StoredProfile> {
        self.server.profiles()
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.server.requests()
    }

    pub fn fault(&self, fault: serde_json::Value) {
        let fault: Fault = serde_json::from_value(fault).expect("fault");
        self.server.push_fault(fault);
    }

    /// `n` requests answered normally (to aim the next fault at a given request).
    pub fn pass(&self, n: u32) {
        if n > 0 {
            self.fault(serde_json::json!({ "times": n }));
        }
    }

    /// How many recorded requests got each status (`None`: connection dropped).
    pub fn statuses(&self) -> HashMap<Option<u16>, usize> {
        let mut counts = HashMap::new();
        for request in self.requests() {
            *counts.entry(request.status).or_default() += 1;
        }
        counts
    }

    pub fn creates(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/profiles/create")
            .count()
    }
}

/// The built `postcore` binary with a clean environment (no key, no base URL).
pub fn postcore() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_postcore"));
    for var in [
        "POSTCORE_API_KEY",
        "POSTCORE_BASE_URL",
        "POSTCORE_BLUESKY_APP_PASSWORD",
        "POSTCORE_WEBHOOK_SECRET",
        "POSTCORE_STORE",
        "POSTCORE_DEBUG",
        "POSTCORE_LOG",
    ] {
        command.env_remove(var);
    }
    command
}

/// `postcore` pointed at `url` with the test key.
pub fn postcore_at(url: &str) -> Command {
    let mut command = postcore();
    command
        .env("POSTCORE_API_KEY", KEY)
        .env("POSTCORE_BASE_URL", url);
    command
}

#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Asserts that stderr says `text`.
    pub fn says(&self, text: &str) {
        assert!(
            self.stderr.contains(text),
            "{text:?} not in:\n{}",
            self.stderr
        );
    }

    /// Asserts the exit status.
    pub fn exits(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "{self:?}");
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }
}

/// Runs to the end with `stdin` as input.
pub fn run_with_stdin(mut command: Command, args: &[&str], stdin: &str) -> Output {
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn postcore");
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin.as_bytes());
    }
    let output = child.wait_with_output().expect("wait postcore");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn run(command: Command, args: &[&str]) -> Output {
    run_with_stdin(command, args, "")
}

/// A fresh directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// An import's arguments: `head` (the command and its input), then the state file, `--out`
/// and line progress, all in `dir`, then `extra`.
pub fn import_args(head: Vec<String>, dir: &Path, out: &str, extra: &[&str]) -> Vec<String> {
    let mut args = head;
    args.extend([
        "--state".into(),
        dir.join("state.db").display().to_string(),
        "--out".into(),
        dir.join(out).display().to_string(),
        "--progress".into(),
        "lines".into(),
    ]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

/// Runs `postcore ARGS` against `url` to the end.
pub fn run_at(url: &str, args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(postcore_at(url), &args)
}

/// Starts `postcore ARGS` against `url`, its stderr going to `dir/log`.
pub fn spawn_at(url: &str, args: &[String], dir: &Path, log: &str) -> Child {
    let stderr = std::fs::File::create(dir.join(log)).expect("log file");
    postcore_at(url)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn postcore")
}

/// What a spawned run wrote to `dir/log`.
pub fn read_log(dir: &Path, log: &str) -> String {
    std::fs::read_to_string(dir.join(log)).unwrap_or_default()
}

/// How many rows of an import's `dir/state.db` are in `state`.
pub fn rows_in_state(dir: &Path, state: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("state.db")).expect("state db");
    conn.query_row("SELECT count(*) FROM rows WHERE state = ?1", [state], |r| {
        r.get(0)
    })
    .expect("count")
}

/// A users CSV: `id,email,plan` with these names in the email column.
pub fn write_users(path: &Path, names: &[String]) {
    let mut writer = csv::Writer::from_path(path).expect("csv");
    writer.write_record(["id", "email", "plan"]).expect("csv");
    for (i, name) in names.iter().enumerate() {
        writer
            .write_record([&i.to_string(), name, "pro"])
            .expect("csv");
    }
    writer.flush().expect("csv");
}

pub fn numbered(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("user{i}@example.com")).collect()
}

/// The keys CSV: (email, profileKey) per row, in file order.
pub fn read_keys(path: &Path) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(path).expect("keys csv");
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["id", "email", "plan", "profileKey"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            (r[1].to_owned(), r[3].to_owned())
        })
        .collect()
}

/// Checks the end state of an import: exactly one profile per row, each row's key is a
/// profile with the row's name, no key twice.
pub fn assert_one_profile_per_row(mock: &Mock, names: &[String], keys_csv: &Path) {
    let profiles = mock.profiles();
    assert_eq!(
        profiles.len(),
        names.len(),
        "profiles on the server: {:?}",
        profiles
            .iter()
            .map(|p| p.profile_name.clone())
            .collect::<Vec<_>>()
    );
    let by_key: HashMap<&str, Option<&str>> = profiles
        .iter()
        .map(|p| (p.profile_key.as_str(), p.profile_name.as_deref()))
        .collect();
    let keys = read_keys(keys_csv);
    assert_eq!(keys.len(), names.len());
    let mut seen = std::collections::HashSet::new();
    for ((email, key), name) in keys.iter().zip(names) {
        assert_eq!(email, name);
        assert!(seen.insert(key.clone()), "key {key} given twice");
        assert_eq!(
            by_key.get(key.as_str()).copied().flatten(),
            Some(name.as_str())
        );
    }
}

/// Polls `condition` every 10 ms, panicking after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `kill -9`, and waits for the end.
pub fn kill(child: &mut Child) {
    child.kill().expect("SIGKILL");
    let _ = wait_child(child, Duration::from_secs(10));
}

pub fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
}

/// Waits for a child with a time limit (killing it past that).
pub fn wait_child(child: &mut Child, limit: Duration) -> i32 {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status
                .code()
                .unwrap_or_else(|| 128 + signal_of(&status).unwrap_or(0));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("postcore did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn signal_of(_: &std::process::ExitStatus) -> Option<i32> {
    None
}

/// A TCP proxy in front of the mock that holds back the answer to chosen requests: the
/// server has processed them, the client waits in vain (a timeout after processing, which the
/// mock's own `delay_ms` cannot give: it delays *before* handling, and the handler is
/// cancelled when the client hangs up).
pub struct SlowProxy {
    pub url: String,
    /// Requests whose bytes contain this marker get their answer late, this many more times.
    pub remaining: Arc<AtomicU32>,
    stop: Arc<AtomicBool>,
}

impl SlowProxy {
    pub fn start(mock: &Mock, marker: &str, times: u32, delay: Duration) -> Self {
        let upstream = mock.server.addr();
        let listener = mock
            .runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("proxy bind");
        let addr = listener.local_addr().expect("proxy addr");
        let remaining = Arc::new(AtomicU32::new(times));
        let stop = Arc::new(AtomicBool::new(false));
        let marker = marker.as_bytes().to_vec();
        let (left, stopped) = (remaining.clone(), stop.clone());
        mock.runtime.spawn(async move {
            while !stopped.load(Ordering::Relaxed) {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(relay(client, upstream, marker.clone(), left.clone(), delay));
            }
        });
        Self {
            url: format!("http://{addr}"),
            remaining,
            stop,
        }
    }
}

impl Drop for SlowProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

async fn relay(
    client: TcpStream,
    upstream: SocketAddr,
    marker: Vec<u8>,
    remaining: Arc<AtomicU32>,
    delay: Duration,
) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let slow = Arc::new(AtomicBool::new(false));
    let slow_up = slow.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            if chunk.windows(marker.len()).any(|w| w == marker.as_slice())
                && remaining
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |r| r.checked_sub(1))
                    .is_ok()
            {
                slow_up.store(true, Ordering::SeqCst);
            }
            if server_write.write_all(chunk).await.is_err() {
                break;
            }
        }
        // The client is gone: the server's side stays open until it has answered.
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match server_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if slow.swap(false, Ordering::SeqCst) {
            tokio::time::sleep(delay).await;
        }
        if client_write.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
}
