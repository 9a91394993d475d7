//! The store: state shared by every client that uses it (the rate budgets, idempotency
//! records, event cursors), so that a fleet of processes acts as one client.
//!
//! * `memory://` (the default): the clients of this process. `memory://NAME` is a separate
//!   one, by name (tests use it to keep clients apart).
//! * `sqlite:///absolute/path.db`: the processes of one host (WAL, a busy timeout).
//! * `redis://[user:password@]host[:port][/db]`, `rediss://…` (TLS): processes on many hosts.
//!
//! Everything is namespaced by a hash of the API key and base URL (never the key itself), so
//! one store serves several keys or environments without mixing them up.
//!
//! Opening a store does no I/O: a store that is unreachable or broken is found out on use,
//! and the client then goes on with this process's own state (see `pacer.rs`).

pub(crate) mod backend;
pub(crate) mod budget;
mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;
pub(crate) mod url;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use self::backend::Backend;
use self::url::StoreUrl;
use crate::error::Result;

/// The environment variable read when no store is given.
pub const STORE_ENV: &str = "POSTCORE_STORE";

/// A store, opened from its URL: cheap to clone; clients opened with the same URL in one
/// process share one connection.
#[derive(Clone)]
pub struct Store {
    url: Arc<StoreUrl>,
    backend: Arc<dyn Backend>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Store").field(&self.url.redacted()).finish()
    }
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url.redacted())
    }
}

/// A store opened in this process: its URL's identity, the process that opened it (a child
/// after `fork()` opens its own), the store.
type Opened = (String, u32, Weak<dyn Backend>);

/// Stores opened in this process, so that clients share their connections.
static OPEN: Mutex<Vec<Opened>> = Mutex::new(Vec::new());

impl Store {
    /// Opens the store at `url` (see the module docs for the forms). A malformed or
    /// unsupported URL is a configuration error; nothing is connected yet.
    pub fn open(url: &str) -> Result<Store> {
        Self::open_from(url, None)
    }

    /// [`Store::open`], naming where the URL came from in errors (`POSTCORE_STORE`).
    pub(crate) fn open_from(url: &str, source: Option<&str>) -> Result<Store> {
        Self::open_parsed(StoreUrl::parse(url, source)?)
    }

    fn open_parsed(parsed: StoreUrl) -> Result<Store> {
        let key = parsed.identity();
        let pid = std::process::id();
        let mut open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
        open.retain(|(_, opener, backend)| *opener == pid && backend.strong_count() > 0);
        if let Some(backend) = open
            .iter()
            .find(|(k, _, _)| *k == key)
            .and_then(|(_, _, b)| b.upgrade())
        {
            return Ok(Store {
                url: Arc::new(parsed),
                backend,
            });
        }
        let backend = connect(&parsed)?;
        open.push((key, pid, Arc::downgrade(&backend)));
        Ok(Store {
            url: Arc::new(parsed),
            backend,
        })
    }

    /// The same store for a child process after `fork()`: its own connection (SQLite: a new
    /// one; Redis: a new connection thread), shared by the child's clients; the parent's is
    /// left alone. `memory://` stays the same (the child has a copy of the parent's). In the
    /// process that opened it, the store itself.
    #[allow(dead_code)] // the bindings call it through `Client::with_new_pool`
    pub(crate) fn after_fork(&self) -> Result<Store> {
        Self::open_parsed(StoreUrl::clone(&self.url))
    }

    /// The default: `POSTCORE_STORE` if set (and not empty), else `memory://`.
    pub(crate) fn from_env() -> Result<Store> {
        match std::env::var(STORE_ENV) {
            Ok(url) if !url.trim().is_empty() => Self::open_from(url.trim(), Some(STORE_ENV)),
            _ => Self::open("memory://"),
        }
    }

    /// This process's own store, for the namespace of a store that fails.
    pub(crate) fn process_local() -> Store {
        // `memory://` always parses; the fallback keeps the types honest.
        Self::open("memory://").unwrap_or_else(|_| Store {
            url: Arc::new(StoreUrl::Memory(String::new())),
            backend: memory::MemoryStore::shared(""),
        })
    }

    /// Whether this store is this process's memory (nothing to fall back from).
    pub(crate) fn is_process_local(&self) -> bool {
        matches!(&*self.url, StoreUrl::Memory(_))
    }

    /// The URL, with any password masked.
    pub fn url(&self) -> String {
        self.url.redacted()
    }

    pub(crate) fn backend(&self) -> &dyn Backend {
        &*self.backend
    }
}

fn connect(url: &StoreUrl) -> Result<Arc<dyn Backend>> {
    match url {
        StoreUrl::Memory(name) => Ok(memory::MemoryStore::shared(name)),
        #[cfg(feature = "sqlite")]
        StoreUrl::Sqlite(path) => Ok(Arc::new(sqlite::SqliteStore::new(path))),
        #[cfg(feature = "redis")]
        StoreUrl::Redis(url) => Ok(Arc::new(redis::RedisStore::new(url))),
        #[cfg(not(all(feature = "sqlite", feature = "redis")))]
        other => Err(crate::error::Error::config(format!(
            "this build of postcore cannot use the store {}: {}",
            other.redacted(),
            other.unsupported_reason()
        ))),
    }
}

#[cfg(test)]
mod tests;
