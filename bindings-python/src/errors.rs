//! Core errors as the pure-Python exception classes of `postcore._errors`.
//!
//! The class is chosen by name with [`postcore::ErrorKind::class_name`], so the Python, Node and
//! Rust packages always agree; argument errors become the built-in `ValueError`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

/// The Python module that defines the exception classes.
const ERRORS_MODULE: &str = "postcore._errors";

static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    MODULE
        .get_or_try_init(py, || py.import(ERRORS_MODULE).map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// The Python exception for a core error, with `status_code`, `code`, `message`, `body`,
/// `body_text`, `headers` and `retry_after` set. `str()` of it is the core's message for the error.
pub(crate) fn to_py_err(py: Python<'_>, err: &postcore::Error) -> PyErr {
    if err.kind() == postcore::ErrorKind::InvalidArgument {
        return PyValueError::new_err(err.to_string());
    }
    build(py, err).unwrap_or_else(|e| e)
}

fn build(py: Python<'_>, err: &postcore::Error) -> PyResult<PyErr> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("message", err.message())?;
    kwargs.set_item("status_code", err.status())?;
    kwargs.set_item("code", err.code())?;
    kwargs.set_item("body", body(py, err)?)?;
    kwargs.set_item("body_text", err.body())?;
    kwargs.set_item("headers", headers(py, err.headers())?)?;
    kwargs.set_item("retry_after", err.retry_after().map(|d| d.as_secs_f64()))?;
    instantiate(py, err.kind().class_name(), &err.to_string(), &kwargs)
}

/// An instance of the class `name` (falling back to `PostcoreError` should the core ever name
/// a class this package does not define yet).
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

/// The decoded JSON body when the body was JSON, else the raw text; `None` without a response.
fn body<'py>(py: Python<'py>, err: &postcore::Error) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(text) = err.body() else {
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
