//! The client: configuration plus one connection pool, cheap to clone and share.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use bytes::Bytes;
use hyper_util::rt::TokioExecutor;
use tokio::sync::{Semaphore, watch};

use crate::config::{ClientBuilder, ClientOverrides, Config, RequestOptions};
use crate::connector::Connector;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::headers::merge_headers;
use crate::pacer::Pacer;
use crate::response::{Response, decode};
use crate::transport::{HttpClient, Request, execute};
use crate::validate::Names;

/// A postcore API client.
///
/// Holds one pool of keep-alive connections; clone it (an `Arc` bump) to share it between
/// tasks and threads rather than building one per call.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    pool: Arc<Pool>,
}

/// The connections, shared by a client, its clones and the clients made by
/// [`Client::with_options`].
pub(crate) struct Pool {
    /// `None` once closed: the pool is dropped when the last in-flight call lets go of it.
    http: RwLock<Option<HttpClient>>,
    /// Flips to `true` on close, waking every in-flight call.
    closed: watch::Sender<bool>,
    /// One permit per request on the wire (`max_connections`).
    pub(crate) connections: Arc<Semaphore>,
    /// The rate budgets, shared through the client's store.
    pub(crate) pacer: Pacer,
    /// One permit per open socket (`max_connections`), held by the connector's sockets.
    ///
    /// Closed with the pool: hyper's pool hands a connection attempt that lost the race to an
    /// idle connection to a background task, which waits here for a free socket while holding
    /// the pool itself. With every socket idle in that pool, it would wait forever and keep
    /// the pool, so its idle sockets, open after `close()` and after the client is dropped
    /// (seen with many threads sharing a client, each blocking on its own call). Closing the
    /// semaphore ends those attempts, so the pool and its sockets go.
    sockets: Arc<Semaphore>,
}

impl Pool {
    fn close(&self) {
        self.http
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.sockets.close();
        self.closed.send_replace(true);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Dropping the last client without `close()` must release the sockets too.
        self.sockets.close();
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.inner.config;
        f.debug_struct("Client")
            .field("api_key", &c.api_key)
            .field("base_url", &c.base_url)
            .field("timeout", &c.timeout)
            .field("max_retries", &c.max_retries)
            .field("max_connections", &c.max_connections)
            .field("proxy", &c.proxy)
            .field("store", &c.store)
            .field("budget_group", &c.budget_group)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<Client> {
        Client::from_config(self.into_config()?)
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

    /// The store this client shares its rate budgets through.
    pub fn store(&self) -> &crate::store::Store {
        &self.inner.config.store
    }

    /// The longest a call waits for a slot of the rate budget.
    pub fn max_rate_limit_wait(&self) -> std::time::Duration {
        self.inner.config.max_rate_limit_wait
    }

    /// The most connections the client opens at once.
    pub fn max_connections(&self) -> usize {
        self.inner.config.max_connections
    }

    /// A client with some settings replaced (timeout, retries, default headers) that shares
    /// this one's connection pool: cheap, and closing either closes both.
    ///
    /// ```no_run
    /// # fn run(client: postcore::Client) -> postcore::Result<()> {
    /// use std::time::Duration;
    /// let patient = client.with_options(
    ///     postcore::ClientOverrides::new().timeout(Duration::from_secs(120)).max_retries(5),
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn with_options(&self, overrides: ClientOverrides) -> Result<Self> {
        Ok(Self {
            inner: Arc::new(Inner {
                config: self.inner.config.with_overrides(&overrides)?,
                pool: self.inner.pool.clone(),
            }),
        })
    }

    pub(crate) fn api_key_str(&self) -> &str {
        self.inner.config.api_key.0.to_str().unwrap_or_default()
    }

    /// The same configuration with a new, empty connection pool. Bindings call this in a child
    /// process after `fork()`, where the parent's sockets and runtime must not be reused.
    pub(crate) fn with_new_pool(&self) -> Result<Self> {
        let mut config = self.inner.config.clone();
        // The parent's store connection (a SQLite handle, a Redis connection) is not the
        // child's to use: it gets its own.
        config.store = config.store.after_fork()?;
        Self::from_config(config)
    }

    fn from_config(config: Config) -> Result<Self> {
        let sockets = Arc::new(Semaphore::new(config.max_connections));
        let connector = Connector::new(
            config.connect_timeout,
            crate::tls::client_config(&config.ca_certificates)?,
            config.proxy.as_ref().map(|p| p.0.as_str()),
            sockets.clone(),
        );
        // Redirects are never followed (hyper does not): one could carry the key elsewhere.
        let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            // Idle connections never exceed the connection limit.
            .pool_max_idle_per_host(config.max_connections)
            .build(connector);
        let pacer = Pacer::new(
            config.store.clone(),
            config.api_key.0.to_str().unwrap_or_default(),
            &config.base_url,
            &config.budget_group,
            config.posting_budget,
        );
        let pool = Pool {
            http: RwLock::new(Some(http)),
            closed: watch::Sender::new(false),
            connections: Arc::new(Semaphore::new(config.max_connections)),
            pacer,
            sockets,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                pool: Arc::new(pool),
            }),
        })
    }

    /// Closes the client: calls in flight end at once with an
    /// [`ErrorKind::Connection`](crate::ErrorKind::Connection) error saying so, later calls fail
    /// the same way, and the connection pool is released. Closing twice is harmless. Clients
    /// made with [`Client::with_options`] share the pool, so they are closed too.
    pub fn close(&self) {
        self.inner.pool.close();
    }

    /// Whether [`Client::close`] was called (on this client or one sharing its pool).
    pub fn is_closed(&self) -> bool {
        *self.inner.pool.closed.borrow()
    }

    fn closed_error() -> Error {
        Error::Connection {
            message: "the client was closed".to_owned(),
            attempts: 0,
            may_have_been_processed: false,
        }
    }

    /// Sends one endpoint call with the shared transport and decodes its answer.
    pub(crate) async fn send<E: Endpoint>(
        &self,
        endpoint: &E,
        options: &RequestOptions,
    ) -> Result<Response<E::Output>> {
        self.send_checked(endpoint, options, Names::SnakeCase).await
    }

    /// [`Client::send`] with argument names spelled for the caller's language.
    pub(crate) async fn send_checked<E: Endpoint>(
        &self,
        endpoint: &E,
        options: &RequestOptions,
        names: Names,
    ) -> Result<Response<E::Output>> {
        endpoint.validate(names)?;
        self.send_valid(endpoint, options, names).await
    }

    /// [`Client::send_checked`] for arguments already validated (the bindings' dispatch
    /// checks them when the call is made, so they are checked once).
    pub(crate) async fn send_valid<E: Endpoint>(
        &self,
        endpoint: &E,
        options: &RequestOptions,
        names: Names,
    ) -> Result<Response<E::Output>> {
        self.operation(E::NAME, None, async {
            match &options.idempotency_key {
                Some(key) => {
                    options.validate()?;
                    self.send_keyed(endpoint, key, options, names).await
                }
                None => self.send_unkeyed(endpoint, options, names).await,
            }
        })
        .await
    }

    /// Runs operation `name` (`"posts.create"`) watched by its observers: `given` (a binding's)
    /// and the client's hooks, and under its `tracing` span (see `observe.rs`).
    pub(crate) async fn operation<T>(
        &self,
        name: &'static str,
        given: Option<std::sync::Arc<dyn crate::observe::CallObserver>>,
        fut: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        crate::observe::operation(name, self.inner.config.hooks.as_ref(), given, fut).await
    }

    /// The configuration.
    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    /// This client's namespace in its store (a hash of the key and base URL).
    pub(crate) fn namespace(&self) -> String {
        crate::store::backend::namespace(self.api_key_str(), &self.inner.config.base_url)
    }

    /// The server's clock as this client knows it (a lower bound), Unix ms.
    pub(crate) fn server_now_ms(&self) -> i64 {
        self.inner.pool.pacer.server_now_ms()
    }

    /// One `POST` of `body` to `url`, an endpoint of the caller's own (not the API: no key, no
    /// rate budget, no retries), through this client's connections (TLS roots, proxies).
    pub(crate) async fn post_elsewhere(
        &self,
        url: &str,
        headers: &http::HeaderMap,
        body: Bytes,
        timeout: std::time::Duration,
    ) -> Result<(u16, Bytes)> {
        let request = Request {
            method: http::Method::POST,
            retry: crate::retry::Retry::SentOnce,
            proxy_authorization: self
                .inner
                .config
                .proxy_authorization
                .as_ref()
                .filter(|_| url.starts_with("http://")),
            url: url.to_owned(),
            // Not observed (no hooks, no spans): the caller's endpoint is not an API call.
            path_start: url.len(),
            template: "",
            body: Some(body),
            headers,
            max_body: 64 * 1024,
            budgets: crate::pacer::Budgets::General,
        };
        let pool = &self.inner.pool;
        let http = pool
            .http
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(Self::closed_error)?;
        let mut closed = pool.closed.subscribe();
        tokio::select! {
            biased;
            result = crate::transport::once(&http, &pool.connections, &request, timeout) => {
                result.map(|(status, body)| (status.as_u16(), body))
            }
            _ = closed.wait_for(|closed| *closed) => Err(Self::closed_error()),
        }
    }

    /// [`Client::send_checked`] without an idempotency key: one request and its retries
    /// (the arguments are valid: checked by the caller).
    pub(crate) async fn send_unkeyed<E: Endpoint>(
        &self,
        endpoint: &E,
        options: &RequestOptions,
        names: Names,
    ) -> Result<Response<E::Output>> {
        let extra = options.validate()?;
        let config = &self.inner.config;
        let headers = match extra {
            None => None,
            Some(extra) => {
                let mut headers = config.headers.clone();
                merge_headers(&mut headers, &extra);
                Some(headers)
            }
        };
        let url = format!("{}{}", config.base_url, endpoint.path());
        let request = Request {
            method: E::METHOD,
            retry: E::RETRY,
            path_start: config.base_url.len(),
            template: E::PATH,
            proxy_authorization: config
                .proxy_authorization
                .as_ref()
                .filter(|_| url.starts_with("http://")),
            url,
            body: endpoint.body()?.map(Bytes::from),
            headers: headers.as_ref().unwrap_or(&config.headers),
            max_body: E::MAX_RESPONSE_BYTES,
            budgets: E::BUDGETS,
        };
        let pool = &self.inner.pool;
        let http = pool
            .http
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(Self::closed_error)?;
        let mut closed = pool.closed.subscribe();
        let result = tokio::select! {
            biased;
            result = execute(&http, &pool.connections, &pool.pacer, config, &request, options, names) => result,
            _ = closed.wait_for(|closed| *closed) => Err(Self::closed_error()),
        };
        let result = result.and_then(|raw| {
            if raw.status.as_u16() == 404 && raw.after_ambiguous {
                if let Some(done) = endpoint.already_done() {
                    return Ok(Response {
                        data: done,
                        status: raw.status.as_u16(),
                        rate_limit: crate::rate_limit::RateLimit::from_headers(&raw.headers),
                        headers: raw.headers,
                        attempts: raw.attempts,
                    });
                }
            }
            decode::<E::Wire>(raw).map(|response| response.map(|wire| endpoint.output(wire)))
        });
        result.map_err(|e| {
            let e = e.redact(self.api_key_str());
            match endpoint.secret() {
                Some(secret) => e.redact(secret),
                None => e,
            }
        })
    }
}
