//! The native client: configuration in, one `postcore::Client` per instance, calls out as
//! promises. `ts/client.ts` wraps it as the public `Postcore` class.
//!
//! Nothing here knows an endpoint: [`NativeClient::call`] takes an operation's name and its
//! arguments as JSON (camelCase, milliseconds) and hands both to the core's generic dispatch
//! (`postcore::bindings`), which parses, validates, sends and decodes. Adding an endpoint to
//! the core therefore needs no Rust change here.

use napi::Result;
use napi::bindgen_prelude::{Either, Env, PromiseRaw};
use napi_derive::napi;
use postcore::bindings::{self, Language};
use serde_json::Value;

use crate::cancel::CancelToken;
use crate::driver;
use crate::errors::{range_error, throw_core_error};
use crate::observe::ObserverFunction;
use crate::reply::{Outcome, Pending, json_parse};

/// Options for `new Postcore(options)`, as the TypeScript layer passes them (already
/// type-checked; `process.env` fallbacks applied there, because a worker thread's
/// `process.env` is its own copy that the core cannot see).
#[napi(object)]
#[derive(Default)]
pub struct ClientOptions {
    /// The API key sent as `x-api-key`.
    pub api_key: Option<String>,
    /// The API root (default `https://api.postcore.dev`).
    pub base_url: Option<String>,
    /// Per-attempt timeout in milliseconds (default 60000).
    pub timeout: Option<f64>,
    /// Retries after the first attempt, where retrying is safe (default 2).
    pub max_retries: Option<f64>,
    /// The most connections open at once (default 100).
    pub max_connections: Option<f64>,
    /// Headers sent with every request, as `[name, value]` pairs.
    pub default_headers: Option<Vec<(String, String)>>,
    /// An HTTP(S) proxy URL for every request (default: `HTTPS_PROXY` etc. from the environment).
    pub proxy: Option<String>,
    /// PEM files of CA certificates to trust besides the platform's store.
    pub extra_ca_certs: Option<Vec<String>>,
    /// Where the rate budgets are shared (`memory://`, `sqlite:///…`, `redis://…`).
    pub store: Option<String>,
    /// The group whose per-IP budgets this client shares.
    pub budget_group: Option<String>,
    /// The longest a call waits for a slot of the rate budget, in milliseconds.
    pub max_rate_limit_wait: Option<f64>,
    /// How long idempotency keys are remembered, in milliseconds.
    pub idempotency_ttl: Option<f64>,
}

/// Settings `withOptions` replaces; the rest, and the connection pool, are shared.
#[napi(object)]
#[derive(Default)]
pub struct ClientOverrides {
    /// Per-attempt timeout in milliseconds.
    pub timeout: Option<f64>,
    /// Retries after the first attempt.
    pub max_retries: Option<f64>,
    /// Replaces the default headers, as `[name, value]` pairs.
    pub default_headers: Option<Vec<(String, String)>>,
    /// The longest a call waits for a slot of the rate budget, in milliseconds.
    pub max_rate_limit_wait: Option<f64>,
}

/// The native client behind the public `Postcore` class. Holds one `postcore::Client` (one
/// connection pool); each JavaScript environment (main thread, worker) creates its own, so no
/// pool or socket is ever shared across the runtimes of different threads.
#[napi]
pub struct NativeClient {
    inner: postcore::Client,
}

#[napi]
impl NativeClient {
    /// Validates the options and builds the client. Throws `RangeError` for a bad number or
    /// header, and an error with `postcoreClass: "ConfigurationError"` for a missing key, a
    /// bad base URL or proxy, or an unreadable CA file.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, options: Option<ClientOptions>) -> Result<Self> {
        let options = options.unwrap_or_default();
        let mut builder = postcore::Client::builder().user_agent(crate::meta::USER_AGENT);
        if let Some(key) = options.api_key {
            builder = builder.api_key(key);
        }
        if let Some(url) = options.base_url {
            builder = builder.base_url(url);
        }
        if let Some(ms) = options.timeout {
            builder = builder.timeout(timeout(&env, ms)?);
        }
        if let Some(n) = options.max_retries {
            builder = builder.max_retries(retries(&env, n)?);
        }
        if let Some(n) = options.max_connections {
            builder = builder.max_connections(connections(&env, n)?);
        }
        if let Some(url) = options.proxy {
            builder = builder.proxy(url);
        }
        for path in options.extra_ca_certs.unwrap_or_default() {
            builder = builder.extra_ca_certs(path);
        }
        if let Some(store) = options.store {
            builder = builder.store(store);
        }
        if let Some(group) = options.budget_group {
            builder = builder.budget_group(group);
        }
        if let Some(ms) = options.max_rate_limit_wait {
            builder = builder.max_rate_limit_wait(wait(&env, ms)?);
        }
        if let Some(ms) = options.idempotency_ttl {
            let ttl = bindings::duration_from_millis(ms, "idempotencyTtl")
                .map_err(|e| throw_core_error(&env, &e))?;
            builder = builder.idempotency_ttl(ttl);
        }
        let client = builder.build().map_err(|e| throw_core_error(&env, &e))?;
        // Default headers go through `with_options` rather than the builder: the same check
        // then refuses a bad header in the constructor and in `withOptions` alike, as a
        // `RangeError` (the builder would report it as a ConfigurationError).
        let inner = match options.default_headers {
            Some(headers) => client
                .with_options(postcore::ClientOverrides::new().default_headers(headers))
                .map_err(|e| throw_core_error(&env, &e))?,
            None => client,
        };
        Ok(Self { inner })
    }

    /// A client with some settings replaced that shares this one's connection pool.
    #[napi(catch_unwind)]
    pub fn with_options(&self, env: Env, overrides: Option<ClientOverrides>) -> Result<Self> {
        let overrides = overrides.unwrap_or_default();
        let mut core = postcore::ClientOverrides::new();
        if let Some(ms) = overrides.timeout {
            core = core.timeout(timeout(&env, ms)?);
        }
        if let Some(n) = overrides.max_retries {
            core = core.max_retries(retries(&env, n)?);
        }
        if let Some(headers) = overrides.default_headers {
            core = core.default_headers(headers);
        }
        if let Some(ms) = overrides.max_rate_limit_wait {
            core = core.max_rate_limit_wait(wait(&env, ms)?);
        }
        let inner = self
            .inner
            .with_options(core)
            .map_err(|e| throw_core_error(&env, &e))?;
        Ok(Self { inner })
    }

    /// Runs operation `operation` (`"posts.create"`, see `operations()`) with `args` and
    /// `options` (JSON objects, camelCase keys, durations in ms; the core parses and checks
    /// both) and resolves to its result as JSON (`undefined` for deletions). Before it
    /// resolves, the promise gets a `meta` property: the response's status, attempts, rate
    /// limit and headers as compact text (`reply.rs`, `meta_text`), which
    /// `ts/api-promise.ts` reads only for `.withResponse()`. A local operation
    /// (`profiles.linkedin_connect_url`) returns its result itself, at once: no promise.
    ///
    /// Arguments and options are parsed and validated now, so a bad one throws `TypeError` /
    /// `RangeError` synchronously, before anything is sent. Failures reject with an error
    /// object carrying the core error's fields (see `errors.rs`). When `cancel` is cancelled,
    /// the call's future is dropped, which drops its request, and the promise rejects with
    /// `postcoreClass: "AbortError"` (the TypeScript layer has already rejected with the
    /// signal's reason).
    ///
    /// `observer` (from `ts/observe.ts`, only when something watches the call: hooks, a
    /// `logger`, OpenTelemetry) is called with each of the call's events on the JavaScript
    /// thread, in order, and answers an attempt with the headers to add; `lines`: the events
    /// carry their log lines (for a `logger`).
    #[napi(catch_unwind, ts_return_type = "Promise<unknown> | unknown")]
    #[allow(clippy::too_many_arguments)] // the native call's arguments, in JavaScript's order
    pub fn call<'env>(
        &self,
        env: &'env Env,
        operation: String,
        args: Option<Value>,
        options: Option<Value>,
        cancel: Option<&CancelToken>,
        #[napi(ts_arg_type = "(event: NativeEvent) => string[] | undefined")] observer: Option<
            ObserverFunction<'_>,
        >,
        lines: Option<bool>,
    ) -> Result<Either<PromiseRaw<'env, Value>, Value>> {
        let call = bindings::prepare(
            Language::Node,
            &operation,
            args.unwrap_or(Value::Null),
            options.unwrap_or(Value::Null),
        )
        .map_err(|e| throw_core_error(env, &e))?;
        if let Some(result) = call.local(&self.inner) {
            return result
                .map(|response| Either::B(response.data))
                .map_err(|e| throw_core_error(env, &e));
        }
        let watched = observer.map(|f| (f, lines.unwrap_or(false)));
        let call = self.start(env, call, cancel, watched)?;
        submit(env, call).map(Either::A)
    }

    /// Closes this client and every client sharing its pool (`withOptions`): calls in flight
    /// reject at once, later calls reject, and every pooled connection is closed. Closing
    /// twice is harmless.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.inner.close();
    }

    /// Whether `close()` was called on this client or one sharing its pool.
    #[napi(getter, catch_unwind)]
    pub fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// The API root this client sends to, without trailing slash.
    #[napi(getter, catch_unwind)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    /// The client's per-attempt timeout in milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn timeout(&self) -> f64 {
        self.inner.timeout().as_secs_f64() * 1000.0
    }

    /// The client's default number of retries.
    #[napi(getter, catch_unwind)]
    pub fn max_retries(&self) -> u32 {
        self.inner.max_retries()
    }

    /// The most connections the client opens at once.
    #[napi(getter, catch_unwind)]
    pub fn max_connections(&self) -> f64 {
        // At most the u32 range (checked at construction), so exact as f64.
        self.inner.max_connections() as f64
    }

    /// The store the client shares its rate budgets through (any password masked).
    #[napi(getter, catch_unwind)]
    pub fn store(&self) -> String {
        self.inner.store().url()
    }

    /// The longest a call waits for a slot of the rate budget, in milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn max_rate_limit_wait(&self) -> f64 {
        self.inner.max_rate_limit_wait().as_secs_f64() * 1000.0
    }
}

/// Runs a started call on this environment's driver (`driver.rs`: on the JavaScript thread),
/// or where there is none, on napi's shared runtime, whose worker hands the outcome back.
fn submit<'env, T>(
    env: &'env Env,
    call: impl Future<Output = Outcome> + Send + 'static,
) -> Result<PromiseRaw<'env, T>> {
    if let Some(driver) = driver::current(env) {
        return driver.submit(env, call);
    }
    let (pending, promise) = Pending::new(env.raw())?;
    // napi's own promise only tells when the outcome is back; ours is settled then.
    let _settled =
        env.spawn_future_with_callback(async move { Ok(call.await) }, move |env, outcome| {
            pending.settle(env, outcome, json_parse(env.raw()));
            Ok(())
        })?;
    Ok(PromiseRaw::new(env.raw(), promise))
}

impl NativeClient {
    /// The future of a prepared call (its argument errors already thrown synchronously),
    /// which stops at once, dropping the request, if `cancel` fires.
    fn start(
        &self,
        env: &Env,
        mut call: bindings::Call,
        cancel: Option<&CancelToken>,
        observer: Option<(ObserverFunction<'_>, bool)>,
    ) -> Result<impl Future<Output = Outcome> + Send + 'static> {
        if let Some((function, lines)) = observer {
            let js_thread = driver::current(env).is_some();
            call = call.observed_by(crate::observe::observer(env, &function, lines, js_thread)?);
        }
        let cancelled = cancel.map(CancelToken::cancelled_future);
        let client = self.inner.clone();
        Ok(async move {
            let request = call.send(&client);
            match cancelled {
                Some(cancelled) => tokio::select! {
                    outcome = request => Some(outcome),
                    () = cancelled => None,
                },
                None => Some(request.await),
            }
        })
    }
}

/// A timeout in milliseconds from JavaScript, validated by the core (`RangeError` when refused).
fn timeout(env: &Env, ms: f64) -> Result<std::time::Duration> {
    bindings::timeout_from_millis(ms).map_err(|e| throw_core_error(env, &e))
}

/// A bound on a wait in milliseconds from JavaScript (zero allowed), validated by the core.
fn wait(env: &Env, ms: f64) -> Result<std::time::Duration> {
    bindings::wait_from_millis(ms, "maxRateLimitWait").map_err(|e| throw_core_error(env, &e))
}

/// A retry count from JavaScript, validated by the core (`RangeError` when refused).
fn retries(env: &Env, n: f64) -> Result<u32> {
    bindings::max_retries_from(n, "maxRetries").map_err(|e| throw_core_error(env, &e))
}

/// A connection limit from JavaScript: a whole number from 1 to 2^32 - 1 (`RangeError`).
/// The core checks whole-number-ness (shared with retry counts); zero is refused here, with
/// the Node spelling, because the core's own check reports it as a configuration error
/// named in snake_case.
fn connections(env: &Env, n: f64) -> Result<usize> {
    let count = bindings::max_retries_from(n, "maxConnections")
        .ok()
        .filter(|&count| count >= 1)
        .ok_or_else(|| {
            range_error(
                env,
                &format!(
                    "maxConnections must be a whole number from 1 to {}, got {n}",
                    u32::MAX
                ),
            )
        })?;
    usize::try_from(count).map_err(|_| range_error(env, "maxConnections is too large"))
}

/// Parses and validates an operation's arguments and options without sending anything: throws the
/// `TypeError` / `RangeError` `call` would. Lets the top-level functions report bad arguments
/// before they build the environment-configured client (whose failure would hide them).
#[napi(catch_unwind)]
pub fn check_arguments(
    env: Env,
    operation: String,
    args: Option<Value>,
    options: Option<Value>,
) -> Result<()> {
    let (args, options) = (args.unwrap_or(Value::Null), options.unwrap_or(Value::Null));
    bindings::prepare(Language::Node, &operation, args, options)
        .map(drop)
        .map_err(|e| throw_core_error(&env, &e))
}

/// Refuses option names the core does not list for `set` (`"client"`, `"with_options"`,
/// `"request"`, `"wait"`): throws a `TypeError` naming the option and the closest valid one.
#[napi(catch_unwind)]
pub fn check_options(env: Env, set: String, names: Vec<String>) -> Result<()> {
    let Some(set) = bindings::OptionSet::ALL
        .into_iter()
        .find(|s| s.name() == set)
    else {
        return Err(crate::errors::type_error(
            &env,
            &format!("unknown option set {set:?}"),
        ));
    };
    bindings::check_option_names(Language::Node, set, names.iter().map(String::as_str))
        .map_err(|e| throw_core_error(&env, &e))
}

/// The valid option names of each set, as `checkOptions` checks them (for the tests, which
/// compare them with the TypeScript option interfaces).
#[napi(catch_unwind)]
pub fn option_names() -> std::collections::HashMap<String, Vec<String>> {
    bindings::OptionSet::ALL
        .into_iter()
        .map(|set| {
            let names = set.names(Language::Node).iter().map(|n| (*n).to_owned());
            (set.name().to_owned(), names.collect())
        })
        .collect()
}
