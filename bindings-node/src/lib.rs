//! Node bindings for postcore: a thin, generic `napi` layer over the `postcore` core crate.
//!
//! Everything here converts arguments in and results and errors out; the HTTP, retry,
//! validation and parsing logic lives in `core`, and no file here names an endpoint: calls go
//! through the core's generic dispatch (`postcore::bindings`) by operation name, with JSON
//! arguments and results (napi's serde-json support; listings through `JSON.parse`). The public API (`Postcore`, its
//! resources, the error classes, the types) is the TypeScript in `ts/`, compiled to `lib/`.
//!
//! Files: `client.rs` (the client, its calls and options), `driver.rs` (calls run on the
//! JavaScript thread, on a current-thread tokio runtime that the environment's libuv loop
//! drives; `uv.rs` has the few libuv functions it uses; `host.rs` decides where it is used),
//! `reply.rs` (settling a call's
//! promise: results, response metadata, errors), `errors.rs` (core errors to JavaScript values), `cancel.rs` (dropping a call's future when its `AbortSignal` fires),
//! `observe.rs` (a call's events to its JavaScript observer: hooks, logger, OpenTelemetry),
//! `meta.rs` (the error, model and operation lists the tests check the TypeScript against),
//! `testing.rs` (the local mock server of `postcore/testing`, in-process), `cli.rs` (the
//! `postcore` command line behind `npx postcore`), `webhooks.rs` (the core's webhook
//! signatures, for `verifyWebhook`).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cancel;
mod cli;
mod client;
mod driver;
mod errors;
mod host;
mod meta;
mod observe;
mod reply;
mod testing;
mod uv;
mod webhooks;

pub use cancel::CancelToken;
pub use cli::cli_main;
pub use client::{
    ClientOptions, ClientOverrides, NativeClient, check_arguments, check_options, option_names,
};
pub use driver::io_driver;
pub use meta::{
    ErrorClassInfo, ModelInfo, OperationInfo, error_classes, models, operations, user_agent,
};
pub use observe::NativeEvent;
pub use reply::set_error_factory;
pub use testing::{MockServerConfig, NativeMockServer, mock_default_api_key, start_mock_server};
pub use webhooks::{event_types, sign_webhook, verify_webhook, webhook_signature_header};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// napi's shared runtime: it runs the testing kit's server, and the calls wherever the
/// event-loop driver (`driver.rs`) is not used (Bun, Deno, `POSTCORE_NODE_IO=thread`: `host.rs`)
/// or cannot be set up. One worker:
/// a call's request future and its connection task then share a thread, saving cross-thread
/// wake-ups (measured with `make bench` before the driver existed: sequential calls +23 %).
/// Installed once per process; worker_threads share it.
#[napi_derive::module_init]
fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("postcore-io")
            .enable_all()
            .build()
        {
            napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
        }
    });
}
