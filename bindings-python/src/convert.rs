//! Python values to JSON and back: the only conversion the generic calls need.
//!
//! Arguments go to the core as one JSON object with the Python names (`profile_key`); the core
//! parses and validates them, so this file knows no endpoint. It only refuses what JSON cannot
//! carry, naming the argument: a naive `datetime` (`ValueError`: which time zone was meant is
//! unknowable), a type with no JSON form (`TypeError`), a float that is not finite, an int out
//! of range, a structure nested too deeply (a list that contains itself would otherwise recurse
//! forever). Results come back as plain `dict` / `list` / `str` / `int` / `float` / `bool` /
//! `None`, which the pure-Python models read.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use serde_json::{Map, Number, Value};

/// Deeper argument structures are refused: no postcore argument nests more than two levels.
const MAX_DEPTH: usize = 32;

/// `datetime.datetime` and `datetime.timezone.utc`, looked up once.
struct DateTime {
    class: Py<PyType>,
    utc: Py<PyAny>,
}

static DATETIME: PyOnceLock<DateTime> = PyOnceLock::new();

fn datetime(py: Python<'_>) -> PyResult<&DateTime> {
    DATETIME.get_or_try_init(py, || {
        let module = py.import("datetime")?;
        Ok(DateTime {
            class: module.getattr("datetime")?.cast_into::<PyType>()?.unbind(),
            utc: module.getattr("timezone")?.getattr("utc")?.unbind(),
        })
    })
}

/// The name of `value`'s type, for messages.
pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

/// The keyword arguments of a call as one JSON object; `None` values stay `null`, which the
/// core reads as "not given".
pub(crate) fn args_to_json(args: &Bound<'_, PyDict>) -> PyResult<Value> {
    let mut map = Map::with_capacity(args.len());
    for (key, value) in args.iter() {
        let key = key
            .cast::<PyString>()
            .map_err(|_| PyTypeError::new_err("argument names must be strings"))?
            .to_cow()?
            .into_owned();
        let json = to_json(&value, &key, 0)?;
        map.insert(key, json);
    }
    Ok(Value::Object(map))
}

/// A call's options as one JSON object, for the core to parse: `extra_headers` may be any
/// mapping (sent as `[name, value]` pairs), the others are plain values.
pub(crate) fn options_to_json(options: &Bound<'_, PyDict>) -> PyResult<Value> {
    let mut map = Map::with_capacity(options.len());
    for (key, value) in options.iter() {
        let key = key
            .cast::<PyString>()
            .map_err(|_| PyTypeError::new_err("option names must be strings"))?
            .to_cow()?
            .into_owned();
        let json = if key == "extra_headers" {
            match headers_arg("extra_headers", Some(&value))? {
                Some(pairs) => Value::Array(
                    pairs
                        .into_iter()
                        .map(|(name, value)| Value::from(vec![name, value]))
                        .collect(),
                ),
                None => Value::Null,
            }
        } else {
            to_json(&value, &key, 0)?
        };
        map.insert(key, json);
    }
    Ok(Value::Object(map))
}

/// One Python value as JSON; `path` names it in messages (`platforms[1]`).
fn to_json(value: &Bound<'_, PyAny>, path: &str, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "{path} is nested too deeply (more than {MAX_DEPTH} levels)"
        )));
    }
    if value.is_none() {
        return Ok(Value::Null);
    }
    // Before int: `bool` is a subclass of `int`, and the core must see `True`, not 1.
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(n) = value.extract::<i64>() {
            return Ok(Value::from(n));
        }
        if let Ok(n) = value.extract::<u64>() {
            return Ok(Value::from(n));
        }
        return Err(PyValueError::new_err(format!("{path} is out of range")));
    }
    if value.is_instance_of::<PyFloat>() {
        let n: f64 = value.extract()?;
        return Number::from_f64(n).map(Value::Number).ok_or_else(|| {
            PyValueError::new_err(format!("{path} must be a finite number, got {n}"))
        });
    }
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_cow().map_err(|_| {
            PyValueError::new_err(format!(
                "{path} is not valid text (it contains a lone surrogate)"
            ))
        })?;
        return Ok(Value::String(text.into_owned()));
    }
    let py = value.py();
    let dt = datetime(py)?;
    if value.is_instance(dt.class.bind(py))? {
        return datetime_to_json(value, path, dt);
    }
    if let Ok(list) = value.cast::<PyList>() {
        return sequence_to_json(list.iter(), path, depth);
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return sequence_to_json(tuple.iter(), path, depth);
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::with_capacity(dict.len());
        for (key, item) in dict.iter() {
            let key = key
                .cast::<PyString>()
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "{path} must have string keys, not {}",
                        type_name(&key)
                    ))
                })?
                .to_cow()?
                .into_owned();
            let json = to_json(&item, &format!("{path}.{key}"), depth + 1)?;
            map.insert(key, json);
        }
        return Ok(Value::Object(map));
    }
    Err(PyTypeError::new_err(format!(
        "{path} has an unsupported type: {} (expected str, int, float, bool, None, list, \
         tuple, dict or datetime)",
        type_name(value)
    )))
}

fn sequence_to_json<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    path: &str,
    depth: usize,
) -> PyResult<Value> {
    items
        .enumerate()
        .map(|(i, item)| to_json(&item, &format!("{path}[{i}]"), depth + 1))
        .collect::<PyResult<Vec<_>>>()
        .map(Value::Array)
}

/// An aware `datetime` as ISO 8601 in UTC (converted first, so that offsets with seconds,
/// which RFC 3339 cannot write, never reach the core); a naive one is refused.
fn datetime_to_json(value: &Bound<'_, PyAny>, path: &str, dt: &DateTime) -> PyResult<Value> {
    if value.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{path} must be a timezone-aware datetime (e.g. datetime.now(timezone.utc) + \
             timedelta(hours=1)), not a naive one: which time zone it means is unknown"
        )));
    }
    let utc = value.call_method1("astimezone", (dt.utc.bind(value.py()),))?;
    let text: String = utc.call_method0("isoformat")?.extract()?;
    Ok(Value::String(text))
}

/// A JSON value as plain Python objects.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// An aware UTC `datetime` for a Unix time in seconds.
pub(crate) fn utc_datetime(py: Python<'_>, unix_seconds: f64) -> PyResult<Bound<'_, PyAny>> {
    let dt = datetime(py)?;
    dt.class
        .bind(py)
        .call_method1("fromtimestamp", (unix_seconds, dt.utc.bind(py)))
}

/// Header pairs from a mapping (`dict` or anything with `items()`), for `default_headers` and
/// `extra_headers`; `None` is "none". Names and values must be `str`; the core checks the rest
/// (reserved names, CR/LF) and raises `ValueError`.
pub(crate) fn headers_arg(
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Vec<(String, String)>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if !value.hasattr("items")? || value.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a mapping of header names to values (e.g. a dict), not {}",
            type_name(value)
        )));
    }
    let mut pairs = Vec::new();
    for item in value.call_method0("items")?.try_iter()? {
        let (key, val): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
        let (Ok(key), Ok(val)) = (key.cast::<PyString>(), val.cast::<PyString>()) else {
            return Err(PyTypeError::new_err(format!(
                "{name} must map str header names to str values"
            )));
        };
        pairs.push((key.to_cow()?.into_owned(), val.to_cow()?.into_owned()));
    }
    Ok(Some(pairs))
}

/// Response headers as `(name, value)` pairs in the order received (names lowercase, values
/// decoded lossily), for `APIResponse.headers`.
pub(crate) fn header_pairs<'py>(
    py: Python<'py>,
    headers: &postcore::HeaderMap,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        list.append((name.as_str(), value.as_ref()))?;
    }
    Ok(list)
}
