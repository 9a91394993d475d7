//! The native half of `postcore/testing`: the `postcore-mock` server running inside the Node
//! process, on the addon's tokio runtime (the one the clients use), so a Node user needs
//! neither Rust nor a second process. `ts/testing.ts` wraps it as the public `MockServer`.
//!
//! No server logic here: it starts `postcore_mock::MockServer` on loopback and hands its
//! controls and stored data to JavaScript as JSON (the shapes of the mock's `/__mock/*`
//! endpoints, camelCase). The server's tasks hold no libuv handle, so a process that forgets
//! `close()` still exits; a server is stopped when its object is garbage-collected or its
//! environment (main thread or worker) is torn down (an environment cleanup hook: Node also
//! finalizes the objects of a terminated worker, Deno does not).

use std::ffi::c_void;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use napi::bindgen_prelude::{Env, PromiseRaw};
use napi::{Error, Result, Status, sys};
use napi_derive::napi;
use serde_json::Value;

use crate::errors::range_error;

/// How long `close()` waits for the port to be released.
const RELEASE_TIMEOUT: Duration = Duration::from_secs(2);
/// How often it checks meanwhile.
const RELEASE_POLL: Duration = Duration::from_millis(2);

/// The key a server accepts when none is given (`"pc_test_key"`).
#[napi(catch_unwind)]
pub fn mock_default_api_key() -> String {
    postcore_mock::DEFAULT_API_KEY.to_owned()
}

/// `startMockServer` options, as the TypeScript layer passes them (types and ranges checked
/// there; `rateWindowSecs` already converted from milliseconds).
#[napi(object)]
pub struct MockServerConfig {
    /// The key accepted in `x-api-key`.
    pub api_key: String,
    /// The port on 127.0.0.1 (0: any free port).
    pub port: u32,
    /// Answer 429 past this many requests per window (`null`: report 100, never enforce).
    pub rate_limit: Option<u32>,
    /// The rate-limit window in whole seconds (at least 1).
    pub rate_window_secs: u32,
    /// The monthly post quota.
    pub posts_per_month: u32,
}

/// A running mock server. Use `startMockServer()` from `postcore/testing` instead.
#[napi]
pub struct NativeMockServer {
    server: Slot,
    /// The cleanup hook's hold on `server`, until `close()` removes it.
    teardown: Mutex<Option<Teardown>>,
    url: String,
    dashboard_url: String,
    api_key: String,
    addr: SocketAddr,
}

/// The server, shared with the environment's cleanup hook; `None` once stopped.
type Slot = Arc<Mutex<Option<postcore_mock::MockServer>>>;

/// A registered cleanup hook (`on_teardown`) and the reference to the server it owns.
struct Teardown {
    env: sys::napi_env,
    data: *const Mutex<Option<postcore_mock::MockServer>>,
}

impl Teardown {
    /// Has the environment stop `server` when it is torn down; `None` if napi refused.
    fn register(env: sys::napi_env, server: &Slot) -> Option<Self> {
        let data = Arc::into_raw(Arc::clone(server));
        // SAFETY: a valid env; `data` stays valid until the hook or `remove` takes it back.
        let status =
            unsafe { sys::napi_add_env_cleanup_hook(env, Some(on_teardown), data as *mut c_void) };
        if status == 0 {
            Some(Self { env, data })
        } else {
            // SAFETY: from `Arc::into_raw` above, not registered: taken back once.
            drop(unsafe { Arc::from_raw(data) });
            None
        }
    }

    /// Unregisters the hook (the server was closed) and releases its reference.
    fn remove(self) {
        // SAFETY: the hook registered in `register`, removed once, on the env's thread.
        let removed = unsafe {
            sys::napi_remove_env_cleanup_hook(self.env, Some(on_teardown), self.data as *mut c_void)
        };
        if removed == 0 {
            // SAFETY: the hook will not run any more: its reference is taken back once.
            drop(unsafe { Arc::from_raw(self.data) });
        }
    }
}

/// The environment is torn down: stop its server (if still running) and release the reference.
unsafe extern "C" fn on_teardown(data: *mut c_void) {
    // SAFETY: the reference `Teardown::register` leaked for this hook, which runs once.
    let server = unsafe { Arc::from_raw(data as *const Mutex<Option<postcore_mock::MockServer>>) };
    let _ = std::panic::catch_unwind(|| drop(lock(&server).take()));
}

impl Drop for NativeMockServer {
    /// Garbage-collected: stop the server now, not at the environment's teardown.
    fn drop(&mut self) {
        drop(lock(&self.server).take());
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Held for a field access only; a poisoned lock still holds valid data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn failure(message: String) -> Error {
    Error::new(Status::GenericFailure, message)
}

/// Node's error code for a failed `listen` (`err.code`, as `node:net` sets it).
fn listen_error_code(error: &std::io::Error) -> Option<&'static str> {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => Some("EADDRINUSE"),
        std::io::ErrorKind::AddrNotAvailable => Some("EADDRNOTAVAIL"),
        std::io::ErrorKind::PermissionDenied => Some("EACCES"),
        _ => None,
    }
}

/// Starts a server on `127.0.0.1:port` and resolves to it. Rejects with an `Error` whose
/// `code` is Node's (`EADDRINUSE`…) when the port cannot be bound.
#[napi(catch_unwind, ts_return_type = "Promise<NativeMockServer>")]
pub fn start_mock_server<'env>(
    env: &'env Env,
    config: MockServerConfig,
) -> Result<PromiseRaw<'env, NativeMockServer>> {
    if config.api_key.is_empty() || config.api_key.chars().any(char::is_control) {
        return Err(range_error(
            env,
            "apiKey must be a non-empty string without control characters",
        ));
    }
    let port = u16::try_from(config.port)
        .map_err(|_| range_error(env, "port must be a whole number from 0 to 65535"))?;
    let api_key = config.api_key;
    let mock_config = postcore_mock::MockConfig {
        // Loopback only, whatever the caller does: the kit is for tests on this machine.
        host: "127.0.0.1".to_owned(),
        port,
        api_keys: vec![api_key.clone()],
        rate_limit: config.rate_limit,
        rate_window: Duration::from_secs(u64::from(config.rate_window_secs.max(1))),
        posts_per_month: config.posts_per_month,
    };
    env.spawn_future_with_callback(
        async move { Ok(postcore_mock::MockServer::start(mock_config).await) },
        move |env, started| match started {
            Ok(server) => {
                let (url, dashboard_url, addr) = (
                    server.url().to_owned(),
                    server.dashboard_url().to_owned(),
                    server.addr(),
                );
                let server = Arc::new(Mutex::new(Some(server)));
                let teardown = Mutex::new(Teardown::register(env.raw(), &server));
                Ok(NativeMockServer {
                    url,
                    dashboard_url,
                    addr,
                    api_key,
                    server,
                    teardown,
                })
            }
            Err(e) => {
                let message = format!("cannot listen on 127.0.0.1:{port}: {e}");
                let mut object = env.create_error(failure(message.clone()))?;
                if let Some(code) = listen_error_code(&e) {
                    object.set("code", code)?;
                }
                object.set("syscall", "listen")?;
                object.set("port", u32::from(port))?;
                Err(Error::from(napi::bindgen_prelude::JsValue::to_unknown(
                    &object,
                )))
            }
        },
    )
}

impl NativeMockServer {
    /// Runs `f` on the server, or throws once it is closed.
    fn with<R>(&self, f: impl FnOnce(&postcore_mock::MockServer) -> R) -> Result<R> {
        match lock(&self.server).as_ref() {
            Some(server) => Ok(f(server)),
            None => Err(failure("the mock server is closed".to_owned())),
        }
    }
}

#[napi]
impl NativeMockServer {
    /// `http://127.0.0.1:<port>`.
    #[napi(getter, catch_unwind)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// `http://127.0.0.1:<port>/`: the web dashboard.
    #[napi(getter, catch_unwind)]
    pub fn dashboard_url(&self) -> String {
        self.dashboard_url.clone()
    }

    /// The key it accepts.
    #[napi(getter, catch_unwind)]
    pub fn api_key(&self) -> String {
        self.api_key.clone()
    }

    /// The port it listens on.
    #[napi(getter, catch_unwind)]
    pub fn port(&self) -> u32 {
        u32::from(self.addr.port())
    }

    /// Whether it is serving.
    #[napi(getter, catch_unwind)]
    pub fn running(&self) -> bool {
        lock(&self.server).is_some()
    }

    /// Runs the mock's control operation `name` (`"fail_next"`, `"seed"`, `"advance"`,
    /// `"clock"`, `"requests"`, `"profiles"`, `"posts"`, `"reset"`, …: what `/__mock/<name>`
    /// does over HTTP) with a JSON `body`; returns its JSON answer. Throws `RangeError` with
    /// the mock's message when it refuses.
    #[napi(catch_unwind, ts_return_type = "any")]
    pub fn control(&self, env: Env, name: String, body: Option<Value>) -> Result<Value> {
        let body = body.unwrap_or(Value::Null);
        self.with(|server| server.control(&name, body))?
            .map_err(|e| range_error(&env, &e.message))
    }

    /// Stops the server; resolves once its port is released (up to 2 s), so it can be bound
    /// again at once. Harmless when already closed.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn close<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, ()>> {
        let server = lock(&self.server).take();
        if let Some(teardown) = lock(&self.teardown).take() {
            teardown.remove();
        }
        let addr = self.addr;
        env.spawn_future(async move {
            if server.is_some() {
                // Dropping the handle tells its accept loop to stop.
                drop(server);
                wait_until_released(addr).await;
            }
            Ok(())
        })
    }
}

/// Waits until nothing listens on `addr`: binding it with `SO_REUSEADDR` fails exactly as
/// long as a listening socket holds it (connections still closing do not count).
async fn wait_until_released(addr: SocketAddr) {
    let deadline = tokio::time::Instant::now() + RELEASE_TIMEOUT;
    loop {
        let probe = match addr {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
        };
        let free = probe
            .and_then(|socket| {
                socket.set_reuseaddr(true)?;
                socket.bind(addr)
            })
            .is_ok();
        if free || tokio::time::Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(RELEASE_POLL).await;
    }
}
