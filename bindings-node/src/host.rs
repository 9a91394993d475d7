//! Which JavaScript runtime loaded the addon, and so how its calls run: on the JavaScript thread
//! (`driver.rs`) or on napi's shared runtime (`lib.rs`, "the thread driver").
//!
//! The JavaScript-thread driver drives a tokio runtime from the host's libuv loop (a `uv_poll_t`
//! on tokio's epoll descriptor). That is only known to work in Node on Linux: Bun exports libuv's
//! functions as stubs that abort the process (`unsupported uv function: uv_poll_init`), and Deno's
//! partial libuv makes V8 abort (`Fatal error in v8::HandleScope::CreateHandle()`). So the host
//! is identified from its globals, and the driver is used only in Node, and only when the process
//! exports every libuv function it needs (`uv::available`); everywhere else, and whenever the
//! driver cannot be set up, calls take the thread driver, which every napi host supports.
//!
//! `POSTCORE_NODE_IO=thread` forces the thread driver; `POSTCORE_NODE_IO=js` the JavaScript-
//! thread one in a host that is not recognised (a Node derivative), but never in Bun or Deno,
//! where it is known to crash the process.

use std::ffi::{CStr, c_char};
use std::ptr;

use napi::sys;

use crate::reply::clear_exception;
use crate::uv;

/// How the calls of one JavaScript environment run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Io {
    /// On the JavaScript thread, from its libuv loop (`driver.rs`).
    Js,
    /// On napi's shared runtime, a thread hop each way (`lib.rs`).
    Thread,
}

impl Io {
    /// The name `POSTCORE_NODE_IO` and the native `ioDriver()` use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Io::Js => "js",
            Io::Thread => "thread",
        }
    }
}

/// The JavaScript runtimes told apart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Host {
    Node,
    Bun,
    Deno,
    Unknown,
}

/// Which driver the environment `env` should try (the JavaScript-thread one may still fail to
/// set up, and then falls back to the thread driver).
pub(crate) fn choose(env: sys::napi_env) -> Io {
    let forced = std::env::var("POSTCORE_NODE_IO").ok();
    let forced = forced.as_deref().map(str::trim);
    if forced == Some("thread") || !cfg!(target_os = "linux") || !uv::available() {
        return Io::Thread;
    }
    match host(env) {
        Host::Node => Io::Js,
        Host::Unknown if forced == Some("js") => Io::Js,
        Host::Bun | Host::Deno | Host::Unknown => Io::Thread,
    }
}

/// Identifies the runtime from what it defines: Bun and Deno each have a global of their name
/// and an entry in `process.versions`; Node is `process.release.name === "node"` with
/// `process.versions.node`, and neither of the others (both also report a Node version). A
/// mistake can only go one way: a Node program with a `Deno` shim installed as a global gets
/// the thread driver, which works everywhere.
fn host(env: sys::napi_env) -> Host {
    let mut global = ptr::null_mut();
    // SAFETY: a valid env on its own thread, inside a call from JavaScript.
    if unsafe { sys::napi_get_global(env, &mut global) } != 0 {
        return Host::Unknown;
    }
    let process = property(env, global, c"process");
    let versions = process.and_then(|p| property(env, p, c"versions"));
    let release = process.and_then(|p| property(env, p, c"release"));
    let defines = |name: &CStr| {
        property(env, global, name).is_some()
            || versions.is_some_and(|v| property(env, v, name).is_some())
    };
    let host = if defines(c"Bun") || defines(c"bun") {
        Host::Bun
    } else if defines(c"Deno") || defines(c"deno") {
        Host::Deno
    } else if versions.and_then(|v| property(env, v, c"node")).is_some()
        && release
            .and_then(|r| property(env, r, c"name"))
            .and_then(|name| string(env, name))
            .is_some_and(|name| name == "node")
    {
        Host::Node
    } else {
        Host::Unknown
    };
    // A getter that threw must not leave its exception to the caller's call.
    clear_exception(env);
    host
}

/// `object[name]`, unless it is `undefined` or `null` (or `object` is not an object).
fn property(env: sys::napi_env, object: sys::napi_value, name: &CStr) -> Option<sys::napi_value> {
    let mut kind = 0;
    let mut value = ptr::null_mut();
    // SAFETY: values of this environment, on its thread; a NUL-terminated name.
    let found = unsafe {
        sys::napi_typeof(env, object, &mut kind) == 0
            && (kind == sys::ValueType::napi_object || kind == sys::ValueType::napi_function)
            && sys::napi_get_named_property(env, object, name.as_ptr(), &mut value) == 0
            && sys::napi_typeof(env, value, &mut kind) == 0
    };
    let absent = kind == sys::ValueType::napi_undefined || kind == sys::ValueType::napi_null;
    (found && !absent).then_some(value)
}

/// A short string value (at most 31 bytes: runtime names), else `None`.
fn string(env: sys::napi_env, value: sys::napi_value) -> Option<String> {
    let mut buffer = [0 as c_char; 32];
    let mut length = 0;
    // SAFETY: a value of this environment; the buffer's size is passed with it.
    let status = unsafe {
        sys::napi_get_value_string_utf8(env, value, buffer.as_mut_ptr(), buffer.len(), &mut length)
    };
    if status != 0 || length >= buffer.len() - 1 {
        return None;
    }
    let bytes: Vec<u8> = buffer[..length].iter().map(|&b| b as u8).collect();
    String::from_utf8(bytes).ok()
}
