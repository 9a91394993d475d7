//! The few libuv functions the call driver (`driver.rs`) uses, from the libuv that Node itself
//! links and exports to addons (as `napi_get_uv_event_loop` intends). Handles are opaque here:
//! their memory is sized with `uv_handle_size` at run time, so no libuv struct layout is
//! assumed, and they are found again through thread-local state rather than their `data` field.
//!
//! The functions are looked up in the host process when first needed (`dlsym`), not linked:
//! the addon is linked with `BIND_NOW`, so a host without them (a runtime with no libuv) could
//! not even load it, and a host that lacks any of them gets napi's runtime instead
//! ([`available`]). Bun exports every one of them as a stub that aborts the process, which is
//! why `host.rs` also checks which runtime this is.

use std::ffi::{CStr, c_int, c_void};
use std::ptr::NonNull;
use std::sync::OnceLock;

use napi::sys::uv_loop_s;

/// `uv_handle_t`, never dereferenced here.
#[repr(C)]
pub(crate) struct UvHandle {
    _opaque: [u8; 0],
}

/// `uv_handle_type` values (stable across libuv 1.x).
const UV_POLL: c_int = 8;
const UV_TIMER: c_int = 13;
/// `uv_poll_event::UV_READABLE`.
const UV_READABLE: c_int = 1;

pub(crate) type PollCallback = unsafe extern "C" fn(*mut UvHandle, c_int, c_int);
pub(crate) type TimerCallback = unsafe extern "C" fn(*mut UvHandle);
pub(crate) type CloseCallback = unsafe extern "C" fn(*mut UvHandle);

type HandleSize = unsafe extern "C" fn(c_int) -> usize;
type PollInit = unsafe extern "C" fn(*mut uv_loop_s, *mut UvHandle, c_int) -> c_int;
type TimerInit = unsafe extern "C" fn(*mut uv_loop_s, *mut UvHandle) -> c_int;
type PollStart = unsafe extern "C" fn(*mut UvHandle, c_int, PollCallback) -> c_int;
type TimerStart = unsafe extern "C" fn(*mut UvHandle, TimerCallback, u64, u64) -> c_int;
type Stop = unsafe extern "C" fn(*mut UvHandle) -> c_int;
type Reference = unsafe extern "C" fn(*mut UvHandle);
type Close = unsafe extern "C" fn(*mut UvHandle, CloseCallback);

/// The address of `name` among the symbols the process has loaded globally (the executable
/// and its libraries), or null.
fn symbol(name: &CStr) -> *mut c_void {
    // SAFETY: a NUL-terminated name; RTLD_DEFAULT searches the global scope, changing nothing.
    unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) }
}

/// Declares [`Uv`], the host's libuv functions by their C signatures (libuv 1.x, stable), and
/// `Uv::resolve`, which looks each one up: `None` if any is missing.
macro_rules! libuv {
    ($($field:ident: $kind:ty = $name:literal,)*) => {
        struct Uv {
            $($field: $kind,)*
        }

        impl Uv {
            fn resolve() -> Option<Self> {
                Some(Uv {
                    $($field: {
                        let address = symbol($name);
                        if address.is_null() {
                            return None;
                        }
                        // SAFETY: libuv's exported function of that name, of that signature; a
                        // code address and a fn pointer have one size.
                        unsafe { std::mem::transmute::<*mut c_void, $kind>(address) }
                    },)*
                })
            }
        }
    };
}

libuv! {
    handle_size: HandleSize = c"uv_handle_size",
    poll_init: PollInit = c"uv_poll_init",
    poll_start: PollStart = c"uv_poll_start",
    poll_stop: Stop = c"uv_poll_stop",
    timer_init: TimerInit = c"uv_timer_init",
    timer_start: TimerStart = c"uv_timer_start",
    timer_stop: Stop = c"uv_timer_stop",
    reference: Reference = c"uv_ref",
    unreference: Reference = c"uv_unref",
    close: Close = c"uv_close",
}

/// The host's libuv functions, looked up once per process.
fn uv() -> Option<&'static Uv> {
    static UV: OnceLock<Option<Uv>> = OnceLock::new();
    UV.get_or_init(Uv::resolve).as_ref()
}

/// Whether the host process exports every libuv function the driver uses.
pub(crate) fn available() -> bool {
    uv().is_some()
}

/// Zeroed memory for a handle of `kind`, freed by [`free_handle`] (from its close callback).
fn alloc_handle(uv: &Uv, kind: c_int) -> Option<NonNull<UvHandle>> {
    // SAFETY: uv_handle_size has no preconditions; calloc returns null or fresh memory.
    let memory = unsafe { libc::calloc(1, (uv.handle_size)(kind)) };
    NonNull::new(memory.cast())
}

/// Frees a handle's memory once libuv is done with it (its close callback has been called).
///
/// # Safety
/// `handle` came from [`alloc_handle`] and libuv no longer refers to it.
pub(crate) unsafe fn free_handle(handle: *mut UvHandle) {
    // SAFETY: memory from calloc, not used any more (guaranteed by the caller).
    unsafe { libc::free(handle.cast()) }
}

/// A `uv_poll_t` watching `fd` for readability, unreferenced (it keeps no loop alive) until
/// [`reference`] says otherwise; `None` if it cannot be made (or libuv is not [`available`]).
///
/// # Safety
/// `event_loop` is the running loop of the calling thread; `fd` stays open until the handle is
/// stopped with [`poll_stop`].
pub(crate) unsafe fn poll_start(
    event_loop: *mut uv_loop_s,
    fd: c_int,
    callback: PollCallback,
) -> Option<NonNull<UvHandle>> {
    let uv = uv()?;
    let handle = alloc_handle(uv, UV_POLL)?;
    // SAFETY: fresh handle memory of the right size, on the loop's own thread.
    unsafe {
        if (uv.poll_init)(event_loop, handle.as_ptr(), fd) != 0 {
            free_handle(handle.as_ptr());
            return None;
        }
        (uv.unreference)(handle.as_ptr());
        if (uv.poll_start)(handle.as_ptr(), UV_READABLE, callback) != 0 {
            // Initialised: it must be closed, not just freed.
            (uv.close)(handle.as_ptr(), on_close_free);
            return None;
        }
    }
    Some(handle)
}

/// A `uv_timer_t`, unreferenced: it only ever runs while something else keeps the loop alive.
///
/// # Safety
/// `event_loop` is the running loop of the calling thread.
pub(crate) unsafe fn timer_new(event_loop: *mut uv_loop_s) -> Option<NonNull<UvHandle>> {
    let uv = uv()?;
    let handle = alloc_handle(uv, UV_TIMER)?;
    // SAFETY: fresh handle memory of the right size, on the loop's own thread.
    unsafe {
        if (uv.timer_init)(event_loop, handle.as_ptr()) != 0 {
            free_handle(handle.as_ptr());
            return None;
        }
        (uv.unreference)(handle.as_ptr());
    }
    Some(handle)
}

/// (Re)arms a one-shot timer.
///
/// # Safety
/// `handle` is a live timer from [`timer_new`], on its loop's thread.
pub(crate) unsafe fn timer_start(handle: NonNull<UvHandle>, callback: TimerCallback, ms: u64) {
    if let Some(uv) = uv() {
        // SAFETY: guaranteed by the caller. Starting a live timer cannot fail.
        unsafe { (uv.timer_start)(handle.as_ptr(), callback, ms, 0) };
    }
}

/// # Safety
/// `handle` is a live timer from [`timer_new`], on its loop's thread.
pub(crate) unsafe fn timer_stop(handle: NonNull<UvHandle>) {
    if let Some(uv) = uv() {
        // SAFETY: guaranteed by the caller.
        unsafe { (uv.timer_stop)(handle.as_ptr()) };
    }
}

/// Whether the handle keeps its loop (and so the process) alive.
///
/// # Safety
/// `handle` is a live handle, on its loop's thread.
pub(crate) unsafe fn reference(handle: NonNull<UvHandle>, keep_alive: bool) {
    if let Some(uv) = uv() {
        let set = if keep_alive {
            uv.reference
        } else {
            uv.unreference
        };
        // SAFETY: guaranteed by the caller.
        unsafe { set(handle.as_ptr()) };
    }
}

/// Stops a poll handle: libuv removes its descriptor from the loop at once, so the descriptor
/// may be closed right after.
///
/// # Safety
/// `handle` is a live poll handle from [`poll_start`], on its loop's thread.
pub(crate) unsafe fn poll_stop(handle: NonNull<UvHandle>) {
    if let Some(uv) = uv() {
        // SAFETY: guaranteed by the caller.
        unsafe { (uv.poll_stop)(handle.as_ptr()) };
    }
}

/// Closes a handle; `callback` runs on a later turn of the loop and must free it.
///
/// # Safety
/// `handle` is live and not closed yet, on its loop's thread.
pub(crate) unsafe fn close(handle: NonNull<UvHandle>, callback: CloseCallback) {
    if let Some(uv) = uv() {
        // SAFETY: guaranteed by the caller.
        unsafe { (uv.close)(handle.as_ptr(), callback) };
    }
}

unsafe extern "C" fn on_close_free(handle: *mut UvHandle) {
    // SAFETY: libuv is done with the handle once its close callback runs.
    unsafe { free_handle(handle) }
}
