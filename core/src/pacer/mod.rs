//! The one pacer: before each attempt a client takes a slot from the budgets its request
//! spends, through the client's store, so that every client sharing the store (a fleet of
//! processes with one key) keeps to the API's limits together. Plain calls, `wait` and the
//! command line's imports all go through it.
//!
//! * The general budget (100 requests per 15 minutes per IP) is the window the server reports
//!   in `X-RateLimit-*`; each response corrects it.
//! * Connecting an account also spends the connect budget (10 per 15 minutes per IP), and
//!   scheduling a post the posting budget (100 per hour per key); no header describes them,
//!   so they are counted against the documented limits.
//! * IP budgets are kept per *budget group* (default: one for the whole store), so that hosts
//!   with their own addresses can keep their own while sharing the key's posting budget.
//! * No slot within `max_rate_limit_wait`: `RateLimitError` at once, nothing sent.
//! * A store that fails (Redis down, a locked or corrupt SQLite file) is not an error: the
//!   client logs one warning and paces with this process's memory until the store answers
//!   again; no call waits longer than its timeout because of the store.

mod clock;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use http::header::HeaderMap;

use crate::config::Priority;
use crate::error::{ApiError, Error, Result};
use crate::rate_limit::RateLimit;
use crate::response::retry_after;
use crate::store::Store;
use crate::store::backend::{Backend, BoxFuture, BudgetRef, Settlement, StoreResult};
use crate::store::budget::{BudgetSpec, Grant, MultiDecision, Settle};
use crate::store::budget::{Observation, needs_settling};
use crate::validate::Names;

pub(crate) use clock::ServerClock;

/// The documented general limit: 100 requests per 15 minutes per IP.
const GENERAL: BudgetSpec = BudgetSpec {
    limit: 100,
    window_ms: 15 * 60 * 1000,
    learns: true,
};
/// The documented limit for connecting accounts: 10 per 15 minutes per IP.
const CONNECT: BudgetSpec = BudgetSpec {
    limit: 10,
    window_ms: 15 * 60 * 1000,
    learns: false,
};
/// The limit for scheduling posts (documented: 100 per hour per key, the client's
/// `posting_budget`).
fn posting_spec((limit, window): (u32, Duration)) -> BudgetSpec {
    BudgetSpec {
        limit: i64::from(limit),
        window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX),
        learns: false,
    }
}

/// The longest one store operation may take before the client carries on without the store.
const STORE_TIMEOUT: Duration = Duration::from_secs(2);
/// After the store failed, how long calls use this process's memory before trying it again.
const RETRY_STORE_AFTER: Duration = Duration::from_secs(1);

/// Which budgets a request spends, besides the general one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Budgets {
    /// The general budget only.
    General,
    /// Also the connect budget (`POST /profiles/connect`).
    Connect,
    /// Also the posting budget (`POST /posts`).
    Posting,
}

impl Budgets {
    /// The budget a wait of these requests is reported for: the narrower one they spend
    /// besides the general budget, if any (the store says how long to wait, not for which).
    fn name(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Connect => "connect",
            Self::Posting => "posting",
        }
    }
}

/// What an observed call's attempt reports while it waits for its slot (`transport.rs`).
pub(crate) struct Waiting<'a> {
    pub(crate) observation: &'a crate::observe::Observation,
    pub(crate) event: crate::observe::HookEvent<'a>,
}

/// How an attempt ended, as far as the budgets care.
pub(crate) enum Ended<'a> {
    /// It never left this machine (no connection, no free connection, cancelled first).
    NotSent,
    /// It may have reached the server, but no answer came back.
    NoAnswer,
    /// The server answered.
    Answer {
        status: u16,
        headers: &'a HeaderMap,
        body: &'a [u8],
    },
}

struct Keys {
    general: String,
    connect: String,
    posting: String,
}

#[derive(Default)]
struct Health {
    /// The store failed: use this process's memory until then.
    down_until: Option<Instant>,
}

/// The pacer of a client (shared by the clients made with `with_options`).
pub(crate) struct Pacer {
    store: Store,
    /// This process's memory, when the store is something else (the fallback).
    local: Option<Store>,
    keys: Keys,
    posting: BudgetSpec,
    clock: Mutex<ServerClock>,
    health: Mutex<Health>,
}

/// Which store granted a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Store,
    Local,
}

/// A slot taken for one attempt; report how it ended with [`Slot::finish`].
pub(crate) struct Slot<'a> {
    pacer: &'a Pacer,
    source: Source,
    grants: Vec<(BudgetKind, Grant)>,
    sent_at: SystemTime,
    finished: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BudgetKind {
    General,
    Connect,
    Posting,
}

impl BudgetKind {
    fn name(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Connect => "connect",
            Self::Posting => "posting",
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Held for a few field accesses; a poisoned lock still holds valid data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Pacer {
    /// The pacer of clients with this key and base URL, in `group`, through `store`.
    pub(crate) fn new(
        store: Store,
        api_key: &str,
        base_url: &str,
        group: &str,
        posting: (u32, Duration),
    ) -> Self {
        let ns = crate::store::backend::namespace(api_key, base_url);
        let group = crate::store::backend::namespace(group, "budget-group");
        let keys = Keys {
            general: format!("postcore:{ns}:budget:{group}:general"),
            connect: format!("postcore:{ns}:budget:{group}:connect"),
            posting: format!("postcore:{ns}:budget:posting"),
        };
        let local = (!store.is_process_local()).then(Store::process_local);
        Self {
            store,
            local,
            keys,
            posting: posting_spec(posting),
            clock: Mutex::new(ServerClock::default()),
            health: Mutex::new(Health::default()),
        }
    }

    /// The server's clock as the responses so far tell it (a lower bound), Unix ms.
    pub(crate) fn server_now_ms(&self) -> i64 {
        #[allow(clippy::cast_possible_truncation)]
        let ms = (lock(&self.clock).now() * 1000.0) as i64;
        ms
    }

    /// The store this pacer shares its state through.
    #[allow(dead_code)] // the idempotency records and event cursors use it
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    fn refs(&self, budgets: Budgets) -> Vec<(BudgetKind, BudgetRef)> {
        let general = (
            BudgetKind::General,
            BudgetRef {
                key: self.keys.general.clone(),
                spec: GENERAL,
            },
        );
        match budgets {
            Budgets::General => vec![general],
            Budgets::Connect => vec![
                general,
                (
                    BudgetKind::Connect,
                    BudgetRef {
                        key: self.keys.connect.clone(),
                        spec: CONNECT,
                    },
                ),
            ],
            Budgets::Posting => vec![
                general,
                (
                    BudgetKind::Posting,
                    BudgetRef {
                        key: self.keys.posting.clone(),
                        spec: self.posting,
                    },
                ),
            ],
        }
    }

    /// Takes a slot for one attempt, waiting for one up to `max_wait`; past that, a
    /// `RateLimitError` without sending. `probe_ttl` is the attempt's timeout.
    pub(crate) async fn acquire(
        &self,
        budgets: Budgets,
        priority: Priority,
        probe_ttl: Duration,
        max_wait: Duration,
        names: Names,
        waiting: Option<&Waiting<'_>>,
    ) -> Result<Slot<'_>> {
        let refs = self.refs(budgets);
        let budget_refs: Vec<BudgetRef> = refs.iter().map(|(_, r)| r.clone()).collect();
        let ttl_ms = i64::try_from(probe_ttl.as_millis()).unwrap_or(i64::MAX);
        let background = priority == Priority::Background;
        let started = Instant::now();
        loop {
            let (decision, source) = self
                .with_backend(|b| b.acquire(&budget_refs, ttl_ms, background))
                .await;
            match decision {
                MultiDecision::Granted(grants) => {
                    return Ok(Slot {
                        pacer: self,
                        source,
                        grants: refs.iter().map(|(k, _)| *k).zip(grants).collect(),
                        sent_at: SystemTime::now(),
                        finished: false,
                    });
                }
                MultiDecision::Wait(ms) => {
                    let wait = Duration::from_millis(u64::try_from(ms.max(1)).unwrap_or(1));
                    if started.elapsed() + wait > max_wait {
                        return Err(self.spent(wait, max_wait, names));
                    }
                    let lines = waiting.is_some_and(|w| w.observation.wants_lines());
                    let line = (lines || crate::log::debug_enabled())
                        .then(|| format!("waiting {:.3}s for the rate budget", wait.as_secs_f64()));
                    if let Some(line) = &line {
                        crate::log::debug(line, lines);
                    }
                    if let Some(waiting) = waiting {
                        let mut event = waiting.event;
                        event.elapsed += started.elapsed();
                        event.delay = Some(wait);
                        event.budget = Some(budgets.name());
                        let kind = crate::observe::EventKind::RateLimitWait;
                        waiting.observation.emit(kind, event, line.as_deref()).await;
                    }
                    tokio::time::sleep(wait + jitter(wait)).await;
                }
            }
        }
    }

    /// The `RateLimitError` of a budget that has no slot within the caller's patience.
    fn spent(&self, wait: Duration, max_wait: Duration, names: Names) -> Error {
        let message = format!(
            "the rate budget shared through {} is spent: the next request could leave in \
             {:.3} s, more than {} ({:.3} s) allows; nothing was sent",
            self.store,
            wait.as_secs_f64(),
            names.spell("maxRateLimitWait"),
            max_wait.as_secs_f64()
        );
        Error::Api(Box::new(ApiError {
            status: 429,
            code: Some("RATE_LIMIT_EXCEEDED".to_owned()),
            message,
            body: String::new(),
            json: None,
            headers: HeaderMap::new(),
            retry_after: Some(wait),
            rate_limit: None,
            attempts: 0,
            platform: None,
            next_available: None,
            missing_platforms: Vec::new(),
        }))
    }

    /// Runs one store operation: on the store, unless it failed lately; on this process's
    /// memory when it fails or takes too long.
    async fn with_backend<'a, T>(
        &'a self,
        op: impl Fn(&'a dyn Backend) -> BoxFuture<'a, StoreResult<T>>,
    ) -> (T, Source)
    where
        T: Default,
    {
        let Some(local) = &self.local else {
            return match op(self.store.backend()).await {
                Ok(value) => (value, Source::Store),
                // Memory never fails; keep the types honest.
                Err(_) => (T::default(), Source::Store),
            };
        };
        let down = lock(&self.health)
            .down_until
            .is_some_and(|until| Instant::now() < until);
        if !down {
            match tokio::time::timeout(STORE_TIMEOUT, op(self.store.backend())).await {
                Ok(Ok(value)) => {
                    self.store_is_up();
                    return (value, Source::Store);
                }
                Ok(Err(e)) => self.store_is_down(&e.0),
                Err(_) => {
                    self.store_is_down(&format!("no answer within {} s", STORE_TIMEOUT.as_secs()))
                }
            }
        }
        match op(local.backend()).await {
            Ok(value) => (value, Source::Local),
            Err(_) => (T::default(), Source::Local),
        }
    }

    fn store_is_down(&self, why: &str) {
        let mut health = lock(&self.health);
        let first = health.down_until.is_none();
        health.down_until = Some(Instant::now() + RETRY_STORE_AFTER);
        drop(health);
        if first {
            warn(&format!(
                "the store {} failed ({why}); this process paces its requests alone until it \
                 answers again",
                self.store
            ));
        }
    }

    fn store_is_up(&self) {
        let mut health = lock(&self.health);
        if health.down_until.take().is_some() {
            drop(health);
            warn(&format!(
                "the store {} answers again; pacing is shared again",
                self.store
            ));
        }
    }

    fn backend_of(&self, source: Source) -> &dyn Backend {
        match (source, &self.local) {
            (Source::Local, Some(local)) => local.backend(),
            _ => self.store.backend(),
        }
    }
}

impl Slot<'_> {
    /// Reports how the attempt ended: learns the server's clock and window from an answer,
    /// returns a slot never used, pauses the budget after a rate-limit refusal.
    pub(crate) async fn finish(mut self, ended: Ended<'_>) {
        self.finished = true;
        let settlements = self.settlements(&ended);
        if settlements.is_empty() {
            return;
        }
        let backend = self.pacer.backend_of(self.source);
        let result = tokio::time::timeout(STORE_TIMEOUT, backend.settle(&settlements)).await;
        if self.source == Source::Store && !matches!(result, Ok(Ok(()))) {
            let why = match result {
                Ok(Err(e)) => e.0,
                _ => format!("no answer within {} s", STORE_TIMEOUT.as_secs()),
            };
            self.pacer.store_is_down(&why);
        }
    }

    fn settlements(&self, ended: &Ended<'_>) -> Vec<Settlement> {
        let (observation, pause) = match *ended {
            Ended::NotSent => {
                return self
                    .grants
                    .iter()
                    .map(|(kind, grant)| self.settlement(*kind, *grant, Settle::NotSent))
                    .collect();
            }
            Ended::NoAnswer => (None, None),
            Ended::Answer {
                status,
                headers,
                body,
            } => {
                let mut clock = lock(&self.pacer.clock);
                clock.observe_headers(headers, self.sent_at);
                let clock = *clock;
                let limit = RateLimit::from_headers(headers);
                let observation = limit.and_then(|l| observe(&clock, &l));
                let pause = (status == 429)
                    .then(|| rate_limit_pause(headers, body))
                    .flatten();
                // A refusal while the general window still has room is the other budget's.
                let target = match self.grants.get(1) {
                    Some((kind, _)) if limit.and_then(|l| l.remaining).is_some_and(|r| r > 0) => {
                        *kind
                    }
                    _ => BudgetKind::General,
                };
                (observation, pause.map(|p| (target, p)))
            }
        };
        self.grants
            .iter()
            .filter_map(|(kind, grant)| {
                let outcome = Settle::Sent {
                    observation: if *kind == BudgetKind::General {
                        observation
                    } else {
                        None
                    },
                    pause_ms: pause.filter(|(t, _)| t == kind).map(|(_, ms)| ms),
                };
                needs_settling(grant, &outcome).then(|| self.settlement(*kind, *grant, outcome))
            })
            .collect()
    }

    fn settlement(&self, kind: BudgetKind, grant: Grant, outcome: Settle) -> Settlement {
        let keys = &self.pacer.keys;
        Settlement {
            key: match kind {
                BudgetKind::General => keys.general.clone(),
                BudgetKind::Connect => keys.connect.clone(),
                BudgetKind::Posting => keys.posting.clone(),
            },
            grant,
            outcome,
        }
    }

    /// The budgets this slot spends (`"general"`, `"connect"`, `"posting"`).
    #[allow(dead_code)] // for the hooks and spans
    pub(crate) fn budget_names(&self) -> Vec<&'static str> {
        self.grants.iter().map(|(k, _)| k.name()).collect()
    }
}

impl Drop for Slot<'_> {
    /// An attempt dropped midway (its call was cancelled) may have been sent: its slot stays
    /// spent, but a probe must not hold the fleet up until its lease ends.
    fn drop(&mut self) {
        if self.finished || !self.grants.iter().any(|(_, g)| g.probe) {
            return;
        }
        let settlements: Vec<Settlement> = self
            .grants
            .iter()
            .filter(|(_, g)| g.probe)
            .map(|(kind, grant)| {
                self.settlement(
                    *kind,
                    *grant,
                    Settle::Sent {
                        observation: None,
                        pause_ms: None,
                    },
                )
            })
            .collect();
        let store = match (self.source, &self.pacer.local) {
            (Source::Local, Some(local)) => local.clone(),
            _ => self.pacer.store.clone(),
        };
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let _ =
                    tokio::time::timeout(STORE_TIMEOUT, store.backend().settle(&settlements)).await;
            });
        }
    }
}

/// A little random extra wait, so that the waiters of a whole fleet, woken by one window's
/// reset, ask again in a random order rather than the quickest process first every window
/// (a process whose timers fire a few milliseconds late would never get a slot).
fn jitter(wait: Duration) -> Duration {
    let most = (wait / 8).min(MAX_JITTER);
    most.mul_f64(fastrand::f64())
}

/// The most [`jitter`] adds.
const MAX_JITTER: Duration = Duration::from_millis(50);

/// What a response's `X-RateLimit-*` headers say about the general budget.
fn observe(clock: &ServerClock, limit: &RateLimit) -> Option<Observation> {
    let (Some(remaining), Some(reset)) = (limit.remaining, limit.reset) else {
        return None;
    };
    Some(Observation {
        limit: i64::try_from(limit.limit.unwrap_or(remaining)).unwrap_or(i64::MAX),
        remaining: i64::try_from(remaining).unwrap_or(i64::MAX),
        window_id: clock.window_id(reset),
        until_reset_ms: clock.until_ms(reset),
    })
}

/// The pause a 429 asks of everyone: its `retry_after` (body) or `Retry-After` (header). A
/// spacing refusal (`platform` / `next_available`, one profile's business) pauses nothing.
fn rate_limit_pause(headers: &HeaderMap, body: &[u8]) -> Option<i64> {
    let json = serde_json::from_slice::<serde_json::Value>(body).ok();
    let wait = retry_after(headers, json.as_ref())?;
    Some(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX))
}

/// A warning about the store: to the current call's logger if it has one (Node's `logger`),
/// and to the log (`log::warn`).
fn warn(line: &str) {
    let delivered = crate::observe::warning(line);
    crate::log::warn(line, delivered);
}
