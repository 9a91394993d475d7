//! One server's memory: the mock clock, the API data (`store`), queued faults, the request
//! log, the rate-limit window and connection counts. Everything is per instance (no globals),
//! so several servers can run in one process, as the Python and Node packages embed it.

mod credentials;
mod events;
mod model;
mod seed;
mod stats;
mod store;

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub(crate) use credentials::{valid_app_password, valid_bluesky_handle};
pub use events::MockEvent;
pub(crate) use model::{BLUESKY_MAX_GRAPHEMES, MAX_CONTENT_CHARS, Platform};
pub use model::{ConnectedPlatform, PostStatus, StoredPost, StoredProfile};
pub(crate) use seed::Seed;
pub use seed::Seeded;
pub(crate) use stats::ConnectionCounter;
pub use stats::ConnectionStats;
pub(crate) use store::{Denied, NewPosts, PostCounts, Store, Usage};

use crate::config::MockConfig;
use crate::fault::{Fault, FaultAction};

/// One API request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers, names lowercased; repeated headers joined with `", "`.
    pub headers: BTreeMap<String, String>,
    /// The body as UTF-8 text (invalid sequences replaced).
    pub body: String,
    /// The response status sent; `None` (JSON `null`) if the connection was dropped instead.
    pub status: Option<u16>,
    /// When it was received, ISO 8601 UTC on the mock clock.
    pub time: String,
}

/// The `X-RateLimit-*` values for one response.
pub(crate) struct RateWindow {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    /// Unix seconds (mock clock) when the window ends.
    pub(crate) reset: i64,
    pub(crate) exceeded: bool,
}

/// What the pipeline needs to know about a request it just recorded.
pub(crate) struct Admission {
    pub(crate) fault: Option<Fault>,
    pub(crate) window: RateWindow,
    pub(crate) generation: u64,
    /// Where the request sits in the log, to fill in its status later.
    pub(crate) index: usize,
}

/// How one rate-limit window was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub(crate) struct WindowCount {
    /// Unix seconds (mock clock) when it started and ends (its `X-RateLimit-Reset`).
    pub(crate) start: i64,
    pub(crate) reset: i64,
    /// Requests counted in it, and how many of them were refused with a 429 for it.
    pub(crate) requests: u32,
    pub(crate) refused: u32,
}

/// Windows kept in the history.
const WINDOW_HISTORY: usize = 10_000;

#[derive(Default)]
struct Inner {
    store: Store,
    faults: VecDeque<(Fault, u32)>,
    requests: Vec<RecordedRequest>,
    window_start: i64,
    window_count: u32,
    /// The windows so far, oldest first, the current one last (for `/__mock/stats`).
    windows: VecDeque<WindowCount>,
    /// Bumped by every reset, so a request delayed across a reset leaves no trace in the next test.
    generation: u64,
}

pub(crate) struct State {
    pub(crate) api_keys: Vec<String>,
    pub(crate) posts_per_month: u32,
    rate_limit: u32,
    enforce_rate_limit: bool,
    rate_window_secs: i64,
    /// Milliseconds added to real time to get mock time.
    offset_ms: AtomicI64,
    pub(crate) connections: Arc<ConnectionCounter>,
    inner: Mutex<Inner>,
    /// Bumped on every change the dashboard shows (a request, a fault, the clock, the data),
    /// so its event stream can tell the page to fetch a new snapshot.
    changes: watch::Sender<u64>,
    /// Set once when the server stops: open connections (the dashboard's event stream among
    /// them) finish what they are sending and close.
    closed: watch::Sender<bool>,
}

impl State {
    pub(crate) fn new(config: &MockConfig) -> Self {
        Self {
            api_keys: config.api_keys.clone(),
            posts_per_month: config.posts_per_month,
            rate_limit: config.rate_limit.unwrap_or(crate::config::UNLIMITED),
            enforce_rate_limit: config.rate_limit.is_some(),
            rate_window_secs: i64::try_from(config.rate_window.as_secs())
                .unwrap_or(i64::MAX)
                .max(1),
            offset_ms: AtomicI64::new(0),
            connections: Arc::default(),
            inner: Mutex::default(),
            changes: watch::Sender::new(0),
            closed: watch::Sender::new(false),
        }
    }

    /// Notes that something the dashboard shows has changed.
    pub(crate) fn changed(&self) {
        self.changes
            .send_modify(|version| *version = version.wrapping_add(1));
    }

    /// The change counter, and a receiver that wakes on each change.
    pub(crate) fn watch_changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Tells open connections that the server has stopped.
    pub(crate) fn close(&self) {
        self.closed.send_replace(true);
    }

    /// A receiver for [`close`](Self::close); `wait_for(|c| *c)` returns once stopped.
    pub(crate) fn watch_closed(&self) -> watch::Receiver<bool> {
        self.closed.subscribe()
    }

    /// A poisoned lock only means a test thread panicked; the data is still usable.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Mock time in Unix milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        crate::time::real_unix_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// How far the mock clock is ahead of real time, in milliseconds (negative: behind).
    pub(crate) fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Mock time in whole Unix seconds: the resolution of every timestamp the API shows.
    pub(crate) fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Moves the mock clock by `ms` (negative moves it back).
    pub(crate) fn advance_ms(&self, ms: i64) {
        let _ = self
            .offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
                Some(o.saturating_add(ms))
            });
        self.changed();
    }

    /// Runs `f` on the API data with the current mock time, under the lock.
    pub(crate) fn with_store<R>(&self, f: impl FnOnce(&mut Store, i64) -> R) -> R {
        let now = self.now();
        f(&mut self.lock().store, now)
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// How many requests the log holds, and the last `n` of them with their positions.
    pub(crate) fn latest_requests(&self, n: usize) -> (usize, Vec<(usize, RecordedRequest)>) {
        let inner = self.lock();
        let total = inner.requests.len();
        let start = total.saturating_sub(n);
        let latest = inner
            .requests
            .iter()
            .enumerate()
            .skip(start)
            .map(|(i, r)| (i, r.clone()))
            .collect();
        (total, latest)
    }

    /// The request at position `index` of the log.
    pub(crate) fn request(&self, index: usize) -> Option<RecordedRequest> {
        self.lock().requests.get(index).cloned()
    }

    pub(crate) fn push_fault(&self, fault: Fault) {
        let times = fault.times.unwrap_or(1);
        if times > 0 {
            self.lock().faults.push_back((fault, times));
            self.changed();
        }
    }

    /// The queued faults, each with the number of requests it still applies to.
    pub(crate) fn faults(&self) -> Vec<(Fault, u32)> {
        self.lock().faults.iter().cloned().collect()
    }

    /// Forgets the queued faults; returns how many there were.
    pub(crate) fn clear_faults(&self) -> usize {
        let cleared = std::mem::take(&mut self.lock().faults).len();
        self.changed();
        cleared
    }

    /// Back to a fresh server: no data, faults, requests, rate-limit counts or clock offset,
    /// and connection counting starts over from the connections open now.
    pub(crate) fn reset(&self) {
        let mut inner = self.lock();
        let generation = inner.generation + 1;
        *inner = Inner {
            generation,
            ..Inner::default()
        };
        self.offset_ms.store(0, Ordering::Relaxed);
        self.connections.reset();
        drop(inner);
        self.changed();
    }

    /// The current reset generation.
    pub(crate) fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Takes the next fault if it is a `reset`, which applies to a new connection before any
    /// request is read.
    pub(crate) fn take_reset(&self) -> bool {
        let mut inner = self.lock();
        let is_reset = matches!(
            inner.faults.front(),
            Some((f, _)) if f.action == FaultAction::Reset && !f.is_aimed()
        );
        if is_reset {
            match inner.faults.front_mut() {
                Some((_, left)) if *left > 1 => *left -= 1,
                _ => {
                    inner.faults.pop_front();
                }
            }
            drop(inner);
            self.changed();
        }
        is_reset
    }

    /// The rate-limit windows so far (oldest first) and the limit enforced, if any.
    pub(crate) fn windows(&self) -> (Vec<WindowCount>, Option<u32>) {
        let windows = self.lock().windows.iter().copied().collect();
        (windows, self.enforce_rate_limit.then_some(self.rate_limit))
    }

    /// Records an API request, takes the fault that applies to it, if any, and counts it in
    /// the rate-limit window (which runs on the mock clock).
    pub(crate) fn admit(&self, request: RecordedRequest) -> Admission {
        let now = self.now();
        let mut inner = self.lock();
        let index = inner.requests.len();
        let aimed_elsewhere = inner
            .faults
            .front()
            .is_some_and(|(f, _)| !f.applies_to(&request.method, &request.path));
        inner.requests.push(request);
        let fault = match inner.faults.front_mut() {
            _ if aimed_elsewhere => None,
            Some((fault, left)) if *left > 1 => {
                *left -= 1;
                Some(fault.clone())
            }
            Some(_) => inner.faults.pop_front().map(|(fault, _)| fault),
            None => None,
        };
        let window_end = inner.window_start.saturating_add(self.rate_window_secs);
        if now >= window_end || now < inner.window_start || inner.windows.is_empty() {
            inner.window_start = now;
            inner.window_count = 0;
            if inner.windows.len() >= WINDOW_HISTORY {
                inner.windows.pop_front();
            }
            inner.windows.push_back(WindowCount {
                start: now,
                reset: now.saturating_add(self.rate_window_secs),
                requests: 0,
                refused: 0,
            });
        }
        inner.window_count = inner.window_count.saturating_add(1);
        let window = RateWindow {
            limit: self.rate_limit,
            remaining: self.rate_limit.saturating_sub(inner.window_count),
            reset: inner.window_start.saturating_add(self.rate_window_secs),
            exceeded: self.enforce_rate_limit && inner.window_count > self.rate_limit,
        };
        let count = inner.window_count;
        if let Some(current) = inner.windows.back_mut() {
            current.requests = count;
            current.refused += u32::from(window.exceeded);
        }
        let admission = Admission {
            fault,
            window,
            generation: inner.generation,
            index,
        };
        drop(inner);
        self.changed();
        admission
    }

    /// Notes the status sent for a recorded request (unless a reset came in between).
    pub(crate) fn record_status(&self, admission: &Admission, status: u16) {
        let mut inner = self.lock();
        if inner.generation == admission.generation {
            if let Some(request) = inner.requests.get_mut(admission.index) {
                request.status = Some(status);
            }
            drop(inner);
            self.changed();
        }
    }
}
