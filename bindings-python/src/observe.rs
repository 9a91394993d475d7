//! What watches a call: the client's `postcore.Hooks` and, when the application has
//! OpenTelemetry configured, the call's spans (`postcore/_otel.py`). The core reports each
//! event of a call to its observer ([`CallWatch`]), which hands it to Python where the caller
//! is:
//!
//! * a blocking call runs its future on the caller's thread (`runtime::block_on`), so the
//!   events are handled right there, with the GIL taken back for the moment: hooks run on the
//!   caller's thread, before the call returns;
//! * an `AsyncPostcore` call runs on the runtime's thread, so its events are queued to the
//!   call's event loop with its completion (`asyncio.rs`, the same queue, so in order and
//!   before the result), and handled when the loop drains it. An attempt waits for the loop to
//!   have started its CLIENT span and given its `traceparent` (at most the attempt's timeout):
//!   the runtime thread never takes the GIL, which the loop's thread holds most of the time.
//!
//! Nothing is made for a call nobody watches: no hooks, and either `tracing=False` or no
//! `opentelemetry.trace` in `sys.modules` (one dictionary lookup per call), means no observer.

use std::sync::Arc;
use std::time::Duration;

use postcore::bindings::{Answer, CallObserver, EventKind, Observed};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use tokio::sync::oneshot;

/// A client's watchers, shared by the clients made from it with `with_options`.
pub(crate) struct Watchers {
    /// The `postcore.Hooks`, and which of its four hooks are set.
    hooks: Option<(Py<PyAny>, [bool; 4])>,
    /// Whether OpenTelemetry spans are made (when the application configured a provider).
    tracing: bool,
}

const HOOK_NAMES: [&str; 4] = [
    "on_request",
    "on_response",
    "on_retry",
    "on_rate_limit_wait",
];

impl Watchers {
    /// From the constructor's `hooks` (a `postcore.Hooks` or `None`) and `tracing`; `None`
    /// when nothing would ever watch.
    pub(crate) fn new(hooks: Option<&Bound<'_, PyAny>>, tracing: bool) -> PyResult<Option<Self>> {
        let hooks = match hooks.filter(|h| !h.is_none()) {
            None => None,
            Some(hooks) => {
                let class = hooks.py().import("postcore._hooks")?.getattr("Hooks")?;
                if !hooks.is_instance(&class)? {
                    return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                        "hooks must be a postcore.Hooks or None, not {}",
                        crate::convert::type_name(hooks)
                    )));
                }
                let mut set = [false; 4];
                for (name, set) in HOOK_NAMES.iter().zip(set.iter_mut()) {
                    *set = !hooks.getattr(*name)?.is_none();
                }
                set.iter()
                    .any(|s| *s)
                    .then(|| (hooks.clone().unbind(), set))
            }
        };
        Ok((hooks.is_some() || tracing).then_some(Self { hooks, tracing }))
    }

    /// The observer of a call starting now, on the caller's thread (`place`: where its events
    /// are handled); `None` when nothing watches it.
    pub(crate) fn start(
        &self,
        py: Python<'_>,
        operation: &str,
        place: Place,
    ) -> PyResult<Option<Arc<dyn CallObserver>>> {
        let span = if self.tracing {
            call_span(py, operation)?
        } else {
            None
        };
        if span.is_none() && self.hooks.is_none() {
            return Ok(None);
        }
        let (hooks, set) = match &self.hooks {
            Some((hooks, set)) => (Some(hooks.clone_ref(py)), *set),
            None => (None, [false; 4]),
        };
        Ok(Some(Arc::new(CallWatch {
            python: Arc::new(Watched { span, hooks }),
            set,
            place,
        })))
    }
}

/// `postcore._otel.call_span(operation)` if the application imported `opentelemetry.trace`
/// (else nothing is imported): the call's spans, or `None` without a configured provider.
fn call_span(py: Python<'_>, operation: &str) -> PyResult<Option<Py<PyAny>>> {
    static MODULES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();
    static CALL_SPAN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let modules = MODULES.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
        Ok(py
            .import("sys")?
            .getattr("modules")?
            .cast_into::<PyDict>()?
            .unbind())
    })?;
    if modules
        .bind(py)
        .get_item(intern!(py, "opentelemetry.trace"))?
        .is_none()
    {
        return Ok(None);
    }
    let function = CALL_SPAN.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("postcore._otel")?.getattr("call_span")?.unbind())
    })?;
    let span = function.bind(py).call1((operation,))?;
    Ok((!span.is_none()).then(|| span.unbind()))
}

/// Work for an event loop's thread that is not a completion: a call's hooks and spans, queued
/// with the completions so that they run in order, before the result.
pub(crate) type Task = Box<dyn FnOnce(Python<'_>) + Send>;

/// An event loop's queue of completions and tasks (`asyncio::Bridge`).
pub(crate) trait LoopQueue: Send + Sync {
    /// Runs `task` on the loop's thread, after what was queued before it.
    fn push_task(&self, task: Task);
}

/// Where a call's events are handled.
pub(crate) enum Place {
    /// Here, on the thread running the call (a blocking call: the caller's).
    Inline,
    /// On the event loop of this queue (an `AsyncPostcore` call).
    Loop(Arc<dyn LoopQueue>),
}

/// One call's observer (see the module docs).
struct CallWatch {
    python: Arc<Watched>,
    set: [bool; 4],
    place: Place,
}

/// A call's Python objects, shared with the events queued to its loop (an `Arc` moves there
/// without the GIL, which cloning a `Py` would need).
struct Watched {
    /// Its `_otel.CallSpan`.
    span: Option<Py<PyAny>>,
    /// The client's `postcore.Hooks`.
    hooks: Option<Py<PyAny>>,
}

/// An event, owned, for the trip to the event loop.
struct Event {
    kind: EventKind,
    operation: String,
    method: String,
    path: String,
    path_template: String,
    url: String,
    server_address: String,
    server_port: u16,
    attempt: u32,
    status: Option<u16>,
    error_type: Option<String>,
    elapsed: f64,
    delay: Option<f64>,
    reason: Option<String>,
    budget: Option<String>,
}

impl Event {
    fn of(observed: &Observed<'_>) -> Self {
        let e = &observed.event;
        Self {
            kind: observed.kind,
            operation: e.operation.to_owned(),
            method: e.method.to_owned(),
            path: e.path.to_owned(),
            path_template: e.path_template.to_owned(),
            url: e.url.to_owned(),
            server_address: e.server_address.to_owned(),
            server_port: e.server_port,
            attempt: e.attempt,
            status: e.status,
            error_type: e.error_type.map(str::to_owned),
            elapsed: e.elapsed.as_secs_f64(),
            delay: e.delay.as_ref().map(Duration::as_secs_f64),
            reason: e.reason.map(str::to_owned),
            budget: e.budget.map(str::to_owned),
        }
    }
}

/// The name `_otel.CallSpan.on` takes for a kind.
fn kind_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Request => "request",
        EventKind::Response => "response",
        EventKind::Failure => "failure",
        EventKind::Retry => "retry",
        EventKind::RateLimitWait => "rate_limit_wait",
        EventKind::Pause => "pause",
        EventKind::Warning => "warning",
        EventKind::End => "end",
    }
}

/// The hook an event kind runs (index into [`HOOK_NAMES`]).
fn hook_of(kind: EventKind) -> Option<usize> {
    match kind {
        EventKind::Request => Some(0),
        EventKind::Response => Some(1),
        EventKind::Retry => Some(2),
        EventKind::RateLimitWait => Some(3),
        _ => None,
    }
}

type Headers = Vec<(String, String)>;

/// Handles one event with the GIL: the spans first (they give the attempt's headers), then
/// hook `hook` (a name of [`HOOK_NAMES`]). Errors of the spans' own code are reported as
/// unraisable; the hooks' are logged by `Hooks._fire`.
fn handle(
    py: Python<'_>,
    python: &Watched,
    spans: bool,
    hook: Option<&str>,
    event: &Event,
) -> Headers {
    let mut headers = Headers::new();
    if let Some(span) = python.span.as_ref().filter(|_| spans) {
        let args = (
            kind_name(event.kind),
            &event.method,
            &event.path_template,
            &event.url,
            &event.server_address,
            event.server_port,
            event.attempt,
            event.status,
            event.error_type.as_deref(),
            event.delay,
            event.reason.as_deref(),
            event.budget.as_deref(),
        );
        match span
            .bind(py)
            .call_method1(intern!(py, "on"), args)
            .and_then(|r| r.extract::<Option<Headers>>())
        {
            Ok(added) => headers = added.unwrap_or_default(),
            Err(error) => error.write_unraisable(py, Some(span.bind(py))),
        }
    }
    if let Some((hooks, name)) = python.hooks.as_ref().zip(hook) {
        let args = (
            name,
            &event.operation,
            &event.method,
            &event.path,
            event.attempt,
            event.status,
            event.elapsed,
            event.delay,
            event.reason.as_deref(),
            event.budget.as_deref(),
        );
        if let Err(error) = hooks.bind(py).call_method1(intern!(py, "_fire"), args) {
            error.write_unraisable(py, Some(hooks.bind(py)));
        }
    }
    headers
}

impl CallObserver for CallWatch {
    fn observe(&self, observed: &Observed<'_>) -> Answer {
        let hook = hook_of(observed.kind)
            .filter(|i| self.set[*i])
            .map(|i| HOOK_NAMES[i]);
        let spans = self.python.span.is_some() && observed.kind != EventKind::Warning;
        if hook.is_none() && !spans {
            return Answer::Nothing;
        }
        let event = Event::of(observed);
        match &self.place {
            Place::Inline => {
                // `try_attach`: nothing once the interpreter is shutting down.
                let headers =
                    Python::try_attach(|py| handle(py, &self.python, spans, hook, &event))
                        .unwrap_or_default();
                Answer::Headers(headers)
            }
            Place::Loop(bridge) => {
                let python = self.python.clone();
                let (reply, answer) = if observed.kind == EventKind::Request && spans {
                    let (sender, receiver) = oneshot::channel::<Headers>();
                    let later = async move { receiver.await.unwrap_or_default() };
                    (Some(sender), Answer::Later(Box::pin(later)))
                } else {
                    (None, Answer::Nothing)
                };
                bridge.push_task(Box::new(move |py| {
                    let headers = handle(py, &python, spans, hook, &event);
                    if let Some(reply) = reply {
                        let _ = reply.send(headers);
                    }
                }));
                answer
            }
        }
    }
}
