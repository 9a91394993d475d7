//! The native client behind `postcore.Postcore` and `postcore.AsyncPostcore`.

use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;

use crate::errors::{postcore_error, to_py_err};
use crate::models::Profile;
use crate::{args, runtime};

/// The `User-Agent` this package sends: `postcore-python/<version>`.
pub(crate) fn user_agent() -> String {
    format!("postcore-python/{}", env!("CARGO_PKG_VERSION"))
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
            pid: std::process::id(),
            client: Some(client),
        }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        if self.pid != std::process::id() {
            std::mem::forget(self.client.take());
        }
    }
}

/// The native client. Use ``postcore.Postcore`` or ``postcore.AsyncPostcore`` instead.
///
/// Holds the configuration and one connection pool. Thread-safe; every call releases the GIL.
#[pyclass(frozen, module = "postcore._postcore", name = "Client")]
pub struct Client {
    /// `None` once closed.
    state: Mutex<Option<Owned>>,
    base_url: String,
    timeout: f64,
    max_retries: u32,
}

/// What a finished async call hands back to the event loop. The error is converted into its
/// Python exception only there, on a thread attached to the interpreter.
struct Outcome(Result<Profile, postcore::Error>);

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Ok(profile) => Ok(Bound::new(py, profile)?.into_any()),
            Err(e) => Err(to_py_err(py, &e)),
        }
    }
}

/// Everything one `create_profile` call needs, validated.
struct Call {
    client: postcore::Client,
    params: postcore::CreateProfile,
    options: postcore::RequestOptions,
}

impl Call {
    async fn run(self) -> Result<Profile, postcore::Error> {
        self.client
            .create_profile_with(self.params, &self.options)
            .await
            .map(|response| Profile::from(response.into_data()))
    }
}

impl Client {
    fn lock(&self) -> MutexGuard<'_, Option<Owned>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The core client for this process (a fresh pool after a fork); an error once closed.
    fn core(&self, py: Python<'_>) -> PyResult<postcore::Client> {
        let mut state = self.lock();
        let owned = state
            .as_mut()
            .ok_or_else(|| postcore_error("the client is closed"))?;
        let pid = std::process::id();
        if owned.pid != pid {
            let parent = owned
                .client
                .as_ref()
                .ok_or_else(|| postcore_error("the client is closed"))?;
            let fresh = parent.with_new_pool().map_err(|e| to_py_err(py, &e))?;
            // Dropping `Owned` forgets the parent's pool (its pid differs).
            *owned = Owned::new(fresh);
        }
        owned
            .client
            .clone()
            .ok_or_else(|| postcore_error("the client is closed"))
    }

    fn prepare(
        &self,
        py: Python<'_>,
        profile_name: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Call> {
        let profile_name = args::optional_str("profile_name", profile_name)?;
        let mut options = postcore::RequestOptions::new();
        if let Some(timeout) = args::timeout(timeout)? {
            options = options.timeout(timeout);
        }
        if let Some(retries) = args::max_retries(max_retries)? {
            options = options.max_retries(retries);
        }
        Ok(Call {
            client: self.core(py)?,
            params: postcore::CreateProfile { profile_name },
            options,
        })
    }
}

#[pymethods]
impl Client {
    /// Builds a client. Unset values fall back to ``POSTCORE_API_KEY`` /
    /// ``POSTCORE_BASE_URL``, then to the defaults (60 s timeout, 2 retries).
    ///
    /// Raises ``ConfigurationError`` when no key is found or the base URL is unusable, and
    /// ``TypeError`` / ``ValueError`` for arguments of the wrong type or value.
    #[new]
    #[pyo3(signature = (*, api_key = None, base_url = None, timeout = None, max_retries = None))]
    fn new(
        py: Python<'_>,
        api_key: Option<&Bound<'_, PyAny>>,
        base_url: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
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
        let client = builder.build().map_err(|e| to_py_err(py, &e))?;
        crate::logging::install_if_enabled(py)?;
        Ok(Self {
            base_url: client.base_url().to_owned(),
            timeout: client.timeout().as_secs_f64(),
            max_retries: client.max_retries(),
            state: Mutex::new(Some(Owned::new(client))),
        })
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

    /// Whether ``close()`` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.lock().is_none()
    }

    /// Closes the client: calls still in flight raise ``APIConnectionError`` at once, later
    /// calls raise, and the connection pool is released. Closing twice is harmless.
    fn close(&self) {
        let owned = self.lock().take();
        if let Some(client) = owned.as_ref().filter(|o| o.pid == std::process::id()) {
            if let Some(client) = client.client.as_ref() {
                client.close();
            }
        }
        drop(owned);
    }

    /// Creates a profile (``POST /profiles/create``), blocking with the GIL released.
    #[pyo3(signature = (profile_name = None, *, timeout = None, max_retries = None))]
    fn create_profile(
        &self,
        py: Python<'_>,
        profile_name: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Profile> {
        let call = self.prepare(py, profile_name, timeout, max_retries)?;
        runtime::block_on(py, call.run())?.map_err(|e| to_py_err(py, &e))
    }

    /// Creates a profile (``POST /profiles/create``) and returns an asyncio awaitable;
    /// cancelling it cancels the request. Must be called with an event loop running.
    #[pyo3(signature = (profile_name = None, *, timeout = None, max_retries = None))]
    fn create_profile_async<'py>(
        &self,
        py: Python<'py>,
        profile_name: Option<&Bound<'py, PyAny>>,
        timeout: Option<&Bound<'py, PyAny>>,
        max_retries: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let call = self.prepare(py, profile_name, timeout, max_retries)?;
        runtime::future_into_py(py, async move { Ok(Outcome(call.run().await)) })
    }

    fn __repr__(&self) -> String {
        format!(
            "Client(base_url={:?}, timeout={:?}, max_retries={})",
            self.base_url, self.timeout, self.max_retries
        )
    }
}
