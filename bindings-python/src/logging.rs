//! Forwards the core's per-attempt debug lines to Python's `logging` (logger `"postcore"`).
//!
//! The bridge is installed when a client is created while that logger is enabled for DEBUG,
//! so clients pay nothing for logging unless it was asked for. Lines never contain the key.

use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::prelude::*;

static INSTALLED: AtomicBool = AtomicBool::new(false);

/// `logging.DEBUG`.
const DEBUG: i32 = 10;

/// Installs the bridge once, if `logging.getLogger("postcore")` is enabled for DEBUG.
pub(crate) fn install_if_enabled(py: Python<'_>) -> PyResult<()> {
    if INSTALLED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let logger = py
        .import("logging")?
        .call_method1("getLogger", ("postcore",))?;
    if !logger
        .call_method1("isEnabledFor", (DEBUG,))?
        .extract::<bool>()?
    {
        return Ok(());
    }
    let logger: Py<PyAny> = logger.unbind();
    postcore::bindings::set_debug_sink(Some(Box::new(move |line: &str| {
        // `try_attach` does nothing once the interpreter is shutting down.
        let _ = Python::try_attach(|py| {
            let _ = logger.bind(py).call_method1("debug", ("%s", line));
        });
    })));
    INSTALLED.store(true, Ordering::Relaxed);
    Ok(())
}
