//! Pacing from the `X-RateLimit-*` headers, on the server's clock.
//!
//! After each response the server says how many requests are left in its window
//! (`X-RateLimit-Remaining`) and when the window resets (`X-RateLimit-Reset`, Unix seconds on
//! *its* clock). The next request waits:
//! * nothing, when every request still to make fits in what is left;
//! * else the time to the reset divided by the requests left, so they are spread over the
//!   window instead of spent in a burst that would leave the key's other users (same key,
//!   same IP) with nothing for the rest of it;
//! * when nothing is left, until the reset has passed on the server's clock.
//!
//! The server's clock is learnt from the `Date` header (whole seconds) of every response: the
//! offset to this machine's clock is bounded from below by `Date - receive time`, and the
//! largest such bound over many responses converges to the true offset. Waiting on that lower
//! bound is conservative: the request never arrives before the reset.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use postcore::{HeaderMap, RateLimit, Timestamp};

/// Slack after a reset before the first request of the next window.
const RESET_MARGIN: Duration = Duration::from_millis(30);
/// `X-RateLimit-Reset` values below this (2001-09-09) are read as seconds until the reset.
const DELTA_RESET_BELOW: i64 = 1_000_000_000;
/// Without a `Date` header, the server's clock is unknown: this much more slack.
const NO_CLOCK_MARGIN: Duration = Duration::from_secs(1);

/// What this machine knows of the server's clock.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ServerClock {
    /// A lower bound of (server time − local time), seconds.
    offset: Option<f64>,
}

impl ServerClock {
    /// One response: `date` (Unix seconds, from its `Date` header), the local times the request
    /// was sent and its answer received.
    pub(crate) fn observe(&mut self, date: i64, sent: f64, received: f64) {
        #[allow(clippy::cast_precision_loss)]
        let date = date as f64;
        // The server wrote the header at some instant between `sent` and `received` (local),
        // and `date` is that instant's whole second on its clock.
        let lower = date - received;
        let upper = date + 1.0 - sent;
        self.offset = Some(match self.offset {
            // The server's clock jumped back (or ours forward): start over.
            Some(known) if upper < known => lower,
            Some(known) => known.max(lower),
            None => lower,
        });
    }

    /// The server's time now, or a moment before it (Unix seconds).
    pub(crate) fn now(&self) -> f64 {
        unix_now() + self.offset.unwrap_or(0.0)
    }

    pub(crate) fn known(&self) -> bool {
        self.offset.is_some()
    }
}

/// The window as of the last response.
#[derive(Debug, Clone, Copy)]
struct Window {
    limit: Option<u64>,
    remaining: u64,
    /// Unix seconds, server clock.
    reset: i64,
    /// Seconds to the reset at the time of the response (server clock, conservative).
    until_reset: f64,
    observed: Instant,
}

/// Decides when the next request may leave.
#[derive(Debug)]
pub(crate) struct Pacer {
    clock: ServerClock,
    window: Option<Window>,
    /// Nothing leaves before this (a 429's wait, a backoff).
    hold: Option<Instant>,
    /// Requests of each window left to others.
    reserve: u64,
    /// The longest time-to-reset seen: the window's length, about.
    window_length: f64,
    /// 429s seen.
    pub(crate) rate_limited: u64,
}

impl Pacer {
    pub(crate) fn new(reserve: u64) -> Self {
        Self {
            clock: ServerClock::default(),
            window: None,
            hold: None,
            reserve,
            window_length: 0.0,
            rate_limited: 0,
        }
    }

    /// Learns from one response's headers (success or error). `sent` and `received` are the
    /// local times around the call.
    pub(crate) fn observe(
        &mut self,
        headers: Option<&HeaderMap>,
        rate_limit: Option<&RateLimit>,
        sent: SystemTime,
        received: SystemTime,
    ) {
        if let Some(date) = headers.and_then(date_header) {
            self.clock.observe(date, unix(sent), unix(received));
        }
        let Some(RateLimit {
            limit,
            remaining: Some(remaining),
            reset: Some(reset),
            ..
        }) = rate_limit.copied()
        else {
            return;
        };
        let mut reset = i64::try_from(reset).unwrap_or(i64::MAX);
        if reset < DELTA_RESET_BELOW {
            // Documented as Unix seconds; some servers send seconds until the reset instead.
            #[allow(clippy::cast_possible_truncation)]
            let now = self.clock.now().ceil() as i64;
            reset = now.saturating_add(reset);
        }
        #[allow(clippy::cast_precision_loss)]
        let until_reset = (reset as f64 - self.clock.now()).max(0.0);
        self.window_length = self.window_length.max(until_reset);
        self.window = Some(Window {
            limit,
            remaining,
            reset,
            until_reset,
            observed: Instant::now(),
        });
    }

    /// Nothing leaves for `wait` (a 429's `retry_after`, a backoff).
    pub(crate) fn hold_for(&mut self, wait: Duration) {
        let until = after(Instant::now(), wait);
        self.hold = Some(self.hold.map_or(until, |h| h.max(until)));
    }

    /// How long to wait before the next request, with `left` requests still to make.
    pub(crate) fn delay(&self, left: u64) -> Duration {
        let now = Instant::now();
        let held = self
            .hold
            .map_or(Duration::ZERO, |h| h.saturating_duration_since(now));
        held.max(self.window_delay(left, now))
    }

    fn window_delay(&self, left: u64, now: Instant) -> Duration {
        let Some(window) = self.window else {
            return Duration::ZERO;
        };
        let until_reset = self.until_reset_secs(&window);
        if until_reset <= 0.0 {
            // That window is over; the next response describes the new one.
            return Duration::ZERO;
        }
        let usable = window.remaining.saturating_sub(self.reserve);
        if usable == 0 {
            let margin = if self.clock.known() {
                RESET_MARGIN
            } else {
                RESET_MARGIN + NO_CLOCK_MARGIN
            };
            return secs(until_reset) + margin;
        }
        if left <= usable {
            return Duration::ZERO;
        }
        // Spread what is left of the window until its reset.
        #[allow(clippy::cast_precision_loss)]
        let spacing = secs(window.until_reset / usable as f64);
        after(window.observed, spacing).saturating_duration_since(now)
    }

    fn until_reset_secs(&self, window: &Window) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let reset = window.reset as f64;
        reset - self.clock.now()
    }

    /// Time until the window resets, and the requests left in it, as last reported.
    pub(crate) fn window_status(&self) -> Option<(Duration, u64)> {
        let window = self.window?;
        let until = self.until_reset_secs(&window);
        (until > 0.0).then(|| (secs(until), window.remaining))
    }

    /// Time to make `left` more requests at the reported rate limit (None: no limit reported).
    pub(crate) fn eta(&self, left: u64) -> Option<Duration> {
        let window = self.window?;
        let limit = window.limit?.saturating_sub(self.reserve).max(1);
        let until = self.until_reset_secs(&window).max(0.0);
        let usable = if until > 0.0 {
            window.remaining.saturating_sub(self.reserve)
        } else {
            limit
        };
        if left <= usable {
            return Some(Duration::ZERO);
        }
        let beyond = left - usable;
        let windows = beyond.div_ceil(limit);
        #[allow(clippy::cast_precision_loss)]
        let total = until + (windows.saturating_sub(1)) as f64 * self.window_length;
        Some(secs(total))
    }
}

/// The longest wait a server's headers can ask for (a bogus reset far in the future must not
/// stall the import for years, nor overflow an `Instant`).
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

fn secs(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds.max(0.0))
        .unwrap_or(MAX_WAIT)
        .min(MAX_WAIT)
}

/// `now + wait`, with `wait` capped at [`MAX_WAIT`].
pub(crate) fn after(now: Instant, wait: Duration) -> Instant {
    now.checked_add(wait.min(MAX_WAIT)).unwrap_or(now)
}

fn unix(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

pub(crate) fn unix_now() -> f64 {
    unix(SystemTime::now())
}

/// Local Unix milliseconds, for the state file.
pub(crate) fn unix_ms() -> i64 {
    #[allow(clippy::cast_possible_truncation)]
    let ms = (unix_now() * 1000.0) as i64;
    ms
}

/// The response's `Date` header, in Unix seconds.
fn date_header(headers: &HeaderMap) -> Option<i64> {
    let date = Timestamp::parse_http_date(headers.get("date")?.to_str().ok()?)?;
    Some(date.unix_seconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_clock_converges_from_below() {
        let mut clock = ServerClock::default();
        // The server is 100.3 s ahead; responses take 10 ms.
        let offset = 100.3;
        for i in 0..50 {
            let sent = 1000.0 + f64::from(i) * 0.137;
            let received = sent + 0.01;
            #[allow(clippy::cast_possible_truncation)]
            let date = (sent + 0.005 + offset).floor() as i64;
            clock.observe(date, sent, received);
            let known = clock.offset.unwrap_or(f64::NAN);
            assert!(known <= offset + 1e-9, "{known} is above the true offset");
        }
        let known = clock.offset.unwrap_or(f64::NAN);
        assert!(offset - known < 0.15, "{known} did not converge");
        // The server's clock is moved back: the estimate follows.
        clock.observe(0, 2000.0, 2000.01);
        assert!(clock.offset.unwrap_or(f64::NAN) < -1999.0);
    }

    fn limit(remaining: u64, reset_in: f64) -> (HeaderMap, RateLimit) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let reset = (unix_now() + reset_in).ceil() as u64;
        let rate_limit = RateLimit::from_headers(&{
            let mut h = HeaderMap::new();
            h.insert("x-ratelimit-limit", 100.into());
            h.insert("x-ratelimit-remaining", remaining.into());
            h.insert("x-ratelimit-reset", reset.into());
            h
        });
        (HeaderMap::new(), rate_limit.unwrap_or_default())
    }

    #[test]
    fn pacing_spreads_waits_and_bursts_at_the_end() {
        let now = SystemTime::now();
        let mut pacer = Pacer::new(0);
        assert_eq!(pacer.delay(1000), Duration::ZERO);
        let (headers, rl) = limit(10, 20.0);
        pacer.observe(Some(&headers), Some(&rl), now, now);
        // 10 left for ~20 s, more than 10 to do: about 2 s apart.
        let d = pacer.delay(50);
        assert!(
            d > Duration::from_millis(1500) && d <= Duration::from_secs(3),
            "{d:?}"
        );
        // Everything left fits: no wait.
        assert_eq!(pacer.delay(10), Duration::ZERO);
        // A reserve of 10 leaves nothing: wait for the reset.
        let mut reserved = Pacer::new(10);
        reserved.observe(Some(&headers), Some(&rl), now, now);
        assert!(reserved.delay(1) > Duration::from_secs(19));
        // None left: past the reset.
        let (headers, rl) = limit(0, 5.0);
        pacer.observe(Some(&headers), Some(&rl), now, now);
        let d = pacer.delay(1);
        assert!(
            d > Duration::from_secs(4) && d < Duration::from_secs(8),
            "{d:?}"
        );
        let eta = pacer.eta(250).unwrap_or_default();
        assert!(eta >= d, "{eta:?}");
        // A reset given as seconds from now rather than a Unix time.
        let mut relative = Pacer::new(0);
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", 100.into());
        h.insert("x-ratelimit-remaining", 0.into());
        h.insert("x-ratelimit-reset", 3.into());
        relative.observe(
            Some(&HeaderMap::new()),
            RateLimit::from_headers(&h).as_ref(),
            now,
            now,
        );
        let d = relative.delay(1);
        assert!(
            d > Duration::from_secs(2) && d < Duration::from_secs(6),
            "{d:?}"
        );
        // An absurd reset is capped, not an overflow.
        let mut absurd = Pacer::new(0);
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", 100.into());
        h.insert("x-ratelimit-remaining", 1.into());
        h.insert("x-ratelimit-reset", u64::MAX.into());
        absurd.observe(None, RateLimit::from_headers(&h).as_ref(), now, now);
        assert!(absurd.delay(5) <= MAX_WAIT);
        absurd.hold_for(Duration::MAX);
        assert!(absurd.delay(5) <= MAX_WAIT);
        let _ = absurd.eta(u64::MAX);
        // A hold wins over a shorter pace.
        let mut held = Pacer::new(0);
        held.hold_for(Duration::from_secs(3));
        assert!(held.delay(1) > Duration::from_secs(2));
    }
}
