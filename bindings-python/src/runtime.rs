//! The one tokio runtime of the process, and the bridges to it from Python.
//!
//! * One multi-thread runtime per process, created on first use, never one per call or client.
//! * `fork()` copies the runtime's memory but not its threads, so a child must not use (or even
//!   drop) the parent's: the runtime is stored with the pid that created it, and a process
//!   whose pid differs builds its own. The parent's is leaked in the child, never touched.
//! * Sync calls ([`block_on`]) wait with the GIL released and wake up regularly to let Python
//!   run signal handlers, so Ctrl-C raises `KeyboardInterrupt` and drops (cancels) the call.
//! * Async calls are spawned onto this same runtime and handed back to their event loop in
//!   batches (see `asyncio.rs`).

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pyo3::prelude::*;
use tokio::runtime::{Builder, Handle, Runtime};

use crate::errors;

/// How often a blocking call wakes up to let Python handle signals (Ctrl-C).
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(50);
/// The runtime's worker threads. One: the SDK's work is I/O, and with one thread a call's
/// request future and its connection's task never wake each other across threads. Measured by
/// `make bench` on 2 cores against two: sequential sync calls +50 % (6,200 -> 9,500 calls/s),
/// asyncio with 64 in flight +1 % with 17 % less CPU, 16 threads sharing a client unchanged.
const WORKER_THREADS: usize = 1;

struct Current {
    pid: u32,
    runtime: Arc<Runtime>,
    launcher: Arc<Launcher>,
}

/// A future to run on the runtime.
pub(crate) type Launch = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// Starts async calls in batches: spawning a task from a Python thread wakes a parked runtime
/// thread (a system call or two) every time; queued here, the calls made during one pass of the
/// event loop cost one wake-up, and a task on the runtime spawns them all.
pub(crate) struct Launcher {
    queue: Mutex<Vec<Launch>>,
    /// Whether the dispatcher has been notified since it last took the queue.
    notified: std::sync::atomic::AtomicBool,
    notify: tokio::sync::Notify,
}

impl Launcher {
    /// Runs `launch` on the runtime soon.
    pub(crate) fn launch(&self, launch: Launch) {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(launch);
        if !self
            .notified
            .swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            self.notify.notify_one();
        }
    }

    async fn dispatch(self: Arc<Self>) {
        loop {
            self.notify.notified().await;
            // Cleared before the queue is taken: a launch queued from here on notifies again.
            self.notified
                .store(false, std::sync::atomic::Ordering::Release);
            let batch =
                std::mem::take(&mut *self.queue.lock().unwrap_or_else(PoisonError::into_inner));
            for launch in batch {
                tokio::spawn(launch);
            }
        }
    }
}

static CURRENT: Mutex<Option<Current>> = Mutex::new(None);

/// The runtime of this process, created on first use (and again in a forked child).
pub(crate) fn get() -> PyResult<Arc<Runtime>> {
    current().map(|(runtime, _)| runtime)
}

/// The launcher of async calls of this process's runtime.
pub(crate) fn launcher() -> PyResult<Arc<Launcher>> {
    current().map(|(_, launcher)| launcher)
}

fn current() -> PyResult<(Arc<Runtime>, Arc<Launcher>)> {
    let pid = crate::process::id();
    // The lock is held for a pointer comparison only; a poisoned lock still holds valid data.
    let mut current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(c) = current.as_ref().filter(|c| c.pid == pid) {
        return Ok((c.runtime.clone(), c.launcher.clone()));
    }
    // Any runtime stored here belongs to the parent process (its threads do not exist in this
    // one): it is overwritten without being dropped, as dropping it would wait for them.
    let runtime = Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name("postcore-runtime")
        .on_thread_start(crate::process::block_interrupts)
        .enable_all()
        .build()
        .map_err(|e| {
            errors::connection_error(&format!("cannot start the postcore I/O runtime: {e}"))
        })?;
    let runtime = Arc::new(runtime);
    let launcher = Arc::new(Launcher {
        queue: Mutex::new(Vec::new()),
        notified: std::sync::atomic::AtomicBool::new(false),
        notify: tokio::sync::Notify::new(),
    });
    runtime.spawn(launcher.clone().dispatch());
    let parents = current.replace(Current {
        pid,
        runtime: runtime.clone(),
        launcher: launcher.clone(),
    });
    std::mem::forget(parents);
    Ok((runtime, launcher))
}

/// Stops this process's runtime before the interpreter finalizes (registered with `atexit`).
///
/// Without it, a runtime thread still finishing an async call's hand-back could take the GIL
/// while Python is tearing down, which crashes the process at exit. Waits (GIL released) up to
/// a second for running tasks to yield, then drops the rest, so exit never hangs. A later call
/// would simply start a new runtime.
pub(crate) fn shutdown(py: Python<'_>) {
    let pid = crate::process::id();
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
