//! Signed webhooks: what `postcore listen --forward-to URL` sends, and how a receiver checks it.
//!
//! postcore has no webhooks; `postcore listen` makes them from the client's events. Each
//! delivery is a `POST` of the event's JSON with a header
//! `Postcore-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the
//! secret in `POSTCORE_WEBHOOK_SECRET`, signed afresh for each attempt. A receiver verifies it
//! with [`verify`] (Python `postcore.webhooks.verify`, Node `verifyWebhook`): the signature
//! must match (any of several `v1=` values, for secret rotation) and the timestamp must be
//! within the tolerance of now (a replayed old delivery is refused), in constant time.
//!
//! ```
//! let secret = "whsec_test";
//! let body = r#"{"id":"evt_1","type":"post.published","createdAt":"2030-01-01T00:00:00Z","data":{}}"#;
//! let header = postcore::webhooks::sign(secret, body.as_bytes(), postcore::Timestamp::now().unix_seconds());
//! let event = postcore::webhooks::verify(body.as_bytes(), &header, secret, postcore::webhooks::DEFAULT_TOLERANCE)?;
//! assert_eq!(event.event_type, "post.published");
//! # Ok::<(), postcore::Error>(())
//! ```

use std::time::Duration;

use ring::hmac;

use crate::error::{Error, Result};
use crate::events::Event;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Postcore-Signature";
/// How far a delivery's timestamp may be from now, by default (either way).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The `Postcore-Signature` value for `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &str, body: &[u8], timestamp: i64) -> String {
    format!("t={timestamp},v1={}", signature(secret, body, timestamp))
}

fn signature(secret: &str, body: &[u8], timestamp: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut context = hmac::Context::with_key(&key);
    context.update(timestamp.to_string().as_bytes());
    context.update(b".");
    context.update(body);
    context
        .sign()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn refused(message: impl Into<String>) -> Error {
    Error::WebhookSignature {
        message: message.into(),
    }
}

/// Checks a delivery and returns its event: `payload` is the raw body as received (before any
/// JSON parsing), `header` the `Postcore-Signature` value.
///
/// Refused, each with a message saying why: a missing or malformed header, a timestamp further
/// than `tolerance` from now (in either direction), no `v1=` signature matching the body under
/// `secret`, or a body that is not an event.
pub fn verify(payload: &[u8], header: &str, secret: &str, tolerance: Duration) -> Result<Event> {
    verify_at(
        payload,
        header,
        secret,
        tolerance,
        crate::timestamp::Timestamp::now().unix_seconds(),
    )
}

/// [`verify`] as of `now` (Unix seconds).
pub fn verify_at(
    payload: &[u8],
    header: &str,
    secret: &str,
    tolerance: Duration,
    now: i64,
) -> Result<Event> {
    if secret.is_empty() {
        return Err(refused("the webhook secret is empty"));
    }
    let header = header.trim();
    if header.is_empty() {
        return Err(refused(format!(
            "no {SIGNATURE_HEADER} header: the request was not sent by postcore listen"
        )));
    }
    let mut timestamp: Option<i64> = None;
    let mut signatures: Vec<&str> = Vec::new();
    for part in header.split(',') {
        let Some((name, value)) = part.trim().split_once('=') else {
            return Err(refused(format!(
                "malformed {SIGNATURE_HEADER} header (expected t=<unix seconds>,v1=<hex>)"
            )));
        };
        match name.trim() {
            "t" => {
                let parsed = value.trim().parse::<i64>().map_err(|_| {
                    refused(format!(
                        "malformed {SIGNATURE_HEADER} header: t is not a Unix time"
                    ))
                })?;
                if timestamp.replace(parsed).is_some() {
                    return Err(refused(format!(
                        "malformed {SIGNATURE_HEADER} header: more than one t"
                    )));
                }
            }
            "v1" => signatures.push(value.trim()),
            // Other schemes are ignored (room for a v2).
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or_else(|| {
        refused(format!(
            "malformed {SIGNATURE_HEADER} header: no t=<unix seconds>"
        ))
    })?;
    if signatures.is_empty() {
        return Err(refused(format!(
            "malformed {SIGNATURE_HEADER} header: no v1 signature"
        )));
    }
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    let age = now.saturating_sub(timestamp);
    if age > tolerance {
        return Err(refused(format!(
            "the signature's timestamp is {age} s old, beyond the tolerance of {tolerance} s \
             (a replayed delivery?)"
        )));
    }
    if -age > tolerance {
        return Err(refused(format!(
            "the signature's timestamp is {} s in the future, beyond the tolerance of \
             {tolerance} s (check the clocks)",
            -age
        )));
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut signed = timestamp.to_string().into_bytes();
    signed.push(b'.');
    signed.extend_from_slice(payload);
    // `hmac::verify` compares in constant time; a malformed hex value simply does not match.
    let matches = signatures.iter().any(|candidate| {
        decode_hex(candidate).is_some_and(|tag| hmac::verify(&key, &signed, &tag).is_ok())
    });
    if !matches {
        return Err(refused(
            "the signature does not match the body: a tampered body or another secret",
        ));
    }
    serde_json::from_slice::<Event>(payload).map_err(|e| {
        refused(format!(
            "the body is signed but is not a postcore event: {e}"
        ))
    })
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &str = r#"{"id":"evt_1","type":"post.published","createdAt":"2030-01-01T00:00:00Z","data":{"postId":"post_1"}}"#;
    const NOW: i64 = 1_900_000_000;

    fn check(header: &str, body: &str, secret: &str) -> Result<Event> {
        verify_at(body.as_bytes(), header, secret, DEFAULT_TOLERANCE, NOW)
    }

    #[test]
    fn a_signed_event_verifies() {
        let header = sign(SECRET, BODY.as_bytes(), NOW);
        let event = check(&header, BODY, SECRET).expect("verifies");
        assert_eq!(
            (event.id.as_str(), event.event_type.as_str()),
            ("evt_1", "post.published")
        );
        // Secret rotation: any one of several v1 values.
        let rotated = format!("{header},v1={}", "ab".repeat(32));
        assert!(check(&rotated, BODY, SECRET).is_ok());
        let old_first = format!(
            "t={NOW},v1={},v1={}",
            "00".repeat(32),
            signature(SECRET, BODY.as_bytes(), NOW)
        );
        assert!(check(&old_first, BODY, SECRET).is_ok());
    }

    #[test]
    fn tampered_replayed_and_malformed_deliveries_are_refused() {
        let header = sign(SECRET, BODY.as_bytes(), NOW);
        let message = |r: Result<Event>| match r {
            Err(Error::WebhookSignature { message }) => message,
            other => panic!("expected a signature error, got {other:?}"),
        };
        assert!(
            message(check(&header, &BODY.replace("post_1", "post_2"), SECRET))
                .contains("does not match")
        );
        assert!(message(check(&header, BODY, "another")).contains("does not match"));
        let old = sign(SECRET, BODY.as_bytes(), NOW - 301);
        assert!(message(check(&old, BODY, SECRET)).contains("old"));
        let future = sign(SECRET, BODY.as_bytes(), NOW + 301);
        assert!(message(check(&future, BODY, SECRET)).contains("future"));
        for bad in [
            "",
            "nonsense",
            "t=abc,v1=00",
            "v1=00",
            &format!("t={NOW}"),
            &format!("t={NOW},t={NOW},v1=00"),
        ] {
            let m = message(check(bad, BODY, SECRET));
            assert!(m.contains("header"), "{bad:?}: {m}");
        }
        assert!(message(check(&format!("t={NOW},v1=zz"), BODY, SECRET)).contains("does not match"));
        let not_event = sign(SECRET, b"{}", NOW);
        assert!(message(check(&not_event, "{}", SECRET)).contains("not a postcore event"));
        assert!(message(check(&header, BODY, "")).contains("empty"));
    }
}
