//! The server's memory: profiles, queued faults, the request log and the rate-limit window.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::fault::Fault;
use crate::time::{iso8601, unix_now};

/// A profile as `GET /profiles` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredProfile {
    /// `prof_` followed by 12 lowercase letters and digits.
    pub profile_key: String,
    /// The name given at creation.
    pub profile_name: Option<String>,
    /// Creation time, ISO 8601 UTC.
    pub created_at: String,
    /// Always empty: the mock does not connect platforms.
    pub connected_platforms: Vec<serde_json::Value>,
}

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
}

/// The `X-RateLimit-*` values for one response.
pub(crate) struct RateWindow {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    pub(crate) reset: u64,
    pub(crate) exceeded: bool,
}

const WINDOW_SECS: u64 = 15 * 60;

#[derive(Default)]
struct Inner {
    profiles: Vec<StoredProfile>,
    /// Keys of `profiles`, so that creating one stays O(1) however many exist.
    keys: HashSet<String>,
    faults: VecDeque<(Fault, u32)>,
    requests: Vec<RecordedRequest>,
    window_start: u64,
    window_count: u32,
    /// Bumped by every reset, so a request delayed across a reset leaves no trace in the next test.
    generation: u64,
}

pub(crate) struct State {
    pub(crate) api_keys: Vec<String>,
    rate_limit: u32,
    enforce_rate_limit: bool,
    inner: Mutex<Inner>,
}

impl State {
    pub(crate) fn new(api_keys: Vec<String>, rate_limit: Option<u32>) -> Self {
        Self {
            api_keys,
            rate_limit: rate_limit.unwrap_or(100),
            enforce_rate_limit: rate_limit.is_some(),
            inner: Mutex::default(),
        }
    }

    /// A poisoned lock only means a test thread panicked; the data is still usable.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn create_profile(&self, profile_name: Option<String>) -> StoredProfile {
        let mut inner = self.lock();
        let profile_key = loop {
            let key: String = std::iter::repeat_with(|| {
                let n = fastrand::u8(0..36);
                char::from(if n < 10 { b'0' + n } else { b'a' + n - 10 })
            })
            .take(12)
            .collect();
            let key = format!("prof_{key}");
            if inner.keys.insert(key.clone()) {
                break key;
            }
        };
        let profile = StoredProfile {
            profile_key,
            profile_name,
            created_at: iso8601(unix_now()),
            connected_platforms: Vec::new(),
        };
        inner.profiles.push(profile.clone());
        profile
    }

    pub(crate) fn delete_profile(&self, key: &str) -> bool {
        let mut inner = self.lock();
        if !inner.keys.remove(key) {
            return false;
        }
        inner.profiles.retain(|p| p.profile_key != key);
        true
    }

    pub(crate) fn profiles(&self) -> Vec<StoredProfile> {
        self.lock().profiles.clone()
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    pub(crate) fn push_fault(&self, fault: Fault) {
        let times = fault.times.unwrap_or(1);
        if times > 0 {
            self.lock().faults.push_back((fault, times));
        }
    }

    pub(crate) fn reset(&self) {
        let mut inner = self.lock();
        let generation = inner.generation + 1;
        *inner = Inner {
            generation,
            ..Inner::default()
        };
    }

    /// The current reset generation.
    pub(crate) fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Takes the next fault if it is a `reset`, which applies to a new connection before any
    /// request is read.
    pub(crate) fn take_reset(&self) -> bool {
        let mut inner = self.lock();
        let is_reset = matches!(inner.faults.front(), Some((f, _)) if f.action == crate::fault::FaultAction::Reset);
        if is_reset {
            match inner.faults.front_mut() {
                Some((_, left)) if *left > 1 => *left -= 1,
                _ => {
                    inner.faults.pop_front();
                }
            }
        }
        is_reset
    }

    /// Records an API request and takes the fault that applies to it, if any.
    pub(crate) fn admit(&self, request: RecordedRequest) -> (Option<Fault>, RateWindow, u64) {
        let mut inner = self.lock();
        inner.requests.push(request);
        let fault = match inner.faults.front_mut() {
            Some((fault, left)) if *left > 1 => {
                *left -= 1;
                Some(fault.clone())
            }
            Some(_) => inner.faults.pop_front().map(|(fault, _)| fault),
            None => None,
        };
        let now = unix_now();
        if now >= inner.window_start + WINDOW_SECS {
            inner.window_start = now;
            inner.window_count = 0;
        }
        inner.window_count = inner.window_count.saturating_add(1);
        let window = RateWindow {
            limit: self.rate_limit,
            remaining: self.rate_limit.saturating_sub(inner.window_count),
            reset: inner.window_start + WINDOW_SECS,
            exceeded: self.enforce_rate_limit && inner.window_count > self.rate_limit,
        };
        (fault, window, inner.generation)
    }
}
