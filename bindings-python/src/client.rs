//! The native client behind `postcore.Postcore` and `postcore.AsyncPostcore`.
//!
//! It knows no endpoint: [`Client::call`] takes an operation's name (`"posts.create"`) and its
//! keyword arguments, hands them to the core's generic dispatch (`postcore::bindings`), which
//! parses, validates and sends them, and converts the JSON result back. A new endpoint in the
//! core is therefore callable from here with no change to this file.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use postcore::bindings::{self, Language};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::asyncio::PendingCall;
use crate::call::{Job, Outcome};
use crate::errors::{postcore_error, to_py_err};
use crate::observe::{Place, Watchers};
use crate::{args, convert, runtime};

/// The `User-Agent` this package sends: `postcore-python/<version>`.
pub(crate) fn user_agent() -> String {
    format!("postcore-python/{}", env!("CARGO_PKG_VERSION"))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Held for a few field accesses only; a poisoned lock still holds valid data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A core client and the process it belongs to.
///
/// After `fork()` the parent's connection pool must be neither used nor dropped in the child
/// (its sockets are registered with the parent's runtime): a child replaces it with an empty
/// pool of the same configuration and leaks the old one.
struct Owned {
    pid: u32,
    client: Option<postcore::Client>,
}

impl Owned {
    fn new(client: postcore::Client) -> Self {
        Self {
            pid: crate::process::id(),
            client: Some(client),
        }
    }

    /// The client, if it belongs to this process.
    fn current(&self) -> Option<postcore::Client> {
        self.client
            .clone()
            .filter(|_| self.pid == crate::process::id())
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        if self.pid != crate::process::id() {
            std::mem::forget(self.client.take());
        }
    }
}

/// The connection pool's owner, shared by a client and every client derived from it with
/// `with_options`: closing any of them closes the pool for all.
struct Root {
    /// `None` once closed.
    state: Mutex<Option<Owned>>,
    /// Its hooks and OpenTelemetry spans (`None`: nothing watches its calls).
    watchers: Option<Arc<Watchers>>,
}

impl Root {
    /// The core client for this process (a fresh pool after a fork); an error once closed.
    fn core(&self, py: Python<'_>) -> PyResult<postcore::Client> {
        let mut state = lock(&self.state);
        let owned = state
            .as_mut()
            .ok_or_else(|| postcore_error("the client is closed"))?;
        if let Some(client) = owned.current() {
            return Ok(client);
        }
        let parent = owned
            .client
            .as_ref()
            .ok_or_else(|| postcore_error("the client is closed"))?;
        let fresh = bindings::with_new_pool(parent).map_err(|e| to_py_err(py, &e))?;
        // Replacing `Owned` forgets the parent's pool (its pid differs).
        *owned = Owned::new(fresh.clone());
        Ok(fresh)
    }

    fn close(&self) {
        let owned = lock(&self.state).take();
        if let Some(client) = owned.as_ref().and_then(Owned::current) {
            client.close();
        }
        drop(owned);
    }

    fn is_closed(&self) -> bool {
        lock(&self.state).is_none()
    }
}

/// What a client made by `with_options` changes, and its core client for this process (made
/// again from the root's pool after a fork).
struct Derived {
    overrides: postcore::ClientOverrides,
    cache: Mutex<Option<Owned>>,
}

/// The native client. Use ``postcore.Postcore`` or ``postcore.AsyncPostcore`` instead.
///
/// Holds the configuration and one connection pool. Thread-safe; every call releases the GIL.
#[pyclass(frozen, module = "postcore._postcore", name = "Client")]
pub struct Client {
    root: Arc<Root>,
    derived: Option<Derived>,
    base_url: String,
    timeout: f64,
    max_retries: u32,
    max_connections: usize,
    store: String,
    max_rate_limit_wait: f64,
}

impl Client {
    fn from_core(root: Arc<Root>, derived: Option<Derived>, core: &postcore::Client) -> Self {
        Self {
            root,
            derived,
            base_url: core.base_url().to_owned(),
            timeout: core.timeout().as_secs_f64(),
            max_retries: core.max_retries(),
            max_connections: core.max_connections(),
            store: core.store().url(),
            max_rate_limit_wait: core.max_rate_limit_wait().as_secs_f64(),
        }
    }

    /// The core client for this process: the root's, or this client's overrides applied to it.
    fn core(&self, py: Python<'_>) -> PyResult<postcore::Client> {
        let root = self.root.core(py)?;
        let Some(derived) = &self.derived else {
            return Ok(root);
        };
        let mut cache = lock(&derived.cache);
        if let Some(client) = cache.as_ref().and_then(Owned::current) {
            return Ok(client);
        }
        let client = root
            .with_options(derived.overrides.clone())
            .map_err(|e| to_py_err(py, &e))?;
        *cache = Some(Owned::new(client.clone()));
        Ok(client)
    }

    /// The call of `operation`, parsed and validated by the core (arguments and options).
    fn job(
        &self,
        py: Python<'_>,
        operation: &str,
        arguments: &Bound<'_, PyDict>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Job> {
        let args = convert::args_to_json(arguments)?;
        let options = match options {
            Some(options) => convert::options_to_json(options)?,
            None => serde_json::Value::Null,
        };
        let call = bindings::prepare(Language::Python, operation, args, options)
            .map_err(|e| to_py_err(py, &e))?;
        Ok(Job::new(self.core(py)?, call, self.root.watchers.clone()))
    }

    fn blocking<'py>(&self, py: Python<'py>, job: Job, raw: bool) -> PyResult<Bound<'py, PyAny>> {
        let result = match job.local() {
            Some(result) => result,
            None => {
                let job = job.watch(py, Place::Inline)?;
                runtime::block_on(py, job.run())?
            }
        };
        Outcome { result, raw }.into_pyobject(py)
    }

    /// The awaitable of a call: its argument errors are raised when it is awaited, as a
    /// coroutine's would be.
    fn awaitable(job: PyResult<Job>, raw: bool, parse: &Bound<'_, PyAny>) -> PendingCall {
        match job {
            Ok(mut job) => {
                job.raw = raw;
                PendingCall::new(job, parse.clone().unbind())
            }
            Err(error) => PendingCall::refused(error),
        }
    }
}

#[pymethods]
impl Client {
    /// Builds a client. Unset values fall back to ``POSTCORE_API_KEY`` /
    /// ``POSTCORE_BASE_URL``, then to the defaults (``DEFAULT_*`` in this module).
    ///
    /// Raises ``ConfigurationError`` when no key is found or a setting is unusable, and
    /// ``TypeError`` / ``ValueError`` for arguments of the wrong type or value.
    #[new]
    #[pyo3(signature = (
        *, api_key = None, base_url = None, timeout = None, max_retries = None,
        max_connections = None, default_headers = None, proxy = None, extra_ca_certs = None,
        store = None, budget_group = None, max_rate_limit_wait = None, idempotency_ttl = None,
        hooks = None, tracing = None,
    ))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments, one per option
    fn new(
        py: Python<'_>,
        api_key: Option<&Bound<'_, PyAny>>,
        base_url: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
        max_connections: Option<&Bound<'_, PyAny>>,
        default_headers: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        extra_ca_certs: Option<&Bound<'_, PyAny>>,
        store: Option<&Bound<'_, PyAny>>,
        budget_group: Option<&Bound<'_, PyAny>>,
        max_rate_limit_wait: Option<&Bound<'_, PyAny>>,
        idempotency_ttl: Option<&Bound<'_, PyAny>>,
        hooks: Option<&Bound<'_, PyAny>>,
        tracing: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let tracing = args::flag("tracing", tracing, true)?;
        let watchers = Watchers::new(hooks, tracing)?.map(Arc::new);
        let mut builder = postcore::Client::builder().user_agent(user_agent());
        if let Some(key) = args::optional_str("api_key", api_key)? {
            builder = builder.api_key(key);
        }
        if let Some(url) = args::optional_str("base_url", base_url)? {
            builder = builder.base_url(url);
        }
        if let Some(timeout) = args::timeout(timeout)? {
            builder = builder.timeout(timeout);
        }
        if let Some(retries) = args::max_retries(max_retries)? {
            builder = builder.max_retries(retries);
        }
        if let Some(max) = args::max_connections(max_connections)? {
            builder = builder.max_connections(max);
        }
        for (name, value) in convert::headers_arg("default_headers", default_headers)?
            .into_iter()
            .flatten()
        {
            builder = builder.default_header(name, value);
        }
        if let Some(proxy) = args::optional_str("proxy", proxy)? {
            builder = builder.proxy(proxy);
        }
        for path in args::paths("extra_ca_certs", extra_ca_certs)? {
            builder = builder.extra_ca_certs(path);
        }
        if let Some(store) = args::optional_str("store", store)? {
            builder = builder.store(store);
        }
        if let Some(group) = args::optional_str("budget_group", budget_group)? {
            builder = builder.budget_group(group);
        }
        if let Some(wait) = args::wait_seconds("max_rate_limit_wait", max_rate_limit_wait)? {
            builder = builder.max_rate_limit_wait(wait);
        }
        if let Some(ttl) = args::seconds("idempotency_ttl", idempotency_ttl)? {
            builder = builder.idempotency_ttl(ttl);
        }
        let client = builder.build().map_err(|e| to_py_err(py, &e))?;
        crate::logging::install(py)?;
        let root = Arc::new(Root {
            state: Mutex::new(Some(Owned::new(client.clone()))),
            watchers,
        });
        Ok(Self::from_core(root, None, &client))
    }

    /// A client with some settings replaced that shares this one's connection pool (no new
    /// pool, no new runtime); closing either closes both. ``default_headers`` replaces the
    /// default headers. Chained calls accumulate.
    #[pyo3(signature = (*, timeout = None, max_retries = None, default_headers = None, max_rate_limit_wait = None))]
    fn with_options(
        &self,
        py: Python<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
        default_headers: Option<&Bound<'_, PyAny>>,
        max_rate_limit_wait: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut overrides = self
            .derived
            .as_ref()
            .map(|d| d.overrides.clone())
            .unwrap_or_default();
        if let Some(timeout) = args::timeout(timeout)? {
            overrides = overrides.timeout(timeout);
        }
        if let Some(retries) = args::max_retries(max_retries)? {
            overrides = overrides.max_retries(retries);
        }
        if let Some(headers) = convert::headers_arg("default_headers", default_headers)? {
            overrides = overrides.default_headers(headers);
        }
        if let Some(wait) = args::wait_seconds("max_rate_limit_wait", max_rate_limit_wait)? {
            overrides = overrides.max_rate_limit_wait(wait);
        }
        // Built now, so that bad settings raise here rather than at the first call.
        let client = self
            .root
            .core(py)?
            .with_options(overrides.clone())
            .map_err(|e| to_py_err(py, &e))?;
        let derived = Derived {
            overrides,
            cache: Mutex::new(Some(Owned::new(client.clone()))),
        };
        Ok(Self::from_core(self.root.clone(), Some(derived), &client))
    }

    /// The API root requests go to, without trailing slash.
    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The per-attempt timeout, in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        self.timeout
    }

    /// The number of retries after the first attempt, where retrying is safe.
    #[getter]
    fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The most connections the client keeps open at once.
    #[getter]
    fn max_connections(&self) -> usize {
        self.max_connections
    }

    /// The store the client shares its rate budgets through (any password masked).
    #[getter]
    fn store(&self) -> &str {
        &self.store
    }

    /// The longest a call waits for a slot of the rate budget, in seconds.
    #[getter]
    fn max_rate_limit_wait(&self) -> f64 {
        self.max_rate_limit_wait
    }

    /// Whether ``close()`` was called (on this client or one sharing its pool).
    #[getter]
    fn closed(&self) -> bool {
        self.root.is_closed()
    }

    /// Closes the client and every client sharing its pool: calls still in flight raise
    /// ``APIConnectionError`` at once, later calls raise, and the connection pool is released.
    /// Closing twice is harmless.
    fn close(&self) {
        self.root.close();
    }

    /// Runs operation ``operation`` (e.g. ``"posts.create"``) with ``arguments`` and
    /// ``options`` (dicts by Python names; ``None`` values are "not given"), both parsed and
    /// validated by the core, and returns ``parse`` of its result as plain Python objects. With
    /// ``raw``, ``parse`` receives ``(data, status_code, headers, rate_limit, attempts)``, with
    /// ``headers`` as ``(name, value)`` pairs.
    ///
    /// Blocks with the GIL released (Ctrl-C interrupts and cancels it); with ``awaitable``,
    /// returns an asyncio awaitable of the same instead (a native coroutine; nothing is sent
    /// until it is awaited, its argument errors are raised then, and cancelling it cancels the
    /// request). A local operation (``profiles.linkedin_connect_url``) answers at once.
    #[pyo3(signature = (operation, arguments, parse, options = None, *, raw = false, awaitable = false))]
    #[allow(clippy::too_many_arguments)] // the one entry's arguments
    fn call<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        arguments: &Bound<'py, PyDict>,
        parse: &Bound<'py, PyAny>,
        options: Option<&Bound<'py, PyDict>>,
        raw: bool,
        awaitable: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let job = self.job(py, operation, arguments, options);
        if awaitable {
            let pending = Self::awaitable(job, raw, parse);
            return Ok(Bound::new(py, pending)?.into_any());
        }
        let result = self.blocking(py, job?, raw)?;
        parse.call1((result,))
    }

    fn __repr__(&self) -> String {
        format!(
            "Client(base_url={:?}, timeout={:?}, max_retries={}, max_connections={})",
            self.base_url, self.timeout, self.max_retries, self.max_connections
        )
    }
}
