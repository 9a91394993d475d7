//! Client configuration: builder, environment variables, validation, per-call options.
//!
//! Everything a user can get wrong about configuration is caught here, at construction, with a
//! message that says how to fix it, so that no request ever leaves with a bad key or URL.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;

use crate::error::{Error, Result};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.postcore.dev";
/// Per-attempt timeout: the whole request, from connecting to the last body byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Time allowed to establish a connection (TCP and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The longest server-requested wait (429 `retry_after`) the client sleeps through by itself;
/// a longer one is returned to the caller as a rate-limit error carrying `retry_after`.
pub const DEFAULT_MAX_RETRY_WAIT: Duration = Duration::from_secs(30);
/// Response bodies larger than this end the call with an error instead of using unbounded memory.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

const DEFAULT_INITIAL_RETRY_DELAY: Duration = Duration::from_millis(500);
const DEFAULT_MAX_RETRY_DELAY: Duration = Duration::from_secs(8);
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The API key. Kept out of every `Debug` and `Display`; the header value is marked sensitive.
#[derive(Clone)]
pub(crate) struct ApiKey(pub(crate) HeaderValue);

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

/// Validated configuration shared by every call of a client.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) api_key: ApiKey,
    /// Base URL without trailing slash.
    pub(crate) base_url: String,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) max_retry_wait: Duration,
    pub(crate) initial_retry_delay: Duration,
    pub(crate) max_retry_delay: Duration,
    pub(crate) user_agent: HeaderValue,
}

/// Builds a [`Client`](crate::Client). Values not set fall back to `POSTCORE_API_KEY` /
/// `POSTCORE_BASE_URL`, then to the defaults.
#[derive(Clone, Default)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_retries: Option<u32>,
    max_retry_wait: Option<Duration>,
    initial_retry_delay: Option<Duration>,
    max_retry_delay: Option<Duration>,
    user_agent: Option<String>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API key sent as `x-api-key` (default: `POSTCORE_API_KEY`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The API root (default: `POSTCORE_BASE_URL`, else [`DEFAULT_BASE_URL`]). `http://` is
    /// accepted only for loopback hosts such as a local `postcore-mock`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Per-attempt timeout, from connecting to the last byte of the body (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Retries after the first attempt, for failures where retrying is safe (default 2).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Longest server-requested wait the client sleeps through before retrying (default 30 s).
    pub fn max_retry_wait(mut self, wait: Duration) -> Self {
        self.max_retry_wait = Some(wait);
        self
    }

    /// Backoff before the first retry, doubled for each further one, with jitter (default 0.5 s).
    pub fn initial_retry_delay(mut self, delay: Duration) -> Self {
        self.initial_retry_delay = Some(delay);
        self
    }

    /// Upper bound for the backoff between retries (default 8 s).
    pub fn max_retry_delay(mut self, delay: Duration) -> Self {
        self.max_retry_delay = Some(delay);
        self
    }

    /// Replaces the `User-Agent` header (default `postcore-rust/<version>`); the Python and
    /// Node packages set their own.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<crate::Client> {
        crate::Client::from_config(self.into_config()?)
    }

    pub(crate) fn into_config(self) -> Result<Config> {
        let api_key = self
            .api_key
            .or_else(|| env_var("POSTCORE_API_KEY"))
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                Error::config(
                    "no API key: pass an API key when creating the client or set the \
                     POSTCORE_API_KEY environment variable",
                )
            })?;
        let api_key = ApiKey(header_value("API key", &api_key, true)?);
        let base_url = self
            .base_url
            .or_else(|| env_var("POSTCORE_BASE_URL"))
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base_url = validate_base_url(&base_url)?;
        let user_agent = match self.user_agent {
            Some(ua) => header_value("user agent", &ua, false)?,
            None => HeaderValue::from_static(concat!("postcore-rust/", env!("CARGO_PKG_VERSION"))),
        };
        Ok(Config {
            api_key,
            base_url,
            timeout: check_timeout("timeout", self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                .map_err(config_error)?,
            connect_timeout: check_timeout(
                "connect timeout",
                self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            )
            .map_err(config_error)?,
            max_retries: self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            max_retry_wait: self.max_retry_wait.unwrap_or(DEFAULT_MAX_RETRY_WAIT),
            initial_retry_delay: self
                .initial_retry_delay
                .unwrap_or(DEFAULT_INITIAL_RETRY_DELAY),
            max_retry_delay: self.max_retry_delay.unwrap_or(DEFAULT_MAX_RETRY_DELAY),
            user_agent,
        })
    }
}

/// Options for one call, overriding the client's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Per-attempt timeout for this call.
    pub timeout: Option<Duration>,
    /// Retries for this call.
    pub max_retries: Option<u32>,
}

impl RequestOptions {
    /// No overrides: the client's settings apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// Overrides the per-attempt timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Overrides the number of retries.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if let Some(t) = self.timeout {
            check_timeout("timeout", t)?;
        }
        Ok(())
    }
}

/// Converts a timeout in seconds (as Python passes it) into a `Duration`, refusing values that
/// are not finite, not positive, or longer than a day.
pub fn timeout_from_secs(seconds: f64) -> Result<Duration> {
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err(Error::invalid_argument(format!(
            "timeout must be a positive number of seconds, got {seconds}"
        )));
    }
    let timeout = Duration::try_from_secs_f64(seconds)
        .map_err(|_| Error::invalid_argument(format!("timeout {seconds} s is out of range")))?;
    check_timeout("timeout", timeout)
}

/// Converts a timeout in milliseconds (as Node passes it) into a `Duration`, with the same
/// rules as [`timeout_from_secs`].
pub fn timeout_from_millis(millis: f64) -> Result<Duration> {
    if !millis.is_finite() || millis <= 0.0 {
        return Err(Error::invalid_argument(format!(
            "timeout must be a positive number of milliseconds, got {millis}"
        )));
    }
    timeout_from_secs(millis / 1000.0)
}

/// Converts a retry count given as a number (Python passes an int, JavaScript a number) into a
/// `u32`, refusing NaN, negatives, fractions and values beyond `u32::MAX`. `name` is the
/// argument's name in the caller's language (`max_retries`, `maxRetries`).
pub fn max_retries_from(value: f64, name: &str) -> Result<u32> {
    if value.is_nan() || value.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&value) {
        return Err(Error::invalid_argument(format!(
            "{name} must be a whole number from 0 to {}, got {value}",
            u32::MAX
        )));
    }
    // Whole and in range (checked above), so the conversion is exact.
    Ok(value as u32)
}

fn check_timeout(name: &str, timeout: Duration) -> Result<Duration> {
    if timeout.is_zero() || timeout > MAX_TIMEOUT {
        return Err(Error::invalid_argument(format!(
            "{name} must be greater than zero and at most one day, got {timeout:?}"
        )));
    }
    Ok(timeout)
}

fn config_error(e: Error) -> Error {
    Error::config(e.message())
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Refuses values that would corrupt or split the HTTP header (CR, LF, other control
/// characters) and, for the key, anything outside visible ASCII. The value is never echoed.
fn header_value(what: &str, value: &str, secret: bool) -> Result<HeaderValue> {
    let bad = |c: char| c.is_control() || (secret && (!c.is_ascii_graphic()));
    if value.chars().any(bad) {
        return Err(Error::config(format!(
            "the {what} contains a line break, control character or other character not allowed \
             in an HTTP header{}",
            if secret {
                " (check for stray whitespace or newlines)"
            } else {
                ""
            }
        )));
    }
    let mut header = HeaderValue::from_str(value)
        .map_err(|_| Error::config(format!("the {what} is not a valid HTTP header value")))?;
    header.set_sensitive(secret);
    Ok(header)
}

fn validate_base_url(raw: &str) -> Result<String> {
    let url = Url::parse(raw).map_err(|e| {
        Error::config(format!(
            "invalid base URL {raw:?}: {e} (expected e.g. {DEFAULT_BASE_URL})"
        ))
    })?;
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(Error::config(format!(
            "invalid base URL {raw:?}: it must not contain credentials, a query or a fragment"
        )));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::config(format!(
                "refusing base URL {raw:?}: plain http:// would send the API key unencrypted; \
                 use https:// (http:// is only allowed for loopback hosts such as 127.0.0.1)"
            )));
        }
        other => {
            return Err(Error::config(format!(
                "invalid base URL {raw:?}: scheme {other:?} is not http or https"
            )));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_for_loopback() {
        assert!(validate_base_url("http://127.0.0.1:4010").is_ok());
        assert!(validate_base_url("http://localhost:4010/").is_ok());
        assert!(validate_base_url("http://[::1]:4010").is_ok());
        assert_eq!(
            validate_base_url("https://api.postcore.dev/")
                .ok()
                .as_deref(),
            Some("https://api.postcore.dev")
        );
        let err = validate_base_url("http://api.postcore.dev").unwrap_err();
        assert!(err.message().contains("unencrypted"), "{err}");
        assert!(validate_base_url("ftp://x").is_err());
        assert!(validate_base_url("not a url").is_err());
    }

    #[test]
    fn key_with_newline_is_refused_without_echo() {
        let err = header_value("API key", "sk_secret\n", true).unwrap_err();
        assert!(!err.to_string().contains("sk_secret"));
        assert!(header_value("API key", "sk_live_abc123", true).is_ok());
    }

    #[test]
    fn timeouts_are_validated() {
        assert!(timeout_from_secs(-1.0).is_err());
        assert!(timeout_from_secs(0.0).is_err());
        assert!(timeout_from_secs(f64::NAN).is_err());
        assert!(timeout_from_secs(1e20).is_err());
        assert_eq!(
            timeout_from_secs(1.5).ok(),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            timeout_from_millis(250.0).ok(),
            Some(Duration::from_millis(250))
        );
    }

    #[test]
    fn retry_counts_are_validated() {
        assert_eq!(max_retries_from(3.0, "max_retries").ok(), Some(3));
        for bad in [-1.0, 1.5, f64::NAN, 2f64.powi(40)] {
            let err = max_retries_from(bad, "maxRetries").unwrap_err();
            assert!(err.message().starts_with("maxRetries must be"), "{err}");
        }
    }
}
