//! The headers a user or an observer adds to requests, checked against the ones the SDK owns.

use http::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::error::{Error, Result};

/// Adds `extra` to `headers`: a user agent is appended to the SDK's, other names replace.
pub(crate) fn merge_headers(headers: &mut HeaderMap, extra: &HeaderMap) {
    for (name, value) in extra {
        if name == USER_AGENT {
            let mut combined = headers
                .get(USER_AGENT)
                .map(|v| v.as_bytes().to_vec())
                .unwrap_or_default();
            combined.push(b' ');
            combined.extend_from_slice(value.as_bytes());
            if let Ok(v) = HeaderValue::from_bytes(&combined) {
                headers.insert(USER_AGENT, v);
            }
        } else {
            headers.insert(name.clone(), value.clone());
        }
    }
}

/// The headers the SDK owns (the key, the content type, the host, the body's length).
const RESERVED: &[&str] = &[
    "x-api-key",
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
    "connection",
];

/// A header an observer adds to one attempt (`traceparent`), if it is valid and not one the
/// SDK owns (or the user agent); `None` otherwise.
pub(crate) fn added_header(name: &str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    let name = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).ok()?;
    if RESERVED.contains(&name.as_str()) || name == USER_AGENT {
        return None;
    }
    if value.chars().any(char::is_control) {
        return None;
    }
    Some((name, HeaderValue::from_str(value).ok()?))
}

/// Headers a user asked for, checked: valid names, no CR/LF or control characters, and none
/// of the headers the SDK owns (the key, the content type, the host, the body's length).
pub(crate) fn user_headers(pairs: &[(String, String)]) -> Result<HeaderMap> {
    let mut headers = HeaderMap::with_capacity(pairs.len());
    for (name, value) in pairs {
        let lower = name.to_ascii_lowercase();
        if RESERVED.contains(&lower.as_str()) {
            return Err(Error::invalid_argument(format!(
                "the {lower:?} header is set by the SDK and cannot be overridden"
            )));
        }
        let header_name = HeaderName::from_bytes(lower.as_bytes()).map_err(|_| {
            Error::invalid_argument(format!("{name:?} is not a valid HTTP header name"))
        })?;
        if value.chars().any(char::is_control) {
            return Err(Error::invalid_argument(format!(
                "the value of the {lower:?} header contains a line break or control character"
            )));
        }
        let header_value = HeaderValue::from_str(value).map_err(|_| {
            Error::invalid_argument(format!(
                "the value of the {lower:?} header is not a valid HTTP header value"
            ))
        })?;
        headers.append(header_name, header_value);
    }
    Ok(headers)
}
