//! The few libuv functions the call driver (`driver.rs`) uses, from the libuv that Node itself
//! links and exports to addons (as `napi_get_uv_event_loop` intends). Handles are opaque here:
//! their memory is sized with `uv_handle_size` at run time, so no libuv struct layout is
//! assumed, and they are found again through thread-local state rather than their `data` field.

use std::ffi::c_int;
use std::ptr::NonNull;

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

unsafe extern "C" {
    fn uv_handle_size(kind: c_int) -> usize;
    fn uv_poll_init(event_loop: *mut uv_loop_s, handle: *mut UvHandle, fd: c_int) -> c_int;
    fn uv_poll_start(handle: *mut UvHandle, events: c_int, callback: PollCallback) -> c_int;
    fn uv_poll_stop(handle: *mut UvHandle) -> c_int;
    fn uv_timer_init(event_loop: *mut uv_loop_s, handle: *mut UvHandle) -> c_int;
    fn uv_timer_start(
        handle: *mut UvHandle,
        callback: TimerCallback,
        timeout: u64,
        repeat: u64,
    ) -> c_int;
    fn uv_timer_stop(handle: *mut UvHandle) -> c_int;
    fn uv_ref(handle: *mut UvHandle);
    fn uv_unref(handle: *mut UvHandle);
    fn uv_close(handle: *mut UvHandle, callback: CloseCallback);
}

/// Zeroed memory for a handle of `kind`, freed by [`free_handle`] (from its close callback).
fn alloc_handle(kind: c_int) -> Option<NonNull<UvHandle>> {
    // SAFETY: uv_handle_size has no preconditions; calloc returns null or fresh memory.
    let memory = unsafe { libc::calloc(1, uv_handle_size(kind)) };
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
/// [`reference`] says otherwise.
///
/// # Safety
/// `event_loop` is the running loop of the calling thread; `fd` stays open until the handle is
/// stopped with [`poll_stop`].
pub(crate) unsafe fn poll_start(
    event_loop: *mut uv_loop_s,
    fd: c_int,
    callback: PollCallback,
) -> Option<NonNull<UvHandle>> {
    let handle = alloc_handle(UV_POLL)?;
    // SAFETY: fresh handle memory of the right size, on the loop's own thread.
    unsafe {
        if uv_poll_init(event_loop, handle.as_ptr(), fd) != 0 {
            free_handle(handle.as_ptr());
            return None;
        }
        uv_unref(handle.as_ptr());
        if uv_poll_start(handle.as_ptr(), UV_READABLE, callback) != 0 {
            // Initialised: it must be closed, not just freed.
            uv_close(handle.as_ptr(), on_close_free);
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
    let handle = alloc_handle(UV_TIMER)?;
    // SAFETY: fresh handle memory of the right size, on the loop's own thread.
    unsafe {
        if uv_timer_init(event_loop, handle.as_ptr()) != 0 {
            free_handle(handle.as_ptr());
            return None;
        }
        uv_unref(handle.as_ptr());
    }
    Some(handle)
}

/// (Re)arms a one-shot timer.
///
/// # Safety
/// `handle` is a live timer from [`timer_new`], on its loop's thread.
pub(crate) unsafe fn timer_start(handle: NonNull<UvHandle>, callback: TimerCallback, ms: u64) {
    // SAFETY: guaranteed by the caller. Starting a live timer cannot fail.
    unsafe { uv_timer_start(handle.as_ptr(), callback, ms, 0) };
}

/// # Safety
/// `handle` is a live timer from [`timer_new`], on its loop's thread.
pub(crate) unsafe fn timer_stop(handle: NonNull<UvHandle>) {
    // SAFETY: guaranteed by the caller.
    unsafe { uv_timer_stop(handle.as_ptr()) };
}

/// Whether the handle keeps its loop (and so the process) alive.
///
/// # Safety
/// `handle` is a live handle, on its loop's thread.
pub(crate) unsafe fn reference(handle: NonNull<UvHandle>, keep_alive: bool) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        if keep_alive {
            uv_ref(handle.as_ptr());
        } else {
            uv_unref(handle.as_ptr());
        }
    }
}

/// Stops a poll handle: libuv removes its descriptor from the loop at once, so the descriptor
/// may be closed right after.
///
/// # Safety
/// `handle` is a live poll handle from [`poll_start`], on its loop's thread.
pub(crate) unsafe fn poll_stop(handle: NonNull<UvHandle>) {
    // SAFETY: guaranteed by the caller.
    unsafe { uv_poll_stop(handle.as_ptr()) };
}

/// Closes a handle; `callback` runs on a later turn of the loop and must free it.
///
/// # Safety
/// `handle` is live and not closed yet, on its loop's thread.
pub(crate) unsafe fn close(handle: NonNull<UvHandle>, callback: CloseCallback) {
    // SAFETY: guaranteed by the caller.
    unsafe { uv_close(handle.as_ptr(), callback) };
}

unsafe extern "C" fn on_close_free(handle: *mut UvHandle) {
    // SAFETY: libuv is done with the handle once its close callback runs.
    unsafe { free_handle(handle) }
}
