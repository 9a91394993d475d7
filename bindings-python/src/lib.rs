//! # postcore-python
//!
//! The native half (`postcore._postcore`) of the `postcore` Python package. It holds no HTTP,
//! retry or parsing logic, and no per-endpoint code: every call goes by name to the Rust core's
//! generic dispatch (`postcore::bindings`), and this crate only converts arguments in and
//! results and errors out. The pure-Python half (`python/postcore/`) adds the public clients,
//! their typed resource methods, the models and the exception hierarchy.
//!
//! Files: [`client`] (the native client and its generic calls), [`convert`] (Python <-> JSON),
//! [`errors`] (core errors as Python exceptions), [`args`] (client and call options),
//! [`logging`] (the core's log lines to Python's `logging`), [`observe`] (hooks and
//! OpenTelemetry spans, where the caller is), [`runtime`] (the one tokio runtime per
//! process, fork-aware), [`asyncio`] (async calls handed to event loops in batches), [`cli`]
//! (the `postcore` command line, as the package's console script),
//! [`testing`] (the local mock server of `postcore.testing`, in-process), [`webhooks`] (the
//! core's webhook signatures, for `postcore.webhooks`).

mod args;
mod asyncio;
mod call;
mod cli;
mod client;
mod convert;
mod errors;
mod logging;
mod observe;
mod process;
mod runtime;
mod testing;
mod webhooks;

use pyo3::prelude::*;

/// Memory allocated on one thread and freed on another (a response built on a runtime thread,
/// converted on the event loop's) is cheap with mimalloc and contended with glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The native extension of the `postcore` package. Use the public names of `postcore`
/// (`postcore.Postcore`, `postcore.AsyncPostcore`, `postcore.create_profile`) instead.
#[pymodule]
mod _postcore {
    use pyo3::prelude::*;
    use pyo3::types::{PyDict, PyTuple};

    #[pymodule_export]
    use crate::asyncio::PendingCall;
    #[pymodule_export]
    use crate::client::Client;
    #[pymodule_export]
    use crate::testing::MockServer;
    #[pymodule_export]
    use crate::webhooks::{sign_webhook, verify_webhook};

    /// Runs the `postcore` command line with `argv` (program name first) and returns its exit
    /// status; the GIL is released while it runs. The console script `postcore` calls it.
    #[pyfunction]
    fn cli_main(py: Python<'_>, argv: Vec<String>) -> i32 {
        crate::cli::main(py, argv)
    }

    /// "accepts x-api-key pc_t…_key (the default test key)": the accepted key masked, with
    /// where it came from (`origin`: `"flag"`, `"default"`, or an environment variable's
    /// name), as the `postcore-mock` binary and `postcore mock` print it.
    #[pyfunction]
    fn _describe_mock_key(key: String, origin: String) -> String {
        use postcore_mock::keys::{AcceptedKey, KeyOrigin, describe};
        let origin = match origin.as_str() {
            "flag" => KeyOrigin::Flag,
            "default" => KeyOrigin::Default,
            _ => KeyOrigin::Environment(origin),
        };
        describe(&[AcceptedKey { key, origin }])
    }

    /// Parses and validates operation ``operation``'s keyword arguments without sending
    /// anything: raises the ``TypeError`` / ``ValueError`` a call would (``client.events()``
    /// checks its arguments before its first poll).
    #[pyfunction]
    fn check_arguments(
        py: Python<'_>,
        operation: &str,
        arguments: &Bound<'_, PyDict>,
    ) -> PyResult<()> {
        let json = crate::convert::args_to_json(arguments)?;
        let language = postcore::bindings::Language::Python;
        postcore::bindings::prepare(language, operation, json, serde_json::Value::Null)
            .map(drop)
            .map_err(|e| crate::errors::to_py_err(py, &e))
    }

    /// Stops the I/O runtime; registered with `atexit` by the package so that no runtime
    /// thread touches the interpreter while it finalizes.
    #[pyfunction]
    fn _shutdown(py: Python<'_>) {
        crate::runtime::shutdown(py);
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        let py = m.py();
        py.import("atexit")?
            .call_method1("register", (m.getattr("_shutdown")?,))?;
        crate::asyncio::register(py, m)?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add("USER_AGENT", crate::client::user_agent())?;
        m.add("DEFAULT_BASE_URL", postcore::DEFAULT_BASE_URL)?;
        m.add("MOCK_DEFAULT_API_KEY", postcore_mock::DEFAULT_API_KEY)?;
        m.add("DEFAULT_TIMEOUT", postcore::DEFAULT_TIMEOUT.as_secs_f64())?;
        m.add("DEFAULT_MAX_RETRIES", postcore::DEFAULT_MAX_RETRIES)?;
        m.add("DEFAULT_MAX_CONNECTIONS", postcore::DEFAULT_MAX_CONNECTIONS)?;
        m.add(
            "DEFAULT_MAX_RATE_LIMIT_WAIT",
            postcore::DEFAULT_MAX_RATE_LIMIT_WAIT.as_secs_f64(),
        )?;
        m.add(
            "DEFAULT_WAIT_INTERVAL",
            postcore::DEFAULT_WAIT_INTERVAL.as_secs_f64(),
        )?;
        m.add(
            "DEFAULT_EVENTS_INTERVAL",
            postcore::events::DEFAULT_EVENTS_INTERVAL.as_secs_f64(),
        )?;
        m.add("DEFAULT_CONSUMER", postcore::events::DEFAULT_CONSUMER)?;
        m.add(
            "WEBHOOK_SIGNATURE_HEADER",
            postcore::webhooks::SIGNATURE_HEADER,
        )?;
        m.add(
            "DEFAULT_WEBHOOK_TOLERANCE",
            postcore::webhooks::DEFAULT_TOLERANCE.as_secs_f64(),
        )?;
        m.add(
            "EVENT_TYPES",
            PyTuple::new(py, postcore::EventType::ALL.iter().map(|t| t.as_str()))?,
        )?;
        // The core's lists, so that the package's tests can check its classes and methods
        // against the one definition.
        let operations = postcore::bindings::operations();
        m.add(
            "OPERATIONS",
            PyTuple::new(py, operations.iter().map(|op| op.name))?,
        )?;
        m.add(
            "ERROR_KINDS",
            PyTuple::new(py, crate::errors::error_kinds())?,
        )?;
        let models = PyDict::new(py);
        for (name, fields) in postcore::bindings::models() {
            models.set_item(name, PyTuple::new(py, fields)?)?;
        }
        m.add("MODELS", models)?;
        let options = PyDict::new(py);
        for set in postcore::bindings::OptionSet::ALL {
            let names = set.names(postcore::bindings::Language::Python).to_vec();
            options.set_item(set.name(), names)?;
        }
        m.add("OPTIONS", options)?;
        Ok(())
    }
}
