//! The one tokio runtime of the process, and the bridges to it from Python.
//!
//! * One multi-thread runtime per process, created on first use, never one per call or client.
//! * `fork()` copies the runtime's memory but not its threads, so a child must not use (or even
//!   drop) the parent's: the runtime is stored with the pid that created it, and a process
//!   whose pid differs builds its own. The parent's is leaked in the child, never touched.
//! * Sync calls ([`block_on`]) wait with the GIL released and wake up regularly to let Python
//!   run signal handlers, so Ctrl-C raises `KeyboardInterrupt` and drops (cancels) the call.
//! * Async calls go through `pyo3_async_runtimes::generic` with [`PostcoreRuntime`], which
//!   spawns onto this same fork-aware runtime (`pyo3_async_runtimes::tokio` keeps its runtime
//!   in a `OnceLock` that cannot be replaced after a fork).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as GenericRuntime};
use tokio::runtime::{Builder, Handle, Runtime};
use tokio::task::{JoinError, JoinHandle};

use crate::errors;

/// How often a blocking call wakes up to let Python handle signals (Ctrl-C).
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(50);
/// Upper bound on worker threads: the SDK's work is I/O, a few threads are plenty.
const MAX_WORKER_THREADS: usize = 4;

struct Current {
    pid: u32,
    runtime: Arc<Runtime>,
}

static CURRENT: Mutex<Option<Current>> = Mutex::new(None);

/// The runtime of this process, created on first use (and again in a forked child).
pub(crate) fn get() -> PyResult<Arc<Runtime>> {
    let pid = std::process::id();
    // The lock is held for a pointer comparison only; a poisoned lock still holds valid data.
    let mut current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(c) = current.as_ref().filter(|c| c.pid == pid) {
        return Ok(c.runtime.clone());
    }
    // Any runtime stored here belongs to the parent process (its threads do not exist in this
    // one): it is overwritten without being dropped, as dropping it would wait for them.
    let workers = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .clamp(1, MAX_WORKER_THREADS);
    let runtime = Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("postcore-runtime")
        .enable_all()
        .build()
        .map_err(|e| {
            errors::connection_error(&format!("cannot start the postcore I/O runtime: {e}"))
        })?;
    let runtime = Arc::new(runtime);
    let parents = current.replace(Current {
        pid,
        runtime: runtime.clone(),
    });
    std::mem::forget(parents);
    Ok(runtime)
}

/// Stops this process's runtime before the interpreter finalizes (registered with `atexit`).
///
/// Without it, a runtime thread still finishing an async call's hand-back could take the GIL
/// while Python is tearing down, which crashes the process at exit. Waits (GIL released) up to
/// a second for running tasks to yield, then drops the rest, so exit never hangs. A later call
/// would simply start a new runtime.
pub(crate) fn shutdown(py: Python<'_>) {
    let pid = std::process::id();
    let taken = {
        let mut current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
        match current.take() {
            Some(c) if c.pid == pid => Some(c.runtime),
            other => {
                // A parent's runtime (after fork) is never touched; put it back.
                *current = other;
                None
            }
        }
    };
    let Some(runtime) = taken else { return };
    match Arc::try_unwrap(runtime) {
        Ok(runtime) => py.detach(move || runtime.shutdown_timeout(Duration::from_secs(1))),
        // A blocking call on another thread still uses it: leave it to the process exit.
        Err(shared) => std::mem::forget(shared),
    }
}

/// Runs `fut` to completion on the runtime with the GIL released, checking for signals
/// (Ctrl-C) every [`SIGNAL_CHECK_INTERVAL`]. When a signal handler raises, the future is dropped,
/// which cancels the request, and the exception propagates.
pub(crate) fn block_on<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = T> + Send,
    T: Send,
{
    if Handle::try_current().is_ok() {
        return Err(errors::postcore_error(
            "a blocking postcore call cannot run on the postcore runtime's own threads; \
             use AsyncPostcore from async code",
        ));
    }
    let runtime = get()?;
    py.detach(move || {
        runtime.block_on(async move {
            let mut fut = std::pin::pin!(fut);
            // The first check comes after one interval: a call that is done sooner (nearly
            // all of them) never re-attaches to the interpreter before it returns. On threads
            // other than the main one a check is a cheap no-op, so no thread test is needed.
            let first = tokio::time::Instant::now() + SIGNAL_CHECK_INTERVAL;
            let mut tick = tokio::time::interval_at(first, SIGNAL_CHECK_INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    biased;
                    out = &mut fut => return Ok(out),
                    _ = tick.tick() => Python::attach(|py| py.check_signals())?,
                }
            }
        })
    })
}

/// Converts `fut` into an asyncio awaitable running on the process's runtime. Cancelling the
/// awaitable drops `fut`.
pub(crate) fn future_into_py<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let runtime = get()?;
    // `PostcoreRuntime::spawn` spawns onto the runtime of the current context: this guard
    // provides it for the first spawn (later ones run inside the runtime's own tasks).
    let _context = runtime.enter();
    pyo3_async_runtimes::generic::future_into_py::<PostcoreRuntime, F, T>(py, fut)
}

tokio::task_local! {
    static TASK_LOCALS: TaskLocals;
}

/// The fork-aware runtime, as `pyo3_async_runtimes::generic` sees it.
pub(crate) struct PostcoreRuntime;

impl GenericRuntime for PostcoreRuntime {
    type JoinError = JoinError;
    type JoinHandle = JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // Always called inside a runtime context: under the guard of `future_into_py`, or
        // from a task of the runtime.
        tokio::spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        tokio::task::spawn_blocking(f)
    }
}

impl ContextExt for PostcoreRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        Box::pin(TASK_LOCALS.scope(locals, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS.try_with(Clone::clone).ok()
    }
}
