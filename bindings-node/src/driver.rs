//! Running calls on the JavaScript thread that makes them.
//!
//! Each JavaScript environment (the main thread, each worker) gets one current-thread tokio
//! runtime, made on its first call and driven by that environment's libuv loop:
//!
//! * The runtime's I/O driver is an epoll instance, and libuv watches its descriptor
//!   (a `uv_poll_t`): when a response arrives, the loop wakes up and runs the runtime there and
//!   then. A call's request, its connection and its completion all run on the JavaScript
//!   thread, so no call wakes another thread or waits for one (napi's runtime cost two thread
//!   hand-offs per call, each a wake-up through the kernel).
//! * Calls made during one JavaScript turn start together, in one microtask: one run of the
//!   runtime writes all their requests. Every call that finished during one run of the runtime
//!   is settled in one go, in one callback scope (one microtask checkpoint).
//! * The runtime never blocks the thread: it runs under `block_on` of a future that completes
//!   when tokio is about to park (its `on_thread_park` hook) and no more I/O is ready. Timers
//!   (timeouts, retry delays, `posts.wait` polls) fire whenever it runs; while calls are in
//!   flight, a libuv timer makes it run at least every [`MAX_TIMER_MS`] ms.
//! * The poll handle keeps the loop alive only while calls are in flight, so a process exits
//!   after its last call. The environment's teardown (worker exit, process exit) closes the
//!   handles and shuts the runtime down, dropping whatever was still running.
//!
//! It is only tried where it is known to work (Node on Linux with libuv's functions exported:
//! `host.rs` decides); elsewhere (Bun, Deno, an unknown host), where it cannot be set up (no
//! `/proc`, a libuv call failing), or with `POSTCORE_NODE_IO=thread`, calls run on napi's
//! shared runtime instead (`lib.rs`), with one thread hop each way.

use std::cell::{Cell, RefCell};
use std::ffi::{c_int, c_void};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr::{self, NonNull};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use napi::bindgen_prelude::{Env, PromiseRaw};
use napi::sys;
use tokio::runtime::{Builder, Runtime};

use crate::host::{self, Io};
use crate::reply::{Outcome, Pending, clear_exception, json_parse};
use crate::uv::{self, UvHandle};

type Launch = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The longest the runtime goes unrun while calls are in flight: its timers fire at most this
/// late. The wait doubles from 1 ms each time the timer finds nothing else woke the runtime.
const MAX_TIMER_MS: u64 = 16;
/// Rounds (run every ready task, then poll the I/O driver) in one run of the runtime before
/// JavaScript gets a turn again; work left over is still ready, so libuv comes straight back.
const MAX_ROUNDS: u32 = 16;

thread_local! {
    static DRIVER: RefCell<Slot> = const { RefCell::new(Slot::Unset) };
    /// What `before_park` needs: it runs inside `block_on`, while the driver is in use.
    static TURN: TurnState = const {
        TurnState {
            waker: RefCell::new(None),
            idle: Cell::new(false),
            epfd: Cell::new(-1),
            in_flight: Cell::new(0),
            rounds: Cell::new(0),
        }
    };
    /// Calls that finished during the current run of the runtime, by id.
    static FINISHED: RefCell<Vec<(usize, Outcome)>> = const { RefCell::new(Vec::new()) };
    /// Handles being closed at teardown, and the cleanup hook to remove once they are.
    static CLOSING: Cell<(u32, sys::napi_async_cleanup_hook_handle)> =
        const { Cell::new((0, ptr::null_mut())) };
}

enum Slot {
    Unset,
    /// Could not be set up (or torn down): calls use napi's runtime.
    Unavailable,
    Ready(Rc<Driver>),
}

/// The driver of this thread's JavaScript environment, made on first use; `None` where calls
/// must use napi's runtime instead.
pub(crate) fn current(env: &Env) -> Option<Rc<Driver>> {
    DRIVER.with_borrow_mut(|slot| match slot {
        Slot::Ready(driver) => Some(driver.clone()),
        Slot::Unavailable => None,
        Slot::Unset => {
            let made = match host::choose(env.raw()) {
                Io::Js => Driver::new(env),
                Io::Thread => None,
            };
            *slot = match &made {
                Some(driver) => Slot::Ready(driver.clone()),
                None => Slot::Unavailable,
            };
            made
        }
    })
}

/// How this environment's calls run, `"js"` or `"thread"`: the driver is chosen (and set up,
/// or found not to set up) by this call if no call has been made yet. For the tests.
#[napi_derive::napi(catch_unwind)]
pub fn io_driver(env: Env) -> &'static str {
    match current(&env) {
        Some(_) => Io::Js.name(),
        None => Io::Thread.name(),
    }
}

fn ready() -> Option<Rc<Driver>> {
    DRIVER.with_borrow(|slot| match slot {
        Slot::Ready(driver) => Some(driver.clone()),
        _ => None,
    })
}

pub(crate) struct Driver {
    env: sys::napi_env,
    runtime: RefCell<Option<Runtime>>,
    /// The runtime's epoll descriptor, which libuv watches.
    epfd: c_int,
    poll: NonNull<UvHandle>,
    timer: NonNull<UvHandle>,
    async_context: sys::napi_async_context,
    /// The async resource of the callback scopes completions are delivered in.
    resource: sys::napi_ref,
    /// A resolved promise and `Promise.prototype.then`: `then.call(resolved, flush)` queues
    /// the microtask that starts calls (cheaper than `queueMicrotask`, which makes an
    /// `AsyncResource` per use).
    resolved: sys::napi_ref,
    then: sys::napi_ref,
    flush: sys::napi_ref,
    json_parse: sys::napi_ref,
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    /// Calls made since the runtime last ran.
    launches: Vec<Launch>,
    /// Whether a microtask is queued to start the calls made during this JavaScript turn.
    flush_queued: bool,
    /// The promises of calls in flight, by id (slot index).
    calls: Vec<Option<Pending>>,
    free: Vec<usize>,
    in_flight: usize,
    /// Whether the poll handle is referenced (calls are in flight).
    keeping_alive: bool,
    timer_ms: u64,
    running: bool,
    closed: bool,
}

/// Why the runtime runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trigger {
    /// Calls were made (a microtask, from JavaScript).
    Flush,
    /// Its descriptor became readable (a libuv callback).
    Io,
    /// The timer (a libuv callback).
    Timer,
}

impl Driver {
    fn new(env: &Env) -> Option<Rc<Self>> {
        let raw = env.raw();
        let runtime = Builder::new_current_thread()
            .enable_all()
            .thread_name("postcore-blocking")
            .on_thread_park(before_park)
            .build()
            .ok()?;
        let epfd = epoll_fd(&runtime)?;
        let event_loop = env.get_uv_event_loop().ok()?;
        // SAFETY: the loop of this environment, on its thread; `epfd` lives as long as the
        // runtime, which is only dropped after the handle is stopped (`shutdown`).
        let poll = unsafe { uv::poll_start(event_loop, epfd, on_readable) }?;
        // SAFETY: as above.
        let Some(timer) = (unsafe { uv::timer_new(event_loop) }) else {
            // SAFETY: a live handle, closed once.
            unsafe { close_now(poll) };
            return None;
        };
        let napi_parts = NapiParts::new(raw);
        let Some(parts) = napi_parts.filter(|_| add_teardown_hook(raw)) else {
            // SAFETY: live handles, closed once.
            unsafe {
                close_now(poll);
                close_now(timer);
            }
            return None;
        };
        Some(Rc::new(Self {
            env: raw,
            runtime: RefCell::new(Some(runtime)),
            epfd,
            poll,
            timer,
            async_context: parts.async_context,
            resource: parts.resource,
            resolved: parts.resolved,
            then: parts.then,
            flush: parts.flush,
            json_parse: parts.json_parse,
            state: RefCell::new(State {
                timer_ms: 1,
                ..State::default()
            }),
        }))
    }

    /// Starts `call` with the next flush and returns its promise.
    pub(crate) fn submit<'env, T>(
        &self,
        env: &'env Env,
        call: impl Future<Output = Outcome> + Send + 'static,
    ) -> napi::Result<PromiseRaw<'env, T>> {
        let (pending, promise) = Pending::new(env.raw())?;
        let first = {
            let mut state = self.state.borrow_mut();
            let id = match state.free.pop() {
                Some(id) => {
                    state.calls[id] = Some(pending);
                    id
                }
                None => {
                    state.calls.push(Some(pending));
                    state.calls.len() - 1
                }
            };
            state.in_flight += 1;
            state.launches.push(Box::pin(async move {
                let outcome = call.await;
                FINISHED.with_borrow_mut(|finished| finished.push((id, outcome)));
            }));
            if !state.keeping_alive {
                state.keeping_alive = true;
                // SAFETY: the live poll handle, on its loop's thread.
                unsafe { uv::reference(self.poll, true) };
            }
            !std::mem::replace(&mut state.flush_queued, true)
        };
        if first {
            self.queue_flush();
        }
        Ok(PromiseRaw::new(env.raw(), promise))
    }

    /// Starts the queued calls in a microtask: after the JavaScript that made them, before the
    /// loop's next turn.
    fn queue_flush(&self) {
        let env = self.env;
        let mut resolved = ptr::null_mut();
        let mut then = ptr::null_mut();
        let mut flush = ptr::null_mut();
        // SAFETY: references and values of this environment, on its thread.
        let queued = unsafe {
            sys::napi_get_reference_value(env, self.resolved, &mut resolved) == 0
                && sys::napi_get_reference_value(env, self.then, &mut then) == 0
                && sys::napi_get_reference_value(env, self.flush, &mut flush) == 0
                && sys::napi_call_function(env, resolved, then, 1, &flush, ptr::null_mut()) == 0
        };
        if !queued {
            clear_exception(env);
            self.state.borrow_mut().flush_queued = false;
            self.poke();
        }
    }

    /// Makes the runtime's descriptor readable, so libuv runs it on its next turn.
    fn poke(&self) {
        if let Some(runtime) = self.runtime.borrow().as_ref() {
            // Spawned from outside the runtime: queued remotely, with a wake-up of its driver.
            drop(runtime.spawn(async {}));
        }
    }

    /// Runs the runtime until nothing is ready, then settles every call that finished.
    fn run(&self, trigger: Trigger) {
        let (launches, in_flight) = {
            let mut state = self.state.borrow_mut();
            if state.closed || state.running {
                return;
            }
            state.running = true;
            (std::mem::take(&mut state.launches), state.in_flight)
        };
        let ran = {
            let runtime = self.runtime.borrow();
            match runtime.as_ref() {
                // Never inside another runtime's context (block_on would refuse).
                Some(runtime) if tokio::runtime::Handle::try_current().is_err() => {
                    TURN.with(|turn| turn.begin(self.epfd, in_flight));
                    runtime.block_on(Turn {
                        launches,
                        io_first: trigger == Trigger::Io,
                    });
                    TURN.with(TurnState::end);
                    true
                }
                _ => {
                    // Not now: keep the calls for the next run.
                    let mut state = self.state.borrow_mut();
                    let mut launches = launches;
                    launches.append(&mut state.launches);
                    state.launches = launches;
                    false
                }
            }
        };
        let started_meanwhile = {
            let mut state = self.state.borrow_mut();
            state.running = false;
            !state.launches.is_empty()
        };
        if !ran {
            self.poke();
            return;
        }
        if started_meanwhile {
            // Calls made during the run (by a hook or observer, `observe.rs`): from libuv no
            // microtask may come to start them, so the runtime runs again on the next turn.
            self.poke();
        }
        let finished = FINISHED.with_borrow_mut(std::mem::take);
        if !finished.is_empty() {
            self.settle_all(finished, trigger != Trigger::Flush);
        }
        self.rearm(trigger);
    }

    /// Resolves or rejects the promises of finished calls. From libuv (`in_scope`), that
    /// happens inside a callback scope, whose closing runs the microtasks it queued.
    fn settle_all(&self, finished: Vec<(usize, Outcome)>, in_scope: bool) {
        let env_raw = self.env;
        let env = Env::from_raw(env_raw);
        let mut handle_scope = ptr::null_mut();
        let mut callback_scope = ptr::null_mut();
        if in_scope {
            let mut resource = ptr::null_mut();
            // SAFETY: this environment's values, on its thread, with no JavaScript running.
            unsafe {
                sys::napi_open_handle_scope(env_raw, &mut handle_scope);
                sys::napi_get_reference_value(env_raw, self.resource, &mut resource);
                if sys::napi_open_callback_scope(
                    env_raw,
                    resource,
                    self.async_context,
                    &mut callback_scope,
                ) != 0
                {
                    callback_scope = ptr::null_mut();
                }
            }
        }
        let mut json_parse = ptr::null_mut();
        // SAFETY: a reference of this environment, on its thread.
        unsafe { sys::napi_get_reference_value(env_raw, self.json_parse, &mut json_parse) };
        for (id, outcome) in finished {
            let pending = {
                let mut state = self.state.borrow_mut();
                let pending = state.calls.get_mut(id).and_then(Option::take);
                if pending.is_some() {
                    state.free.push(id);
                    state.in_flight -= 1;
                }
                pending
            };
            if let Some(pending) = pending {
                pending.settle(&env, outcome, json_parse);
            }
        }
        // SAFETY: the scopes opened above, closed in reverse order.
        unsafe {
            if !callback_scope.is_null() {
                sys::napi_close_callback_scope(env_raw, callback_scope);
            }
            if !handle_scope.is_null() {
                sys::napi_close_handle_scope(env_raw, handle_scope);
            }
        }
    }

    /// After a run: the loop stays alive, and the timer armed, only while calls are in flight.
    fn rearm(&self, trigger: Trigger) {
        let mut state = self.state.borrow_mut();
        if state.closed {
            return;
        }
        if state.in_flight == 0 {
            if state.keeping_alive {
                state.keeping_alive = false;
                // SAFETY: live handles, on their loop's thread.
                unsafe {
                    uv::reference(self.poll, false);
                    uv::timer_stop(self.timer);
                }
            }
            return;
        }
        state.timer_ms = match trigger {
            Trigger::Timer => (state.timer_ms * 2).min(MAX_TIMER_MS),
            Trigger::Flush | Trigger::Io => 1,
        };
        // SAFETY: the live timer, on its loop's thread.
        unsafe { uv::timer_start(self.timer, on_timer, state.timer_ms) };
    }

    /// The environment is going away: stop watching, close the handles (the cleanup hook is
    /// removed once both are closed), drop the runtime and everything still running on it.
    fn shutdown(&self, hook: sys::napi_async_cleanup_hook_handle) {
        self.state.borrow_mut().closed = true;
        CLOSING.set((2, hook));
        // SAFETY: live handles, on their loop's thread, each closed once; the poll handle is
        // stopped (its descriptor removed from the loop) before the runtime closes it.
        unsafe {
            uv::poll_stop(self.poll);
            uv::timer_stop(self.timer);
            uv::close(self.poll, on_closed);
            uv::close(self.timer, on_closed);
        }
        if let Some(runtime) = self.runtime.borrow_mut().take() {
            // Does not wait for a DNS lookup still running on a blocking thread.
            runtime.shutdown_background();
        }
        let env = self.env;
        // SAFETY: this environment's references, released once.
        unsafe {
            for reference in [
                self.resolved,
                self.then,
                self.flush,
                self.json_parse,
                self.resource,
            ] {
                sys::napi_delete_reference(env, reference);
            }
            sys::napi_async_destroy(env, self.async_context);
        }
    }
}

impl Drop for Driver {
    /// Only reached without a teardown (the process exiting from a thread-local destructor):
    /// never wait there for a DNS lookup on a blocking thread.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.get_mut().take() {
            runtime.shutdown_background();
        }
    }
}

/// The future the runtime runs under `block_on`: spawns the calls to start, then completes
/// once `before_park` finds nothing left to do.
struct Turn {
    launches: Vec<Launch>,
    /// Run because the I/O driver has events: have tokio read them before anything else.
    io_first: bool,
}

impl Future for Turn {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        for launch in this.launches.drain(..) {
            // Spawned from inside the runtime: queued locally, no wake-up.
            drop(tokio::spawn(launch));
        }
        if std::mem::take(&mut this.io_first) {
            // tokio polls its I/O driver only once it runs out of tasks, and would first go
            // through `before_park`; woken now, it polls it at once (without blocking).
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        TURN.with(|turn| {
            if turn.idle.replace(false) {
                Poll::Ready(())
            } else {
                *turn.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }
}

struct TurnState {
    waker: RefCell<Option<Waker>>,
    idle: Cell<bool>,
    epfd: Cell<c_int>,
    /// Calls in flight when the run began (including those it starts).
    in_flight: Cell<usize>,
    rounds: Cell<u32>,
}

impl TurnState {
    fn begin(&self, epfd: c_int, in_flight: usize) {
        self.epfd.set(epfd);
        self.in_flight.set(in_flight);
        self.rounds.set(0);
        self.idle.set(false);
    }

    fn end(&self) {
        self.waker.borrow_mut().take();
        self.idle.set(false);
    }
}

/// tokio's `on_thread_park`: every ready task has run and the runtime would now block. It must
/// not (this is the JavaScript thread), so [`Turn`] is woken, which makes tokio poll its I/O
/// driver without blocking instead; when no more I/O is ready, [`Turn`] completes.
fn before_park() {
    TURN.with(|turn| {
        let Some(waker) = turn.waker.borrow_mut().take() else {
            return;
        };
        let rounds = turn.rounds.get() + 1;
        turn.rounds.set(rounds);
        // Once every call in flight has finished, nothing else is waited for: whatever I/O
        // may still come (an idle connection closing) can wait for libuv. Otherwise, a
        // response that arrived meanwhile is read in this run rather than the next.
        let all_done = FINISHED.with_borrow(Vec::len) >= turn.in_flight.get();
        if all_done || rounds >= MAX_ROUNDS || !readable(turn.epfd.get()) {
            turn.idle.set(true);
        }
        waker.wake();
    });
}

/// Whether `fd` has events to read right now.
fn readable(fd: c_int) -> bool {
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no waiting.
    unsafe { libc::poll(&mut poll, 1, 0) > 0 }
}

/// The environment's napi objects the driver keeps.
struct NapiParts {
    async_context: sys::napi_async_context,
    resource: sys::napi_ref,
    resolved: sys::napi_ref,
    then: sys::napi_ref,
    flush: sys::napi_ref,
    json_parse: sys::napi_ref,
}

impl NapiParts {
    fn new(env: sys::napi_env) -> Option<Self> {
        const NAME: &str = "postcore";
        const FLUSH: &str = "postcoreStartCalls";
        let mut resource = ptr::null_mut();
        let mut name = ptr::null_mut();
        let mut async_context = ptr::null_mut();
        let mut deferred = ptr::null_mut();
        let mut resolved = ptr::null_mut();
        let mut undefined = ptr::null_mut();
        let mut then = ptr::null_mut();
        let mut kind = 0;
        let mut flush = ptr::null_mut();
        let parse = json_parse(env);
        let mut refs = [ptr::null_mut(); 5];
        // SAFETY: a valid env on its own thread; every out-pointer is a local.
        let ok = !parse.is_null()
            && unsafe {
                sys::napi_create_object(env, &mut resource) == 0
                    && sys::napi_create_string_utf8(
                        env,
                        NAME.as_ptr().cast(),
                        NAME.len() as isize,
                        &mut name,
                    ) == 0
                    && sys::napi_async_init(env, resource, name, &mut async_context) == 0
                    && sys::napi_create_promise(env, &mut deferred, &mut resolved) == 0
                    && sys::napi_get_undefined(env, &mut undefined) == 0
                    && sys::napi_resolve_deferred(env, deferred, undefined) == 0
                    && sys::napi_get_named_property(env, resolved, c"then".as_ptr(), &mut then) == 0
                    && sys::napi_typeof(env, then, &mut kind) == 0
                    && kind == sys::ValueType::napi_function
                    && sys::napi_create_function(
                        env,
                        FLUSH.as_ptr().cast(),
                        FLUSH.len() as isize,
                        Some(on_flush),
                        ptr::null_mut(),
                        &mut flush,
                    ) == 0
                    && [resource, resolved, then, flush, parse]
                        .iter()
                        .zip(refs.iter_mut())
                        .all(|(value, reference)| {
                            sys::napi_create_reference(env, *value, 1, reference) == 0
                        })
            };
        if !ok {
            clear_exception(env);
            return None;
        }
        let [resource, resolved, then, flush, json_parse] = refs;
        Some(Self {
            async_context,
            resource,
            resolved,
            then,
            flush,
            json_parse,
        })
    }
}

/// Registers [`on_teardown`]; `false` if that failed.
fn add_teardown_hook(env: sys::napi_env) -> bool {
    // SAFETY: a valid env; the hook takes no data.
    unsafe {
        sys::napi_add_async_cleanup_hook(env, Some(on_teardown), ptr::null_mut(), ptr::null_mut())
            == 0
    }
}

/// The microtask that starts the calls made during the JavaScript turn that queued it.
unsafe extern "C" fn on_flush(
    _env: sys::napi_env,
    _info: sys::napi_callback_info,
) -> sys::napi_value {
    let _ = catch_unwind(|| {
        if let Some(driver) = ready() {
            let waiting = {
                let mut state = driver.state.borrow_mut();
                state.flush_queued = false;
                !state.launches.is_empty()
            };
            if waiting {
                driver.run(Trigger::Flush);
            }
        }
    });
    ptr::null_mut()
}

unsafe extern "C" fn on_readable(_handle: *mut UvHandle, _status: c_int, _events: c_int) {
    let _ = catch_unwind(|| {
        if let Some(driver) = ready() {
            driver.run(Trigger::Io);
        }
    });
}

unsafe extern "C" fn on_timer(_handle: *mut UvHandle) {
    let _ = catch_unwind(|| {
        if let Some(driver) = ready() {
            driver.run(Trigger::Timer);
        }
    });
}

unsafe extern "C" fn on_teardown(hook: sys::napi_async_cleanup_hook_handle, _data: *mut c_void) {
    let driver = catch_unwind(|| {
        DRIVER.with_borrow_mut(|slot| match std::mem::replace(slot, Slot::Unavailable) {
            Slot::Ready(driver) => Some(driver),
            _ => None,
        })
    });
    match driver {
        Ok(Some(driver)) => {
            let shut = catch_unwind(AssertUnwindSafe(|| driver.shutdown(hook)));
            if shut.is_err() {
                // SAFETY: the hook handle this callback was given, removed once.
                unsafe { sys::napi_remove_async_cleanup_hook(hook) };
            }
        }
        // SAFETY: as above.
        _ => unsafe {
            sys::napi_remove_async_cleanup_hook(hook);
        },
    }
}

unsafe extern "C" fn on_closed(handle: *mut UvHandle) {
    // SAFETY: libuv is done with a handle once its close callback runs.
    unsafe { uv::free_handle(handle) };
    let (left, hook) = CLOSING.get();
    let left = left.saturating_sub(1);
    CLOSING.set((left, hook));
    if left == 0 && !hook.is_null() {
        CLOSING.set((0, ptr::null_mut()));
        // SAFETY: the teardown hook's handle, removed once, after both handles closed.
        unsafe { sys::napi_remove_async_cleanup_hook(hook) };
    }
}

/// Closes a handle that never served (setup failed halfway).
///
/// # Safety
/// `handle` is live and not closed yet, on its loop's thread.
unsafe fn close_now(handle: NonNull<UvHandle>) {
    unsafe extern "C" fn free(handle: *mut UvHandle) {
        // SAFETY: libuv is done with the handle once its close callback runs.
        unsafe { uv::free_handle(handle) };
    }
    // SAFETY: guaranteed by the caller.
    unsafe { uv::close(handle, free) };
}

/// The descriptor of `runtime`'s epoll instance, found by registering a socket with the
/// runtime and looking for the one epoll instance in this process that watches it
/// (`/proc/self/fdinfo` lists each epoll descriptor's targets). tokio does not expose it.
#[cfg(target_os = "linux")]
fn epoll_fd(runtime: &Runtime) -> Option<c_int> {
    use std::os::fd::AsRawFd;

    let (probe, _peer) = std::os::unix::net::UnixStream::pair().ok()?;
    probe.set_nonblocking(true).ok()?;
    let _entered = runtime.enter();
    let probe = tokio::net::UnixStream::from_std(probe).ok()?;
    let target = probe.as_raw_fd();
    let mut found = None;
    for entry in std::fs::read_dir("/proc/self/fd").ok()?.flatten() {
        let is_epoll = std::fs::read_link(entry.path())
            .is_ok_and(|link| link.as_os_str() == "anon_inode:[eventpoll]");
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<c_int>().ok())
            .filter(|_| is_epoll)
        else {
            continue;
        };
        let Ok(info) = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")) else {
            continue;
        };
        let watches_probe = info.lines().any(|line| {
            line.strip_prefix("tfd:")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse::<c_int>().ok())
                == Some(target)
        });
        // tokio keeps a duplicate of the descriptor (its registry): either serves.
        if watches_probe && found.is_none() {
            found = Some(fd);
        }
    }
    found
}

#[cfg(not(target_os = "linux"))]
fn epoll_fd(_runtime: &Runtime) -> Option<c_int> {
    None
}
