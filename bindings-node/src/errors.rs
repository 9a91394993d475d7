//! Core errors as JavaScript values: one generic conversion for every error of every call.
//!
//! A failed call rejects with a plain `Error` carrying all of the core error's fields; the
//! TypeScript layer (`ts/errors.ts`) turns it into an instance of the exported class named by
//! `postcoreClass` (the core's [`postcore::ErrorKind::class_name`]), so this file never needs
//! to know the classes. Argument problems become the language's own `TypeError` /
//! `RangeError` instead, thrown before any request.

use napi::bindgen_prelude::{Env, JsValue, Null, Object};
use napi::{Error, JsRangeError, JsTypeError, Result, Status, sys};
use postcore::{ErrorKind, HeaderMap, RateLimit};
use serde_json::Value;

/// The property naming the class the TypeScript layer must raise.
const CLASS_PROPERTY: &str = "postcoreClass";
/// Node's own codes for bad arguments (`err.code`), as `node:` modules set them.
const CODE_BAD_TYPE: &str = "ERR_INVALID_ARG_TYPE";
const CODE_BAD_VALUE: &str = "ERR_INVALID_ARG_VALUE";

/// Throws a `RangeError` with `message` and returns the error that tells napi it is pending.
pub(crate) fn range_error(env: &Env, message: &str) -> Error {
    match env.throw_range_error(message, Some(CODE_BAD_VALUE)) {
        Ok(()) => Error::new(Status::PendingException, message.to_owned()),
        Err(e) => e,
    }
}

/// Throws a `TypeError` with `message` and returns the error that tells napi it is pending.
pub(crate) fn type_error(env: &Env, message: &str) -> Error {
    match env.throw_type_error(message, Some(CODE_BAD_TYPE)) {
        Ok(()) => Error::new(Status::PendingException, message.to_owned()),
        Err(e) => e,
    }
}

/// A core error thrown synchronously (construction, argument checks): argument errors as
/// `RangeError` / `TypeError`, everything else as the object [`to_js_error`] builds.
pub(crate) fn throw_core_error(env: &Env, error: &postcore::Error) -> Error {
    match error.kind() {
        ErrorKind::InvalidArgument => range_error(env, error.message()),
        ErrorKind::InvalidArgumentType => type_error(env, error.message()),
        _ => to_js_error(env, error),
    }
}

/// The value a failed call rejects with: a `RangeError` / `TypeError` for argument errors
/// found late (per-call headers are checked when the call runs), else an `Error` carrying
/// every field of the core error. Wrapped so that napi rejects with exactly that object.
pub(crate) fn to_js_error(env: &Env, error: &postcore::Error) -> Error {
    match error_value(env, error) {
        // SAFETY: a value just created in this environment.
        Ok(value) => Error::from(unsafe {
            napi::bindgen_prelude::Unknown::from_raw_unchecked(env.raw(), value)
        }),
        // Building the object failed (the environment is shutting down): fall back to a plain
        // error with the message, which napi can always create.
        Err(_) => Error::new(Status::GenericFailure, error.to_string()),
    }
}

/// [`to_js_error`]'s value itself, for rejecting a promise directly.
pub(crate) fn error_value(env: &Env, error: &postcore::Error) -> Result<sys::napi_value> {
    let raw = env.raw();
    match error.kind() {
        // SAFETY: a valid env on its own thread.
        ErrorKind::InvalidArgument => Ok(unsafe {
            JsRangeError::from(Error::new(CODE_BAD_VALUE, error.message().to_owned()))
                .into_value(raw)
        }),
        // SAFETY: as above.
        ErrorKind::InvalidArgumentType => Ok(unsafe {
            JsTypeError::from(Error::new(CODE_BAD_TYPE, error.message().to_owned())).into_value(raw)
        }),
        _ => build_error_object(env, error).map(|object| object.raw()),
    }
    .and_then(|value| {
        if value.is_null() {
            Err(Error::new(Status::GenericFailure, error.to_string()))
        } else {
            Ok(value)
        }
    })
}

/// The rejection of a cancelled call; the TypeScript layer has already rejected with the
/// signal's reason, so this only has to be recognisable.
pub(crate) fn aborted_value(env: &Env) -> Result<sys::napi_value> {
    let mut object = env.create_error(Error::new(Status::Cancelled, "the call was aborted"))?;
    object.set("name", "AbortError")?;
    object.set(CLASS_PROPERTY, "AbortError")?;
    Ok(object.raw())
}

fn build_error_object<'env>(env: &'env Env, error: &postcore::Error) -> Result<Object<'env>> {
    let mut object = env.create_error(Error::new(Status::GenericFailure, error.to_string()))?;
    object.set(CLASS_PROPERTY, error.kind().class_name())?;
    object.set("status", error.status().map(u32::from))?;
    // Replaces the napi status napi_create_error put there.
    object.set("code", error.code())?;
    // `body` is the parsed JSON when the body was JSON, else the raw text; `bodyText` is
    // always the raw text (one concept, one name, as in the core and the Python package).
    match (error.body_json(), error.body_text()) {
        (Some(json), _) => object.set("body", json)?,
        (None, Some(text)) => object.set("body", text)?,
        (None, None) => object.set("body", Null)?,
    }
    object.set("bodyText", error.body_text())?;
    match error.headers() {
        Some(headers) => object.set("headers", headers_object(env, headers)?)?,
        None => object.set("headers", Null)?,
    }
    object.set(
        "retryAfter",
        error.retry_after().map(|wait| wait.as_secs_f64()),
    )?;
    object.set("rateLimit", rate_limit_object(env, error.rate_limit())?)?;
    object.set("attempts", error.attempts())?;
    object.set("mayHaveBeenProcessed", error.may_have_been_processed())?;
    object.set("platform", error.platform())?;
    object.set(
        "nextAvailable",
        error.next_available().map(|at| at.to_string()),
    )?;
    object.set("missingPlatforms", error.missing_platforms().to_vec())?;
    object.set("post", postcore::bindings::error_post(error))?;
    object.set(
        "posts",
        postcore::bindings::error_posts(error).unwrap_or_else(|| Value::Array(Vec::new())),
    )?;
    Ok(object)
}

/// Response headers as a plain object with lower-case names; repeated headers are joined
/// with `", "` as the Fetch API's `Headers.get` does.
pub(crate) fn headers_object<'env>(env: &'env Env, headers: &HeaderMap) -> Result<Object<'env>> {
    let mut object = Object::new(env)?;
    for name in headers.keys() {
        let mut values = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()));
        let mut joined = values.next().map(|v| v.into_owned()).unwrap_or_default();
        for value in values {
            joined.push_str(", ");
            joined.push_str(&value);
        }
        object.set(name.as_str(), joined)?;
    }
    Ok(object)
}

/// `{ limit, remaining, reset }` (`reset` a `Date`), each `null` when its header was missing;
/// `null` when the response had none of the three.
pub(crate) fn rate_limit_object<'env>(
    env: &'env Env,
    rate_limit: Option<&RateLimit>,
) -> Result<Option<Object<'env>>> {
    let Some(rate_limit) = rate_limit else {
        return Ok(None);
    };
    let mut object = Object::new(env)?;
    // Counts are far below 2^53, so f64 holds them exactly.
    object.set("limit", rate_limit.limit.map(|n| n as f64))?;
    object.set("remaining", rate_limit.remaining.map(|n| n as f64))?;
    match rate_limit.reset {
        Some(seconds) => object.set("reset", env.create_date(seconds as f64 * 1000.0)?)?,
        None => object.set("reset", Null)?,
    }
    Ok(Some(object))
}
