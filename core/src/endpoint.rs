//! What a documented endpoint must say about itself; the client and transport do the rest.
//!
//! Adding an endpoint means one type under `endpoints/` with an `impl Endpoint` (its name,
//! method, path, body, retry class and result), the public `impl Client` methods for Rust users,
//! one line in [`crate::bindings`]'s operation table, and its entry in [`crate::spec`]
//! (arguments and documentation), from which `make generate` writes its Python and TypeScript
//! methods. Transport, retries and error decoding are shared and need no change.

use std::borrow::Cow;

use http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::config::MAX_RESPONSE_BYTES;
use crate::error::Result;
use crate::idempotency::{Claims, Found};
use crate::pacer::Budgets;
use crate::retry::Retry;
use crate::store::backend::BoxFuture;
use crate::validate::Names;

pub(crate) trait Endpoint: Send + Sync {
    /// The success body as the server sends it.
    type Wire: DeserializeOwned;
    /// What the call returns (serializable, so bindings can hand it to their languages).
    type Output: Serialize + Send + 'static;

    /// The operation's name in every language's dispatch, e.g. `"profiles.create"`.
    const NAME: &'static str;
    /// HTTP method.
    const METHOD: Method;
    /// Path template as documented, e.g. `"/profiles/:profileKey"` (for listings and docs).
    const PATH: &'static str;
    /// Which failures may be retried.
    const RETRY: Retry;
    /// Larger bodies end the call with an error instead of using unbounded memory.
    const MAX_RESPONSE_BYTES: usize = MAX_RESPONSE_BYTES;
    /// The rate budgets each attempt spends (the general one, and maybe another).
    const BUDGETS: Budgets = Budgets::General;
    /// Whether the operation takes an idempotency key (see [`Endpoint::fingerprint`]).
    const KEYED: bool = false;

    /// Checks the arguments before anything is sent; `names` spells argument names for the
    /// caller's language.
    fn validate(&self, _names: Names) -> Result<()> {
        Ok(())
    }

    /// Path below the base URL, starting with `/`, ids percent-encoded.
    fn path(&self) -> Cow<'static, str>;

    /// JSON request body, if the endpoint takes one.
    fn body(&self) -> Result<Option<Vec<u8>>> {
        Ok(None)
    }

    /// The result, from the decoded body (unwrapping envelopes such as `{"profiles": [...]}`).
    fn output(&self, wire: Self::Wire) -> Self::Output;

    /// The result to return when a retry answers 404 after an earlier attempt may already have
    /// done the work: for deletions, "already gone" is success.
    fn already_done(&self) -> Option<Self::Output> {
        None
    }

    /// A secret this call sends besides the API key (a Bluesky app password), removed from
    /// any error should a server echo it back.
    fn secret(&self) -> Option<&str> {
        None
    }

    /// For the creations that take an idempotency key: the arguments that make two calls the
    /// same operation (no secrets). `None`: the operation takes no key.
    fn fingerprint(&self) -> Option<serde_json::Value> {
        None
    }

    /// Looks for what an earlier call with these arguments created after `since_ms` (the
    /// server's clock), when its answer was lost (see `idempotency/`).
    fn find_created<'a>(
        &'a self,
        _client: &'a Client,
        _since_ms: i64,
        _claims: &'a Claims<'a>,
    ) -> BoxFuture<'a, Found<Self::Output>> {
        Box::pin(async { Found::Absent })
    }

    /// The ids of what a creation returned (claimed for its idempotency key).
    fn created_ids(&self, _output: &Self::Output) -> Vec<String> {
        Vec::new()
    }

    /// A recorded result (the serialized output) read back, for a repeated keyed call.
    fn replayed(&self, value: serde_json::Value) -> Option<Self::Output> {
        serde_json::from_value::<Self::Wire>(value)
            .ok()
            .map(|wire| self.output(wire))
    }
}

/// `value` percent-encoded for use as one URL path segment.
pub(crate) fn path_segment(value: &str) -> String {
    const KEEP: &[u8] = b"-._~";
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || KEEP.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A JSON body, with encoding failures (which cannot happen for our types) as argument errors.
pub(crate) fn json_body(value: &impl Serialize) -> Result<Option<Vec<u8>>> {
    serde_json::to_vec(value).map(Some).map_err(|e| {
        crate::error::Error::invalid_argument(format!("cannot encode the request: {e}"))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(super::path_segment("prof_abc123"), "prof_abc123");
        assert_eq!(super::path_segment("a/b?c d"), "a%2Fb%3Fc%20d");
        assert_eq!(super::path_segment("é"), "%C3%A9");
    }
}
