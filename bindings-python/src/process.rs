//! Which process this is, cheaply: the pid, read once and refreshed in a child after `fork()`.
//!
//! Objects that must not be used across a fork (the runtime, connection pools, event-loop
//! bridges) remember the process they were made in. Asking the kernel (`getpid`, a system call
//! glibc no longer caches) on every call cost a tenth of an async call's time; a fork hook
//! keeps a copy up to date instead.

use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};

static PID: AtomicU32 = AtomicU32::new(0);
static HOOK: Once = Once::new();

/// The current process id.
pub(crate) fn id() -> u32 {
    HOOK.call_once(|| {
        PID.store(std::process::id(), Ordering::Relaxed);
        #[cfg(unix)]
        // SAFETY: registers a handler that only stores an integer (async-signal-safe); it is
        // registered once and never unregistered.
        unsafe {
            libc::pthread_atfork(None, None, Some(after_fork_in_child));
        }
    });
    PID.load(Ordering::Relaxed)
}

#[cfg(unix)]
extern "C" fn after_fork_in_child() {
    // `getpid` is async-signal-safe; `std::process::id` is a thin wrapper over it.
    PID.store(std::process::id(), Ordering::Relaxed);
}

/// Keeps Ctrl-C (SIGINT) and SIGTERM away from the calling thread, so that the kernel delivers
/// them to Python's main thread. Run at the start of each runtime thread: a signal delivered
/// to one of them would set Python's flag without waking the main thread (e.g. from
/// `time.sleep`), which would then notice the Ctrl-C only when it woke up by itself.
pub(crate) fn block_interrupts() {
    #[cfg(unix)]
    // SAFETY: plain libc calls on a local signal set; only this thread's mask changes.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}
