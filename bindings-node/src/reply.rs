//! Settling a call's promise: its result as JavaScript values (and the response's metadata as
//! compact text on the promise, for `.withResponse()`), or its error, through the public error
//! classes. Shared by both ways calls run (`driver.rs`, and napi's runtime in `client.rs`).

use std::cell::Cell;
use std::ffi::c_void;
use std::ptr;

use napi::bindgen_prelude::{Env, JsValue, ToNapiValue};
use napi::{JsError, sys};
use serde_json::Value;

use crate::errors::{aborted_value, error_value};

/// What a call's future yields: `None` when it was cancelled.
pub(crate) type Outcome = Option<postcore::Result<postcore::Response<Value>>>;

thread_local! {
    /// `fromNative` of `ts/errors.ts` (see [`set_error_factory`]), or null.
    static ERROR_FACTORY: Cell<sys::napi_ref> = const { Cell::new(ptr::null_mut()) };
}

/// A call's promise, until it is settled.
pub(crate) struct Pending {
    deferred: sys::napi_deferred,
    /// The promise itself, which gets the response's metadata (see [`Pending::settle`]).
    promise: sys::napi_ref,
}

impl Pending {
    /// A new promise and what settles it.
    pub(crate) fn new(env: sys::napi_env) -> napi::Result<(Self, sys::napi_value)> {
        let mut deferred = ptr::null_mut();
        let mut promise = ptr::null_mut();
        let mut reference = ptr::null_mut();
        // SAFETY: a valid env on its own thread; out-pointers are locals.
        unsafe {
            check(sys::napi_create_promise(env, &mut deferred, &mut promise))?;
            if sys::napi_create_reference(env, promise, 1, &mut reference) != 0 {
                let mut undefined = ptr::null_mut();
                sys::napi_get_undefined(env, &mut undefined);
                sys::napi_resolve_deferred(env, deferred, undefined);
                return Err(napi::Error::from_reason(
                    "cannot reference the call's promise",
                ));
            }
        }
        Ok((
            Self {
                deferred,
                promise: reference,
            },
            promise,
        ))
    }

    /// Settles the promise: resolved with the result (`undefined` for JSON `null`, as
    /// deletions give), after setting its `meta` property to the response's metadata in the
    /// compact form of [`meta_text`]; or rejected with the error. `json_parse` (when not null)
    /// is `JSON.parse`, which builds an object or array faster than property-by-property.
    pub(crate) fn settle(self, env: &Env, outcome: Outcome, json_parse: sys::napi_value) {
        let raw = env.raw();
        let settled = match outcome {
            Some(Ok(response)) => {
                let meta = meta_text(&response);
                let data = data_value(env, response.data, json_parse);
                self.set_meta(raw, &meta);
                data.map_err(|e| rejection(raw, e))
            }
            Some(Err(error)) => Err(error_value(env, &error)
                .map(|value| public_error(raw, value))
                .unwrap_or_else(|e| rejection(raw, e))),
            None => Err(aborted_value(env).unwrap_or_else(|e| rejection(raw, e))),
        };
        // SAFETY: the call's deferred and reference, each used up exactly once, on the
        // environment's thread.
        unsafe {
            match settled {
                Ok(value) => sys::napi_resolve_deferred(raw, self.deferred, value),
                Err(value) => sys::napi_reject_deferred(raw, self.deferred, value),
            };
            sys::napi_delete_reference(raw, self.promise);
        }
    }

    fn set_meta(&self, env: sys::napi_env, meta: &str) {
        let mut promise = ptr::null_mut();
        let mut text = ptr::null_mut();
        let (bytes, len) = (meta.as_ptr().cast(), meta.len() as isize);
        // SAFETY: this environment's values, on its thread; `meta` outlives the calls.
        let set = unsafe {
            sys::napi_get_reference_value(env, self.promise, &mut promise) == 0
                && !promise.is_null()
                // Headers are nearly always ASCII, which needs no UTF-8 decoding.
                && if meta.is_ascii() {
                    sys::napi_create_string_latin1(env, bytes, len, &mut text) == 0
                } else {
                    sys::napi_create_string_utf8(env, bytes, len, &mut text) == 0
                }
                && sys::napi_set_named_property(env, promise, c"meta".as_ptr(), text) == 0
        };
        if !set {
            clear_exception(env);
        }
    }
}

/// A response's metadata as text the TypeScript layer (`ts/api-promise.ts`) reads only if
/// asked (`withResponse()`): `status`, `attempts` and the rate limit (`limit,remaining,reset`,
/// each empty when missing; the whole line empty without any) on the first three lines, then
/// one `name: value` line per header (lower-case names, repeated headers joined with `", "`;
/// header values never hold line breaks). One string costs far less than an object per call.
pub(crate) fn meta_text(response: &postcore::Response<Value>) -> String {
    use std::fmt::Write;
    let mut text = String::with_capacity(256);
    let _ = write!(text, "{}\n{}\n", response.status, response.attempts);
    if let Some(rate) = &response.rate_limit {
        let field = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
        let _ = write!(
            text,
            "{},{},{}",
            field(rate.limit),
            field(rate.remaining),
            field(rate.reset)
        );
    }
    let headers = &response.headers;
    for name in headers.keys() {
        text.push('\n');
        text.push_str(name.as_str());
        text.push_str(": ");
        for (i, value) in headers.get_all(name).iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(&String::from_utf8_lossy(value.as_bytes()));
        }
    }
    text
}

/// A result as a JavaScript value: `undefined` for `null`; arrays through `JSON.parse` when
/// given, everything else value by value.
fn data_value(
    env: &Env,
    data: Value,
    json_parse: sys::napi_value,
) -> napi::Result<sys::napi_value> {
    let raw = env.raw();
    let mut value = ptr::null_mut();
    match data {
        // SAFETY (all arms): a valid env on its own thread.
        Value::Null => {
            check(unsafe { sys::napi_get_undefined(raw, &mut value) })?;
            Ok(value)
        }
        // Arrays (listings, up to 512 MiB) through `JSON.parse`: far faster than property by
        // property once there is more than a handful of values; a single object is not.
        Value::Array(_) if !json_parse.is_null() => {
            let text = serde_json::to_string(&data)
                .map_err(|e| napi::Error::from_reason(format!("cannot encode the result: {e}")))?;
            let mut string = ptr::null_mut();
            let mut json = ptr::null_mut();
            unsafe {
                check(sys::napi_create_string_utf8(
                    raw,
                    text.as_ptr().cast(),
                    text.len() as isize,
                    &mut string,
                ))?;
                check(sys::napi_get_undefined(raw, &mut json))?;
                check(sys::napi_call_function(
                    raw, json, json_parse, 1, &string, &mut value,
                ))?;
            }
            Ok(value)
        }
        other => unsafe { Value::to_napi_value(raw, other) },
    }
}

/// Registers the function that turns the error objects of failed calls into the public error
/// classes (`fromNative` in `ts/errors.ts`): calls then reject with those directly, so even a
/// rejection nobody handles reports the right class. Replaces any earlier one.
#[napi_derive::napi(catch_unwind, ts_args_type = "factory: (error: Error) => unknown")]
pub fn set_error_factory(env: Env, factory: napi::bindgen_prelude::Unknown) -> napi::Result<()> {
    let raw = env.raw();
    if factory.get_type()? != napi::ValueType::Function {
        return Err(napi::Error::new(
            napi::Status::InvalidArg,
            "the error factory must be a function",
        ));
    }
    let mut reference = ptr::null_mut();
    // SAFETY: a valid env and value on the env's thread.
    check(unsafe { sys::napi_create_reference(raw, factory.raw(), 1, &mut reference) })?;
    let previous = ERROR_FACTORY.replace(reference);
    if previous.is_null() {
        // First registration in this environment: forget it when the environment goes.
        // SAFETY: a valid env; the hook takes no data.
        unsafe {
            sys::napi_add_env_cleanup_hook(raw, Some(forget_error_factory), raw.cast());
        }
    } else {
        // SAFETY: the reference this replaces, deleted once.
        unsafe { sys::napi_delete_reference(raw, previous) };
    }
    Ok(())
}

unsafe extern "C" fn forget_error_factory(env: *mut c_void) {
    let reference = ERROR_FACTORY.replace(ptr::null_mut());
    if !reference.is_null() {
        // SAFETY: the environment is still alive while its cleanup hooks run.
        unsafe { sys::napi_delete_reference(env.cast(), reference) };
    }
}

/// The public error for a native error object, through the registered factory (the object
/// itself when there is none or it fails).
fn public_error(env: sys::napi_env, error: sys::napi_value) -> sys::napi_value {
    let reference = ERROR_FACTORY.get();
    if reference.is_null() {
        return error;
    }
    let mut factory = ptr::null_mut();
    let mut undefined = ptr::null_mut();
    let mut converted = ptr::null_mut();
    // SAFETY: this environment's values, on its thread.
    let ok = unsafe {
        sys::napi_get_reference_value(env, reference, &mut factory) == 0
            && !factory.is_null()
            && sys::napi_get_undefined(env, &mut undefined) == 0
            && sys::napi_call_function(env, undefined, factory, 1, &error, &mut converted) == 0
    };
    if ok && !converted.is_null() {
        converted
    } else {
        clear_exception(env);
        error
    }
}

/// A rejection value for a failure to build the real one: the pending exception if there is
/// one, else an `Error` with the message.
fn rejection(env: sys::napi_env, error: napi::Error) -> sys::napi_value {
    let mut pending = false;
    let mut value = ptr::null_mut();
    // SAFETY: a valid env on its own thread.
    unsafe {
        if sys::napi_is_exception_pending(env, &mut pending) == 0
            && pending
            && sys::napi_get_and_clear_last_exception(env, &mut value) == 0
            && !value.is_null()
        {
            return value;
        }
        let value = JsError::from(error).into_value(env);
        if !value.is_null() {
            return value;
        }
        let mut undefined = ptr::null_mut();
        sys::napi_get_undefined(env, &mut undefined);
        undefined
    }
}

pub(crate) fn clear_exception(env: sys::napi_env) {
    let mut pending = false;
    let mut value = ptr::null_mut();
    // SAFETY: a valid env on its own thread.
    unsafe {
        if sys::napi_is_exception_pending(env, &mut pending) == 0 && pending {
            sys::napi_get_and_clear_last_exception(env, &mut value);
        }
    }
}

fn check(status: sys::napi_status) -> napi::Result<()> {
    if status == 0 {
        Ok(())
    } else {
        Err(napi::Error::new(
            napi::Status::from(status),
            "a Node-API call failed",
        ))
    }
}

/// `JSON.parse` of this environment (null if it cannot be found).
pub(crate) fn json_parse(env: sys::napi_env) -> sys::napi_value {
    let mut global = ptr::null_mut();
    let mut json = ptr::null_mut();
    let mut parse = ptr::null_mut();
    // SAFETY: a valid env on its own thread.
    let found = unsafe {
        sys::napi_get_global(env, &mut global) == 0
            && sys::napi_get_named_property(env, global, c"JSON".as_ptr(), &mut json) == 0
            && sys::napi_get_named_property(env, json, c"parse".as_ptr(), &mut parse) == 0
    };
    if found {
        parse
    } else {
        clear_exception(env);
        ptr::null_mut()
    }
}
