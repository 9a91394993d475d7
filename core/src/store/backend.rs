//! What every store does (the [`Backend`] trait and the types of its operations), and how
//! keys are named in any store: the contract between [`Store`](super::Store) and its
//! memory, SQLite and Redis implementations.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::budget::{BudgetSpec, Grant, MultiDecision, Settle};

/// A boxed future, as the stores' methods return.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A store that failed (unreachable, locked, corrupt): the message says what happened,
/// without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoreError(pub(crate) String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) type StoreResult<T> = std::result::Result<T, StoreError>;

/// When a write applies.
#[allow(dead_code)] // the idempotency records and event cursors use the key-value part
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Condition<'a> {
    /// Always.
    Always,
    /// Only if the key holds nothing (or expired).
    IfAbsent,
    /// Only if the key holds exactly these bytes.
    IfEquals(&'a [u8]),
}

/// One budget to take a slot from: its key in the store and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BudgetRef {
    pub(crate) key: String,
    pub(crate) spec: BudgetSpec,
}

/// One settled slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settlement {
    pub(crate) key: String,
    pub(crate) grant: Grant,
    pub(crate) outcome: Settle,
}

/// What every store does. Budget operations are atomic (one lock, one transaction, one
/// script); the key-value operations give the idempotency records and event cursors their
/// compare-and-set.
#[allow(dead_code)] // the idempotency records and event cursors use the key-value part
pub(crate) trait Backend: Send + Sync + 'static {
    /// Takes a slot from every budget, or from none (see [`super::budget::acquire_all`]). The store
    /// supplies `now` (its own clock).
    fn acquire<'a>(
        &'a self,
        budgets: &'a [BudgetRef],
        probe_ttl_ms: i64,
        background: bool,
    ) -> BoxFuture<'a, StoreResult<MultiDecision>>;

    /// Records how granted requests ended.
    fn settle<'a>(&'a self, settlements: &'a [Settlement]) -> BoxFuture<'a, StoreResult<()>>;

    /// The value of `key`, unless absent or expired.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, StoreResult<Option<Vec<u8>>>>;

    /// Writes `value` under `key` (expiring after `ttl`, if given) when `condition` holds;
    /// returns whether it did.
    fn put<'a>(
        &'a self,
        key: &'a str,
        value: &'a [u8],
        ttl: Option<Duration>,
        condition: Condition<'a>,
    ) -> BoxFuture<'a, StoreResult<bool>>;

    /// Removes `key` when `condition` holds (`IfAbsent` never does); returns whether it did.
    fn delete<'a>(
        &'a self,
        key: &'a str,
        condition: Condition<'a>,
    ) -> BoxFuture<'a, StoreResult<bool>>;

    /// The store's clock, Unix milliseconds (the Redis server's for Redis).
    fn now_ms(&self) -> BoxFuture<'_, StoreResult<i64>>;
}

/// The namespace of a key and base URL in a store: a hash, so the key itself is never stored.
pub(crate) fn namespace(api_key: &str, base_url: &str) -> String {
    let mut input = Vec::with_capacity(api_key.len() + base_url.len() + 1);
    input.extend_from_slice(api_key.as_bytes());
    input.push(0);
    input.extend_from_slice(base_url.as_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &input);
    let mut hex = String::with_capacity(32);
    for byte in &digest.as_ref()[..16] {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// This machine's clock, Unix milliseconds: the memory and SQLite stores' clock.
pub(crate) fn system_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
