//! A call's observer: hands every event the core reports (attempt, response, retry, wait,
//! end; see `postcore::bindings::EventKind`) to the JavaScript function `ts/observe.ts` made
//! for the call, which runs the client's hooks, its `logger` and its OpenTelemetry spans, and
//! answers an attempt with the headers to add (`traceparent`).
//!
//! Both ways calls run keep that on the JavaScript thread:
//!
//! * with the JavaScript-thread driver (`driver.rs`) the call's future runs on that thread, so
//!   the function is called right there, in a handle scope, synchronously;
//! * on napi's runtime thread (the thread driver: Bun, Deno), each event goes through a
//!   threadsafe function, and the call waits for the JavaScript thread to have handled it
//!   (at most an attempt's timeout), which keeps a call's events in order and before its
//!   result.
//!
//! A call nobody watches gets no observer: no function, no reference, no call per event.

use std::ptr;
use std::sync::Arc;
use std::thread::ThreadId;

use napi::bindgen_prelude::{Env, Function, FunctionRef};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Status, sys};
use napi_derive::napi;
use postcore::bindings::{Answer, CallObserver, EventKind, Observed};

use crate::reply::clear_exception;

/// One event of a call, as `ts/observe.ts` receives it (times in milliseconds).
#[napi(object)]
pub struct NativeEvent {
    /// `request`, `response`, `failure`, `retry`, `rateLimitWait`, `pause`, `warning`, `end`.
    pub kind: String,
    pub operation: String,
    pub method: String,
    pub path: String,
    pub path_template: String,
    pub url: String,
    pub server_address: String,
    pub server_port: u32,
    pub attempt: u32,
    pub status: Option<u32>,
    pub error_type: Option<String>,
    pub elapsed: f64,
    pub delay: Option<f64>,
    pub reason: Option<String>,
    pub budget: Option<String>,
    /// The event's log line, when the observer takes lines (a `logger`).
    pub line: Option<String>,
}

impl NativeEvent {
    fn of(observed: &Observed<'_>) -> Self {
        let e = &observed.event;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        Self {
            kind: kind_name(observed.kind).to_owned(),
            operation: e.operation.to_owned(),
            method: e.method.to_owned(),
            path: e.path.to_owned(),
            path_template: e.path_template.to_owned(),
            url: e.url.to_owned(),
            server_address: e.server_address.to_owned(),
            server_port: u32::from(e.server_port),
            attempt: e.attempt,
            status: e.status.map(u32::from),
            error_type: e.error_type.map(str::to_owned),
            elapsed: ms(e.elapsed),
            delay: e.delay.map(ms),
            reason: e.reason.map(str::to_owned),
            budget: e.budget.map(str::to_owned),
            line: observed.line.map(str::to_owned),
        }
    }
}

fn kind_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Request => "request",
        EventKind::Response => "response",
        EventKind::Failure => "failure",
        EventKind::Retry => "retry",
        EventKind::RateLimitWait => "rateLimitWait",
        EventKind::Pause => "pause",
        EventKind::Warning => "warning",
        EventKind::End => "end",
    }
}

/// What the observer function returns: headers as `[name, value, name, value, …]`, or nothing.
type Reply = Option<Vec<String>>;

/// The function of a call, from `ts/observe.ts`.
pub(crate) type ObserverFunction<'env> = Function<'env, NativeEvent, Reply>;

fn headers(reply: Reply) -> Vec<(String, String)> {
    let flat = reply.unwrap_or_default();
    flat.chunks_exact(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect()
}

/// The observer of one call running on this JavaScript thread (`js_thread`: the
/// JavaScript-thread driver), or on napi's runtime thread.
pub(crate) fn observer(
    env: &Env,
    function: &ObserverFunction<'_>,
    lines: bool,
    js_thread: bool,
) -> napi::Result<Arc<dyn CallObserver>> {
    if js_thread {
        return Ok(Arc::new(OnThisThread {
            function: function.create_ref()?,
            env: env.raw(),
            thread: std::thread::current().id(),
            lines,
        }));
    }
    let function = function
        .build_threadsafe_function::<NativeEvent>()
        .weak::<true>()
        .build()?;
    Ok(Arc::new(ThroughTheThread {
        function: Arc::new(function),
        lines,
    }))
}

/// Calls the function synchronously: the call runs on the JavaScript thread.
struct OnThisThread {
    function: FunctionRef<NativeEvent, Reply>,
    env: sys::napi_env,
    /// The JavaScript thread (the env's): the only one the function may be called on.
    thread: ThreadId,
    lines: bool,
}

// SAFETY: `env` is only used on `thread`, its own (checked before each use); the reference is
// released by `FunctionRef`, which routes a release from another thread to the env's.
unsafe impl Send for OnThisThread {}
// SAFETY: as above.
unsafe impl Sync for OnThisThread {}

impl CallObserver for OnThisThread {
    fn observe(&self, observed: &Observed<'_>) -> Answer {
        if std::thread::current().id() != self.thread {
            return Answer::Nothing;
        }
        let env = Env::from_raw(self.env);
        let mut scope = ptr::null_mut();
        // SAFETY: the env of this thread; the scope is closed below.
        if unsafe { sys::napi_open_handle_scope(self.env, &mut scope) } != 0 {
            return Answer::Nothing;
        }
        let reply = self
            .function
            .borrow_back(&env)
            .and_then(|function| function.call(NativeEvent::of(observed)));
        if reply.is_err() {
            clear_exception(self.env);
        }
        // SAFETY: the scope opened above.
        unsafe { sys::napi_close_handle_scope(self.env, scope) };
        match reply {
            Ok(reply) if observed.kind == EventKind::Request => Answer::Headers(headers(reply)),
            _ => Answer::Nothing,
        }
    }

    fn wants_lines(&self) -> bool {
        self.lines
    }
}

type Threadsafe = ThreadsafeFunction<NativeEvent, Reply, NativeEvent, Status, false, true>;

/// Hands each event to the JavaScript thread and waits for it to be handled.
struct ThroughTheThread {
    function: Arc<Threadsafe>,
    lines: bool,
}

impl CallObserver for ThroughTheThread {
    fn observe(&self, observed: &Observed<'_>) -> Answer {
        // Queued now (an event the call does not wait for, such as the end of a cancelled
        // call, still arrives); the answer comes back through the channel.
        let (sender, receiver) = tokio::sync::oneshot::channel::<Reply>();
        // Each queued event holds the function: it is released only once no event is pending
        // (the last one's callback, on the JavaScript thread), never by the call's end on the
        // runtime thread while events are still queued. Releasing a threadsafe function with
        // calls pending is where Deno's implementation has had use-after-free races
        // (denoland/deno#32957), and the end event of a call is not waited for.
        let keep = Arc::clone(&self.function);
        let status = self.function.call_with_return_value(
            NativeEvent::of(observed),
            ThreadsafeFunctionCallMode::NonBlocking,
            move |reply, _env| {
                let _ = sender.send(reply.ok().flatten());
                drop(keep);
                Ok(())
            },
        );
        if status != Status::Ok {
            return Answer::Nothing;
        }
        Answer::Later(Box::pin(
            async move { headers(receiver.await.ok().flatten()) },
        ))
    }

    fn wants_lines(&self) -> bool {
        self.lines
    }
}
