//! Forwards the core's log lines to Python's `logging` (logger `"postcore"`): the per-attempt,
//! retry and wait lines at DEBUG, warnings (a store that stopped answering) at WARNING.
//!
//! The core logs through `tracing`; the first client installs the core's `LogForwarder` as
//! the process's subscriber. Debug lines are switched on when a client is created while the
//! `postcore` logger is enabled for DEBUG (they then go to it), or with `POSTCORE_LOG=debug`
//! (they then go to stderr, as `[postcore] …`, unless the logger takes them); until then a
//! debug line costs nothing. Lines never contain the key.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use postcore::bindings::{DebugSwitch, LogForwarder, LogLevel, log_env_debug};
use pyo3::prelude::*;

/// `logging.DEBUG`.
const DEBUG: i32 = 10;

/// The installed forwarder's switch (`None`: another subscriber was there first).
static SWITCH: OnceLock<Option<DebugSwitch>> = OnceLock::new();
/// Whether debug lines go to the logger (else, with `POSTCORE_LOG`, to stderr).
static TO_LOGGER: AtomicBool = AtomicBool::new(false);

/// Installs the forwarder once, and switches debug lines on if the `postcore` logger is now
/// enabled for DEBUG.
pub(crate) fn install(py: Python<'_>) -> PyResult<()> {
    let logger = py
        .import("logging")?
        .call_method1("getLogger", ("postcore",))?;
    let debug = logger
        .call_method1("isEnabledFor", (DEBUG,))?
        .extract::<bool>()?;
    if debug {
        TO_LOGGER.store(true, Ordering::Relaxed);
    }
    let switch = SWITCH.get_or_init(|| {
        let logger: Py<PyAny> = logger.clone().unbind();
        let sink = move |level: LogLevel, line: &str| {
            if level == LogLevel::Debug && !TO_LOGGER.load(Ordering::Relaxed) {
                eprintln!("[postcore] {line}");
                return;
            }
            let method = match level {
                LogLevel::Debug => "debug",
                LogLevel::Warn => "warning",
            };
            // `try_attach` does nothing once the interpreter is shutting down.
            let _ = Python::try_attach(|py| {
                let _ = logger.bind(py).call_method1(method, ("%s", line));
            });
        };
        LogForwarder::new(Box::new(sink), debug || log_env_debug()).install()
    });
    if let Some(switch) = switch {
        if debug && !switch.get() {
            switch.set(true);
        }
    }
    Ok(())
}
