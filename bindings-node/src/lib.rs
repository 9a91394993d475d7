//! Node bindings for postcore: a thin `napi` layer over the `postcore` core crate.
//!
//! Everything here converts arguments in and results and errors out; the HTTP, retry and
//! parsing logic lives in `core`. The public API (`Postcore`, `createProfile`, the error
//! classes) is the hand-written JavaScript in `lib/`, which wraps the native classes below.
//!
//! Files mirror the core: `client.rs` (the client and its calls), `errors.rs` (core errors to
//! JavaScript error objects), `cancel.rs` (dropping a call's future when its `AbortSignal` fires).

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cancel;
mod client;
mod errors;

pub use cancel::CancelToken;
pub use client::{
    ClientOptions, CreateProfileParams, NativeClient, Profile, RequestOptions, user_agent,
};

/// The version of this package, sent as `User-Agent: postcore-node/<version>`.
pub(crate) const USER_AGENT: &str = concat!("postcore-node/", env!("CARGO_PKG_VERSION"));
