//! The client: configuration plus one connection pool, cheap to clone and share.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::config::{ClientBuilder, Config, RequestOptions};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::response::{Response, decode};
use crate::transport::{Request, execute};
use tokio::sync::watch;

/// A postcore API client.
///
/// Holds one pool of keep-alive connections; clone it (an `Arc` bump) to share it between
/// tasks and threads rather than building one per call.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// `None` once closed: the pool is dropped when the last in-flight call lets go of it.
    http: RwLock<Option<reqwest::Client>>,
    config: Config,
    /// Flips to `true` on close, waking every in-flight call.
    closed: watch::Sender<bool>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.inner.config;
        f.debug_struct("Client")
            .field("api_key", &c.api_key)
            .field("base_url", &c.base_url)
            .field("timeout", &c.timeout)
            .field("max_retries", &c.max_retries)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client configured from `POSTCORE_API_KEY` and `POSTCORE_BASE_URL`.
    pub fn from_env() -> Result<Self> {
        ClientBuilder::default().build()
    }

    /// A builder for explicit configuration; unset values fall back to the environment.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The API root this client sends to, without trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.config.base_url
    }

    /// The client's per-attempt timeout.
    pub fn timeout(&self) -> std::time::Duration {
        self.inner.config.timeout
    }

    /// The client's default number of retries.
    pub fn max_retries(&self) -> u32 {
        self.inner.config.max_retries
    }

    /// The same configuration with a new, empty connection pool. Bindings call this in a child
    /// process after `fork()`, where the parent's sockets and runtime must not be reused.
    pub fn with_new_pool(&self) -> Result<Self> {
        Self::from_config(self.inner.config.clone())
    }

    pub(crate) fn from_config(config: Config) -> Result<Self> {
        let mut headers = HeaderMap::with_capacity(3);
        headers.insert(
            HeaderName::from_static("x-api-key"),
            config.api_key.0.clone(),
        );
        headers.insert(USER_AGENT, config.user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            // Never follow a redirect: it could carry the key to another host.
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::config(format!("cannot initialise the HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http: RwLock::new(Some(http)),
                config,
                closed: watch::Sender::new(false),
            }),
        })
    }

    /// Closes the client: calls in flight end at once with an
    /// [`ErrorKind::Connection`](crate::ErrorKind::Connection) error saying so, later calls fail
    /// the same way, and the connection pool is released. Closing twice is harmless.
    pub fn close(&self) {
        self.inner
            .http
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.inner.closed.send_replace(true);
    }

    /// Whether [`Client::close`] was called (on this client or a clone of it).
    pub fn is_closed(&self) -> bool {
        *self.inner.closed.borrow()
    }

    fn closed_error() -> Error {
        Error::Connection {
            message: "the client was closed".to_owned(),
            attempts: 0,
        }
    }

    /// Sends one endpoint call with the shared transport and decodes its answer.
    pub(crate) async fn send<E: Endpoint>(
        &self,
        endpoint: &E,
        options: &RequestOptions,
    ) -> Result<Response<E::Output>> {
        options.validate()?;
        let request = Request {
            method: E::METHOD,
            url: format!("{}{}", self.inner.config.base_url, endpoint.path()),
            body: endpoint.body()?.map(Bytes::from),
        };
        let http = self
            .inner
            .http
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(Self::closed_error)?;
        let mut closed = self.inner.closed.subscribe();
        let result = tokio::select! {
            biased;
            result = execute(&http, &self.inner.config, &request, options) => result.and_then(decode),
            _ = closed.wait_for(|closed| *closed) => Err(Self::closed_error()),
        };
        result.map_err(|e| e.redact(self.inner.config.api_key.0.to_str().unwrap_or_default()))
    }
}
