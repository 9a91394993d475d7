//! The SQLite store against real files in a temporary folder.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::SqliteStore;
use crate::store::Store;
use crate::store::backend::{Backend, BudgetRef, Condition};
use crate::store::budget::{BudgetSpec, MultiDecision};
use crate::store::tests::{conformance, same_decisions};

/// A folder of its own, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("postcore-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary folder");
        Self(dir)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn posting(limit: i64) -> Vec<BudgetRef> {
    vec![BudgetRef {
        key: "t:posting".to_owned(),
        spec: BudgetSpec {
            limit,
            window_ms: 3_600_000,
            learns: false,
        },
    }]
}

/// Every kind of operation, each of which must fail (and not panic, nor hang).
async fn every_operation_fails(backend: &dyn Backend) -> Vec<String> {
    let budgets = posting(5);
    let mut errors = vec![
        backend.acquire(&budgets, 5_000, false).await.map(|_| ()),
        backend.settle(&[]).await,
        backend.get("t:v").await.map(|_| ()),
        backend
            .put("t:v", b"x", None, Condition::Always)
            .await
            .map(|_| ()),
        backend.delete("t:v", Condition::Always).await.map(|_| ()),
    ];
    errors.retain(Result::is_err);
    errors
        .into_iter()
        .filter_map(Result::err)
        .map(|e| e.0)
        .collect()
}

#[tokio::test]
async fn sqlite_store_conformance() {
    let dir = TempDir::new("sqlite-conformance");
    let store = Store::open(&url(&dir.file("store.db"))).expect("store");
    conformance(store.backend(), "t").await;
    // The file is in WAL mode, so readers never wait for a writer.
    let mode: String = rusqlite::Connection::open(dir.file("store.db"))
        .and_then(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
        .expect("journal mode");
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn sqlite_decides_as_budget_rs_does() {
    let dir = TempDir::new("sqlite-differential");
    let reference = Store::open("memory://sqlite-differential").expect("memory store");
    let store = Store::open(&url(&dir.file("store.db"))).expect("store");
    same_decisions(reference.backend(), store.backend(), "d").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connections_to_one_file_share_the_budget() {
    // Two processes: two stores, each with its own connection to the file.
    let dir = TempDir::new("sqlite-two");
    let path = dir.file("shared.db");
    let a = SqliteStore::new(&path);
    let b = SqliteStore::new(&path);
    // Together they take exactly the limit, however their requests interleave.
    let budgets = posting(40);
    let take = |store: SqliteStore| {
        let budgets = budgets.clone();
        tokio::spawn(async move {
            let mut taken = 0;
            for _ in 0..30 {
                if let Ok(MultiDecision::Granted(_)) = store.acquire(&budgets, 5_000, false).await {
                    taken += 1;
                }
            }
            (taken, store)
        })
    };
    let (ta, tb) = (take(a), take(b));
    let ((taken_a, a), (taken_b, b)) = (ta.await.expect("a"), tb.await.expect("b"));
    assert_eq!(taken_a + taken_b, 40, "{taken_a} + {taken_b}");
    assert!(matches!(
        b.acquire(&budgets, 5_000, false).await,
        Ok(MultiDecision::Wait(_))
    ));
    // Values written through one are read through the other.
    assert_eq!(
        a.put("t:k", b"1", None, Condition::IfAbsent).await,
        Ok(true)
    );
    assert_eq!(
        b.put("t:k", b"2", None, Condition::IfAbsent).await,
        Ok(false)
    );
    assert_eq!(b.get("t:k").await, Ok(Some(b"1".to_vec())));
    assert_eq!(b.delete("t:k", Condition::IfEquals(b"1")).await, Ok(true));
    assert_eq!(a.get("t:k").await, Ok(None));
}

#[tokio::test]
async fn a_corrupt_file_fails_every_operation() {
    let dir = TempDir::new("sqlite-corrupt");
    let path = dir.file("corrupt.db");
    std::fs::write(&path, b"this is not a database, only text ".repeat(200)).expect("write");
    let store = Store::open(&url(&path)).expect("opening does no I/O");
    let errors = every_operation_fails(store.backend()).await;
    assert_eq!(errors.len(), 4, "{errors:?}"); // settling nothing does nothing
    assert!(
        errors.iter().all(|e| e.contains("not a database")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_read_only_file_fails_every_operation() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("sqlite-read-only");
    let path = dir.file("read-only.db");
    rusqlite::Connection::open(&path)
        .and_then(|c| c.execute_batch("CREATE TABLE other (x)"))
        .expect("a database");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    // Root writes to files whatever their mode: then make it immutable instead.
    let immutable = std::fs::OpenOptions::new().write(true).open(&path).is_ok();
    if immutable {
        let made = std::process::Command::new("chattr")
            .arg("+i")
            .arg(&path)
            .status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "cannot make {} read-only for this user (root; chattr +i failed)",
            path.display()
        );
    }
    let store = Store::open(&url(&path)).expect("opening does no I/O");
    let errors = every_operation_fails(store.backend()).await;
    if immutable {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&path)
            .status();
    }
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e.contains("readonly") || e.contains("unable to open")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_locked_file_fails_fast_and_works_once_unlocked() {
    let dir = TempDir::new("sqlite-locked");
    let path = dir.file("locked.db");
    let store = Store::open(&url(&path)).expect("store");
    let backend = store.backend();
    let budgets = posting(5);
    assert!(backend.acquire(&budgets, 5_000, false).await.is_ok());
    // Another process holds the write lock (and keeps it).
    let other = rusqlite::Connection::open(&path).expect("other connection");
    other.execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let started = Instant::now();
    let acquired = backend.acquire(&budgets, 5_000, false).await;
    let put = backend.put("t:v", b"x", None, Condition::Always).await;
    let elapsed = started.elapsed();
    assert!(
        acquired.as_ref().is_err_and(|e| e.0.contains("locked")),
        "{acquired:?}"
    );
    assert!(
        put.as_ref().is_err_and(|e| e.0.contains("locked")),
        "{put:?}"
    );
    // Each waited for the lock about a second (the deadline), no longer.
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    // Readers do not wait for writers (WAL).
    assert_eq!(backend.get("t:v").await, Ok(None));
    other.execute_batch("ROLLBACK").expect("unlock");
    assert!(matches!(
        backend.acquire(&budgets, 5_000, false).await,
        Ok(MultiDecision::Granted(g)) if g[0].remaining == 3
    ));
}

#[tokio::test]
async fn expired_values_are_swept() {
    let dir = TempDir::new("sqlite-sweep");
    let path = dir.file("sweep.db");
    let store = SqliteStore::new(&path);
    let short = Some(Duration::from_millis(1));
    assert_eq!(
        store.put("t:old", b"x", short, Condition::Always).await,
        Ok(true)
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    let rows = || {
        rusqlite::Connection::open(&path)
            .and_then(|c| c.query_row("SELECT count(*) FROM postcore_values", [], |r| r.get(0)))
            .unwrap_or(-1_i64)
    };
    assert_eq!(rows(), 1, "an expired value stays until a sweep");
    for i in 0..super::SWEEP_EVERY {
        let key = format!("t:{i}");
        assert_eq!(
            store.put(&key, b"x", None, Condition::Always).await,
            Ok(true)
        );
    }
    assert_eq!(rows(), i64::from(super::SWEEP_EVERY), "swept");
}

#[tokio::test]
async fn a_child_process_opens_its_own_connection() {
    let dir = TempDir::new("sqlite-child");
    let store = SqliteStore::new(&dir.file("child.db"));
    assert_eq!(
        store.put("t:k", b"1", None, Condition::Always).await,
        Ok(true)
    );
    let marked = |connection: &rusqlite::Connection| {
        connection
            .query_row(
                "SELECT count(*) FROM temp.sqlite_master WHERE name = 'marker'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .expect("query")
            == 1
    };
    {
        // As if this were a child after fork(): the connection (marked with a table only it
        // sees) is the parent's, never to be used (nor closed) here.
        let mut slot = store.shared.connection.lock().expect("slot");
        let (pid, connection) = slot.as_mut().expect("a connection");
        connection
            .execute_batch("CREATE TEMP TABLE marker (x)")
            .expect("mark");
        assert!(marked(connection));
        *pid = 0;
    }
    assert_eq!(store.get("t:k").await, Ok(Some(b"1".to_vec())));
    let slot = store.shared.connection.lock().expect("slot");
    let (pid, connection) = slot.as_ref().expect("a connection");
    assert_eq!(*pid, std::process::id());
    assert!(!marked(connection), "a new connection");
}
