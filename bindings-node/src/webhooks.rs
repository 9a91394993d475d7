//! The native half of `verifyWebhook` / `signWebhook` (`ts/webhooks.ts`): the core's signing
//! and verification (`postcore::webhooks`), so that no cryptography is written in JavaScript.

use napi::Result;
use napi::bindgen_prelude::{Env, Uint8ArraySlice};
use napi_derive::napi;
use serde_json::Value;

use crate::errors::{range_error, throw_core_error};

/// Checks a delivery of `postcore listen` and returns its event as the API's JSON. `payload`
/// is the body as received (the TypeScript layer makes a string its UTF-8 bytes), `header` the
/// `Postcore-Signature` value (empty when missing), `toleranceMs` how far its timestamp may be
/// from now (default 300000). Throws an error with `postcoreClass: "WebhookSignatureError"`
/// saying why a delivery is refused.
#[napi(catch_unwind, ts_return_type = "unknown")]
pub fn verify_webhook(
    env: Env,
    payload: Uint8ArraySlice<'_>,
    header: String,
    secret: String,
    tolerance_ms: Option<f64>,
) -> Result<Value> {
    let tolerance = match tolerance_ms {
        None => postcore::webhooks::DEFAULT_TOLERANCE,
        Some(ms) if ms.is_finite() && ms >= 0.0 => {
            std::time::Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
                range_error(&env, &format!("options.tolerance is out of range: {ms}"))
            })?
        }
        Some(ms) => {
            return Err(range_error(
                &env,
                &format!(
                    "options.tolerance must be a non-negative number of milliseconds, got {ms}"
                ),
            ));
        }
    };
    let event = postcore::webhooks::verify(&payload, &header, &secret, tolerance)
        .map_err(|e| throw_core_error(&env, &e))?;
    serde_json::to_value(&event).map_err(|e| napi::Error::from_reason(e.to_string()))
}

/// The `Postcore-Signature` value for `payload` sent at `timestampSeconds` (Unix seconds,
/// default now), keyed with `secret`, as `postcore listen` signs its deliveries.
#[napi(catch_unwind)]
pub fn sign_webhook(
    env: Env,
    payload: Uint8ArraySlice<'_>,
    secret: String,
    timestamp_seconds: Option<f64>,
) -> Result<String> {
    if secret.is_empty() {
        return Err(range_error(&env, "secret must not be empty"));
    }
    let timestamp = match timestamp_seconds {
        None => postcore::Timestamp::now().unix_seconds(),
        // Whole seconds, well inside the i64 range (checked).
        Some(t) if t.is_finite() && t.abs() < 1e15 => t.floor() as i64,
        Some(t) => {
            return Err(range_error(
                &env,
                &format!("options.timestamp is not a usable time: {t}"),
            ));
        }
    };
    Ok(postcore::webhooks::sign(&secret, &payload, timestamp))
}

/// Every event type (`"post.published"`…), in the order of the docs.
#[napi(catch_unwind)]
pub fn event_types() -> Vec<String> {
    postcore::EventType::ALL
        .iter()
        .map(|t| t.as_str().to_owned())
        .collect()
}

/// The header that carries a webhook's signature (`"Postcore-Signature"`).
#[napi(catch_unwind)]
pub fn webhook_signature_header() -> String {
    postcore::webhooks::SIGNATURE_HEADER.to_owned()
}
