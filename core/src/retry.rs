//! When to try again, and how long to wait. Pure decisions, kept apart from the I/O so that
//! the rules that protect users from duplicate profiles can be read and tested in one place.

use std::time::Duration;

use crate::config::Config;

/// Which failures a call may be resent after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Reads and deletes: also resent after timeouts, dropped connections, 408 and 5xx, since
    /// doing them twice does no harm.
    Idempotent,
    /// Creations (`POST`): resent only when the server provably did not process the request
    /// (no connection, or a 429), so nothing is ever created twice by the client's retries.
    SentOnce,
}

/// What one attempt ended with, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Outcome {
    /// The server answered with this non-success status.
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// No connection was established: the request provably never reached the server.
    ConnectFailed,
    /// The connection failed after the request may have been sent.
    SendFailed,
    /// The attempt timed out; the server may have processed the request.
    TimedOut,
}

/// Retry settings of one call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) max_retry_wait: Duration,
    pub(crate) initial_delay: Duration,
    pub(crate) max_delay: Duration,
}

impl RetryPolicy {
    pub(crate) fn new(config: &Config, max_retries: Option<u32>) -> Self {
        Self {
            max_retries: max_retries.unwrap_or(config.max_retries),
            max_retry_wait: config.max_retry_wait,
            initial_delay: config.initial_retry_delay,
            max_delay: config.max_retry_delay,
        }
    }

    /// After attempt number `attempt` (1-based) ended with `outcome`: the wait before the next
    /// attempt, or `None` to give up. `idempotent` is false for POST: it is then only resent
    /// when the server provably did not process it (no connection, or 429).
    pub(crate) fn decide(
        &self,
        attempt: u32,
        idempotent: bool,
        outcome: Outcome,
    ) -> Option<Duration> {
        if attempt > self.max_retries {
            return None;
        }
        match outcome {
            Outcome::Status {
                status: 429,
                retry_after,
            } => match retry_after {
                Some(wait) if wait <= self.max_retry_wait => Some(wait),
                Some(_) => None,
                None => Some(self.backoff(attempt)),
            },
            Outcome::Status { status, .. } if idempotent && (status == 408 || status >= 500) => {
                Some(self.backoff(attempt))
            }
            Outcome::Status { .. } => None,
            Outcome::ConnectFailed => Some(self.backoff(attempt)),
            Outcome::SendFailed | Outcome::TimedOut if idempotent => Some(self.backoff(attempt)),
            Outcome::SendFailed | Outcome::TimedOut => None,
        }
    }

    /// Exponential backoff, `initial * 2^(retry-1)` capped at `max`, minus up to 25 % jitter so
    /// that many clients failing together do not retry in lockstep.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20));
        exp.min(self.max_delay)
            .mul_f64(1.0 - 0.25 * fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 2,
            max_retry_wait: Duration::from_secs(30),
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }

    fn status(status: u16) -> Outcome {
        Outcome::Status {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn post_is_only_resent_when_not_processed() {
        let p = policy();
        assert!(p.decide(1, false, Outcome::ConnectFailed).is_some());
        assert!(p.decide(1, false, status(429)).is_some());
        for outcome in [
            Outcome::SendFailed,
            Outcome::TimedOut,
            status(500),
            status(502),
            status(503),
            status(408),
        ] {
            assert_eq!(p.decide(1, false, outcome), None, "{outcome:?}");
            assert!(p.decide(1, true, outcome).is_some(), "{outcome:?}");
        }
        assert_eq!(p.decide(1, true, status(400)), None);
    }

    #[test]
    fn gives_up_after_max_retries() {
        let p = policy();
        assert!(p.decide(2, false, Outcome::ConnectFailed).is_some());
        assert_eq!(p.decide(3, false, Outcome::ConnectFailed), None);
    }

    #[test]
    fn honours_short_retry_after_and_refuses_long_ones() {
        let p = policy();
        let wait = |s| Outcome::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(s)),
        };
        assert_eq!(p.decide(1, false, wait(2)), Some(Duration::from_secs(2)));
        assert_eq!(p.decide(1, false, wait(243)), None);
    }

    #[test]
    fn backoff_grows_with_jitter_within_bounds() {
        let p = policy();
        for _ in 0..100 {
            let first = p.backoff(1);
            assert!(first <= Duration::from_millis(500) && first >= Duration::from_millis(375));
            let second = p.backoff(2);
            assert!(second <= Duration::from_secs(1) && second >= Duration::from_millis(750));
            let capped = p.backoff(30);
            assert!(capped <= Duration::from_secs(8) && capped >= Duration::from_secs(6));
        }
    }
}
