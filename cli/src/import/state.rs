//! An import's progress, in a SQLite file: one row per input row, every change committed
//! (and synced) before the next request, so a crash or `kill -9` loses nothing. Both imports
//! (profiles, posts) keep the same file format; `meta.kind` says whose it is.
//!
//! A row is `pending` (not sent, or known not to have been processed), `sent` (a request left
//! and its outcome is unknown: it may have been processed), `created` (it holds what it asked
//! for: a profile key, or its posts' ids) or `failed` (refused for good, with the code and
//! message). A row's `input` is what it asks for (the profile's name, or the post to schedule
//! as JSON), fixed when the import begins. The `held` table makes it impossible for two rows
//! to hold the same profile or post.
//!
//! The file is opened in SQLite's exclusive locking mode: a second import on the same file
//! is refused while the first runs (the lock goes with the process, even on `kill -9`).

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, Transaction, params};

use crate::failure::Failure;

/// Marks a file as an import state file of this format.
const FORMAT: &str = "postcore-import/2";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rows (
    row           INTEGER PRIMARY KEY,   -- 1-based data row of the CSV (the header is row 0)
    input         TEXT NOT NULL,         -- what the row asks for (a name; a post as JSON)
    state         TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'created', 'failed')),
    result        TEXT,                  -- what it got (a profileKey; postIds, ';'-separated)
    error_code    TEXT,
    error_message TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    sent_at_ms    INTEGER,               -- local Unix ms of the last send or ambiguous failure
    reconciled    INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rows_by_state ON rows (state, row);
CREATE TABLE IF NOT EXISTS held (
    id  TEXT PRIMARY KEY,                -- a profile key or post id: one row holds it, no other
    row INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS baseline (
    id TEXT PRIMARY KEY                  -- objects that existed before the import began
);
CREATE TABLE IF NOT EXISTS sends (
    at_ms INTEGER NOT NULL               -- local Unix ms of every create request sent
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
    pub(crate) input: String,
    pub(crate) state: RowState,
    pub(crate) result: Option<String>,
    pub(crate) error_code: Option<String>,
    pub(crate) error_message: Option<String>,
    pub(crate) sent_at_ms: Option<i64>,
}

/// What a row holds once it has what it asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Held {
    /// As written to `--out` (a profileKey; postIds, `;`-separated).
    pub(crate) result: String,
    /// The ids no other row may hold.
    pub(crate) ids: Vec<String>,
}

/// How a row starts when the import begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Start {
    Pending,
    /// Refused before anything is sent (an invalid row): code and message.
    Failed(String, String),
    /// Already has what it asks for (posts that exist exactly as the row describes them).
    Created(Held),
}

/// What one look at the server says about a `sent` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reconciled {
    /// Its request was processed: here is what it created.
    Found(Held),
    /// It was not: send it again.
    Absent,
    /// It was not, and sending again cannot succeed: code and message.
    Failed(String, String),
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

    /// Rows that still need a request (a create, or a look at the listing).
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
    /// `"profiles"` or `"posts"`.
    pub(crate) kind: &'static str,
    /// The CSV's path as given, made absolute.
    pub(crate) path: String,
    pub(crate) size: u64,
    /// FNV-1a (64 bits) of the file's bytes, hex.
    pub(crate) hash: String,
    pub(crate) rows: u64,
    pub(crate) base_url: String,
    /// What else must not change between runs: (how the user names it, value), e.g.
    /// `("--name-column", "email")`.
    pub(crate) settings: Vec<(&'static str, String)>,
}

/// What [`State::resume`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resumed {
    /// A new state file: [`State::initialise`] it.
    New,
    /// An existing state for this CSV; `moved_from` when the CSV is now at another path.
    Existing { moved_from: Option<String> },
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

    /// Whether the file holds an import already, and if so whether it is this input's.
    pub(crate) fn resume(&mut self, input: &Fingerprint) -> Result<Resumed, Failure> {
        if self.meta("format")?.is_none() {
            return Ok(Resumed::New);
        }
        let resumed = self.check(input)?;
        self.recount()?;
        Ok(resumed)
    }

    /// Fills a new state with the rows (in CSV order) and, if given, the baseline.
    pub(crate) fn initialise(
        &mut self,
        input: &Fingerprint,
        rows: &[(String, Start)],
        baseline: Option<&[String]>,
    ) -> Result<(), Failure> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| local(&path, &e);
        let tx = self.conn.transaction().map_err(err)?;
        {
            let import_id = random_id();
            let mut meta = tx
                .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")
                .map_err(err)?;
            let mut fields = vec![
                ("format".to_owned(), FORMAT.to_owned()),
                ("kind".to_owned(), input.kind.to_owned()),
                ("import_id".to_owned(), import_id),
                ("csv_path".to_owned(), input.path.clone()),
                ("csv_size".to_owned(), input.size.to_string()),
                ("csv_hash".to_owned(), input.hash.clone()),
                ("csv_rows".to_owned(), input.rows.to_string()),
                ("base_url".to_owned(), input.base_url.clone()),
                (
                    "baseline_done".to_owned(),
                    u8::from(baseline.is_some()).to_string(),
                ),
                ("needs_verify".to_owned(), "0".to_owned()),
            ];
            for (name, value) in &input.settings {
                fields.push((format!("setting {name}"), value.clone()));
            }
            for (key, value) in fields {
                meta.execute(params![key, value]).map_err(err)?;
            }
            let mut insert = tx
                .prepare(&format!(
                    "INSERT INTO rows (row, input, state, result, error_code, error_message, \
                     updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW})"
                ))
                .map_err(err)?;
            for (i, (text, start)) in rows.iter().enumerate() {
                let row = row_number(i);
                let (state, result, code, message) = match start {
                    Start::Pending => (RowState::Pending, None, None, None),
                    Start::Failed(code, message) => {
                        (RowState::Failed, None, Some(code), Some(message))
                    }
                    Start::Created(held) => {
                        hold(&tx, row, &held.ids).map_err(err)?;
                        (RowState::Created, Some(&held.result), None, None)
                    }
                };
                insert
                    .execute(params![row, text, state.as_str(), result, code, message])
                    .map_err(err)?;
            }
            if let Some(ids) = baseline {
                let mut insert = tx
                    .prepare("INSERT OR IGNORE INTO baseline (id) VALUES (?1)")
                    .map_err(err)?;
                for id in ids {
                    insert.execute([id]).map_err(err)?;
                }
            }
        }
        tx.commit().map_err(err)?;
        self.recount()
    }

    fn check(&mut self, input: &Fingerprint) -> Result<Resumed, Failure> {
        let stored =
            |key: &str| -> Result<String, Failure> { Ok(self.meta(key)?.unwrap_or_default()) };
        let state = &self.path;
        let kind = stored("kind")?;
        if kind != input.kind {
            return Err(Failure::Usage(format!(
                "the state file {state} belongs to a {kind} import, not a {} import: use a new \
                 --state file",
                input.kind
            )));
        }
        let (path, size, hash, rows) = (
            stored("csv_path")?,
            stored("csv_size")?,
            stored("csv_hash")?,
            stored("csv_rows")?,
        );
        if hash != input.hash || size != input.size.to_string() || rows != input.rows.to_string() {
            return Err(Failure::Usage(format!(
                "the state file {state} belongs to another CSV: {path} ({rows} rows, \
                 {size} bytes, hash {hash}); {} has {} rows, {} bytes, hash {}. Resume with the \
                 same, unchanged CSV, or start a new import with a new --state file (for \
                 example with only the rows that are left)",
                input.path, input.rows, input.size, input.hash
            )));
        }
        for (name, value) in &input.settings {
            let was = stored(&format!("setting {name}"))?;
            if &was != value {
                return Err(Failure::Usage(format!(
                    "the state file {state} was started with {name} {was:?}, not {value:?}: \
                     resume with the same, or start a new import with a new --state file"
                )));
            }
        }
        let base_url = stored("base_url")?;
        if base_url != input.base_url {
            return Err(Failure::Usage(format!(
                "the state file {state} was started against {base_url}, not {}: what it \
                 created lives there; use a new --state file for another server",
                input.base_url
            )));
        }
        if path == input.path {
            Ok(Resumed::Existing { moved_from: None })
        } else {
            self.set_meta("csv_path", &input.path)?;
            Ok(Resumed::Existing {
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
                "SELECT row, input, state, result, error_code, error_message, sent_at_ms \
                 FROM rows {filter}"
            ),
            |r| {
                let state: String = r.get(2)?;
                Ok(Row {
                    row: r.get(0)?,
                    input: r.get(1)?,
                    state: RowState::parse(&state).unwrap_or(RowState::Pending),
                    result: r.get(3)?,
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

    /// Every row that has what it asked for.
    pub(crate) fn created_rows(&self) -> Result<Vec<Row>, Failure> {
        self.rows("WHERE state = 'created' ORDER BY row")
    }

    /// Ids that rows hold: never given to another row.
    pub(crate) fn held_ids(&self) -> Result<HashSet<String>, Failure> {
        Ok(self
            .query_map("SELECT id FROM held", |r| r.get(0))?
            .into_iter()
            .collect())
    }

    /// When the create requests of the last `window` left (local Unix ms, oldest first).
    pub(crate) fn sends_since(&self, since_ms: i64) -> Result<Vec<i64>, Failure> {
        let err = |e: rusqlite::Error| local(&self.path, &e);
        let mut statement = self
            .conn
            .prepare("SELECT at_ms FROM sends WHERE at_ms > ?1 ORDER BY at_ms")
            .map_err(err)?;
        let rows = statement.query_map([since_ms], |r| r.get(0)).map_err(err)?;
        rows.collect::<rusqlite::Result<Vec<i64>>>().map_err(err)
    }

    /// Takes back the send recorded at `at_ms` (the request never left).
    pub(crate) fn forget_send(&self, at_ms: i64) -> Result<(), Failure> {
        self.conn
            .execute(
                "DELETE FROM sends WHERE rowid = (SELECT rowid FROM sends WHERE at_ms = ?1 LIMIT 1)",
                [at_ms],
            )
            .map(drop)
            .map_err(|e| local(&self.path, &e))
    }

    fn update(
        &mut self,
        row: &Row,
        to: RowState,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<(), Failure> {
        self.transact(row, to, |tx| tx.execute(sql, args))
    }

    /// Moves `row` to `to` in one transaction: `change` makes the changes and returns how
    /// many rows it updated, which must be the one row.
    fn transact(
        &mut self,
        row: &Row,
        to: RowState,
        change: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<usize>,
    ) -> Result<(), Failure> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| local(&path, &e);
        let tx = self.conn.transaction().map_err(err)?;
        if change(&tx).map_err(err)? != 1 {
            return Err(Failure::Local(format!(
                "state file {path}: row {} was not in the expected state",
                row.row
            )));
        }
        tx.commit().map_err(err)?;
        self.counts.moved(row.state, to);
        Ok(())
    }

    /// Before the request leaves: from now on its outcome is unknown until recorded. The send
    /// is remembered for the import's own count of what it sent.
    pub(crate) fn mark_sent(&mut self, row: &Row, now_ms: i64) -> Result<(), Failure> {
        self.transact(row, RowState::Sent, |tx| {
            tx.execute("INSERT INTO sends (at_ms) VALUES (?1)", [now_ms])?;
            tx.execute(
                &format!(
                    "UPDATE rows SET state = 'sent', sent_at_ms = ?2, attempts = attempts + 1, \
                     error_code = NULL, error_message = NULL, updated_at = {NOW} \
                     WHERE row = ?1 AND state = ?3"
                ),
                params![row.row, now_ms, row.state.as_str()],
            )
        })
    }

    /// The row has what it asked for (one transaction: the row and the ids it holds).
    pub(crate) fn mark_created(&mut self, row: &Row, held: &Held) -> Result<(), Failure> {
        self.transact(row, RowState::Created, |tx| {
            hold(tx, row.row, &held.ids)?;
            tx.execute(
                &format!(
                    "UPDATE rows SET state = 'created', result = ?2, error_code = NULL, \
                     error_message = NULL, updated_at = {NOW} WHERE row = ?1 AND state = ?3"
                ),
                params![row.row, held.result, row.state.as_str()],
            )
        })
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
    /// settle time counted from `at_ms`.
    pub(crate) fn mark_ambiguous(
        &mut self,
        row: &Row,
        code: &str,
        message: &str,
        at_ms: i64,
    ) -> Result<(), Failure> {
        self.update(
            row,
            RowState::Sent,
            &format!(
                "UPDATE rows SET error_code = ?2, error_message = ?3, sent_at_ms = ?4, \
                 updated_at = {NOW} WHERE row = ?1 AND state = 'sent'"
            ),
            &[&row.row, &code, &message, &at_ms],
        )
    }

    /// Applies one look at the listing to `sent` rows, in one transaction.
    pub(crate) fn apply_reconciliation(
        &mut self,
        outcome: &[(i64, Reconciled)],
    ) -> Result<(), Failure> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| local(&path, &e);
        let tx = self.conn.transaction().map_err(err)?;
        let mut moved = Vec::with_capacity(outcome.len());
        for (row, reconciled) in outcome {
            let (changed, to) = match reconciled {
                Reconciled::Found(held) => {
                    hold(&tx, *row, &held.ids).map_err(err)?;
                    let changed = tx
                        .execute(
                            &format!(
                                "UPDATE rows SET state = 'created', result = ?2, reconciled = 1, \
                                 error_code = NULL, error_message = NULL, updated_at = {NOW} \
                                 WHERE row = ?1 AND state = 'sent'"
                            ),
                            params![row, held.result],
                        )
                        .map_err(err)?;
                    (changed, RowState::Created)
                }
                Reconciled::Absent => {
                    let changed = tx
                        .execute(
                            &format!(
                                "UPDATE rows SET state = 'pending', reconciled = 1, \
                                 updated_at = {NOW} WHERE row = ?1 AND state = 'sent'"
                            ),
                            params![row],
                        )
                        .map_err(err)?;
                    (changed, RowState::Pending)
                }
                Reconciled::Failed(code, message) => {
                    let changed = tx
                        .execute(
                            &format!(
                                "UPDATE rows SET state = 'failed', reconciled = 1, \
                                 error_code = ?2, error_message = ?3, updated_at = {NOW} \
                                 WHERE row = ?1 AND state = 'sent'"
                            ),
                            params![row, code, message],
                        )
                        .map_err(err)?;
                    (changed, RowState::Failed)
                }
            };
            if changed == 1 {
                moved.push(to);
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('needs_verify', '1')",
            [],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        for to in moved {
            self.counts.moved(RowState::Sent, to);
        }
        Ok(())
    }

    /// Rows the API refused become pending again (`--retry-failed`); rows refused before
    /// sending (invalid in the CSV, which cannot change) stay failed. Returns how many.
    pub(crate) fn retry_failed(&mut self) -> Result<u64, Failure> {
        let n = self
            .conn
            .execute(
                &format!(
                    "UPDATE rows SET state = 'pending', updated_at = {NOW} \
                     WHERE state = 'failed' AND attempts > 0"
                ),
                [],
            )
            .map_err(|e| local(&self.path, &e))?;
        self.recount()?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Records the objects that existed before the first create of the import.
    pub(crate) fn save_baseline(&mut self, ids: &[String]) -> Result<(), Failure> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| local(&path, &e);
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut insert = tx
                .prepare("INSERT OR IGNORE INTO baseline (id) VALUES (?1)")
                .map_err(err)?;
            for id in ids {
                insert.execute([id]).map_err(err)?;
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
            .query_map("SELECT id FROM baseline", |r| r.get(0))?
            .into_iter()
            .collect())
    }
}

/// Records that `row` holds `ids`; fails if another row holds one of them.
fn hold(tx: &Transaction<'_>, row: i64, ids: &[String]) -> rusqlite::Result<()> {
    let mut insert = tx.prepare("INSERT INTO held (id, row) VALUES (?1, ?2)")?;
    for id in ids {
        insert.execute(params![id, row])?;
    }
    Ok(())
}

/// The row number of the `i`-th data row (0-based): the header is row 0.
pub(crate) fn row_number(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX - 1) + 1
}

/// A random id for a new state file (hex, 128 bits): what makes its rows' idempotency keys
/// its own.
fn random_id() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
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
            kind: "profiles",
            path: "/tmp/users.csv".into(),
            size: 10,
            hash: "abc".into(),
            rows,
            base_url: "http://127.0.0.1:1".into(),
            settings: vec![("--name-column", "email".into())],
        }
    }

    fn held(id: &str) -> Held {
        Held {
            result: id.to_owned(),
            ids: vec![id.to_owned()],
        }
    }

    fn pending(names: &[&str]) -> Vec<(String, Start)> {
        names
            .iter()
            .map(|n| ((*n).to_owned(), Start::Pending))
            .collect()
    }

    fn e(failure: Failure) -> String {
        format!("{failure:?}")
    }

    #[test]
    fn rows_move_through_states_and_survive_reopening() -> Result<(), String> {
        let path = temp("moves");
        let rows = pending(&["a", "b", "a"]);
        {
            let mut state = State::open(&path).map_err(e)?;
            assert_eq!(state.resume(&fingerprint(3)).map_err(e)?, Resumed::New);
            state.initialise(&fingerprint(3), &rows, None).map_err(e)?;
            let row = state.next_pending().map_err(e)?.ok_or("no row")?;
            assert_eq!(row.row, 1);
            state.mark_sent(&row, 5).map_err(e)?;
            let sent = Row {
                state: RowState::Sent,
                ..row
            };
            state.mark_created(&sent, &held("prof_1")).map_err(e)?;
            let row2 = state.next_pending().map_err(e)?.ok_or("no row")?;
            state.mark_sent(&row2, 6).map_err(e)?;
            // Another row can never take an id a row holds.
            let sent2 = Row {
                state: RowState::Sent,
                ..row2
            };
            assert!(state.mark_created(&sent2, &held("prof_1")).is_err());
            assert_eq!(
                state.counts(),
                Counts {
                    pending: 1,
                    sent: 1,
                    created: 1,
                    failed: 0
                }
            );
            assert_eq!(state.sends_since(0).map_err(e)?, vec![5, 6]);
            state.forget_send(5).map_err(e)?;
            assert_eq!(state.sends_since(0).map_err(e)?, vec![6]);
        }
        let mut state = State::open(&path).map_err(e)?;
        let resumed = state.resume(&fingerprint(3)).map_err(e)?;
        assert_eq!(resumed, Resumed::Existing { moved_from: None });
        assert_eq!(
            state.counts(),
            Counts {
                pending: 1,
                sent: 1,
                created: 1,
                failed: 0
            }
        );
        assert_eq!(state.sent_rows().map_err(e)?.len(), 1);
        state
            .apply_reconciliation(&[(2, Reconciled::Absent)])
            .map_err(e)?;
        assert_eq!(
            state.counts(),
            Counts {
                pending: 2,
                sent: 0,
                created: 1,
                failed: 0
            }
        );
        assert_eq!(state.meta("needs_verify").map_err(e)?.as_deref(), Some("1"));
        let created = state.created_rows().map_err(e)?;
        assert_eq!(created.len(), 1);
        assert_eq!(created[0].result.as_deref(), Some("prof_1"));
        Ok(())
    }

    #[test]
    fn rows_can_start_failed_or_created_and_only_refused_ones_are_retried() -> Result<(), String> {
        let path = temp("starts");
        let rows = vec![
            (
                "a".to_owned(),
                Start::Failed("INVALID_ROW".into(), "bad".into()),
            ),
            ("b".to_owned(), Start::Created(held("post_b"))),
            ("c".to_owned(), Start::Pending),
        ];
        let mut state = State::open(&path).map_err(e)?;
        state.initialise(&fingerprint(3), &rows, None).map_err(e)?;
        let row = state.next_pending().map_err(e)?.ok_or("no row")?;
        assert_eq!(row.row, 3);
        state.mark_sent(&row, 1).map_err(e)?;
        let sent = Row {
            state: RowState::Sent,
            ..row
        };
        state
            .mark_failed(&sent, "VALIDATION_ERROR", "no")
            .map_err(e)?;
        assert_eq!(state.retry_failed().map_err(e)?, 1);
        assert_eq!(
            state.counts(),
            Counts {
                pending: 1,
                sent: 0,
                created: 1,
                failed: 1
            }
        );
        assert!(state.held_ids().map_err(e)?.contains("post_b"));
        Ok(())
    }

    #[test]
    fn another_csv_kind_or_setting_is_refused() -> Result<(), String> {
        let path = temp("other");
        let rows = pending(&["a"]);
        {
            let mut state = State::open(&path).map_err(e)?;
            state.initialise(&fingerprint(1), &rows, None).map_err(e)?;
        }
        let mut state = State::open(&path).map_err(e)?;
        let mut other = fingerprint(1);
        other.hash = "def".into();
        match state.resume(&other) {
            Err(Failure::Usage(message)) => assert!(message.contains("belongs to another CSV")),
            other => return Err(format!("{other:?}")),
        }
        let mut posts = fingerprint(1);
        posts.kind = "posts";
        match state.resume(&posts) {
            Err(Failure::Usage(message)) => {
                assert!(message.contains("profiles import"), "{message}")
            }
            other => return Err(format!("{other:?}")),
        }
        let mut column = fingerprint(1);
        column.settings = vec![("--name-column", "plan".into())];
        match state.resume(&column) {
            Err(Failure::Usage(message)) => assert!(message.contains("--name-column"), "{message}"),
            other => return Err(format!("{other:?}")),
        }
        let mut moved = fingerprint(1);
        moved.path = "/elsewhere/users.csv".into();
        assert_eq!(
            state.resume(&moved).map_err(e)?,
            Resumed::Existing {
                moved_from: Some("/tmp/users.csv".into())
            }
        );
        Ok(())
    }

    #[test]
    fn one_import_per_state_file() -> Result<(), String> {
        let path = temp("lock");
        let _first = State::open(&path).map_err(e)?;
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
