//! The client's and each call's options (not the operations' arguments, which go to the core
//! as JSON, see `convert`): wrong types raise `TypeError`, bad values `ValueError`, before any
//! request is made. (`bool` is refused where a number is expected.)

use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::convert::type_name;

fn given<'a, 'py>(value: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    value.filter(|v| !v.is_none())
}

/// An optional string argument (`None` = not given).
pub(crate) fn optional_str(
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<String>> {
    let Some(value) = given(value) else {
        return Ok(None);
    };
    if !value.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a str or None, not {}",
            type_name(value)
        )));
    }
    value.extract::<String>().map(Some)
}

/// A timeout in seconds (int or float, positive, at most a day); `None` = not given.
pub(crate) fn timeout(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Duration>> {
    let Some(value) = given(value) else {
        return Ok(None);
    };
    if value.is_instance_of::<PyBool>()
        || !(value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>())
    {
        return Err(PyTypeError::new_err(format!(
            "timeout must be a number of seconds (int or float) or None, not {}",
            type_name(value)
        )));
    }
    let seconds: f64 = value
        .extract()
        .map_err(|_| PyValueError::new_err("timeout is out of range"))?;
    postcore::bindings::timeout_from_secs(seconds)
        .map(Some)
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// A bound on a wait in seconds (int or float, zero allowed, at most a day); `None` = not
/// given.
pub(crate) fn wait_seconds(
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Duration>> {
    seconds_with(name, value, postcore::bindings::wait_from_secs)
}

/// A length of time in seconds (int or float, non-negative; the option checks its range);
/// `None` = not given.
pub(crate) fn seconds(name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Duration>> {
    seconds_with(name, value, postcore::bindings::duration_from_secs)
}

fn seconds_with(
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
    convert: fn(f64, &str) -> postcore::Result<Duration>,
) -> PyResult<Option<Duration>> {
    let Some(value) = given(value) else {
        return Ok(None);
    };
    if value.is_instance_of::<PyBool>()
        || !(value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>())
    {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a number of seconds (int or float) or None, not {}",
            type_name(value)
        )));
    }
    let seconds: f64 = value
        .extract()
        .map_err(|_| PyValueError::new_err(format!("{name} is out of range")))?;
    convert(seconds, name)
        .map(Some)
        .map_err(|e| PyValueError::new_err(e.message().to_owned()))
}

/// A number of retries (a non-negative int); `None` = not given.
pub(crate) fn max_retries(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u32>> {
    let Some(value) = given(value) else {
        return Ok(None);
    };
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "max_retries must be an int or None, not {}",
            type_name(value)
        )));
    }
    let retries: i64 = value
        .extract()
        .map_err(|_| PyValueError::new_err("max_retries is out of range"))?;
    // i64 -> f64 may round huge values, but those are refused as out of range either way.
    postcore::bindings::max_retries_from(retries as f64, "max_retries")
        .map(Some)
        .map_err(|e| PyValueError::new_err(e.message().to_owned()))
}

/// The most connections a client opens (a positive int); `None` = not given. Zero is left to
/// the core, which refuses it with a `ConfigurationError` naming the option.
pub(crate) fn max_connections(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let Some(value) = given(value) else {
        return Ok(None);
    };
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "max_connections must be an int or None, not {}",
            type_name(value)
        )));
    }
    value
        .extract::<usize>()
        .map(Some)
        .map_err(|_| PyValueError::new_err("max_connections must be a positive int (e.g. 100)"))
}

/// CA certificate files: one path (`str` or `os.PathLike`) or a list/tuple of them.
pub(crate) fn paths(name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(value) = given(value) else {
        return Ok(Vec::new());
    };
    let one = |item: &Bound<'_, PyAny>| -> PyResult<String> {
        let path = item
            .py()
            .import("os")?
            .call_method1("fspath", (item,))
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "{name} must be a path (str or os.PathLike) or a list of paths, not {}",
                    type_name(item)
                ))
            })?;
        path.extract::<String>().map_err(|_| {
            PyTypeError::new_err(format!("{name} must be given as str paths, not bytes"))
        })
    };
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        value.try_iter()?.map(|item| one(&item?)).collect()
    } else {
        one(value).map(|path| vec![path])
    }
}

/// A flag: `True` or `False`; `None` = not given (`default`).
pub(crate) fn flag(name: &str, value: Option<&Bound<'_, PyAny>>, default: bool) -> PyResult<bool> {
    let Some(value) = given(value) else {
        return Ok(default);
    };
    if value.is_instance_of::<PyBool>() {
        return value.extract();
    }
    Err(PyTypeError::new_err(format!(
        "{name} must be True or False, not {}",
        type_name(value)
    )))
}
