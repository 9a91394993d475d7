//! What a documented endpoint must say about itself; the client and transport do the rest.
//!
//! Adding an endpoint means one file under `endpoints/`: its parameter and result types, an
//! `impl Endpoint`, and the public `impl Client` method. Transport, retries and error decoding
//! are shared and need no change.

use std::borrow::Cow;

use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::Result;

pub(crate) trait Endpoint {
    /// The decoded success body.
    type Output: DeserializeOwned;

    /// HTTP method; decides which failures may be retried (see `retry.rs`).
    const METHOD: Method;

    /// Path below the base URL, starting with `/`.
    fn path(&self) -> Cow<'static, str>;

    /// JSON request body, if the endpoint takes one.
    fn body(&self) -> Result<Option<Vec<u8>>>;
}
