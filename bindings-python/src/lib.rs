//! # postcore-python
//!
//! The native half (`postcore._postcore`) of the `postcore` Python package. It holds no HTTP,
//! retry or parsing logic: every call goes to the Rust `postcore` core, and this crate only
//! converts arguments in and results and errors out. The pure-Python half
//! (`python/postcore/`) adds the public `Postcore` / `AsyncPostcore` classes and the
//! exception hierarchy, which the functions here raise.
//!
//! The files mirror the core's: [`client`] (calls), [`errors`] (error mapping), [`models`]
//! (returned values), [`logging`] (debug lines to Python's `logging`), [`runtime`] (the one tokio runtime per process, fork-aware), plus
//! [`args`] (argument validation).

mod args;
mod client;
mod errors;
mod logging;
mod models;
mod runtime;

use pyo3::prelude::*;

/// The native extension of the `postcore` package. Use the public names of `postcore`
/// (`postcore.Postcore`, `postcore.AsyncPostcore`, `postcore.create_profile`) instead.
#[pymodule]
mod _postcore {
    use pyo3::prelude::*;

    #[pymodule_export]
    use crate::client::Client;
    #[pymodule_export]
    use crate::models::Profile;

    /// Stops the I/O runtime; registered with `atexit` by the package so that no runtime
    /// thread touches the interpreter while it finalizes.
    #[pyfunction]
    fn _shutdown(py: Python<'_>) {
        crate::runtime::shutdown(py);
    }

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.py()
            .import("atexit")?
            .call_method1("register", (m.getattr("_shutdown")?,))?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add("USER_AGENT", crate::client::user_agent())?;
        m.add("DEFAULT_BASE_URL", postcore::DEFAULT_BASE_URL)?;
        m.add("DEFAULT_TIMEOUT", postcore::DEFAULT_TIMEOUT.as_secs_f64())?;
        m.add("DEFAULT_MAX_RETRIES", postcore::DEFAULT_MAX_RETRIES)?;
        Ok(())
    }
}
