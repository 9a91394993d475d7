//! [`Timestamp`]: an instant in UTC, as the API writes it (ISO 8601 / RFC 3339 with `Z`).
//!
//! A small type of our own rather than a date-time crate: the API only ever needs to parse
//! RFC 3339, write it back, and compare instants, and the Python and Node packages convert to
//! their own date types at the edge.

use crate::calendar::{civil_from_days, days_from_civil, days_in_month};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in UTC with nanosecond precision, e.g. a post's `scheduledFor`.
///
/// Displays and serializes as RFC 3339 in UTC (`2025-01-15T14:01:00Z`, with `.123` or
/// `.123456` fractions only when the instant has them); parses any RFC 3339 offset.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch (negative before 1970).
    secs: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    nanos: u32,
}

/// Why a string is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseTimestampError(String);

impl fmt::Display for ParseTimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseTimestampError {}

impl Timestamp {
    /// The current time of this machine's clock.
    pub fn now() -> Self {
        Self::from(SystemTime::now())
    }

    /// The instant `secs` seconds after the Unix epoch.
    pub fn from_unix(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }

    /// Seconds since the Unix epoch, rounded down.
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// Seconds since the Unix epoch, with the fraction.
    pub fn unix_seconds_f64(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// The instant as a [`SystemTime`] (clamped to the epoch for earlier instants).
    pub fn to_system_time(&self) -> SystemTime {
        match u64::try_from(self.secs) {
            Ok(secs) => UNIX_EPOCH + Duration::new(secs, self.nanos),
            Err(_) => UNIX_EPOCH,
        }
    }

    /// This instant plus `duration` (saturating).
    pub fn add(&self, duration: Duration) -> Self {
        let nanos = u64::from(self.nanos) + u64::from(duration.subsec_nanos());
        let carry = i64::try_from(nanos / 1_000_000_000).unwrap_or(0);
        let secs = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
        Self {
            secs: self.secs.saturating_add(secs).saturating_add(carry),
            nanos: (nanos % 1_000_000_000) as u32,
        }
    }

    /// How long after `earlier` this instant is, or `None` if it is not after it.
    pub fn duration_since(&self, earlier: &Timestamp) -> Option<Duration> {
        if self <= earlier {
            return None;
        }
        let mut secs = self.secs - earlier.secs;
        let nanos = if self.nanos >= earlier.nanos {
            self.nanos - earlier.nanos
        } else {
            secs -= 1;
            self.nanos + 1_000_000_000 - earlier.nanos
        };
        Some(Duration::new(u64::try_from(secs).ok()?, nanos))
    }

    /// Parses RFC 3339 (`2025-01-15T14:01:00Z`, `2025-01-15T16:01:00.5+02:00`; a space or
    /// lowercase `t`/`z` are accepted too).
    pub fn parse(text: &str) -> Result<Self, ParseTimestampError> {
        parse(text).ok_or_else(|| {
            ParseTimestampError(format!(
                "not an ISO 8601 timestamp with a time zone (e.g. \"2025-01-15T14:01:00Z\"): {text:?}"
            ))
        })
    }

    /// Parses an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, the IMF-fixdate every current
    /// server sends), as in the `Date` header; `None` for anything else, including years
    /// outside 1970–9999 (a server's clock is never there, and the arithmetic stays in range).
    pub fn parse_http_date(text: &str) -> Option<Self> {
        let mut parts = text.split_whitespace();
        let _weekday = parts.next()?;
        let day: u32 = parts.next()?.parse().ok()?;
        let month = match parts.next()? {
            "Jan" => 1,
            "Feb" => 2,
            "Mar" => 3,
            "Apr" => 4,
            "May" => 5,
            "Jun" => 6,
            "Jul" => 7,
            "Aug" => 8,
            "Sep" => 9,
            "Oct" => 10,
            "Nov" => 11,
            "Dec" => 12,
            _ => return None,
        };
        let year: i64 = parts.next()?.parse().ok()?;
        let mut hms = parts.next()?.split(':').map(|p| p.parse::<u32>().ok());
        let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
        if parts.next()? != "GMT"
            || h > 23
            || m > 59
            || s > 60
            || !(1..=31).contains(&day)
            || !(1970..=9999).contains(&year)
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        Some(Self::from_unix(
            days * 86_400 + i64::from(h * 3600 + m * 60 + s),
        ))
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(d) => Self {
                secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nanos: d.subsec_nanos(),
            },
            Err(e) => {
                let d = e.duration();
                let secs = -i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                match d.subsec_nanos() {
                    0 => Self { secs, nanos: 0 },
                    n => Self {
                        secs: secs - 1,
                        nanos: 1_000_000_000 - n,
                    },
                }
            }
        }
    }
}

impl From<Timestamp> for SystemTime {
    fn from(t: Timestamp) -> Self {
        t.to_system_time()
    }
}

impl std::str::FromStr for Timestamp {
    type Err = ParseTimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )?;
        // Millisecond or microsecond precision only: what every language's date type reads.
        if self.nanos % 1_000_000 == 0 {
            if self.nanos != 0 {
                write!(f, ".{:03}", self.nanos / 1_000_000)?;
            }
        } else {
            write!(f, ".{:06}", self.nanos / 1000)?;
        }
        f.write_str("Z")
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl serde::de::Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Read by `bindings::describe_serde_error`, which says it in the caller's terms.
                f.write_str(EXPECTING)
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
                Timestamp::parse(text).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(TimestampVisitor)
    }
}

/// What a timestamp is expected to be, in serde's "invalid type" messages.
pub(crate) const EXPECTING: &str = "an ISO 8601 timestamp";

fn parse(text: &str) -> Option<Timestamp> {
    let b = text.trim().as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let year = digits(0..4)?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    let hour = digits(11..13)?;
    let minute = digits(14..16)?;
    let second = digits(17..19)?;
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(i64::from(year), month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            nanos *= 10;
        }
    }
    let offset_secs: i64 = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let h = i64::from(digits(i + 1..i + 3)?);
            let m = i64::from(digits(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let offset = h * 3600 + m * 60;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    // A leap second (:60) is read as the next second.
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_secs;
    Some(Timestamp { secs, nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).expect(text)
    }

    #[test]
    fn round_trips_the_api_format() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2025-01-15T14:01:00Z",
            "2000-02-29T23:59:59Z",
            "2025-01-15T14:01:00.250Z",
            "2025-01-15T14:01:00.000001Z",
            "1969-12-31T23:59:59.500Z",
        ] {
            assert_eq!(ts(text).to_string(), text);
        }
        assert_eq!(ts("2025-01-15T14:01:00Z").unix_seconds(), 1_736_949_660);
    }

    #[test]
    fn reads_offsets_and_variants() {
        assert_eq!(ts("2025-01-15T16:01:00+02:00"), ts("2025-01-15T14:01:00Z"));
        assert_eq!(ts("2025-01-15T09:31:00-04:30"), ts("2025-01-15T14:01:00Z"));
        assert_eq!(ts("2025-01-15 14:01:00z"), ts("2025-01-15T14:01:00Z"));
        assert_eq!(
            ts("2025-01-15T14:01:00.123456789Z").to_string(),
            "2025-01-15T14:01:00.123456Z"
        );
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for bad in [
            "",
            "2025-01-15",
            "2025-01-15T14:01:00",
            "2025-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2025-01-15T24:00:00Z",
            "2025-01-15T14:01:00.Z",
            "2025-01-15T14:01:00+0200",
            "tomorrow",
            "2025-01-15T14:01:00Zjunk",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn http_dates_and_arithmetic() {
        assert_eq!(
            Timestamp::parse_http_date("Wed, 15 Jan 2025 14:01:00 GMT"),
            Some(ts("2025-01-15T14:01:00Z"))
        );
        assert_eq!(
            Timestamp::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").map(|t| t.unix_seconds()),
            Some(784_111_777)
        );
        assert_eq!(
            Timestamp::parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(Timestamp::from_unix(0))
        );
        for bad in [
            "garbage",
            "",
            "Wed, 15 Foo 2025 14:01:00 GMT",
            "Wed, 15 Jan 2025 14:01 GMT",
            "Wed, 15 Jan 99999999999999999 14:01:00 GMT",
        ] {
            assert_eq!(Timestamp::parse_http_date(bad), None, "{bad:?}");
        }
        let a = ts("2025-01-15T14:01:00.900Z");
        let b = a.add(Duration::from_millis(300));
        assert_eq!(b.to_string(), "2025-01-15T14:01:01.200Z");
        assert_eq!(b.duration_since(&a), Some(Duration::from_millis(300)));
        assert_eq!(a.duration_since(&b), None);
        let now = SystemTime::now();
        assert_eq!(Timestamp::from(now).to_system_time(), now);
    }
}
