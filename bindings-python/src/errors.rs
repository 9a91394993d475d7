//! Core errors as the pure-Python exception classes of `postcore._errors`: one generic
//! conversion for every kind of error and every endpoint.
//!
//! The class is chosen by name with [`postcore::ErrorKind::class_name`], so the Python, Node and
//! Rust packages always agree (a test checks `postcore`'s classes against [`error_kinds`]).
//! Argument errors become the built-in `ValueError` / `TypeError`, as Python users expect.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyModule};

use crate::convert;

/// The Python module that defines the exception classes.
const ERRORS_MODULE: &str = "postcore._errors";

static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    MODULE
        .get_or_try_init(py, || py.import(ERRORS_MODULE).map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// `(class name, parent class name or None)` for every kind raised as a postcore class, parents
/// first (the two argument kinds are raised as `ValueError` / `TypeError` and left out).
pub(crate) fn error_kinds() -> Vec<(&'static str, Option<&'static str>)> {
    postcore::ErrorKind::ALL
        .iter()
        .filter(|kind| !kind.is_argument_error())
        .map(|kind| (kind.class_name(), kind.parent().map(|p| p.class_name())))
        .collect()
}

/// The Python exception for a core error, with every attribute set (see `PostcoreError`).
/// `str()` of it is the core's message for the error.
pub(crate) fn to_py_err(py: Python<'_>, err: &postcore::Error) -> PyErr {
    match err.kind() {
        postcore::ErrorKind::InvalidArgument => PyValueError::new_err(err.to_string()),
        postcore::ErrorKind::InvalidArgumentType => PyTypeError::new_err(err.to_string()),
        _ => build(py, err).unwrap_or_else(|e| e),
    }
}

fn build(py: Python<'_>, err: &postcore::Error) -> PyResult<PyErr> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("message", err.message())?;
    kwargs.set_item("status_code", err.status())?;
    kwargs.set_item("code", err.code())?;
    kwargs.set_item("body", body(py, err)?)?;
    kwargs.set_item("body_text", err.body_text())?;
    kwargs.set_item("headers", headers(py, err.headers())?)?;
    kwargs.set_item("retry_after", err.retry_after().map(|d| d.as_secs_f64()))?;
    kwargs.set_item("rate_limit", rate_limit(py, err.rate_limit())?)?;
    kwargs.set_item("attempts", err.attempts())?;
    kwargs.set_item("may_have_been_processed", err.may_have_been_processed())?;
    kwargs.set_item("platform", err.platform())?;
    // A value Python cannot represent (a date past year 9999) becomes None rather than
    // replacing the error the caller needs to see.
    let next_available = err
        .next_available()
        .and_then(|t| convert::utc_datetime(py, t.unix_seconds_f64()).ok());
    kwargs.set_item("next_available", next_available)?;
    kwargs.set_item(
        "missing_platforms",
        PyList::new(py, err.missing_platforms())?,
    )?;
    let post = postcore::bindings::error_post(err).and_then(|json| model(py, "Post", &json).ok());
    kwargs.set_item("post", post)?;
    // Every post waited for (`posts.wait_many`), as last seen.
    let posts: Vec<Bound<'_, PyAny>> = match postcore::bindings::error_posts(err) {
        Some(serde_json::Value::Array(posts)) => posts
            .iter()
            .filter_map(|json| model(py, "Post", json).ok())
            .collect(),
        _ => Vec::new(),
    };
    kwargs.set_item("posts", PyList::new(py, posts)?)?;
    instantiate(py, err.kind().class_name(), &err.to_string(), &kwargs)
}

/// An instance of the class `name` (falling back to `PostcoreError` should the core ever name
/// a class this package does not define yet; the export test catches that first).
fn instantiate(
    py: Python<'_>,
    name: &str,
    text: &str,
    kwargs: &Bound<'_, PyDict>,
) -> PyResult<PyErr> {
    let module = module(py)?;
    let class = match module.getattr(name) {
        Ok(class) => class,
        Err(_) => module.getattr("PostcoreError")?,
    };
    Ok(PyErr::from_value(class.call((text,), Some(kwargs))?))
}

/// A pure-Python model (`postcore._models.<name>`) from its JSON.
pub(crate) fn model<'py>(
    py: Python<'py>,
    name: &str,
    json: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    py.import("postcore._models")?
        .getattr(name)?
        .call_method1("from_dict", (convert::to_py(py, json)?,))
}

/// A `postcore.RateLimit`, or `None` when the response had no `X-RateLimit-*` headers.
pub(crate) fn rate_limit<'py>(
    py: Python<'py>,
    limit: Option<&postcore::RateLimit>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(limit) = limit else {
        return Ok(None);
    };
    let reset = match limit.reset {
        // Unix seconds; far-future values that `datetime` cannot hold become None.
        Some(secs) => convert::utc_datetime(py, secs as f64).ok(),
        None => None,
    };
    let kwargs = PyDict::new(py);
    kwargs.set_item("limit", limit.limit)?;
    kwargs.set_item("remaining", limit.remaining)?;
    kwargs.set_item("reset", reset)?;
    py.import("postcore._response")?
        .getattr("RateLimit")?
        .call((), Some(&kwargs))
        .map(Some)
}

/// The decoded JSON body when the body was JSON, else the raw text; `None` without a response.
fn body<'py>(py: Python<'py>, err: &postcore::Error) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(text) = err.body_text() else {
        return Ok(None);
    };
    if err.body_json().is_some() {
        // Python's own decoder, so that numbers keep Python's semantics (exact big ints).
        if let Ok(value) = py.import("json")?.call_method1("loads", (text,)) {
            return Ok(Some(value));
        }
    }
    Ok(Some(text.into_pyobject(py)?.into_any()))
}

/// The response headers as a dict with lowercase names; repeated headers joined with `", "`.
fn headers<'py>(
    py: Python<'py>,
    headers: Option<&postcore::HeaderMap>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, value) in headers.into_iter().flatten() {
        let value = String::from_utf8_lossy(value.as_bytes());
        let value = match dict.get_item(name.as_str())? {
            Some(previous) => format!("{}, {value}", previous.extract::<String>()?),
            None => value.into_owned(),
        };
        dict.set_item(name.as_str(), value)?;
    }
    Ok(dict)
}

/// A `postcore.PostcoreError` with a message, for failures of the binding itself.
pub(crate) fn postcore_error(message: &str) -> PyErr {
    simple("PostcoreError", message)
}

/// A `postcore.APIConnectionError` with a message and no response.
pub(crate) fn connection_error(message: &str) -> PyErr {
    simple("APIConnectionError", message)
}

fn simple(class: &str, message: &str) -> PyErr {
    Python::attach(|py| {
        let make = || -> PyResult<PyErr> {
            let kwargs = PyDict::new(py);
            kwargs.set_item("message", message)?;
            instantiate(py, class, message, &kwargs)
        };
        make().unwrap_or_else(|e| e)
    })
}
