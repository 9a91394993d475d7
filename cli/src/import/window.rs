//! What the last response said about the rate-limit window: for the progress line (time to
//! the reset, requests left, an ETA) and for `--reserve`. The pacing itself is the client's:
//! every request takes a slot from postcore's shared rate budget (see the core's `pacer`),
//! which also keeps the other processes using the key (through `--store`) inside the limit.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use postcore::{HeaderMap, RateLimit, Timestamp};

/// The longest wait a server's headers can ask for (a bogus reset far in the future must not
/// stall the import for years, nor overflow an `Instant`).
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);
/// Slack after a reset before the first request of the next window.
const RESET_MARGIN: Duration = Duration::from_millis(30);
/// `X-RateLimit-Reset` values below this (2001-09-09) are read as seconds until the reset.
const DELTA_RESET_BELOW: u64 = 1_000_000_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    limit: Option<u64>,
    remaining: u64,
    resets_at: Instant,
}

/// The window as last reported.
#[derive(Debug, Default)]
pub(crate) struct RateView {
    window: Option<Window>,
    /// The longest time-to-reset seen: the window's length, about.
    length: Duration,
}

impl RateView {
    /// Learns from one response's headers (success or error).
    pub(crate) fn observe(&mut self, headers: Option<&HeaderMap>, rate_limit: Option<&RateLimit>) {
        let Some(RateLimit {
            limit,
            remaining: Some(remaining),
            reset: Some(reset),
            ..
        }) = rate_limit.copied()
        else {
            return;
        };
        let until = if reset < DELTA_RESET_BELOW {
            Duration::from_secs(reset)
        } else {
            // On the server's clock: from its `Date` header when it sent one.
            let now = headers
                .and_then(|h| h.get("date"))
                .and_then(|v| v.to_str().ok())
                .and_then(Timestamp::parse_http_date)
                .map_or_else(unix_now, |d| d.unix_seconds_f64());
            #[allow(clippy::cast_precision_loss)]
            let seconds = reset as f64 - now;
            secs(seconds)
        };
        self.length = self.length.max(until);
        self.window = Some(Window {
            limit,
            remaining,
            resets_at: after(Instant::now(), until),
        });
    }

    /// Time until the window resets, and the requests left in it, as last reported.
    pub(crate) fn window_status(&self) -> Option<(Duration, u64)> {
        let window = self.window?;
        let until = window.resets_at.saturating_duration_since(Instant::now());
        (!until.is_zero()).then_some((until, window.remaining))
    }

    /// How long to wait so that `reserve` requests of the window stay for others.
    pub(crate) fn reserve_wait(&self, reserve: u64) -> Duration {
        match self.window_status() {
            Some((until, remaining)) if reserve > 0 && remaining <= reserve => until + RESET_MARGIN,
            _ => Duration::ZERO,
        }
    }

    /// Time to make `left` more requests at the reported rate limit (None: no limit reported).
    pub(crate) fn eta(&self, left: u64, reserve: u64) -> Option<Duration> {
        let window = self.window?;
        let limit = window.limit?.saturating_sub(reserve).max(1);
        let until = window.resets_at.saturating_duration_since(Instant::now());
        let usable = if until.is_zero() {
            limit
        } else {
            window.remaining.saturating_sub(reserve)
        };
        if left <= usable {
            return Some(Duration::ZERO);
        }
        let windows = (left - usable).div_ceil(limit);
        let more = self
            .length
            .saturating_mul(u32::try_from(windows.saturating_sub(1)).unwrap_or(u32::MAX));
        Some((until + more).min(MAX_WAIT))
    }
}

fn secs(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds.max(0.0))
        .unwrap_or(MAX_WAIT)
        .min(MAX_WAIT)
}

/// `now + wait`, with `wait` capped at [`MAX_WAIT`].
pub(crate) fn after(now: Instant, wait: Duration) -> Instant {
    now.checked_add(wait.min(MAX_WAIT)).unwrap_or(now)
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Local Unix milliseconds, for the state file.
pub(crate) fn unix_ms() -> i64 {
    #[allow(clippy::cast_possible_truncation)]
    let ms = (unix_now() * 1000.0) as i64;
    ms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(remaining: u64, reset_in: f64) -> (HeaderMap, RateLimit) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let reset = (unix_now() + reset_in).ceil() as u64;
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", 100.into());
        h.insert("x-ratelimit-remaining", remaining.into());
        h.insert("x-ratelimit-reset", reset.into());
        let limit = RateLimit::from_headers(&h).unwrap_or_default();
        (HeaderMap::new(), limit)
    }

    #[test]
    fn reports_the_window_and_keeps_the_reserve() {
        let mut view = RateView::default();
        assert_eq!(view.reserve_wait(10), Duration::ZERO);
        let (h, rl) = headers(10, 20.0);
        view.observe(Some(&h), Some(&rl));
        let (until, left) = view.window_status().unwrap_or_default();
        assert_eq!(left, 10);
        assert!(until > Duration::from_secs(18), "{until:?}");
        assert_eq!(view.reserve_wait(5), Duration::ZERO);
        assert!(view.reserve_wait(10) > Duration::from_secs(18));
        assert_eq!(view.eta(10, 0), Some(Duration::ZERO));
        assert!(view.eta(250, 0).unwrap_or_default() >= until);
        // A reset given as seconds from now, and an absurd one, capped.
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", 0.into());
        h.insert("x-ratelimit-reset", 3.into());
        view.observe(None, RateLimit::from_headers(&h).as_ref());
        let until = view.window_status().unwrap_or_default().0;
        assert!(until <= Duration::from_secs(3) && until > Duration::from_secs(2));
        h.insert("x-ratelimit-reset", u64::MAX.into());
        view.observe(None, RateLimit::from_headers(&h).as_ref());
        assert!(view.reserve_wait(1) <= MAX_WAIT + RESET_MARGIN);
    }
}
