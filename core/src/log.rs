//! Debug logging of each attempt, off by default.
//!
//! `POSTCORE_LOG=debug` prints one line per attempt on stderr (method, path, status or failure,
//! attempt number, elapsed time, wait before the next attempt). Bindings may install a sink
//! instead, e.g. Python's `logging`. Lines never contain headers, bodies or the API key.

use std::sync::{OnceLock, RwLock};

/// Where debug lines go when not to stderr.
pub type DebugSink = Box<dyn Fn(&str) + Send + Sync>;

static SINK: RwLock<Option<DebugSink>> = RwLock::new(None);
static FROM_ENV: OnceLock<bool> = OnceLock::new();

/// Sends debug lines to `sink` instead of stderr, and enables them even without
/// `POSTCORE_LOG=debug`. `None` restores the default.
pub fn set_debug_sink(sink: Option<DebugSink>) {
    if let Ok(mut current) = SINK.write() {
        *current = sink;
    }
}

fn env_enabled() -> bool {
    *FROM_ENV.get_or_init(|| {
        std::env::var("POSTCORE_LOG")
            .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "debug" | "trace"))
    })
}

/// Whether a debug line would go anywhere; checked before formatting one.
pub(crate) fn enabled() -> bool {
    env_enabled() || SINK.read().is_ok_and(|s| s.is_some())
}

/// Emits one debug line.
pub(crate) fn debug(line: &str) {
    if let Ok(sink) = SINK.read() {
        if let Some(sink) = sink.as_ref() {
            sink(line);
            return;
        }
    }
    if env_enabled() {
        eprintln!("[postcore] {line}");
    }
}

/// Emits a debug line built only when debug lines go somewhere.
pub(crate) fn debug_with(line: impl FnOnce() -> String) {
    if enabled() {
        debug(&line());
    }
}

/// A warning: to the sink if one is installed, else always to stderr (warnings are rare and
/// say something the user must know, such as a store that stopped answering).
pub(crate) fn warn(line: &str) {
    if let Ok(sink) = SINK.read() {
        if let Some(sink) = sink.as_ref() {
            sink(&format!("warning: {line}"));
            return;
        }
    }
    eprintln!("[postcore] warning: {line}");
}
