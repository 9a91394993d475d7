//! The core's log lines: one per attempt (method, path, status or failure, attempt number,
//! elapsed time), one per retry and per wait for the rate budget, and warnings (a store that
//! stopped answering). Lines never contain headers, bodies or the API key.
//!
//! Each line is a `tracing` event (target `postcore`, `DEBUG`, warnings `WARN`), for the
//! application's subscriber; the core installs none. Without one, `POSTCORE_LOG=debug` prints
//! the lines on stderr (`[postcore] …`), and warnings are always printed there. The Python
//! package installs [`LogForwarder`] (to its `postcore` logger); a Node `logger` takes the
//! lines of its client's calls through their observer (`observe.rs`).

mod forward;

use std::sync::OnceLock;

pub use forward::{DebugSwitch, LogForwarder, LogLevel, LogSink};

static FROM_ENV: OnceLock<bool> = OnceLock::new();

/// Whether `POSTCORE_LOG` asks for debug lines (`debug` or `trace`).
pub(crate) fn env_enabled() -> bool {
    *FROM_ENV.get_or_init(|| {
        std::env::var("POSTCORE_LOG")
            .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "debug" | "trace"))
    })
}

/// Whether lines go to stderr: `POSTCORE_LOG` asks for them and no subscriber takes them.
fn to_stderr() -> bool {
    env_enabled() && !tracing::dispatcher::has_been_set()
}

/// Whether a debug line would go anywhere (checked before formatting one).
pub(crate) fn debug_enabled() -> bool {
    tracing::event_enabled!(target: "postcore", tracing::Level::DEBUG) || to_stderr()
}

/// Emits one debug line; `elsewhere`: the current call's observer takes it too (a Node
/// `logger`), so it is not printed on stderr as well.
pub(crate) fn debug(line: &str, elsewhere: bool) {
    tracing::debug!(target: "postcore", "{line}");
    if !elsewhere && to_stderr() {
        eprintln!("[postcore] {line}");
    }
}

/// A warning: to the subscriber, else on stderr unless `elsewhere` (the current call's logger
/// took it, see `observe::warning`). Warnings are rare and say something the user must know.
pub(crate) fn warn(line: &str, elsewhere: bool) {
    tracing::warn!(target: "postcore", "{line}");
    if !elsewhere && !tracing::dispatcher::has_been_set() {
        eprintln!("[postcore] warning: {line}");
    }
}
