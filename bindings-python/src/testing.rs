//! The native half of `postcore.testing`: the `postcore-mock` server running in this process,
//! on the package's own tokio runtime (the one the clients use, see [`runtime`]), so that a
//! Python user needs neither a Rust toolchain nor a second process.
//!
//! This file holds no server logic: it starts `postcore_mock::MockServer` on loopback and
//! hands its controls and stored data to Python as plain objects (the JSON the mock's
//! `/__mock/*` endpoints show). The public class, its defaults and its checks are in
//! `python/postcore/testing/`.
//!
//! A server belongs to the process that started it. After `fork()` the child has a copy of
//! the handle but none of the server's threads (they stay in the parent, which keeps serving
//! the port): in the child, the addresses stay readable, the controls and the stored data raise
//! `RuntimeError`, and stopping only lets go of the copy (the handle is leaked, never
//! dropped, since its state could be mid-update by a thread that does not exist there).

use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Serialize;

use crate::{convert, runtime};

/// How long `stop()` waits for the port to be released.
const RELEASE_TIMEOUT: Duration = Duration::from_secs(2);
/// How often it checks meanwhile.
const RELEASE_POLL: Duration = Duration::from_millis(2);

/// The running server and the process it belongs to.
struct Owned {
    pid: u32,
    server: Option<postcore_mock::MockServer>,
}

impl Drop for Owned {
    fn drop(&mut self) {
        if self.pid != crate::process::id() {
            // A forked child: the parent's server is neither stopped nor touched from here.
            std::mem::forget(self.server.take());
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Held for a field access only; a poisoned lock still holds valid data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running postcore mock server. Use ``postcore.testing.MockServer`` instead.
///
/// Listens on ``127.0.0.1`` only. Stopped by ``stop()`` or when garbage-collected.
#[pyclass(frozen, module = "postcore._postcore", name = "MockServer")]
pub struct MockServer {
    state: Mutex<Option<Owned>>,
    url: String,
    dashboard_url: String,
    api_key: String,
    addr: SocketAddr,
}

impl MockServer {
    /// Runs `f` on the server, or raises when it was stopped or belongs to another process.
    fn with<R>(&self, f: impl FnOnce(&postcore_mock::MockServer) -> R) -> PyResult<R> {
        let state = lock(&self.state);
        let Some(owned) = state.as_ref() else {
            return Err(PyRuntimeError::new_err("the mock server is stopped"));
        };
        if owned.pid != crate::process::id() {
            return Err(PyRuntimeError::new_err(format!(
                "this mock server belongs to process {} (it was started before a fork); \
                 start a MockServer in this process to control one",
                owned.pid
            )));
        }
        match owned.server.as_ref() {
            Some(server) => Ok(f(server)),
            None => Err(PyRuntimeError::new_err("the mock server is stopped")),
        }
    }
}

/// JSON for Python: the mock's own serialisation, so the names are the API's (camelCase).
fn to_py<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value)
        .map_err(|e| PyRuntimeError::new_err(format!("cannot convert the mock's data: {e}")))?;
    convert::to_py(py, &json)
}

#[pymethods]
impl MockServer {
    /// Starts a server on ``127.0.0.1:port`` (0: a free port) accepting ``api_key``.
    ///
    /// ``rate_limit``: answer 429 past this many requests per window (``None``: only report
    /// the documented 100 in the headers); ``rate_window``: the window in whole seconds (at
    /// least 1); ``posts_per_month``: the monthly post quota. Raises ``OSError`` when the port
    /// cannot be bound.
    #[new]
    #[pyo3(signature = (*, api_key, port = 0, rate_limit = None, rate_window = 900, posts_per_month = 10))]
    fn new(
        py: Python<'_>,
        api_key: String,
        port: u16,
        rate_limit: Option<u32>,
        rate_window: u64,
        posts_per_month: u32,
    ) -> PyResult<Self> {
        if api_key.is_empty() || api_key.chars().any(char::is_control) {
            return Err(PyValueError::new_err(
                "api_key must be a non-empty string without control characters",
            ));
        }
        if rate_window == 0 {
            return Err(PyValueError::new_err(
                "rate_window must be at least 1 second",
            ));
        }
        let config = postcore_mock::MockConfig {
            // Loopback only, whatever the caller does: the kit is for tests on this machine.
            host: "127.0.0.1".to_owned(),
            port,
            api_keys: vec![api_key.clone()],
            rate_limit,
            rate_window: Duration::from_secs(rate_window),
            posts_per_month,
        };
        let server =
            runtime::block_on(py, postcore_mock::MockServer::start(config))?.map_err(|e| {
                let message = format!("cannot listen on 127.0.0.1:{port}: {e}");
                match e.raw_os_error() {
                    // OSError(errno, text): `e.errno` is set, e.g. errno.EADDRINUSE.
                    Some(code) => PyOSError::new_err((code, message)),
                    None => PyOSError::new_err(message),
                }
            })?;
        Ok(Self {
            url: server.url().to_owned(),
            dashboard_url: server.dashboard_url().to_owned(),
            addr: server.addr(),
            api_key,
            state: Mutex::new(Some(Owned {
                pid: crate::process::id(),
                server: Some(server),
            })),
        })
    }

    /// ``http://127.0.0.1:<port>``: the base URL for clients.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// ``http://127.0.0.1:<port>/``: the web dashboard.
    #[getter]
    fn dashboard_url(&self) -> &str {
        &self.dashboard_url
    }

    /// The key the server accepts.
    #[getter]
    fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The port it listens on.
    #[getter]
    fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Whether it is serving (and belongs to this process).
    #[getter]
    fn running(&self) -> bool {
        self.with(|_| ()).is_ok()
    }

    /// Runs the mock's control operation ``name`` (``"fail_next"``, ``"seed"``,
    /// ``"advance"``, ``"clock"``, ``"requests"``, ``"profiles"``, ``"posts"``, ``"reset"``, …:
    /// what ``/__mock/<name>`` does over HTTP) with a JSON ``body``; returns its JSON answer.
    /// ``ValueError`` with the mock's message when it refuses.
    #[pyo3(signature = (name, body = None))]
    fn control<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        body: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let body = match body {
            Some(body) => convert::args_to_json(body)?,
            None => serde_json::Value::Null,
        };
        let answer = self
            .with(|server| server.control(name, body))?
            .map_err(|e| PyValueError::new_err(e.message))?;
        to_py(py, &answer)
    }

    /// Stops the server and waits (up to 2 s, GIL released) until its port is released, so
    /// the port can be bound again at once. Harmless when already stopped. In a forked child,
    /// only lets go of this copy: the parent's server keeps running.
    fn stop(&self, py: Python<'_>) {
        let Some(owned) = lock(&self.state).take() else {
            return;
        };
        let ours = owned.pid == crate::process::id();
        // Dropping the mock's handle tells its accept loop to stop (in a child: leaked).
        drop(owned);
        if ours {
            let addr = self.addr;
            py.detach(move || wait_until_released(addr));
        }
    }

    fn __repr__(&self) -> String {
        let state = if self.running() { "running" } else { "stopped" };
        format!("<postcore._postcore.MockServer {} {state}>", self.url)
    }
}

/// Waits until nothing listens on `addr` any more: binding it with `SO_REUSEADDR` fails with
/// `EADDRINUSE` exactly as long as a listening socket holds it (connections still closing do
/// not count). Gives up after [`RELEASE_TIMEOUT`] (e.g. a forked child still holds the
/// listening socket).
fn wait_until_released(addr: SocketAddr) {
    let deadline = Instant::now() + RELEASE_TIMEOUT;
    loop {
        let probe = match addr {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
        };
        let free = probe
            .and_then(|socket| {
                socket.set_reuseaddr(true)?;
                socket.bind(addr)
            })
            .is_ok();
        if free || Instant::now() >= deadline {
            return;
        }
        std::thread::sleep(RELEASE_POLL);
    }
}
