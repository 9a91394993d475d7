//! The API server's clock, learnt from the `Date` header of its responses.
//!
//! `X-RateLimit-Reset` is a Unix time on the server's clock, which need not agree with this
//! machine's (and the local test server's clock can be moved at will). Every response bounds
//! the offset from below: the server wrote `Date` (whole seconds) at some instant between
//! sending the request and receiving the answer, so `offset >= Date - received`. The largest
//! such bound converges to the true offset; waiting on it is conservative (the time to a reset
//! is never under-estimated).

use std::time::{SystemTime, UNIX_EPOCH};

use http::header::HeaderMap;

use crate::timestamp::Timestamp;

/// What this process knows of the server's clock.
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
        let lower = date - received;
        let upper = date + 1.0 - sent;
        self.offset = Some(match self.offset {
            // The server's clock jumped back (or ours forward): start over.
            Some(known) if upper < known => lower,
            Some(known) => known.max(lower),
            None => lower,
        });
    }

    /// Learns from a response's `Date` header, if it has one.
    pub(crate) fn observe_headers(&mut self, headers: &HeaderMap, sent: SystemTime) {
        if let Some(date) = date_header(headers) {
            self.observe(date, unix(sent), unix_now());
        }
    }

    /// The server's time now, or a moment before it (Unix seconds); this machine's clock until
    /// a response has told it.
    pub(crate) fn now(&self) -> f64 {
        unix_now() + self.offset.unwrap_or(0.0)
    }

    /// Milliseconds from now until `reset` (Unix seconds on the server's clock), never less than
    /// the truth. `X-RateLimit-Reset` values below 10⁹ (2001) are read as seconds from now, as
    /// some servers send them.
    pub(crate) fn until_ms(&self, reset: u64) -> i64 {
        const DELTA_BELOW: u64 = 1_000_000_000;
        #[allow(clippy::cast_precision_loss)]
        let seconds = if reset < DELTA_BELOW {
            reset as f64
        } else {
            reset as f64 - self.now()
        };
        #[allow(clippy::cast_possible_truncation)]
        let ms = (seconds.clamp(0.0, 86_400.0 * 366.0) * 1000.0).ceil() as i64;
        ms
    }

    /// The window's identity: the reset as a Unix time on the server's clock.
    pub(crate) fn window_id(&self, reset: u64) -> i64 {
        if reset < 1_000_000_000 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            let id = (self.now() + reset as f64).ceil() as i64;
            id
        } else {
            i64::try_from(reset).unwrap_or(i64::MAX)
        }
    }
}

fn unix(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

fn unix_now() -> f64 {
    unix(SystemTime::now())
}

/// The response's `Date` header, in Unix seconds.
fn date_header(headers: &HeaderMap) -> Option<i64> {
    let date = Timestamp::parse_http_date(headers.get(http::header::DATE)?.to_str().ok()?)?;
    Some(date.unix_seconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converges_from_below() {
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

    #[test]
    fn resets_as_times_or_as_delays() {
        let clock = ServerClock::default();
        assert_eq!(clock.until_ms(3), 3_000);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let in_ten = (unix_now() + 10.0) as u64;
        let ms = clock.until_ms(in_ten);
        assert!((8_900..=10_000).contains(&ms), "{ms}");
        assert_eq!(clock.until_ms(u64::MAX), 86_400_000 * 366);
        assert_eq!(clock.until_ms(1_000_000_001), 0);
    }
}
