//! Core errors as JavaScript values.
//!
//! A failed call rejects with a plain `Error` carrying the core error's fields; the JavaScript
//! wrapper (`lib/errors.js`) turns it into an instance of the exported class named by
//! `postcoreClass` (the core's [`postcore::ErrorKind::class_name`]). Argument problems are
//! thrown as `TypeError` / `RangeError` instead, before any request.

use napi::bindgen_prelude::{Env, JsValue, Null, Object};
use napi::{Error, Result, Status};

/// The property naming the class the JavaScript wrapper must raise.
const CLASS_PROPERTY: &str = "postcoreClass";

/// Throws a `RangeError` with `message` and returns the error that tells napi it is pending.
pub(crate) fn range_error(env: &Env, message: &str) -> Error {
    match env.throw_range_error(message, None) {
        Ok(()) => Error::new(Status::PendingException, message.to_owned()),
        Err(e) => e,
    }
}

/// A core error thrown synchronously (construction): `InvalidArgument` becomes a `RangeError`,
/// everything else the JavaScript error object built by [`to_js_error`].
pub(crate) fn throw_core_error(env: &Env, error: &postcore::Error) -> Error {
    if error.kind() == postcore::ErrorKind::InvalidArgument {
        return range_error(env, error.message());
    }
    to_js_error(env, error)
}

/// Builds the JavaScript `Error` object for a core error and wraps it so that napi throws or
/// rejects with exactly that object.
pub(crate) fn to_js_error(env: &Env, error: &postcore::Error) -> Error {
    match build_error_object(env, error) {
        Ok(object) => Error::from(object.to_unknown()),
        // Building the object failed (the environment is shutting down): fall back to a plain
        // error with the message, which napi can always create.
        Err(_) => Error::new(Status::GenericFailure, error.to_string()),
    }
}

fn build_error_object<'env>(env: &'env Env, error: &postcore::Error) -> Result<Object<'env>> {
    let mut object = env.create_error(Error::new(Status::GenericFailure, error.to_string()))?;
    object.set(CLASS_PROPERTY, error.kind().class_name())?;
    object.set("status", error.status().map(u32::from))?;
    object.set("code", error.code())?;
    match (error.body_json(), error.body()) {
        (Some(json), _) => object.set("body", json.clone())?,
        (None, Some(text)) => object.set("body", text)?,
        (None, None) => object.set("body", Null)?,
    }
    match error.headers() {
        Some(headers) => {
            let mut js_headers = Object::new(env)?;
            for name in headers.keys() {
                let values: Vec<String> = headers
                    .get_all(name)
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .collect();
                js_headers.set(name.as_str(), values.join(", "))?;
            }
            object.set("headers", js_headers)?;
        }
        None => object.set("headers", Null)?,
    }
    object.set(
        "retryAfter",
        error.retry_after().map(|wait| wait.as_secs_f64()),
    )?;
    Ok(object)
}
