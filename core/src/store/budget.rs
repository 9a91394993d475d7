//! The rate budget: one window's worth of requests, shared by every client of a store.
//!
//! This is the algorithm, as pure functions over a small state, so that each store runs the
//! same rules: the memory and SQLite stores call these functions inside their lock or
//! transaction; the Redis store runs `budget.lua`, a line-by-line transcription of them, as
//! one script (one round trip). `store/tests.rs` replays the same cases against every store.
//!
//! Times are milliseconds on the store's clock (this machine's for memory and SQLite, the
//! Redis server's for Redis), so that processes on several hosts agree on them. The server's
//! window is identified by its `X-RateLimit-Reset` value (Unix seconds on the API's clock):
//! responses carrying the same value describe the same window, a larger one a later window.
//!
//! The rules:
//! * A window the server reported (`window_id != 0`) is spent slot by slot (`remaining`) until
//!   `reset_at`; responses correct it (`remaining` only ever goes down within a window: the
//!   server also counts requests from code that does not use the SDK).
//! * Until a response has told the fleet its window (at first, and after each reset), the
//!   budget is *provisional*: the documented limit, and one request at a time (a *probe*), so
//!   that a fleet starting together does not send a burst the server would refuse.
//! * Budgets that no response describes (the connect and posting limits) are counted locally
//!   against their documented limit, in windows that start with their first request.
//! * A rate-limit refusal (429 with `retry_after`) pauses the budget until then; the window
//!   after the pause is probed again.

use serde::{Deserialize, Serialize};

/// How long a waiter sleeps before asking again while another request probes the window.
pub(crate) const PROBE_POLL_MS: i64 = 20;

/// The largest count, window id or duration a budget takes in (2^50: 35,000 years of ms), so
/// that no sum overflows and the Redis store, which computes in Lua's doubles (exact to 2^53),
/// gets the same results. A server may send any number in `X-RateLimit-*`.
pub(crate) const MAX_VALUE: i64 = 1 << 50;

/// `value`, within 0..=[`MAX_VALUE`].
fn bounded(value: i64) -> i64 {
    value.clamp(0, MAX_VALUE)
}

/// The state of one budget, as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BudgetState {
    /// Requests per window (the server's `X-RateLimit-Limit`, else the documented limit).
    pub(crate) limit: i64,
    /// Requests left in the current window.
    pub(crate) remaining: i64,
    /// The server's `X-RateLimit-Reset` of the current window; 0 when no response told it.
    pub(crate) window_id: i64,
    /// When the current window ends (store clock, ms); 0: no window.
    pub(crate) reset_at: i64,
    /// No request before this (a 429's `retry_after`), store clock, ms.
    pub(crate) paused_until: i64,
    /// A probe is in flight until this (its lease: a crashed prober holds nobody up for
    /// longer), store clock, ms.
    pub(crate) probe_until: i64,
}

/// What a budget is and how it is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BudgetSpec {
    /// The documented limit per window.
    pub(crate) limit: i64,
    /// The documented window, ms.
    pub(crate) window_ms: i64,
    /// Whether responses describe it (`X-RateLimit-*`): then it probes until told.
    pub(crate) learns: bool,
}

/// One acquisition's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AcquireParams {
    /// Store clock now, ms.
    pub(crate) now: i64,
    /// How long a probe may stay unanswered before another request may probe, ms (the
    /// call's timeout).
    pub(crate) probe_ttl: i64,
    /// A background poll (`wait`, events): it leaves half of each window to other calls.
    pub(crate) background: bool,
}

/// The answer to an acquisition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// A slot is taken.
    Granted(Grant),
    /// Nothing before this many ms.
    Wait(i64),
}

/// A slot taken: what the client needs to settle it later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Grant {
    /// The window the slot was taken from.
    pub(crate) window_id: i64,
    /// Slots left after this one.
    pub(crate) remaining: i64,
    /// Whether this request probes the window (its response must be reported).
    pub(crate) probe: bool,
}

/// What a response said about a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Observation {
    pub(crate) limit: i64,
    pub(crate) remaining: i64,
    /// The `X-RateLimit-Reset` value.
    pub(crate) window_id: i64,
    /// Time to the reset as this client reckons it (conservatively late), ms.
    pub(crate) until_reset_ms: i64,
}

/// How a granted request ended, for its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settle {
    /// The request never left (no connection, cancelled before sending): the slot is returned.
    NotSent,
    /// The request was sent; what its response (if any) said.
    Sent {
        observation: Option<Observation>,
        /// A rate-limit refusal: no request before `now + pause_ms`.
        pause_ms: Option<i64>,
    },
}

impl BudgetState {
    /// Takes a slot, or says how long to wait for one.
    pub(crate) fn acquire(&mut self, spec: &BudgetSpec, p: &AcquireParams) -> Decision {
        if self.paused_until > p.now {
            return Decision::Wait(self.paused_until - p.now);
        }
        if self.reset_at != 0 && p.now >= self.reset_at {
            // The window is over: the next one is unknown until a response tells it.
            self.window_id = 0;
            self.reset_at = 0;
        }
        if self.reset_at == 0 {
            if spec.learns && self.probe_until > p.now {
                return Decision::Wait((self.probe_until - p.now).min(PROBE_POLL_MS));
            }
            // A provisional window, on the documented limit.
            if self.limit <= 0 {
                self.limit = spec.limit;
            }
            self.remaining = spec.limit.min(self.limit);
            self.reset_at = p.now + spec.window_ms;
        }
        let provisional = spec.learns && self.window_id == 0;
        if provisional && self.probe_until > p.now {
            return Decision::Wait((self.probe_until - p.now).min(PROBE_POLL_MS));
        }
        let reserve = if p.background { self.limit / 2 } else { 0 };
        if self.remaining <= reserve {
            return Decision::Wait((self.reset_at - p.now).max(1));
        }
        self.remaining -= 1;
        if provisional {
            self.probe_until = p.now + bounded(p.probe_ttl).max(1);
        }
        Decision::Granted(Grant {
            window_id: self.window_id,
            remaining: self.remaining,
            probe: provisional,
        })
    }

    /// Records how a granted request ended.
    pub(crate) fn settle(&mut self, now: i64, grant: &Grant, outcome: &Settle) {
        if grant.probe {
            self.probe_until = 0;
        }
        match *outcome {
            Settle::NotSent => {
                if self.reset_at != 0 && self.window_id == grant.window_id && now < self.reset_at {
                    self.remaining = (self.remaining + 1).min(self.limit.max(1));
                }
            }
            Settle::Sent {
                observation,
                pause_ms,
            } => {
                if let Some(o) = observation {
                    self.observe(now, &o);
                }
                if let Some(pause) = pause_ms {
                    // The server says the window is spent until then: the next one starts
                    // after the pause, with a probe.
                    self.paused_until = self.paused_until.max(now + bounded(pause));
                    self.remaining = 0;
                    self.reset_at = self.paused_until.max(1);
                }
            }
        }
    }

    fn observe(&mut self, now: i64, o: &Observation) {
        let (limit, remaining, window_id) =
            (bounded(o.limit), bounded(o.remaining), bounded(o.window_id));
        let reset_at = now + bounded(o.until_reset_ms);
        if window_id > self.window_id {
            // A later window than any seen (or the first one told).
            self.limit = limit;
            self.remaining = remaining;
            self.window_id = window_id;
            self.reset_at = reset_at;
        } else if window_id == self.window_id {
            // The same window: the server is the truth when it counts more than we did.
            self.remaining = self.remaining.min(remaining);
            self.limit = limit;
            // Each reckoning of the reset is late, never early: the earliest is the closest.
            self.reset_at = self.reset_at.min(reset_at);
        }
        // An earlier window: a late answer; nothing to learn.
    }
}

/// The answer to acquiring a slot from several budgets at once (all or none). The default,
/// no slots at all, is what a store that cannot answer gives: the request goes unpaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MultiDecision {
    /// A slot of each budget, in order.
    Granted(Vec<Grant>),
    /// Nothing before this many ms (the longest wait among the budgets).
    Wait(i64),
}

impl Default for MultiDecision {
    fn default() -> Self {
        Self::Granted(Vec::new())
    }
}

/// Takes a slot from each budget, or from none: a request that needs two budgets (a post
/// counts against the general limit and the posting limit) never spends one without the other.
/// `states` are updated only on a grant.
pub(crate) fn acquire_all(
    states: &mut [BudgetState],
    specs: &[BudgetSpec],
    params: &AcquireParams,
) -> MultiDecision {
    let mut trial: Vec<BudgetState> = states.to_vec();
    let mut grants = Vec::with_capacity(states.len());
    let mut wait = 0;
    for (state, spec) in trial.iter_mut().zip(specs) {
        match state.acquire(spec, params) {
            Decision::Granted(grant) => grants.push(grant),
            Decision::Wait(ms) => wait = wait.max(ms),
        }
    }
    if wait > 0 {
        return MultiDecision::Wait(wait);
    }
    states.copy_from_slice(&trial);
    MultiDecision::Granted(grants)
}

/// Whether a response needs reporting to the store: a probe's, one that opens a window,
/// counts more than the fleet did, or refuses for the rate limit. A response that agrees with
/// what the grant knew changes nothing, so it costs no round trip.
pub(crate) fn needs_settling(grant: &Grant, outcome: &Settle) -> bool {
    match *outcome {
        Settle::NotSent => true,
        Settle::Sent {
            pause_ms: Some(_), ..
        } => true,
        Settle::Sent {
            observation: Some(o),
            ..
        } => grant.probe || o.window_id != grant.window_id || o.remaining < grant.remaining,
        Settle::Sent { .. } => grant.probe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERAL: BudgetSpec = BudgetSpec {
        limit: 100,
        window_ms: 900_000,
        learns: true,
    };
    const POSTING: BudgetSpec = BudgetSpec {
        limit: 3,
        window_ms: 3_600_000,
        learns: false,
    };

    fn at(now: i64) -> AcquireParams {
        AcquireParams {
            now,
            probe_ttl: 5_000,
            background: false,
        }
    }

    fn granted(d: Decision) -> Grant {
        match d {
            Decision::Granted(g) => g,
            Decision::Wait(ms) => panic!("expected a grant, got a wait of {ms} ms"),
        }
    }

    fn observed(limit: i64, remaining: i64, window_id: i64, until_reset_ms: i64) -> Settle {
        Settle::Sent {
            observation: Some(Observation {
                limit,
                remaining,
                window_id,
                until_reset_ms,
            }),
            pause_ms: None,
        }
    }

    #[test]
    fn probes_one_at_a_time_until_told_then_spends_the_window() {
        let mut s = BudgetState::default();
        let probe = granted(s.acquire(&GENERAL, &at(0)));
        assert!(probe.probe);
        assert_eq!(s.acquire(&GENERAL, &at(1)), Decision::Wait(PROBE_POLL_MS));
        s.settle(5, &probe, &observed(40, 39, 1_010, 10_000));
        assert_eq!(s.window_id, 1_010);
        assert_eq!(s.reset_at, 10_005);
        for i in 0..39 {
            let g = granted(s.acquire(&GENERAL, &at(6 + i)));
            assert!(!g.probe);
            assert_eq!(g.remaining, 38 - i);
        }
        assert_eq!(s.acquire(&GENERAL, &at(100)), Decision::Wait(9_905));
        // At the reset, the next window is probed again.
        let next = granted(s.acquire(&GENERAL, &at(10_005)));
        assert!(next.probe);
        assert_eq!(
            s.acquire(&GENERAL, &at(10_006)),
            Decision::Wait(PROBE_POLL_MS)
        );
    }

    #[test]
    fn a_lost_probe_frees_the_way_after_its_lease() {
        let mut s = BudgetState::default();
        granted(s.acquire(&GENERAL, &at(0)));
        assert_eq!(s.acquire(&GENERAL, &at(4_990)), Decision::Wait(10));
        assert!(granted(s.acquire(&GENERAL, &at(5_000))).probe);
    }

    #[test]
    fn responses_only_lower_what_is_left_within_a_window() {
        let mut s = BudgetState::default();
        let probe = granted(s.acquire(&GENERAL, &at(0)));
        s.settle(1, &probe, &observed(100, 90, 2_000, 60_000));
        let g = granted(s.acquire(&GENERAL, &at(2)));
        assert_eq!(g.remaining, 89);
        // A late answer from before the fleet's last request: no higher.
        s.settle(3, &g, &observed(100, 95, 2_000, 59_000));
        assert_eq!(s.remaining, 89);
        assert_eq!(s.reset_at, 59_003);
        // Someone outside the fleet spent 50.
        s.settle(4, &g, &observed(100, 39, 2_000, 59_000));
        assert_eq!(s.remaining, 39);
        // An answer from an earlier window teaches nothing.
        s.settle(5, &g, &observed(100, 0, 1_000, 0));
        assert_eq!(s.remaining, 39);
        // A later window replaces the state.
        s.settle(6, &g, &observed(100, 99, 3_000, 900_000));
        assert_eq!((s.window_id, s.remaining, s.reset_at), (3_000, 99, 900_006));
    }

    #[test]
    fn a_slot_never_sent_is_returned() {
        let mut s = BudgetState::default();
        let probe = granted(s.acquire(&GENERAL, &at(0)));
        s.settle(1, &probe, &observed(2, 1, 50, 10_000));
        let g = granted(s.acquire(&GENERAL, &at(2)));
        assert_eq!(s.acquire(&GENERAL, &at(3)), Decision::Wait(9_998));
        s.settle(4, &g, &Settle::NotSent);
        assert_eq!(granted(s.acquire(&GENERAL, &at(5))).remaining, 0);
        // A never-sent probe frees the way at once.
        let mut s = BudgetState::default();
        let probe = granted(s.acquire(&GENERAL, &at(0)));
        s.settle(1, &probe, &Settle::NotSent);
        assert!(granted(s.acquire(&GENERAL, &at(2))).probe);
    }

    #[test]
    fn a_rate_limit_refusal_pauses_everyone() {
        let mut s = BudgetState::default();
        let probe = granted(s.acquire(&GENERAL, &at(0)));
        s.settle(
            10,
            &probe,
            &Settle::Sent {
                observation: Some(Observation {
                    limit: 100,
                    remaining: 0,
                    window_id: 900,
                    until_reset_ms: 243_000,
                }),
                pause_ms: Some(243_000),
            },
        );
        assert_eq!(s.acquire(&GENERAL, &at(1_010)), Decision::Wait(242_000));
        assert!(granted(s.acquire(&GENERAL, &at(243_010))).probe);
    }

    #[test]
    fn background_calls_leave_a_reserve() {
        let mut s = BudgetState::default();
        let probe = granted(s.acquire(&GENERAL, &at(0)));
        s.settle(1, &probe, &observed(10, 6, 7, 1_000));
        let bg = AcquireParams {
            background: true,
            ..at(2)
        };
        granted(s.acquire(&GENERAL, &bg));
        assert_eq!(s.acquire(&GENERAL, &bg), Decision::Wait(999));
        granted(s.acquire(&GENERAL, &at(3)));
    }

    #[test]
    fn local_budgets_count_without_probing() {
        let mut s = BudgetState::default();
        for left in [2, 1, 0] {
            let g = granted(s.acquire(&POSTING, &at(0)));
            assert!(!g.probe);
            assert_eq!(g.remaining, left);
        }
        assert_eq!(s.acquire(&POSTING, &at(10)), Decision::Wait(3_599_990));
        assert_eq!(granted(s.acquire(&POSTING, &at(3_600_000))).remaining, 2);
    }

    #[test]
    fn absurd_numbers_from_a_response_are_bounded() {
        // Before the bound, returning a slot to a window the server said had i64::MAX left
        // overflowed (a panic in debug builds, a negative count in release builds).
        let mut s = BudgetState::default();
        let probe = granted(s.acquire(&GENERAL, &at(0)));
        s.settle(1, &probe, &observed(i64::MAX, i64::MAX, i64::MAX, i64::MAX));
        assert_eq!(
            (s.limit, s.remaining, s.window_id, s.reset_at),
            (MAX_VALUE, MAX_VALUE, MAX_VALUE, 1 + MAX_VALUE)
        );
        let g = granted(s.acquire(&GENERAL, &at(2)));
        s.settle(3, &g, &Settle::NotSent);
        assert_eq!(s.remaining, MAX_VALUE);
        s.settle(4, &g, &observed(-5, -5, MAX_VALUE, -5));
        assert_eq!((s.limit, s.remaining, s.reset_at), (0, 0, 4));
        let huge_ttl = AcquireParams {
            probe_ttl: i64::MAX,
            ..at(10)
        };
        assert!(granted(s.acquire(&GENERAL, &huge_ttl)).probe);
        assert_eq!(s.probe_until, 10 + MAX_VALUE);
        let mut paused = BudgetState::default();
        let probe = granted(paused.acquire(&POSTING, &at(0)));
        paused.settle(
            1,
            &probe,
            &Settle::Sent {
                observation: None,
                pause_ms: Some(i64::MAX),
            },
        );
        assert_eq!(paused.paused_until, 1 + MAX_VALUE);
    }

    #[test]
    fn only_news_is_reported() {
        let g = Grant {
            window_id: 5,
            remaining: 10,
            probe: false,
        };
        assert!(!needs_settling(&g, &observed(100, 10, 5, 1)));
        assert!(!needs_settling(&g, &observed(100, 12, 5, 1)));
        assert!(needs_settling(&g, &observed(100, 9, 5, 1)));
        assert!(needs_settling(&g, &observed(100, 99, 6, 1)));
        assert!(needs_settling(&g, &Settle::NotSent));
        let probe = Grant { probe: true, ..g };
        assert!(needs_settling(
            &probe,
            &Settle::Sent {
                observation: None,
                pause_ms: None
            }
        ));
    }
}
