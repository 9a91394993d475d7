//! Faults a test scripts for the next requests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What the server does to a request instead of (or besides) answering it normally.
///
/// In JSON (for `POST /__mock/faults`) every field is optional, e.g.
/// `{"status": 429, "body": {"error": "RATE_LIMIT_EXCEEDED", "message": "…", "retry_after": 1}}`,
/// `{"delay_ms": 2000}`, `{"action": "drop"}`. In `body` and `headers` values, a string of the
/// exact form `$NOW`, `$NOW+<n>` or `$NOW-<n>` becomes the ISO timestamp of mock-now ± n
/// seconds when the fault is applied (e.g. `"next_available": "$NOW+1"`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fault {
    /// Answer with this status instead of handling the request (unless `process`).
    pub status: Option<u16>,
    /// The body to send with `status`: a JSON string is sent as raw text
    /// (`text/plain` unless `headers` say otherwise), any other JSON value as JSON.
    pub body: Option<serde_json::Value>,
    /// The body as hexadecimal bytes (for bodies that are not valid UTF-8); overrides `body`.
    pub body_hex: Option<String>,
    /// Repeat the body this many times (for oversized bodies without a huge fault).
    pub repeat: Option<usize>,
    /// Headers added to the response (and replacing the defaults of the same name).
    pub headers: BTreeMap<String, String>,
    /// Wait this long after reading the request, before doing anything else.
    pub delay_ms: u64,
    /// Respond (default) or drop the connection.
    pub action: FaultAction,
    /// Handle the request for real first (e.g. a profile is created), then apply the fault: the
    /// "server processed it but the answer was lost" case.
    pub process: bool,
    /// How many consecutive requests this fault applies to (default 1).
    pub times: Option<u32>,
    /// Only for requests with this method (`"POST"`): see [`Fault::path`].
    pub method: Option<String>,
    /// Only for requests to this path (without the query, e.g. `"/posts"`). A fault with a
    /// `method` or `path` waits at the head of the queue for a request it matches; the others
    /// pass it by and are answered normally (so a test can aim at one endpoint however the
    /// client interleaves its requests). Such a `reset` happens once the request has been
    /// read, like `drop`: nothing is processed.
    pub path: Option<String>,
}

/// How the faulted request ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// Send a response: `status`/`body`/`headers` if given, else the real one.
    #[default]
    Respond,
    /// Read the request, then close the connection without any response.
    Drop,
    /// On a new connection: once the request's bytes have arrived, reset the connection
    /// without reading them, so nothing is processed or recorded. (On a reused keep-alive
    /// connection it acts like `drop`.)
    Reset,
    /// Send the status and headers, announce a longer body than is sent, then close.
    Truncate,
}

impl Fault {
    /// A fault answering with `status` and no body.
    pub fn status(status: u16) -> Self {
        Self {
            status: Some(status),
            ..Self::default()
        }
    }

    /// A fault answering with `status` and a JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status: Some(status),
            body: Some(body),
            ..Self::default()
        }
    }

    /// A fault that waits `delay_ms` and then answers normally.
    pub fn delay(delay_ms: u64) -> Self {
        Self {
            delay_ms,
            ..Self::default()
        }
    }

    /// A fault that closes the connection after reading the request.
    pub fn drop_connection() -> Self {
        Self {
            action: FaultAction::Drop,
            ..Self::default()
        }
    }

    /// This fault as the testing kits' `fail_next` / `failNext` mean it ("the next request
    /// fails"): without a `status`, a response that would otherwise be the real one (it sets a
    /// body, or neither delays nor adds headers) fails with 500. `drop` and `reset` send no
    /// response, so a `status` or body with them is refused (the message names the mistake).
    pub fn for_fail_next(mut self) -> Result<Self, String> {
        let has_body = self.body.is_some() || self.body_hex.is_some();
        match self.action {
            FaultAction::Drop | FaultAction::Reset if self.status.is_some() || has_body => {
                let action = if self.action == FaultAction::Drop {
                    "drop"
                } else {
                    "reset"
                };
                Err(format!(
                    "action \"{action}\" sends no response: status and body do not apply"
                ))
            }
            FaultAction::Respond
                if self.status.is_none()
                    && (has_body || (self.delay_ms == 0 && self.headers.is_empty())) =>
            {
                self.status = Some(500);
                Ok(self)
            }
            _ => Ok(self),
        }
    }

    /// This fault with its `$NOW` templates filled in for mock time `now`.
    pub(crate) fn expanded(mut self, now: i64) -> Self {
        if let Some(body) = &mut self.body {
            crate::template::expand(body, now);
        }
        for value in self.headers.values_mut() {
            if let Some(expanded) = crate::template::expand_str(value, now) {
                *value = expanded;
            }
        }
        self
    }

    /// Whether this fault is for a request with this method and path.
    pub(crate) fn applies_to(&self, method: &str, path: &str) -> bool {
        let path = path.split('?').next().unwrap_or(path);
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| p == path)
    }

    /// Whether it waits for a particular request rather than applying to the next one.
    pub(crate) fn is_aimed(&self) -> bool {
        self.method.is_some() || self.path.is_some()
    }

    /// Whether the real handler runs for the faulted request.
    pub(crate) fn runs_handler(&self) -> bool {
        self.process || (self.action == FaultAction::Respond && self.status.is_none())
    }

    /// The response body bytes this fault sends, and the content type they imply.
    pub(crate) fn body_bytes(&self) -> (Vec<u8>, Option<&'static str>) {
        let (one, content_type) = if let Some(hex) = &self.body_hex {
            (decode_hex(hex), Some("application/octet-stream"))
        } else {
            match &self.body {
                None => (Vec::new(), None),
                Some(serde_json::Value::String(text)) => {
                    (text.clone().into_bytes(), Some("text/plain"))
                }
                Some(json) => (json.to_string().into_bytes(), Some("application/json")),
            }
        };
        (one.repeat(self.repeat.unwrap_or(1)), content_type)
    }
}

/// Hex digits to bytes; anything that is not a hex pair is skipped.
fn decode_hex(hex: &str) -> Vec<u8> {
    let digits: Vec<u8> = hex
        .bytes()
        .filter_map(|b| (b as char).to_digit(16).map(|d| d as u8))
        .collect();
    digits.chunks_exact(2).map(|p| p[0] << 4 | p[1]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_next_fails_with_500_unless_it_only_delays_or_adds_headers() {
        let fail = |fault: Fault| fault.for_fail_next().map(|f| f.status);
        assert_eq!(fail(Fault::default()), Ok(Some(500)));
        let body = Fault {
            body: Some(serde_json::json!({"error": "X"})),
            ..Fault::default()
        };
        assert_eq!(fail(body), Ok(Some(500)));
        let bytes = Fault {
            body_hex: Some("ff".into()),
            ..Fault::default()
        };
        assert_eq!(fail(bytes), Ok(Some(500)));
        assert_eq!(fail(Fault::status(503)), Ok(Some(503)));
        assert_eq!(fail(Fault::delay(100)), Ok(None));
        let headers = Fault {
            headers: BTreeMap::from([("x-a".into(), "1".into())]),
            ..Fault::default()
        };
        assert_eq!(fail(headers), Ok(None));
        assert_eq!(fail(Fault::drop_connection()), Ok(None));
        let truncate = Fault {
            action: FaultAction::Truncate,
            ..Fault::default()
        };
        assert_eq!(fail(truncate), Ok(None));
    }

    #[test]
    fn aimed_faults_match_method_and_path() {
        let fault = Fault {
            method: Some("post".into()),
            path: Some("/posts".into()),
            ..Fault::default()
        };
        assert!(fault.is_aimed());
        assert!(fault.applies_to("POST", "/posts?x=1"));
        assert!(!fault.applies_to("GET", "/posts"));
        assert!(!fault.applies_to("POST", "/profiles/create"));
        assert!(Fault::default().applies_to("GET", "/anything"));
        assert!(!Fault::default().is_aimed());
    }

    #[test]
    fn fail_next_refuses_a_response_for_drop_and_reset() {
        for action in [FaultAction::Drop, FaultAction::Reset] {
            let with_status = Fault {
                action,
                ..Fault::status(503)
            };
            let message = with_status.for_fail_next().err().unwrap_or_default();
            assert!(message.contains("sends no response"), "{message}");
            let with_body = Fault {
                action,
                body: Some(serde_json::json!("x")),
                ..Fault::default()
            };
            assert!(with_body.for_fail_next().is_err());
        }
    }
}
