//! The native half of `postcore.webhooks`: the core's signing and verification
//! (`postcore::webhooks`), so that no cryptography is written in Python.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyInt, PyMemoryView, PyString};

use crate::convert::type_name;
use crate::errors::to_py_err;
use crate::{args, convert};

/// A payload as the bytes that were signed: `bytes`, `bytearray` or `memoryview` as they are,
/// a `str` as UTF-8.
fn payload_bytes(payload: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(bytes) = payload.cast::<PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    if let Ok(text) = payload.cast::<PyString>() {
        return Ok(text.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(array) = payload.cast::<PyByteArray>() {
        return Ok(array.to_vec());
    }
    if payload.is_instance_of::<PyMemoryView>() {
        return payload.call_method0("tobytes")?.extract::<Vec<u8>>();
    }
    Err(PyTypeError::new_err(format!(
        "payload must be bytes or str (the body exactly as received), not {}",
        type_name(payload)
    )))
}

fn text(name: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.to_cow()?.into_owned());
    }
    Err(PyTypeError::new_err(format!(
        "{name} must be a str, not {}",
        type_name(value)
    )))
}

/// Checks a delivery and returns its event as the API's JSON (a `dict`); raises
/// `WebhookSignatureError` saying why it is refused. `header` is the `Postcore-Signature`
/// value (`None`: the header is missing), `tolerance` seconds.
#[pyfunction]
pub(crate) fn verify_webhook<'py>(
    py: Python<'py>,
    payload: &Bound<'py, PyAny>,
    header: &Bound<'py, PyAny>,
    secret: &Bound<'py, PyAny>,
    tolerance: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let body = payload_bytes(payload)?;
    let header = if header.is_none() {
        String::new()
    } else {
        text("signature_header", header)?
    };
    let secret = text("secret", secret)?;
    let tolerance = args::seconds("tolerance", Some(tolerance))?
        .unwrap_or(postcore::webhooks::DEFAULT_TOLERANCE);
    let event = postcore::webhooks::verify(&body, &header, &secret, tolerance)
        .map_err(|e| to_py_err(py, &e))?;
    let json = serde_json::to_value(&event).map_err(|e| PyTypeError::new_err(e.to_string()))?;
    convert::to_py(py, &json)
}

/// The `Postcore-Signature` value for `payload` sent at `timestamp` (Unix seconds; `None`:
/// now), keyed with `secret`, as `postcore listen` signs its deliveries.
#[pyfunction]
#[pyo3(signature = (payload, secret, timestamp = None))]
pub(crate) fn sign_webhook(
    payload: &Bound<'_, PyAny>,
    secret: &Bound<'_, PyAny>,
    timestamp: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let body = payload_bytes(payload)?;
    let secret = text("secret", secret)?;
    if secret.is_empty() {
        return Err(PyValueError::new_err("secret must not be empty"));
    }
    let timestamp = match timestamp.filter(|t| !t.is_none()) {
        None => postcore::Timestamp::now().unix_seconds(),
        Some(t) if t.is_instance_of::<PyInt>() && !t.is_instance_of::<PyBool>() => {
            t.extract::<i64>()?
        }
        Some(t) => {
            return Err(PyTypeError::new_err(format!(
                "timestamp must be an int (Unix seconds) or None, not {}",
                type_name(t)
            )));
        }
    };
    Ok(postcore::webhooks::sign(&secret, &body, timestamp))
}
