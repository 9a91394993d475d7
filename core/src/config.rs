//! Client configuration: builder, environment variables, validation, per-call options.
//!
//! Everything a user can get wrong about configuration is caught here, at construction, with a
//! message that says how to fix it, so that no request ever leaves with a bad key or URL.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use http::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use url::Url;

use crate::error::{Error, Result};
use crate::headers::{merge_headers, user_headers};
use crate::store::Store;
use crate::store::url::StoreUrl;

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
/// The cap for listings (`GET /profiles`, `GET /posts`), which return every item in one body:
/// 28,000 profiles already pass 8 MiB.
pub const MAX_LIST_RESPONSE_BYTES: usize = 512 * 1024 * 1024;
/// Connections a client keeps open to the API at most (as httpx's default); calls beyond it
/// wait for a free connection, within their timeout.
pub const DEFAULT_MAX_CONNECTIONS: usize = 100;
/// The longest a call waits for a slot of the shared rate budget before it gives up with a
/// rate-limit error (nothing sent).
pub const DEFAULT_MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);
/// The budget group of clients that do not name one.
pub const DEFAULT_BUDGET_GROUP: &str = "default";
/// How long idempotency keys are remembered by default.
pub const DEFAULT_IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// The documented posting budget: 100 post-scheduling requests per hour per key.
pub(crate) const DEFAULT_POSTING_BUDGET: (u32, Duration) = (100, Duration::from_secs(60 * 60));

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
    /// Headers the user asked to send with every request (validated).
    pub(crate) default_headers: HeaderMap,
    /// Everything sent with every request: key, user agent, accept, default headers.
    pub(crate) headers: HeaderMap,
    pub(crate) max_connections: usize,
    pub(crate) proxy: Option<Proxy>,
    /// The proxy's `Proxy-Authorization`, for plain-HTTP requests through it.
    pub(crate) proxy_authorization: Option<HeaderValue>,
    /// Extra trusted CA certificates, PEM.
    pub(crate) ca_certificates: Vec<Vec<u8>>,
    /// Where the rate budgets (and idempotency records, event cursors) are shared.
    pub(crate) store: Store,
    /// The budget group of this client's IP budgets.
    pub(crate) budget_group: String,
    /// The longest a call waits for a slot of the rate budget.
    pub(crate) max_rate_limit_wait: Duration,
    /// How long idempotency keys are remembered.
    pub(crate) idempotency_ttl: Duration,
    /// The posting budget: requests and window (default: the documented 100 per hour).
    pub(crate) posting_budget: (u32, Duration),
    /// Callbacks on every call (Rust users; the bindings give each call its own observer).
    pub(crate) hooks: Option<crate::observe::ClientHooks>,
    /// The base URL's host and port, as hooks and spans report them (`server.address`).
    pub(crate) server_address: String,
    pub(crate) server_port: u16,
}

/// A proxy URL; shown without its credentials.
#[derive(Clone)]
pub(crate) struct Proxy(pub(crate) String);

impl Proxy {
    /// `Proxy-Authorization` for requests sent to the proxy in absolute form (plain HTTP;
    /// HTTPS tunnels authenticate in their `CONNECT`), when the URL has credentials.
    pub(crate) fn authorization(&self) -> Option<HeaderValue> {
        let uri: http::Uri = "http://postcore.invalid/".parse().ok()?;
        let matcher = hyper_util::client::proxy::matcher::Matcher::builder()
            .all(self.0.clone())
            .build();
        let mut value = matcher.intercept(&uri)?.basic_auth()?.clone();
        value.set_sensitive(true);
        Some(value)
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Url::parse(&self.0) {
            Ok(mut url) => {
                if url.password().is_some() {
                    let _ = url.set_password(Some("<redacted>"));
                }
                write!(f, "{:?}", url.as_str())
            }
            Err(_) => f.write_str("\"<invalid>\""),
        }
    }
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
    default_headers: Vec<(String, String)>,
    max_connections: Option<usize>,
    proxy: Option<String>,
    extra_ca_certs: Vec<PathBuf>,
    ca_certificates: Vec<Vec<u8>>,
    store: Option<String>,
    budget_group: Option<String>,
    max_rate_limit_wait: Option<Duration>,
    idempotency_ttl: Option<Duration>,
    posting_budget: Option<(u32, Duration)>,
    hooks: Option<crate::observe::ClientHooks>,
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
            .field("max_connections", &self.max_connections)
            .field("proxy", &self.proxy.as_ref().map(|p| Proxy(p.clone())))
            .field("extra_ca_certs", &self.extra_ca_certs)
            .field(
                "store",
                &self.store.as_ref().map(|s| {
                    StoreUrl::parse(s, None)
                        .map_or_else(|_| "<invalid>".to_owned(), |u| u.redacted())
                }),
            )
            .field("budget_group", &self.budget_group)
            .field("max_rate_limit_wait", &self.max_rate_limit_wait)
            .field("hooks", &self.hooks)
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

    /// A header sent with every request (after the SDK's own). `x-api-key`, `content-type`
    /// and `host` cannot be set this way; a `user-agent` is appended to the SDK's
    /// (`postcore-rust/0.1.0 yours/1.0`). Checked by [`ClientBuilder::build`].
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// The most connections the client keeps open at once (default 100). Calls beyond it wait
    /// for a free connection, within their timeout, instead of opening more sockets.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = Some(max);
        self
    }

    /// Sends every request through this HTTP proxy (`http://proxy.example.com:3128`, with
    /// `user:password@` if it needs them; HTTPS goes through it with `CONNECT`). Without it,
    /// the `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` and `NO_PROXY` environment variables apply.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Also trusts the CA certificates in this PEM file (a company's TLS-inspecting proxy,
    /// a private gateway), besides the platform's trust store and the bundled roots. May be
    /// called more than once. The platform store honours `SSL_CERT_FILE` / `SSL_CERT_DIR`.
    pub fn extra_ca_certs(mut self, pem_file: impl Into<PathBuf>) -> Self {
        self.extra_ca_certs.push(pem_file.into());
        self
    }

    /// Also trusts the CA certificates in this PEM text (see [`ClientBuilder::extra_ca_certs`]).
    pub fn add_ca_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_certificates.push(pem.into());
        self
    }

    /// Where the client shares its rate budgets (and idempotency records and event cursors)
    /// with other clients: `memory://` (this process's clients, the default),
    /// `sqlite:///absolute/path.db` (the processes of one host) or
    /// `redis://[:password@]host[:port][/db]` / `rediss://…` (processes on many hosts).
    /// Default: `POSTCORE_STORE`, else `memory://`. A malformed URL is a configuration error;
    /// a store that is unreachable is not (the client then paces alone, with a warning).
    pub fn store(mut self, url: impl Into<String>) -> Self {
        self.store = Some(url.into());
        self
    }

    /// The group whose IP budgets (general, connect) this client shares (default: one for the
    /// whole store, as for hosts behind one address). Hosts with their own addresses give
    /// each its own group; the key's posting budget stays shared by all.
    pub fn budget_group(mut self, group: impl Into<String>) -> Self {
        self.budget_group = Some(group.into());
        self
    }

    /// The longest a call waits for a slot of the rate budget before failing with a
    /// rate-limit error, nothing sent (default 30 s).
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.max_rate_limit_wait = Some(wait);
        self
    }

    /// How long idempotency keys are remembered in the store (default 24 h): a call repeated
    /// with the same key within it returns the first call's result.
    pub fn idempotency_ttl(mut self, ttl: Duration) -> Self {
        self.idempotency_ttl = Some(ttl);
        self
    }

    /// The posting budget (`POST /posts`): at most `limit` requests per `window` (default: the
    /// documented 100 per hour per key). For tests against a local server with short windows;
    /// no postcore plan has another limit.
    #[doc(hidden)]
    pub fn posting_budget(mut self, limit: u32, window: Duration) -> Self {
        self.posting_budget = Some((limit, window));
        self
    }

    /// Callbacks on every call of the client (and of the clients made from it with
    /// [`Client::with_options`](crate::Client::with_options)): each attempt, response, retry
    /// and wait for the rate budget (see [`Hooks`](crate::Hooks)).
    pub fn hooks(mut self, hooks: impl crate::observe::Hooks) -> Self {
        self.hooks = Some(crate::observe::ClientHooks(std::sync::Arc::new(hooks)));
        self
    }

    // `build` is in client.rs, beside the `Client` it makes.

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
        let default_headers = user_headers(&self.default_headers).map_err(config_error)?;
        let max_connections = self.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS);
        if max_connections == 0 {
            return Err(Error::config("max_connections must be at least 1"));
        }
        let proxy = match self.proxy {
            Some(url) => Some(validate_proxy(&url)?),
            None => None,
        };
        let mut ca_certificates = self.ca_certificates;
        for path in &self.extra_ca_certs {
            let pem = std::fs::read(path).map_err(|e| {
                Error::config(format!(
                    "cannot read the CA certificate file {}: {e}",
                    path.display()
                ))
            })?;
            ca_certificates.push(pem);
        }
        let api_key_header = api_key.0.clone();
        let store = match self.store.filter(|s| !s.trim().is_empty()) {
            Some(url) => Store::open(url.trim())?,
            None => Store::from_env()?,
        };
        let budget_group = self
            .budget_group
            .unwrap_or_else(|| DEFAULT_BUDGET_GROUP.to_owned());
        if budget_group.is_empty() || budget_group.chars().any(char::is_control) {
            return Err(Error::config(
                "budget_group must be a non-empty name without control characters",
            ));
        }
        let max_rate_limit_wait = check_wait(
            "max_rate_limit_wait",
            self.max_rate_limit_wait
                .unwrap_or(DEFAULT_MAX_RATE_LIMIT_WAIT),
        )
        .map_err(config_error)?;
        let idempotency_ttl = self.idempotency_ttl.unwrap_or(DEFAULT_IDEMPOTENCY_TTL);
        if idempotency_ttl.is_zero() || idempotency_ttl > Duration::from_secs(366 * 24 * 3600) {
            return Err(Error::config(
                "idempotency_ttl must be greater than zero and at most a year",
            ));
        }
        let posting_budget = self.posting_budget.unwrap_or(DEFAULT_POSTING_BUDGET);
        if posting_budget.0 == 0 || posting_budget.1 < Duration::from_secs(1) {
            return Err(Error::config(
                "posting_budget must allow at least one request per window of at least a second",
            ));
        }
        let (server_address, server_port) = server_of(&base_url);
        Ok(Config {
            hooks: self.hooks,
            server_address,
            server_port,
            store,
            budget_group,
            posting_budget,
            max_rate_limit_wait,
            idempotency_ttl,
            headers: request_headers(&api_key_header, &user_agent, &default_headers),
            default_headers,
            max_connections,
            proxy_authorization: proxy.as_ref().and_then(Proxy::authorization),
            proxy,
            ca_certificates,
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

impl Config {
    /// This configuration with some settings replaced (see `Client::with_options`).
    pub(crate) fn with_overrides(&self, overrides: &ClientOverrides) -> Result<Self> {
        let mut config = self.clone();
        if let Some(timeout) = overrides.timeout {
            config.timeout = check_timeout("timeout", timeout)?;
        }
        if let Some(retries) = overrides.max_retries {
            config.max_retries = retries;
        }
        if let Some(wait) = overrides.max_rate_limit_wait {
            config.max_rate_limit_wait = check_wait("max_rate_limit_wait", wait)?;
        }
        if let Some(headers) = &overrides.default_headers {
            config.default_headers = user_headers(headers)?;
            config.headers = request_headers(
                &config.api_key.0,
                &config.user_agent,
                &config.default_headers,
            );
        }
        Ok(config)
    }
}

/// The headers of every request: the key, the user agent (with any the user added appended),
/// `accept`, then the user's default headers.
fn request_headers(
    api_key: &HeaderValue,
    user_agent: &HeaderValue,
    extra: &HeaderMap,
) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(3 + extra.len());
    headers.insert(HeaderName::from_static("x-api-key"), api_key.clone());
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, user_agent.clone());
    merge_headers(&mut headers, extra);
    headers
}

fn validate_proxy(raw: &str) -> Result<Proxy> {
    let url = Url::parse(raw).map_err(|_| {
        Error::config("invalid proxy URL (expected e.g. http://proxy.example.com:3128)")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::config(format!(
            "unsupported proxy URL scheme {:?}: use an http:// or https:// proxy",
            url.scheme()
        )));
    }
    Ok(Proxy(raw.to_owned()))
}

/// Settings replaced by `Client::with_options`: the rest, and the connection pool, are shared
/// with the original client.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ClientOverrides {
    /// Per-attempt timeout.
    pub timeout: Option<Duration>,
    /// Retries.
    pub max_retries: Option<u32>,
    /// Replaces the default headers (same rules as [`ClientBuilder::default_header`]).
    pub default_headers: Option<Vec<(String, String)>>,
    /// Replaces the longest wait for a slot of the rate budget.
    pub max_rate_limit_wait: Option<Duration>,
}

impl ClientOverrides {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the per-attempt timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Replaces the number of retries.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Replaces the default headers.
    pub fn default_headers(mut self, headers: Vec<(String, String)>) -> Self {
        self.default_headers = Some(headers);
        self
    }

    /// Replaces the longest wait for a slot of the rate budget.
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.max_rate_limit_wait = Some(wait);
        self
    }
}

/// Whether a request may use all of a window of the rate budget or leaves half of it to other
/// calls (see `pacer/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Priority {
    /// A call someone is waiting for.
    #[default]
    Normal,
    /// A poll (`wait`, events): at most half of each window.
    Background,
}

/// Options for one call, overriding the client's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Per-attempt timeout for this call.
    pub timeout: Option<Duration>,
    /// Retries for this call.
    pub max_retries: Option<u32>,
    /// Headers added to this call's requests (same rules as [`ClientBuilder::default_header`]).
    pub extra_headers: Vec<(String, String)>,
    /// The longest this call waits for a slot of the rate budget.
    pub max_rate_limit_wait: Option<Duration>,
    /// Makes a creation happen once however often it is called with this key, from any
    /// process sharing the client's store (`posts.create`, `profiles.create`,
    /// `profiles.connect_bluesky`; see [`RequestOptions::idempotency_key`]).
    pub idempotency_key: Option<String>,
    /// Whether the call is a background poll (leaves half of each window to others).
    pub(crate) priority: Priority,
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

    /// Overrides the longest wait for a slot of the rate budget.
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.max_rate_limit_wait = Some(wait);
        self
    }

    /// Runs this creation under an idempotency key: any later call with the same key (from
    /// any process sharing the client's store) returns this call's result instead of creating
    /// again; with other arguments it fails with `IdempotencyKeyReused`. Use one for any call a
    /// job queue may run twice, e.g. `format!("welcome-post-{user_id}")`.
    ///
    /// ```no_run
    /// # async fn run(client: postcore::Client, params: postcore::CreatePost) -> postcore::Result<()> {
    /// let options = postcore::RequestOptions::new().idempotency_key("welcome-post-42");
    /// let scheduled = client.create_post_with(params, &options).await?;
    /// # Ok(()) }
    /// ```
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Adds a header to this call's requests.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_headers.push((name.into(), value.into()));
        self
    }

    /// Checks the options; returns this call's headers beyond the client's (often none).
    pub(crate) fn validate(&self) -> Result<Option<HeaderMap>> {
        if let Some(t) = self.timeout {
            check_timeout("timeout", t)?;
        }
        if let Some(w) = self.max_rate_limit_wait {
            check_wait("max_rate_limit_wait", w)?;
        }
        if self.extra_headers.is_empty() {
            return Ok(None);
        }
        user_headers(&self.extra_headers).map(Some)
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

/// Converts a bound on a wait given in seconds (`name` as the caller spells it) into a
/// `Duration`: zero (never wait) up to a day.
pub fn wait_from_secs(seconds: f64, name: &str) -> Result<Duration> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(Error::invalid_argument(format!(
            "{name} must be a non-negative number of seconds, got {seconds}"
        )));
    }
    let wait = Duration::try_from_secs_f64(seconds)
        .map_err(|_| Error::invalid_argument(format!("{name} {seconds} s is out of range")))?;
    check_wait(name, wait)
}

/// Converts a length of time given in seconds into a `Duration` (non-negative, finite); the
/// option it is for checks its own range.
pub fn duration_from_secs(seconds: f64, name: &str) -> Result<Duration> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(Error::invalid_argument(format!(
            "{name} must be a non-negative number of seconds, got {seconds}"
        )));
    }
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| Error::invalid_argument(format!("{name} {seconds} s is out of range")))
}

/// [`duration_from_secs`] for milliseconds (as Node passes them).
pub fn duration_from_millis(millis: f64, name: &str) -> Result<Duration> {
    duration_from_secs(millis / 1000.0, name)
}

/// [`wait_from_secs`] for milliseconds (as Node passes them).
pub fn wait_from_millis(millis: f64, name: &str) -> Result<Duration> {
    if !millis.is_finite() || millis < 0.0 {
        return Err(Error::invalid_argument(format!(
            "{name} must be a non-negative number of milliseconds, got {millis}"
        )));
    }
    wait_from_secs(millis / 1000.0, name)
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

/// A wait bound may be zero (never wait: fail at once when the budget is spent) up to a day.
fn check_wait(name: &str, wait: Duration) -> Result<Duration> {
    if wait > MAX_TIMEOUT {
        return Err(Error::invalid_argument(format!(
            "{name} must be at most one day, got {wait:?}"
        )));
    }
    Ok(wait)
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

/// The host and port of a (validated) base URL.
fn server_of(base_url: &str) -> (String, u16) {
    match Url::parse(base_url) {
        Ok(url) => (
            url.host_str()
                .unwrap_or_default()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            url.port_or_known_default().unwrap_or(443),
        ),
        Err(_) => (String::new(), 443),
    }
}

pub(crate) fn is_loopback(url: &Url) -> bool {
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
    fn the_posting_budget_defaults_to_the_documented_one() {
        let builder = || {
            ClientBuilder::default()
                .api_key("pc_test")
                .base_url("http://127.0.0.1:1")
                .store("memory://posting-budget-test")
        };
        let config = builder().into_config().map_err(|e| e.to_string());
        assert_eq!(
            config.map(|c| c.posting_budget),
            Ok((100, Duration::from_secs(3600)))
        );
        let custom = builder()
            .posting_budget(5, Duration::from_secs(2))
            .into_config();
        assert_eq!(
            custom.map(|c| c.posting_budget).ok(),
            Some((5, Duration::from_secs(2)))
        );
        for (limit, window) in [(0, 10), (10, 0)] {
            let refused = builder()
                .posting_budget(limit, Duration::from_secs(window))
                .into_config();
            assert!(refused.is_err_and(|e| e.message().contains("posting_budget")));
        }
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
