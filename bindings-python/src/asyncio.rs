//! The asyncio side of `AsyncPostcore`: calls run on the tokio runtime, and their completions
//! reach the event loop in batches.
//!
//! The obvious bridge (what `pyo3-async-runtimes` does) makes every completion take the GIL on
//! a runtime thread and wake the event loop on its own: with many calls in flight, runtime
//! threads queue for the GIL the loop thread holds, and the loop wakes once per call. Here a
//! finished call never touches the interpreter: its outcome is pushed onto a queue of the
//! loop's [`Bridge`], and only the first push after a drain wakes the loop (one byte on a
//! socket the loop watches with `add_reader`; where the loop cannot watch sockets, e.g.
//! Windows' proactor loop, one `call_soon_threadsafe` per batch). The loop thread then
//! resolves every finished call in one go.
//!
//! A call is a [`PendingCall`]: a native coroutine (it implements the coroutine protocol and is
//! registered as a `collections.abc.Coroutine`, so `await`, `asyncio.gather`,
//! `asyncio.create_task` and `TaskGroup` take it) that does nothing until first awaited, like a
//! coroutine, and then yields one asyncio future. Cancelling the task that awaits it throws
//! into it, which aborts the request.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use pyo3::exceptions::{PyRuntimeError, PyStopIteration};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;
use tokio::sync::oneshot;

use crate::call::{Job, Outcome};
use crate::observe::{LoopQueue, Place, Task};
use crate::runtime;

/// A finished call, waiting on the Rust side for its loop to collect it.
struct Completion {
    future: Py<PyAny>,
    parse: Py<PyAny>,
    outcome: Outcome,
}

/// What a loop collects from its queue.
enum Delivery {
    Completion(Completion),
    Task(Task),
}

/// How a finished call wakes its event loop.
enum Wake {
    /// A socket the loop watches (`loop.add_reader`): writing needs no GIL.
    #[cfg(unix)]
    Socket(std::os::unix::net::UnixStream),
    /// `loop.call_soon_threadsafe(drain)`, for loops that cannot watch sockets.
    Threadsafe {
        event_loop: Py<PyAny>,
        drain: Py<PyAny>,
    },
}

/// The completions of one event loop's calls.
pub(crate) struct Bridge {
    queue: Mutex<Vec<Delivery>>,
    /// Whether the loop has been woken since its last drain: later completions only queue.
    signaled: AtomicBool,
    wake: Mutex<Option<Wake>>,
    #[cfg(unix)]
    reader: Option<std::os::unix::net::UnixStream>,
}

impl Bridge {
    fn push(&self, delivery: Delivery) {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(delivery);
        if !self.signaled.swap(true, Ordering::AcqRel) {
            self.wake();
        }
    }

    fn wake(&self) {
        let wake = self.wake.lock().unwrap_or_else(PoisonError::into_inner);
        match wake.as_ref() {
            #[cfg(unix)]
            Some(Wake::Socket(socket)) => {
                use std::io::Write;
                // A full buffer means a wake-up is already pending: nothing is lost.
                let _ = (&*socket).write(&[1]);
            }
            Some(Wake::Threadsafe { event_loop, drain }) => {
                // Once per batch; `try_attach` does nothing once the interpreter is exiting.
                let _ = Python::try_attach(|py| {
                    let _ = event_loop
                        .bind(py)
                        .call_method1("call_soon_threadsafe", (drain.bind(py),));
                });
            }
            None => {}
        }
    }

    /// Resolves every queued call's future (on the loop thread).
    fn drain(&self, py: Python<'_>) {
        #[cfg(unix)]
        if let Some(reader) = &self.reader {
            use std::io::Read;
            // One byte per wake-up, and at most a few pending: one read empties the socket.
            let mut sink = [0u8; 4096];
            while matches!((&*reader).read(&mut sink), Ok(n) if n == sink.len()) {}
        }
        // Cleared before the queue is taken: a completion pushed from here on wakes us again.
        self.signaled.store(false, Ordering::Release);
        let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(PoisonError::into_inner));
        for delivery in batch {
            match delivery {
                Delivery::Completion(completion) => resolve(py, completion),
                Delivery::Task(task) => task(py),
            }
        }
    }
}

impl LoopQueue for Bridge {
    fn push_task(&self, task: Task) {
        self.push(Delivery::Task(task));
    }
}

fn resolve(py: Python<'_>, completion: Completion) {
    let future = completion.future.bind(py);
    if future
        .call_method0("cancelled")
        .and_then(|c| c.extract::<bool>())
        .unwrap_or(true)
    {
        return;
    }
    let value = completion
        .outcome
        .into_pyobject(py)
        .and_then(|data| completion.parse.bind(py).call1((data,)));
    let _ = match value {
        Ok(value) => future.call_method1("set_result", (value,)),
        Err(error) => future.call_method1("set_exception", (error.into_value(py),)),
    };
}

/// The callable the event loop runs to collect finished calls.
#[pyclass(frozen, module = "postcore._postcore")]
pub(crate) struct Drain {
    bridge: Arc<Bridge>,
}

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) {
        self.bridge.drain(py);
    }
}

/// A loop's bridge, per thread (a running loop belongs to one thread): looked up by identity,
/// with loops that are closed or belong to another process (after `fork()`) forgotten.
struct Entry {
    event_loop: Py<PyAny>,
    pid: u32,
    bridge: Arc<Bridge>,
}

thread_local! {
    static BRIDGES: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

fn bridge_for(event_loop: &Bound<'_, PyAny>) -> PyResult<Arc<Bridge>> {
    let pid = crate::process::id();
    let found = BRIDGES.with_borrow(|entries| {
        entries
            .iter()
            .find(|e| e.pid == pid && e.event_loop.bind(event_loop.py()).is(event_loop))
            .map(|e| e.bridge.clone())
    });
    if let Some(bridge) = found {
        return Ok(bridge);
    }
    let bridge = new_bridge(event_loop)?;
    BRIDGES.with_borrow_mut(|entries| {
        entries.retain(|e| {
            e.pid == pid
                && !e
                    .event_loop
                    .bind(event_loop.py())
                    .call_method0("is_closed")
                    .and_then(|c| c.extract::<bool>())
                    .unwrap_or(true)
        });
        entries.push(Entry {
            event_loop: event_loop.clone().unbind(),
            pid,
            bridge: bridge.clone(),
        });
    });
    Ok(bridge)
}

fn new_bridge(event_loop: &Bound<'_, PyAny>) -> PyResult<Arc<Bridge>> {
    let py = event_loop.py();
    #[cfg(unix)]
    {
        if let Ok((reader, writer)) = std::os::unix::net::UnixStream::pair() {
            if reader.set_nonblocking(true).is_ok() && writer.set_nonblocking(true).is_ok() {
                use std::os::fd::AsRawFd;
                let fd = reader.as_raw_fd();
                let bridge = Arc::new(Bridge {
                    queue: Mutex::new(Vec::new()),
                    signaled: AtomicBool::new(false),
                    wake: Mutex::new(Some(Wake::Socket(writer))),
                    reader: Some(reader),
                });
                let drain = Py::new(
                    py,
                    Drain {
                        bridge: bridge.clone(),
                    },
                )?;
                // Loops that cannot watch sockets (a proactor loop) raise NotImplementedError.
                if event_loop.call_method1("add_reader", (fd, drain)).is_ok() {
                    return Ok(bridge);
                }
            }
        }
    }
    let bridge = Arc::new(Bridge {
        queue: Mutex::new(Vec::new()),
        signaled: AtomicBool::new(false),
        wake: Mutex::new(None),
        #[cfg(unix)]
        reader: None,
    });
    let drain = Py::new(
        py,
        Drain {
            bridge: bridge.clone(),
        },
    )?;
    *bridge.wake.lock().unwrap_or_else(PoisonError::into_inner) = Some(Wake::Threadsafe {
        event_loop: event_loop.clone().unbind(),
        drain: drain.into_any(),
    });
    Ok(bridge)
}

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

thread_local! {
    /// The loop this thread ran last, to skip `asyncio.get_running_loop()` (which asks the
    /// kernel for the pid on every call) while that loop is still the one running here.
    static LAST_LOOP: RefCell<Option<Py<PyAny>>> = const { RefCell::new(None) };
}

/// The event loop running in this thread.
fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let cached = LAST_LOOP.with_borrow(|last| last.as_ref().map(|l| l.clone_ref(py)));
    if let Some(event_loop) = cached {
        let event_loop = event_loop.into_bound(py);
        // asyncio (and uvloop) loops record the thread running them in `_thread_id`.
        if event_loop
            .getattr("_thread_id")
            .and_then(|id| id.extract::<u64>())
            .is_ok_and(|id| id == current_thread_ident())
        {
            return Ok(event_loop);
        }
    }
    let event_loop = GET_RUNNING_LOOP
        .get_or_try_init(py, || {
            py.import("asyncio")?
                .getattr("get_running_loop")
                .map(Bound::unbind)
        })?
        .bind(py)
        .call0()?;
    LAST_LOOP.with_borrow_mut(|last| *last = Some(event_loop.clone().unbind()));
    Ok(event_loop)
}

/// `threading.get_ident()` of this thread.
fn current_thread_ident() -> u64 {
    #[cfg(unix)]
    {
        // SAFETY: pthread_self has no preconditions; CPython's thread ident is this value.
        unsafe { libc::pthread_self() as u64 }
    }
    #[cfg(not(unix))]
    {
        u64::MAX
    }
}

// One per awaited call, moved out once when it is first awaited: boxing `Ready` would only
// add an allocation per call.
#[allow(clippy::large_enum_variant)]
enum State {
    /// Not awaited yet: nothing has been sent.
    Ready {
        job: Box<Job>,
        parse: Py<PyAny>,
    },
    /// Its arguments were refused: raised when awaited, as a coroutine would.
    Refused(PyErr),
    /// Running; `future` resolves when it is done; sending on (or dropping) `abort` stops it.
    Running {
        future: Py<PyAny>,
        abort: oneshot::Sender<()>,
    },
    Done,
}

/// One `AsyncPostcore` call: a native coroutine resolving to `parse(result)`.
#[pyclass(module = "postcore._postcore", name = "PendingCall")]
pub struct PendingCall {
    state: State,
}

impl PendingCall {
    pub(crate) fn new(job: Job, parse: Py<PyAny>) -> Self {
        Self {
            state: State::Ready {
                job: Box::new(job),
                parse,
            },
        }
    }

    pub(crate) fn refused(error: PyErr) -> Self {
        Self {
            state: State::Refused(error),
        }
    }

    fn step(&mut self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Ready { job, parse } => {
                let event_loop = running_loop(py)?;
                let bridge = bridge_for(&event_loop)?;
                // Watched from here, in the awaiting task's context (its current span).
                let job = job.watch(py, Place::Loop(bridge.clone()))?;
                let future = event_loop.call_method0("create_future")?;
                future.setattr("_asyncio_future_blocking", true)?;
                let completion_future = future.clone().unbind();
                let raw = job.raw;
                let (abort, aborted) = oneshot::channel::<()>();
                runtime::launcher()?.launch(Box::pin(async move {
                    tokio::select! {
                        biased;
                        // Cancelled (or the call object is gone): drop the request.
                        _ = aborted => {}
                        result = job.run() => {
                            // What is not needed is freed here, on the runtime thread that
                            // allocated it, not on the event loop's.
                            let result = result.map(|mut response| {
                                if !raw {
                                    response.headers = postcore::HeaderMap::new();
                                }
                                response
                            });
                            bridge.push(Delivery::Completion(Completion {
                                future: completion_future,
                                parse,
                                outcome: Outcome { result, raw },
                            }));
                        }
                    }
                }));
                let future = future.unbind();
                self.state = State::Running {
                    future: future.clone_ref(py),
                    abort,
                };
                Ok(future)
            }
            State::Running { future, abort } => {
                let bound = future.bind(py);
                if !bound.call_method0("done")?.extract::<bool>()? {
                    // Woken early: wait on the same future again.
                    bound.setattr("_asyncio_future_blocking", true)?;
                    self.state = State::Running {
                        future: future.clone_ref(py),
                        abort,
                    };
                    return Ok(future);
                }
                let value = bound.call_method0("result")?;
                Err(PyStopIteration::new_err((value.unbind(),)))
            }
            State::Refused(error) => Err(error),
            State::Done => Err(PyRuntimeError::new_err(
                "cannot reuse an already awaited postcore call",
            )),
        }
    }

    fn abort(&mut self, py: Python<'_>) {
        if let State::Running { future, abort } = std::mem::replace(&mut self.state, State::Done) {
            let _ = abort.send(());
            let _ = future.bind(py).call_method0("cancel");
        }
    }
}

#[pymethods]
impl PendingCall {
    fn __await__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.step(py)
    }

    fn send(&mut self, py: Python<'_>, _value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.step(py)
    }

    /// Throwing into the call (its task was cancelled) aborts the request, then raises.
    #[pyo3(signature = (kind, value = None, _traceback = None))]
    fn throw(
        &mut self,
        py: Python<'_>,
        kind: &Bound<'_, PyAny>,
        value: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.abort(py);
        let error = match value.filter(|v| !v.is_none()) {
            Some(value) => value.clone(),
            None if kind.is_instance_of::<pyo3::types::PyType>() => kind.call0()?,
            None => kind.clone(),
        };
        Err(PyErr::from_value(error))
    }

    fn close(&mut self, py: Python<'_>) {
        self.abort(py);
    }

    fn __repr__(&self) -> &'static str {
        match self.state {
            State::Ready { .. } | State::Refused(_) => "<postcore call (not awaited)>",
            State::Running { .. } => "<postcore call (running)>",
            State::Done => "<postcore call (done)>",
        }
    }
}

/// Registers [`PendingCall`] as a `collections.abc.Coroutine`, which `asyncio.create_task` and
/// `asyncio.iscoroutine` check for.
pub(crate) fn register(py: Python<'_>, module: &Bound<'_, PyModule>) -> PyResult<()> {
    let class = module.getattr("PendingCall")?;
    py.import("collections.abc")?
        .getattr("Coroutine")?
        .call_method1("register", PyTuple::new(py, [class])?)?;
    Ok(())
}
