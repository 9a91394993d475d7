//! Dates without a date-time dependency: the mock only needs Unix seconds, ISO 8601 in and
//! out, the HTTP `Date` format and month names, all in UTC, on the client's calendar
//! (`postcore::calendar`).

use std::time::{SystemTime, UNIX_EPOCH};

// The calendar's arithmetic is the client's (one home for it); formats and parsing stay here,
// as strict or lenient as the server is.
use postcore::calendar::{civil_from_days, days_from_civil, days_in_month};

/// Real (not mock) milliseconds since the Unix epoch; the mock clock adds its offset to this.
pub(crate) fn real_unix_ms() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// A Unix time split into UTC calendar fields.
struct Civil {
    year: i64,
    /// 1..=12
    month: u32,
    /// 1..=31
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    /// 0 = Sunday
    weekday: usize,
}

fn civil(unix: i64) -> Civil {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: secs / 3600,
        minute: secs % 3600 / 60,
        second: secs % 60,
        // 1970-01-01 was a Thursday.
        weekday: (days + 4).rem_euclid(7) as usize,
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2025-01-15T14:01:00Z`: the one timestamp format the API answers with.
pub(crate) fn iso8601(unix: i64) -> String {
    let c = civil(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 7231 IMF-fixdate), for the `Date` header.
pub(crate) fn imf_fixdate(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let c = civil(unix);
    let month = MONTHS[(c.month - 1) as usize];
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[c.weekday],
        c.day,
        &month[..3],
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

/// The UTC calendar month of a Unix time, as `(year, month)`: the unit of the post quota.
pub(crate) fn month_of(unix: i64) -> (i64, u32) {
    let c = civil(unix);
    (c.year, c.month)
}

/// `January 2025`, as the `usage.month` field shows the quota's month.
pub(crate) fn month_label(unix: i64) -> String {
    let c = civil(unix);
    format!("{} {}", MONTHS[(c.month - 1) as usize], c.year)
}

/// Parses an ISO 8601 / RFC 3339 timestamp with a time zone (`Z`, `z`, `+hh:mm`, `-hh:mm` or
/// `±hhmm`) and optional fractional seconds, e.g. `2025-01-15T14:01:00.250+01:00`. Returns
/// whole Unix seconds, fractions truncated. A timestamp without a zone is refused: the API
/// cannot guess which local time the caller meant.
pub(crate) fn parse_iso8601(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        digits.iter().try_fold(0i64, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)? as u32, num(8..10)? as u32);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut rest = &b[19..];
    if let [b'.' | b',', tail @ ..] = rest {
        let digits = tail.iter().take_while(|d| d.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &tail[digits..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let zone: Vec<u8> = zone.iter().copied().filter(|c| *c != b':').collect();
            let colons = rest.len() - 1 - zone.len();
            if zone.len() != 4 || colons > 1 || (colons == 1 && rest[3] != b':') {
                return None;
            }
            if !zone.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let digit = |i: usize| i64::from(zone[i] - b'0');
            let (h, m) = (digit(0) * 10 + digit(1), digit(2) * 10 + digit(3));
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_736_949_660), "2025-01-15T14:01:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(imf_fixdate(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(imf_fixdate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(month_label(1_736_949_660), "January 2025");
        assert_eq!(month_of(951_782_400), (2000, 2));
    }

    #[test]
    fn parses_what_it_formats_and_common_variants() {
        for unix in [0, 951_782_400, 1_736_949_660, 4_102_444_800] {
            assert_eq!(parse_iso8601(&iso8601(unix)), Some(unix));
        }
        let t = 1_736_949_660;
        for text in [
            "2025-01-15T14:01:00Z",
            "2025-01-15t14:01:00z",
            "2025-01-15 14:01:00Z",
            "2025-01-15T14:01:00.999Z",
            "2025-01-15T14:01:00,5Z",
            "2025-01-15T15:01:00+01:00",
            "2025-01-15T15:31:00.123456+0130",
            "2025-01-15T09:01:00-05:00",
            "2025-01-15T14:01:00+00:00",
        ] {
            assert_eq!(parse_iso8601(text), Some(t), "{text}");
        }
    }

    #[test]
    fn refuses_malformed_timestamps() {
        for text in [
            "",
            "2025-01-15",
            "2025-01-15T14:01:00",
            "2025-01-15T14:01Z",
            "2025-13-15T14:01:00Z",
            "2025-02-29T14:01:00Z",
            "2025-01-15T24:00:00Z",
            "2025-01-15T14:60:00Z",
            "2025-01-15T14:01:60Z",
            "2025-01-15T14:01:00.Z",
            "2025-01-15T14:01:00+1:00",
            "2025-01-15T14:01:00+01:0",
            "2025-01-15T14:01:00+01::0",
            "2025-01-15T14:01:00+24:00",
            "2025-01-15T14:01:00Zjunk",
            "2025-01-15X14:01:00Z",
            "+025-01-15T14:01:00Z",
            "2025-01-15T14:01:00+0a:00",
            "２025-01-15T14:01:00Z",
            "2025-01-15T14:01:00+0é0",
        ] {
            assert_eq!(parse_iso8601(text), None, "{text}");
        }
    }
}
