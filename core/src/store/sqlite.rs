//! `sqlite:///path.db`: the processes of one host share a database file.
//!
//! * One connection per process, opened on first use (a child after `fork()` opens its own and
//!   leaves the parent's alone), in WAL mode so that readers never wait for a writer.
//! * Each budget operation is one `BEGIN IMMEDIATE` transaction running `budget.rs`'s functions;
//!   the tables are created on first use. The clock is this machine's.
//! * SQLite's calls block: they run on tokio's blocking threads (`spawn_blocking`, which the
//!   current-thread runtimes of Node and the command line have too), and a locked database
//!   makes no operation wait longer than [`DEADLINE`] (queueing in this process included).
//! * A file that is locked, read-only or corrupt fails each operation with a `StoreError`; the
//!   pacer then carries on with this process's memory, and the file is tried again later.
//! * Expired values count as absent; they are deleted every [`SWEEP_EVERY`] writes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use super::backend::{
    Backend, BoxFuture, BudgetRef, Condition, Settlement, StoreError, StoreResult, system_now_ms,
};
use super::budget::{self, AcquireParams, BudgetState, MultiDecision};

/// The longest one operation may take, waiting for the lock (another process's transaction, or
/// this process's earlier operations) included.
const DEADLINE: Duration = Duration::from_secs(1);
/// Writes between two sweeps of expired values.
const SWEEP_EVERY: u32 = 1024;

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS postcore_budgets (
        key TEXT PRIMARY KEY NOT NULL,
        \"limit\" INTEGER NOT NULL,
        remaining INTEGER NOT NULL,
        window_id INTEGER NOT NULL,
        reset_at INTEGER NOT NULL,
        paused_until INTEGER NOT NULL,
        probe_until INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS postcore_values (
        key TEXT PRIMARY KEY NOT NULL,
        value BLOB NOT NULL,
        expires_at INTEGER
    ) WITHOUT ROWID;
";

/// A value that has not expired at `?now`.
const LIVE: &str = "(expires_at IS NULL OR expires_at > :now)";

/// One SQLite store.
pub(crate) struct SqliteStore {
    shared: Arc<Shared>,
}

/// What the blocking threads share.
struct Shared {
    path: PathBuf,
    /// This process's connection (and the process that opened it); `None` until first use or
    /// after opening failed.
    connection: Mutex<Option<(u32, Connection)>>,
    /// Writes of values so far (a sweep every [`SWEEP_EVERY`]).
    writes: AtomicU32,
}

impl SqliteStore {
    pub(crate) fn new(path: &Path) -> Self {
        Self {
            shared: Arc::new(Shared {
                path: path.to_owned(),
                connection: Mutex::new(None),
                writes: AtomicU32::new(0),
            }),
        }
    }

    /// Runs `op` on this process's connection, on a blocking thread.
    fn run<T: Send + 'static>(
        &self,
        op: impl FnOnce(&mut Connection, i64) -> rusqlite::Result<T> + Send + 'static,
    ) -> BoxFuture<'static, StoreResult<T>> {
        let shared = self.shared.clone();
        let deadline = Instant::now() + DEADLINE;
        Box::pin(async move {
            let task = tokio::task::spawn_blocking(move || shared.with_connection(deadline, op));
            task.await
                .unwrap_or_else(|e| Err(StoreError(format!("SQLite: the operation failed: {e}"))))
        })
    }
}

impl Shared {
    fn with_connection<T>(
        &self,
        deadline: Instant,
        op: impl FnOnce(&mut Connection, i64) -> rusqlite::Result<T>,
    ) -> StoreResult<T> {
        let mut slot = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return Err(StoreError(format!(
                "SQLite: busy for more than {} ms",
                DEADLINE.as_millis()
            )));
        };
        let pid = std::process::id();
        if slot.as_ref().is_some_and(|(owner, _)| *owner != pid) {
            // The parent's, in a child after fork(): never used nor closed here.
            std::mem::forget(slot.take());
        }
        let connection = match &mut *slot {
            Some((_, connection)) => connection,
            empty => &mut empty.insert((pid, self.open(left)?)).1,
        };
        connection.busy_timeout(left).map_err(|e| error(&e))?;
        op(connection, system_now_ms()).map_err(|e| error(&e))
    }

    /// Opens the file and sets it up (WAL, the tables), waiting at most `left` for locks.
    fn open(&self, left: Duration) -> StoreResult<Connection> {
        self.set_up(left).map_err(|e| error(&e))
    }

    fn set_up(&self, left: Duration) -> rusqlite::Result<Connection> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(left)?;
        // WAL where the file system allows it; otherwise SQLite keeps its rollback journal.
        let _mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        // A power loss may lose the last transactions, never corrupt the file; budgets and
        // cursors do not need each commit on disk.
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.execute_batch(SCHEMA)?;
        sweep(&connection, system_now_ms())?;
        Ok(connection)
    }

    /// Counts a write of a value: whether it is time to sweep.
    fn wrote(&self) -> bool {
        self.writes.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1
    }
}

fn error(e: &rusqlite::Error) -> StoreError {
    StoreError(format!("SQLite: {e}"))
}

impl Drop for Shared {
    fn drop(&mut self) {
        let slot = self
            .connection
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(inherited) = slot.take().filter(|(pid, _)| *pid != std::process::id()) {
            // A child after fork(): closing the parent's connection here could disturb its
            // locks.
            std::mem::forget(inherited);
        }
    }
}

fn sweep(connection: &Connection, now: i64) -> rusqlite::Result<()> {
    connection.execute(
        "DELETE FROM postcore_values WHERE expires_at IS NOT NULL AND expires_at <= ?1",
        [now],
    )?;
    Ok(())
}

fn load(connection: &Connection, key: &str) -> rusqlite::Result<BudgetState> {
    let state = connection
        .query_row(
            "SELECT \"limit\", remaining, window_id, reset_at, paused_until, probe_until
             FROM postcore_budgets WHERE key = ?1",
            [key],
            |r| {
                Ok(BudgetState {
                    limit: r.get(0)?,
                    remaining: r.get(1)?,
                    window_id: r.get(2)?,
                    reset_at: r.get(3)?,
                    paused_until: r.get(4)?,
                    probe_until: r.get(5)?,
                })
            },
        )
        .optional()?;
    Ok(state.unwrap_or_default())
}

fn save(connection: &Connection, key: &str, s: &BudgetState) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT OR REPLACE INTO postcore_budgets
             (key, \"limit\", remaining, window_id, reset_at, paused_until, probe_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            key,
            s.limit,
            s.remaining,
            s.window_id,
            s.reset_at,
            s.paused_until,
            s.probe_until
        ],
    )?;
    Ok(())
}

/// When a value written now with `ttl` expires (store clock, ms).
fn expiry(now: i64, ttl: Option<Duration>) -> Option<i64> {
    ttl.map(|t| now.saturating_add(i64::try_from(t.as_millis()).unwrap_or(i64::MAX)))
}

/// A condition, owned (operations run on another thread).
enum Expect {
    Always,
    IfAbsent,
    IfEquals(Vec<u8>),
}

impl From<Condition<'_>> for Expect {
    fn from(condition: Condition<'_>) -> Self {
        match condition {
            Condition::Always => Self::Always,
            Condition::IfAbsent => Self::IfAbsent,
            Condition::IfEquals(value) => Self::IfEquals(value.to_vec()),
        }
    }
}

impl Backend for SqliteStore {
    fn acquire<'a>(
        &'a self,
        budgets: &'a [BudgetRef],
        probe_ttl_ms: i64,
        background: bool,
    ) -> BoxFuture<'a, StoreResult<MultiDecision>> {
        let budgets = budgets.to_vec();
        self.run(move |connection, now| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut states = budgets
                .iter()
                .map(|b| load(&tx, &b.key))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let specs: Vec<_> = budgets.iter().map(|b| b.spec).collect();
            let params = AcquireParams {
                now,
                probe_ttl: probe_ttl_ms,
                background,
            };
            let decision = budget::acquire_all(&mut states, &specs, &params);
            if matches!(decision, MultiDecision::Granted(_)) {
                for (b, state) in budgets.iter().zip(&states) {
                    save(&tx, &b.key, state)?;
                }
            }
            tx.commit()?;
            Ok(decision)
        })
    }

    fn settle<'a>(&'a self, settlements: &'a [Settlement]) -> BoxFuture<'a, StoreResult<()>> {
        if settlements.is_empty() {
            return Box::pin(async { Ok(()) });
        }
        let settlements = settlements.to_vec();
        self.run(move |connection, now| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for s in &settlements {
                let mut state = load(&tx, &s.key)?;
                state.settle(now, &s.grant, &s.outcome);
                save(&tx, &s.key, &state)?;
            }
            tx.commit()
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, StoreResult<Option<Vec<u8>>>> {
        let key = key.to_owned();
        self.run(move |connection, now| {
            connection
                .query_row(
                    &format!("SELECT value FROM postcore_values WHERE key = :key AND {LIVE}"),
                    rusqlite::named_params! { ":key": key, ":now": now },
                    |r| r.get(0),
                )
                .optional()
        })
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        value: &'a [u8],
        ttl: Option<Duration>,
        condition: Condition<'a>,
    ) -> BoxFuture<'a, StoreResult<bool>> {
        let (key, value, condition) = (key.to_owned(), value.to_vec(), Expect::from(condition));
        let shared = self.shared.clone();
        self.run(move |connection, now| {
            let expires_at = expiry(now, ttl);
            let changed = match condition {
                Expect::Always => connection.execute(
                    "INSERT OR REPLACE INTO postcore_values (key, value, expires_at)
                     VALUES (:key, :value, :expires_at)",
                    rusqlite::named_params! {
                        ":key": key, ":value": value, ":expires_at": expires_at,
                    },
                )?,
                // Inserted, or written over an expired value.
                Expect::IfAbsent => connection.execute(
                    "INSERT INTO postcore_values (key, value, expires_at)
                     VALUES (:key, :value, :expires_at)
                     ON CONFLICT (key) DO UPDATE
                     SET value = excluded.value, expires_at = excluded.expires_at
                     WHERE postcore_values.expires_at IS NOT NULL
                       AND postcore_values.expires_at <= :now",
                    rusqlite::named_params! {
                        ":key": key, ":value": value, ":expires_at": expires_at, ":now": now,
                    },
                )?,
                Expect::IfEquals(expected) => connection.execute(
                    &format!(
                        "UPDATE postcore_values SET value = :value, expires_at = :expires_at
                         WHERE key = :key AND value = :expected AND {LIVE}"
                    ),
                    rusqlite::named_params! {
                        ":key": key, ":value": value, ":expires_at": expires_at,
                        ":expected": expected, ":now": now,
                    },
                )?,
            };
            if shared.wrote() {
                sweep(connection, now)?;
            }
            Ok(changed == 1)
        })
    }

    fn delete<'a>(
        &'a self,
        key: &'a str,
        condition: Condition<'a>,
    ) -> BoxFuture<'a, StoreResult<bool>> {
        let (key, condition) = (key.to_owned(), Expect::from(condition));
        if matches!(condition, Expect::IfAbsent) {
            return Box::pin(async { Ok(false) });
        }
        self.run(move |connection, now| {
            let changed = match condition {
                Expect::IfEquals(expected) => connection.execute(
                    &format!(
                        "DELETE FROM postcore_values
                         WHERE key = :key AND value = :expected AND {LIVE}"
                    ),
                    rusqlite::named_params! { ":key": key, ":expected": expected, ":now": now },
                )?,
                _ => connection.execute(
                    &format!("DELETE FROM postcore_values WHERE key = :key AND {LIVE}"),
                    rusqlite::named_params! { ":key": key, ":now": now },
                )?,
            };
            Ok(changed == 1)
        })
    }

    fn now_ms(&self) -> BoxFuture<'_, StoreResult<i64>> {
        Box::pin(async { Ok(system_now_ms()) })
    }
}

#[cfg(test)]
mod tests;
