//! Node bindings for postcore: a thin, generic `napi` layer over the `postcore` core crate.
//!
//! Everything here converts arguments in and results and errors out; the HTTP, retry,
//! validation and parsing logic lives in `core`, and no file here names an endpoint: calls go
//! through the core's generic dispatch (`postcore::bindings`) by operation name, with JSON
//! arguments and results (napi's serde-json support). The public API (`Postcore`, its
//! resources, the error classes, the types) is the TypeScript in `ts/`, compiled to `lib/`.
//!
//! Files: `client.rs` (the client, its calls and options), `errors.rs` (core errors to
//! JavaScript values), `cancel.rs` (dropping a call's future when its `AbortSignal` fires),
//! `meta.rs` (the error, model and operation lists the tests check the TypeScript against),
//! `testing.rs` (the local mock server of `postcore/testing`, in-process).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cancel;
mod client;
mod errors;
mod meta;
mod testing;

pub use cancel::CancelToken;
pub use client::{
    ClientOptions, ClientOverrides, NativeClient, RequestOptions, ResponseMeta, check_arguments,
};
pub use meta::{
    ErrorClassInfo, ModelInfo, OperationInfo, error_classes, models, operations, user_agent,
};
pub use testing::{MockServerConfig, NativeMockServer, mock_default_api_key, start_mock_server};

/// The version of this package, sent as `User-Agent: postcore-node/<version>`.
pub(crate) const USER_AGENT: &str = concat!("postcore-node/", env!("CARGO_PKG_VERSION"));

/// napi's runtime, sized for an I/O-only client: with one worker, a call's request future and
/// its connection task run on the same thread, saving cross-thread wake-ups. Measured with
/// `make bench`: sequential calls +23 %, 64 in flight -17 % (still ~35k calls/s, far above what
/// the API's rate limits allow). Installed once per process; worker_threads share it.
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
