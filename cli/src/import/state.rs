//! The import's progress, in a SQLite file: one row per input row, every change committed
//! (and synced) before the next request, so a crash or `kill -9` loses nothing.
//!
//! A row is `pending` (not sent, or known not to have been processed), `sent` (a request left
//! and its outcome is unknown: it may have been processed), `created` (it has its profile key)
//! or `failed` (refused for good, with the API's code and message). A unique index makes it
//! impossible for two rows to hold the same key.
//!
//! The file is opened in SQLite's exclusive locking mode: a second import on the same file
//! is refused while the first runs (the lock goes with the process, even on `kill -9`).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

use crate::Failure;

/// Marks a file as an import state file of this format.
const FORMAT: &str = "postcore-import/1";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rows (
    row           INTEGER PRIMARY KEY,   -- 1-based data row of the CSV (the header is row 0)
    name          TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'created', 'failed')),
    profile_key   TEXT,
    error_code    TEXT,
    error_message TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    sent_at_ms    INTEGER,               -- local Unix ms of the last send or ambiguous failure
    reconciled    INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rows_by_state ON rows (state, row);
CREATE UNIQUE INDEX IF NOT EXISTS rows_by_key ON rows (profile_key) WHERE profile_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS baseline (
    profile_key TEXT PRIMARY KEY         -- profiles that existed before the import began
);
";

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// Where one row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowState {
    Pending,
    Sent,
    Created,
    Failed,
}

impl RowState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Created => "created",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => Self::Pending,
            "sent" => Self::Sent,
            "created" => Self::Created,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// One input row as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) row: i64,
    pub(crate) name: String,
    pub(crate) state: RowState,
    pub(crate) profile_key: Option<String>,
    pub(crate) error_code: Option<String>,
    pub(crate) error_message: Option<String>,
    pub(crate) sent_at_ms: Option<i64>,
}

/// How many rows are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) pending: u64,
    pub(crate) sent: u64,
    pub(crate) created: u64,
    pub(crate) failed: u64,
}

impl Counts {
    pub(crate) fn total(&self) -> u64 {
        self.pending + self.sent + self.created + self.failed
    }

    /// Rows that need no more requests.
    pub(crate) fn done(&self) -> u64 {
        self.created + self.failed
    }

    /// Rows that still need a request (a create, or a look at GET /profiles).
    pub(crate) fn left(&self) -> u64 {
        self.pending + self.sent
    }

    fn slot(&mut self, state: RowState) -> &mut u64 {
        match state {
            RowState::Pending => &mut self.pending,
            RowState::Sent => &mut self.sent,
            RowState::Created => &mut self.created,
            RowState::Failed => &mut self.failed,
        }
    }

    fn moved(&mut self, from: RowState, to: RowState) {
        let from = self.slot(from);
        *from = from.saturating_sub(1);
        *self.slot(to) += 1;
    }
}

/// What identifies the input an import state belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    /// The CSV's path as given, made absolute.
    pub(crate) path: String,
    pub(crate) size: u64,
    /// FNV-1a (64 bits) of the file's bytes, hex.
    pub(crate) hash: String,
    pub(crate) rows: u64,
    pub(crate) name_column: String,
    pub(crate) base_url: String,
}

/// What [`State::setup`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Setup {
    /// A new state file, filled with every row as pending.
    New,
    /// An existing state for this CSV; `moved_from` when the CSV is now at another path.
    Resumed { moved_from: Option<String> },
}

/// The open state file.
pub(crate) struct State {
    conn: Connection,
    counts: Counts,
    path: String,
}

fn local(path: &str, e: &rusqlite::Error) -> Failure {
    Failure::Local(format!("state file {path}: {e}"))
}

impl State {
    /// Opens (or creates) the state file and takes its lock.
    pub(crate) fn open(path: &Path) -> Result<Self, Failure> {
        let shown = path.display().to_string();
        let conn = Connection::open(path)
            .map_err(|e| Failure::Usage(format!("cannot open the state file {shown}: {e}")))?;
        let refused = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Failure::Usage(format!(
                "the state file {shown} is in use by another import (one import per state file)"
            )),
            Some(ErrorCode::NotADatabase) => Failure::Usage(format!(
                "{shown} is not a postcore import state file (not a SQLite database)"
            )),
            _ => Failure::Usage(format!("cannot use the state file {shown}: {e}")),
        };
        conn.busy_timeout(Duration::ZERO).map_err(refused)?;
        // Exclusive before the first access: the lock is taken by the first write below and
        // held until the connection closes. WAL: one sync per commit. FULL: each commit is on
        // disk before the next request leaves, even across a power cut.
        conn.execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
        )
        .map_err(refused)?;
        conn.execute_batch(&format!("BEGIN EXCLUSIVE; {SCHEMA} COMMIT;"))
            .map_err(refused)?;
        let format: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(refused)?;
        if let Some(format) = format {
            if format != FORMAT {
                return Err(Failure::Usage(format!(
                    "the state file {shown} was written by another version of postcore \
                     ({format}); use a new --state file"
                )));
            }
        }
        Ok(Self {
            conn,
            counts: Counts::default(),
            path: shown,
        })
    }

    /// Fills a new state with the rows, or checks that an existing one belongs to this input.
    pub(crate) fn setup(
        &mut self,
        input: &Fingerprint,
        names: &[String],
    ) -> Result<Setup, Failure> {
        let setup = match self.meta("format")? {
            None => {
                self.initialise(input, names)?;
                Setup::New
            }
            Some(_) => self.check(input, names)?,
        };
        self.recount()?;
        Ok(setup)
    }

    fn initialise(&mut self, input: &Fingerprint, names: &[String]) -> Result<(), Failure> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| local(&path, &e);
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut meta = tx
                .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")
                .map_err(err)?;
            for (key, value) in [
                ("format", FORMAT.to_owned()),
                ("csv_path", input.path.clone()),
                ("csv_size", input.size.to_string()),
                ("csv_hash", input.hash.clone()),
                ("csv_rows", input.rows.to_string()),
                ("name_column", input.name_column.clone()),
                ("base_url", input.base_url.clone()),
                ("baseline_done", "0".to_owned()),
                ("needs_verify", "0".to_owned()),
            ] {
                meta.execute(params![key, value]).map_err(err)?;
            }
            let mut insert = tx
                .prepare(&format!(
                    "INSERT INTO rows (row, name, state, updated_at) VALUES (?1, ?2, 'pending', {NOW})"
                ))
                .map_err(err)?;
            for (i, name) in names.iter().enumerate() {
                insert.execute(params![row_number(i), name]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    fn check(&mut self, input: &Fingerprint, names: &[String]) -> Result<Setup, Failure> {
        let stored =
            |key: &str| -> Result<String, Failure> { Ok(self.meta(key)?.unwrap_or_default()) };
        let (path, size, hash, rows) = (
            stored("csv_path")?,
            stored("csv_size")?,
            stored("csv_hash")?,
            stored("csv_rows")?,
        );
        let state = &self.path;
        if hash != input.hash || size != input.size.to_string() || rows != input.rows.to_string() {
            return Err(Failure::Usage(format!(
                "the state file {state} belongs to another CSV: {path} ({rows} rows, \
                 {size} bytes, hash {hash}); {} has {} rows, {} bytes, hash {}. Resume with the \
                 same, unchanged CSV, or start a new import with a new --state file (for \
                 example with only the rows that are left)",
                input.path, input.rows, input.size, input.hash
            )));
        }
        let column = stored("name_column")?;
        if column != input.name_column {
            return Err(Failure::Usage(format!(
                "the state file {state} was started with --name-column {column:?}, not {:?}",
                input.name_column
            )));
        }
        let base_url = stored("base_url")?;
        if base_url != input.base_url {
            return Err(Failure::Usage(format!(
                "the state file {state} was started against {base_url}, not {}: its profiles \
                 live there; use a new --state file for another server",
                input.base_url
            )));
        }
        let recorded: Vec<(i64, String)> = self
            .query_map("SELECT row, name FROM rows ORDER BY row", |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let expected: Vec<(i64, String)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (row_number(i), n.clone()))
            .collect();
        if recorded != expected {
            return Err(Failure::Usage(format!(
                "the state file {state} does not match the rows of {} (edited?): use a new \
                 --state file",
                input.path
            )));
        }
        if path == input.path {
            Ok(Setup::Resumed { moved_from: None })
        } else {
            self.set_meta("csv_path", &input.path)?;
            Ok(Setup::Resumed {
                moved_from: Some(path),
            })
        }
    }

    fn recount(&mut self) -> Result<(), Failure> {
        let pairs: Vec<(String, i64)> = self
            .query_map("SELECT state, count(*) FROM rows GROUP BY state", |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let mut counts = Counts::default();
        for (state, n) in pairs {
            if let Some(state) = RowState::parse(&state) {
                *counts.slot(state) += u64::try_from(n).unwrap_or(0);
            }
        }
        self.counts = counts;
        Ok(())
    }

    pub(crate) fn counts(&self) -> Counts {
        self.counts
    }

    pub(crate) fn meta(&self, key: &str) -> Result<Option<String>, Failure> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| local(&self.path, &e))
    }

    pub(crate) fn set_meta(&self, key: &str, value: &str) -> Result<(), Failure> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(drop)
            .map_err(|e| local(&self.path, &e))
    }

    fn query_map<T>(
        &self,
        sql: &str,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, Failure> {
        let err = |e: rusqlite::Error| local(&self.path, &e);
        let mut statement = self.conn.prepare(sql).map_err(err)?;
        let rows = statement.query_map([], f).map_err(err)?;
        rows.collect::<rusqlite::Result<Vec<T>>>().map_err(err)
    }

    fn rows(&self, filter: &str) -> Result<Vec<Row>, Failure> {
        self.query_map(
            &format!(
                "SELECT row, name, state, profile_key, error_code, error_message, sent_at_ms \
                 FROM rows {filter}"
            ),
            |r| {
                let state: String = r.get(2)?;
                Ok(Row {
                    row: r.get(0)?,
                    name: r.get(1)?,
                    state: RowState::parse(&state).unwrap_or(RowState::Pending),
                    profile_key: r.get(3)?,
                    error_code: r.get(4)?,
                    error_message: r.get(5)?,
                    sent_at_ms: r.get(6)?,
                })
            },
        )
    }

    /// The first row that is waiting to be sent.
    pub(crate) fn next_pending(&self) -> Result<Option<Row>, Failure> {
        Ok(self
            .rows("WHERE state = 'pending' ORDER BY row LIMIT 1")?
            .into_iter()
            .next())
    }

    /// Rows whose last request may have been processed.
    pub(crate) fn sent_rows(&self) -> Result<Vec<Row>, Failure> {
        self.rows("WHERE state = 'sent' ORDER BY row")
    }

    pub(crate) fn failed_rows(&self) -> Result<Vec<Row>, Failure> {
        self.rows("WHERE state = 'failed' ORDER BY row")
    }

    /// Every row that has its profile: row number to key.
    pub(crate) fn keys(&self) -> Result<HashMap<i64, String>, Failure> {
        let pairs: Vec<(i64, String)> = self.query_map(
            "SELECT row, profile_key FROM rows WHERE state = 'created' AND profile_key IS NOT NULL",
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(pairs.into_iter().collect())
    }

    /// Keys that rows hold: a profile already claimed is never given to another row.
    pub(crate) fn claimed_keys(&self) -> Result<HashSet<String>, Failure> {
        Ok(self.keys()?.into_values().collect())
    }

    fn update(
        &mut self,
        row: &Row,
        to: RowState,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<(), Failure> {
        let changed = self
            .conn
            .execute(sql, args)
            .map_err(|e| local(&self.path, &e))?;
        if changed != 1 {
            return Err(Failure::Local(format!(
                "state file {}: row {} was not in the expected state",
                self.path, row.row
            )));
        }
        self.counts.moved(row.state, to);
        Ok(())
    }

    /// Before the request leaves: from now on its outcome is unknown until recorded.
    pub(crate) fn mark_sent(&mut self, row: &Row, now_ms: i64) -> Result<(), Failure> {
        self.update(
            row,
            RowState::Sent,
            &format!(
                "UPDATE rows SET state = 'sent', sent_at_ms = ?2, attempts = attempts + 1, \
                 updated_at = {NOW} WHERE row = ?1 AND state = ?3"
            ),
            &[&row.row, &now_ms, &row.state.as_str()],
        )
    }

    pub(crate) fn mark_created(&mut self, row: &Row, key: &str) -> Result<(), Failure> {
        self.update(
            row,
            RowState::Created,
            &format!(
                "UPDATE rows SET state = 'created', profile_key = ?2, error_code = NULL, \
                 error_message = NULL, updated_at = {NOW} WHERE row = ?1 AND state = ?3"
            ),
            &[&row.row, &key, &row.state.as_str()],
        )
    }

    /// Back to pending: the request provably was not processed (429, no connection, 401).
    pub(crate) fn mark_pending(
        &mut self,
        row: &Row,
        code: &str,
        message: &str,
    ) -> Result<(), Failure> {
        self.update(
            row,
            RowState::Pending,
            &format!(
                "UPDATE rows SET state = 'pending', error_code = ?2, error_message = ?3, \
                 updated_at = {NOW} WHERE row = ?1 AND state = ?4"
            ),
            &[&row.row, &code, &message, &row.state.as_str()],
        )
    }

    /// Refused for good (a 400): recorded, reported, skipped by later runs.
    pub(crate) fn mark_failed(
        &mut self,
        row: &Row,
        code: &str,
        message: &str,
    ) -> Result<(), Failure> {
        self.update(
            row,
            RowState::Failed,
            &format!(
                "UPDATE rows SET state = 'failed', error_code = ?2, error_message = ?3, \
                 updated_at = {NOW} WHERE row = ?1 AND state = ?4"
            ),
            &[&row.row, &code, &message, &row.state.as_str()],
        )
    }

    /// The request may have been processed: the row stays `sent`, to be looked for after the
    /// settle time counted from now.
    pub(crate) fn mark_ambiguous(
        &mut self,
        row: &Row,
        code: &str,
        message: &str,
        now_ms: i64,
    ) -> Result<(), Failure> {
        self.update(
            row,
            RowState::Sent,
            &format!(
                "UPDATE rows SET error_code = ?2, error_message = ?3, sent_at_ms = ?4, \
                 updated_at = {NOW} WHERE row = ?1 AND state = 'sent'"
            ),
            &[&row.row, &code, &message, &now_ms],
        )
    }

    /// Applies one look at GET /profiles to `sent` rows, in one transaction: a row with a key
    /// found is created, a row without is pending again.
    pub(crate) fn apply_reconciliation(
        &mut self,
        outcome: &[(i64, Option<String>)],
    ) -> Result<(), Failure> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| local(&path, &e);
        let tx = self.conn.transaction().map_err(err)?;
        let mut moved = Vec::with_capacity(outcome.len());
        {
            let mut found = tx
                .prepare(&format!(
                    "UPDATE rows SET state = 'created', profile_key = ?2, reconciled = 1, \
                     error_code = NULL, error_message = NULL, updated_at = {NOW} \
                     WHERE row = ?1 AND state = 'sent'"
                ))
                .map_err(err)?;
            let mut absent = tx
                .prepare(&format!(
                    "UPDATE rows SET state = 'pending', reconciled = 1, updated_at = {NOW} \
                     WHERE row = ?1 AND state = 'sent'"
                ))
                .map_err(err)?;
            for (row, key) in outcome {
                let changed = match key {
                    Some(key) => found.execute(params![row, key]).map_err(err)?,
                    None => absent.execute(params![row]).map_err(err)?,
                };
                if changed == 1 {
                    moved.push(if key.is_some() {
                        RowState::Created
                    } else {
                        RowState::Pending
                    });
                }
            }
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('needs_verify', '1')",
                [],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        for to in moved {
            self.counts.moved(RowState::Sent, to);
        }
        Ok(())
    }

    /// Failed rows become pending again (`--retry-failed`); returns how many.
    pub(crate) fn retry_failed(&mut self) -> Result<u64, Failure> {
        let n = self
            .conn
            .execute(
                &format!(
                    "UPDATE rows SET state = 'pending', updated_at = {NOW} WHERE state = 'failed'"
                ),
                [],
            )
            .map_err(|e| local(&self.path, &e))?;
        self.recount()?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Records the profiles that existed before the first request of the import.
    pub(crate) fn save_baseline(&mut self, keys: &[String]) -> Result<(), Failure> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| local(&path, &e);
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut insert = tx
                .prepare("INSERT OR IGNORE INTO baseline (profile_key) VALUES (?1)")
                .map_err(err)?;
            for key in keys {
                insert.execute([key]).map_err(err)?;
            }
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('baseline_done', '1')",
                [],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    pub(crate) fn baseline(&self) -> Result<HashSet<String>, Failure> {
        Ok(self
            .query_map("SELECT profile_key FROM baseline", |r| r.get(0))?
            .into_iter()
            .collect())
    }
}

/// The row number of the `i`-th data row (0-based): the header is row 0.
fn row_number(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX - 1) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("postcore-cli-state-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        dir.join("state.db")
    }

    fn fingerprint(rows: u64) -> Fingerprint {
        Fingerprint {
            path: "/tmp/users.csv".into(),
            size: 10,
            hash: "abc".into(),
            rows,
            name_column: "email".into(),
            base_url: "http://127.0.0.1:1".into(),
        }
    }

    #[test]
    fn rows_move_through_states_and_survive_reopening() -> Result<(), String> {
        let path = temp("moves");
        let names: Vec<String> = ["a", "b", "a"].iter().map(|s| (*s).to_owned()).collect();
        {
            let mut state = State::open(&path).map_err(|e| format!("{e:?}"))?;
            assert_eq!(
                state
                    .setup(&fingerprint(3), &names)
                    .map_err(|e| format!("{e:?}"))?,
                Setup::New
            );
            let row = state
                .next_pending()
                .map_err(|e| format!("{e:?}"))?
                .ok_or("no row")?;
            assert_eq!(row.row, 1);
            state.mark_sent(&row, 5).map_err(|e| format!("{e:?}"))?;
            let sent = Row {
                state: RowState::Sent,
                ..row
            };
            state
                .mark_created(&sent, "prof_1")
                .map_err(|e| format!("{e:?}"))?;
            let row2 = state
                .next_pending()
                .map_err(|e| format!("{e:?}"))?
                .ok_or("no row")?;
            state.mark_sent(&row2, 6).map_err(|e| format!("{e:?}"))?;
            // Another row can never take a key a row holds.
            let sent2 = Row {
                state: RowState::Sent,
                ..row2
            };
            assert!(state.mark_created(&sent2, "prof_1").is_err());
            assert_eq!(
                state.counts(),
                Counts {
                    pending: 1,
                    sent: 1,
                    created: 1,
                    failed: 0
                }
            );
        }
        let mut state = State::open(&path).map_err(|e| format!("{e:?}"))?;
        let setup = state
            .setup(&fingerprint(3), &names)
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(setup, Setup::Resumed { moved_from: None });
        assert_eq!(
            state.counts(),
            Counts {
                pending: 1,
                sent: 1,
                created: 1,
                failed: 0
            }
        );
        assert_eq!(state.sent_rows().map_err(|e| format!("{e:?}"))?.len(), 1);
        state
            .apply_reconciliation(&[(2, None)])
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(
            state.counts(),
            Counts {
                pending: 2,
                sent: 0,
                created: 1,
                failed: 0
            }
        );
        assert_eq!(
            state
                .meta("needs_verify")
                .map_err(|e| format!("{e:?}"))?
                .as_deref(),
            Some("1")
        );
        Ok(())
    }

    #[test]
    fn another_csv_is_refused() -> Result<(), String> {
        let path = temp("other");
        let names = vec!["a".to_owned()];
        {
            let mut state = State::open(&path).map_err(|e| format!("{e:?}"))?;
            state
                .setup(&fingerprint(1), &names)
                .map_err(|e| format!("{e:?}"))?;
        }
        let mut state = State::open(&path).map_err(|e| format!("{e:?}"))?;
        let mut other = fingerprint(1);
        other.hash = "def".into();
        match state.setup(&other, &names) {
            Err(Failure::Usage(message)) => assert!(message.contains("belongs to another CSV")),
            other => return Err(format!("{other:?}")),
        }
        let mut moved = fingerprint(1);
        moved.path = "/elsewhere/users.csv".into();
        assert_eq!(
            state.setup(&moved, &names).map_err(|e| format!("{e:?}"))?,
            Setup::Resumed {
                moved_from: Some("/tmp/users.csv".into())
            }
        );
        Ok(())
    }

    #[test]
    fn one_import_per_state_file() -> Result<(), String> {
        let path = temp("lock");
        let _first = State::open(&path).map_err(|e| format!("{e:?}"))?;
        match State::open(&path) {
            Err(Failure::Usage(message)) => assert!(message.contains("in use"), "{message}"),
            Err(other) => return Err(format!("{other:?}")),
            Ok(_) => return Err("opened twice".into()),
        }
        Ok(())
    }

    #[test]
    fn garbage_is_not_a_state_file() -> Result<(), String> {
        let path = temp("garbage");
        std::fs::write(&path, vec![b'x'; 4096]).map_err(|e| e.to_string())?;
        match State::open(&path) {
            Err(Failure::Usage(message)) => assert!(
                message.contains("not a postcore import state file"),
                "{message}"
            ),
            Err(other) => return Err(format!("{other:?}")),
            Ok(_) => return Err("opened garbage".into()),
        }
        Ok(())
    }
}
