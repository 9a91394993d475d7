//! The bulk imports: `postcore profiles import` (one profile per CSV row, `profiles.rs`) and
//! `postcore posts import` (the posts each CSV row names, `posts.rs`). Both are paced to the
//! rate limits, resumable, and never create twice what one row asks for.
//!
//! ## Rows and their states (kept in the SQLite state file, see `state.rs`)
//!
//! ```text
//!            mark_sent (committed before the request leaves)
//!  pending ─────────────────────────────────────────────► sent
//!     ▲  ▲                                                 │
//!     │  │ 429 (waited out), 401/403 (run stops),           │ 2xx: created + what it got
//!     │  └─ no connection: provably not processed ◄────────┤ 400 & co: failed + code (reported)
//!     │                                                    │ timeout / connection lost after
//!     │                                                    │ sending / 5xx / unusable 2xx:
//!     │                                                    ▼ stays `sent` (outcome unknown)
//!     │                       settle time, then a listing: │
//!     └──────────── nothing of the row's there ◄───────────┤
//!                                                          └─► created + what was found
//! ```
//!
//! * A `sent` row is never sent again blindly: after `--settle` seconds (so a request still
//!   being processed has landed) one listing (`GET /profiles`, `GET /posts`) looks for what
//!   it asked for, among the objects no other row holds.
//! * Rows left `sent` by a crash, `kill -9` or a second Ctrl-C are treated the same way by the
//!   next run.
//!
//! ## Pacing
//!
//! The client's: every request takes a slot of postcore's rate budgets, shared through
//! `--store` with the other processes using the key. When a budget has no slot for a while,
//! the client says so (`RateLimitError`, nothing sent) and the import waits for it here, where
//! Ctrl-C can stop it; a 429 that comes anyway is waited out (`retry_after`) and the row sent
//! again. `--reserve N` leaves N requests of each window (as last reported) to others.
//!
//! ## Stopping
//!
//! Ctrl-C (or SIGTERM) lets the request in flight finish, records its outcome, writes
//! `--out`, prints how to resume and exits 130 (143). A second Ctrl-C stops at once; the row in
//! flight stays `sent` and is reconciled by the next run.

mod input;
mod post_rows;
pub(crate) mod posts;
pub(crate) mod profiles;
mod progress;
mod runner;
mod spacing;
mod state;
mod window;

use std::path::Path;
use std::time::Duration;

use postcore::ErrorKind;
use serde_json::json;

use self::input::Input;
use self::progress::human;
use self::runner::{BUDGET_WAIT, End, Kind, Runner};
use self::state::{Counts, Fingerprint, Row, State};
use crate::args::{Global, ImportOptions};
use crate::exit::{EXIT_ERROR, EXIT_OK};
use crate::failure::Failure;
use crate::output::Output;
use crate::signals::Signal;

/// Failed rows listed on stderr at most (the state file has them all).
const MAX_LISTED: usize = 100;

/// Refuses an `--out` or `--state` that would overwrite the input or each other.
fn check_paths(csv: &Path, options: &ImportOptions, out: Option<&Path>) -> Result<(), Failure> {
    if input::same_file(csv, &options.state) {
        return Err(Failure::Usage(
            "--state must be a file of its own, not the input CSV".to_owned(),
        ));
    }
    if let Some(out) = out {
        if input::same_file(out, csv) || input::same_file(out, &options.state) {
            return Err(Failure::Usage(
                "--out must be a new file, not the input CSV or the state file".to_owned(),
            ));
        }
        let dir = out.parent().filter(|d| !d.as_os_str().is_empty());
        if !dir.unwrap_or(Path::new(".")).is_dir() || out.is_dir() {
            return Err(Failure::Usage(format!(
                "--out {}: no such directory, or a directory itself",
                out.display()
            )));
        }
    }
    Ok(())
}

/// The client of an import: 429s and long waits for the budget come back to the import,
/// which waits them out itself (and shows it, and can be stopped meanwhile).
fn client(global: &Global) -> Result<postcore::Client, Failure> {
    crate::client::build_client(
        crate::client::client_builder(global)?
            .max_retry_wait(Duration::ZERO)
            .max_rate_limit_wait(BUDGET_WAIT),
    )
}

/// The fingerprint of an input CSV for a state file.
fn fingerprint(
    kind: &'static str,
    input: &Input,
    client: &postcore::Client,
    settings: Vec<(&'static str, String)>,
) -> Fingerprint {
    Fingerprint {
        kind,
        path: input.path.display().to_string(),
        size: input.size,
        hash: input.hash.clone(),
        rows: u64::try_from(input.records.len()).unwrap_or(u64::MAX),
        base_url: client.base_url().to_owned(),
        settings,
    }
}

/// A state file that belongs to this input: says if the CSV moved, and sends the failed
/// rows again with `--retry-failed`.
fn resumed(
    state: &mut State,
    moved_from: Option<String>,
    input: &Fingerprint,
    options: &ImportOptions,
    out: &Output,
) -> Result<(), Failure> {
    if let Some(old) = moved_from {
        out.note(&format!(
            "note: the CSV moved from {old} to {} (same content): resuming",
            input.path
        ));
    }
    if options.retry_failed {
        let n = state.retry_failed()?;
        out.note(&format!("retrying {n} failed rows"));
    }
    Ok(())
}

/// Says where a resumed import stands before it goes on.
fn note_start(out: &Output, csv: &Path, counts: Counts, have: &str) {
    out.note(&format!(
        "import: {} rows in {}: {} done ({} {have}, {} failed), {} to do{}",
        counts.total(),
        csv.display(),
        counts.done(),
        counts.created,
        counts.failed,
        counts.left(),
        if counts.sent > 0 {
            format!(
                " ({} sent by an earlier run without a recorded answer: looked for before \
                 being sent again)",
                counts.sent
            )
        } else {
            String::new()
        }
    ));
}

/// The command that resumes an import (never with a key: it is not in the arguments).
/// `command` is the import's own part: `["profiles", "import", CSV, "--name-column", …]`.
fn resume_command(
    global: &Global,
    command: Vec<String>,
    out: Option<&Path>,
    options: &ImportOptions,
) -> String {
    let mut words: Vec<String> = vec!["postcore".into()];
    words.extend(command);
    if let Some(path) = out {
        words.extend(["--out".into(), quote_path(path)]);
    }
    words.extend(["--state".into(), quote_path(&options.state)]);
    if let Some(url) = &global.base_url {
        words.extend(["--base-url".into(), quote(url)]);
    }
    if let Some(variable) = &global.api_key_env {
        words.extend(["--api-key-env".into(), quote(variable)]);
    }
    if let Some(store) = &global.store {
        words.extend(["--store".into(), quote(store)]);
    }
    if let Some(timeout) = global.request_timeout {
        words.extend([
            "--request-timeout".into(),
            format!("{}", timeout.as_secs_f64()),
        ]);
    }
    if let Some((limit, window)) = global.posting_budget {
        words.extend([
            "--posting-budget".into(),
            format!("{limit}/{}", window.as_secs_f64()),
        ]);
    }
    if options.settle != Duration::from_secs(10) {
        words.extend([
            "--settle".into(),
            format!("{}", options.settle.as_secs_f64()),
        ]);
    }
    if options.reserve > 0 {
        words.extend(["--reserve".into(), options.reserve.to_string()]);
    }
    words.join(" ")
}

fn quote_path(path: &Path) -> String {
    quote(&path.display().to_string())
}

/// Shell quoting, for a command to copy and paste.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// One import, set up: what `finish` needs besides the run's outcome.
pub(crate) struct Job<'a, K: Kind> {
    kind: &'a K,
    input: &'a Input,
    out_path: Option<&'a Path>,
    options: &'a ImportOptions,
    /// The command that resumes the import.
    resume: String,
}

impl<K: Kind> Job<'_, K> {
    /// Drives the import, then writes `--out` and the summary; returns the exit status.
    async fn run(&self, mut runner: Runner, out: &Output) -> Result<i32, Failure> {
        let started = std::time::Instant::now();
        let end = runner.drive(self.kind).await;
        runner.progress.finish();
        self.finish(&runner, out, &end?, started.elapsed())
    }

    /// Writes `--out`, lists failed rows, prints the summary; returns the exit status.
    fn finish(
        &self,
        runner: &Runner,
        out: &Output,
        end: &End,
        elapsed: Duration,
    ) -> Result<i32, Failure> {
        let state = &runner.state;
        let tally = &runner.tally;
        let counts: Counts = state.counts();
        let mut written = None;
        let mut out_failed = false;
        if let Some(path) = self.out_path {
            let values = state
                .created_rows()?
                .iter()
                .map(|row| (row.row, self.kind.out_values(row)))
                .collect();
            match input::write_rows(path, self.input, K::OUT_COLUMNS, &values) {
                Ok(n) => written = Some(n),
                Err(failure) => {
                    out.report(failure);
                    out_failed = true;
                }
            }
        }
        let failed = state.failed_rows()?;
        if !out.json {
            self.list_failed(&failed, out);
        }
        out.note(&format!(
            "import: {} of {} rows {} ({} created in this run, {} found after a lost answer, \
             {} sent again), {} failed, {} left; {} requests, {} answered 429; {}",
            counts.created,
            counts.total(),
            K::WORDS.have,
            tally.created_now,
            tally.reconciled_found,
            tally.resent,
            counts.failed,
            counts.left(),
            tally.requests,
            tally.rate_limited,
            human(elapsed),
        ));
        if let (Some(path), Some(n)) = (self.out_path, written) {
            out.note(&format!("wrote {n} rows to {}", path.display()));
        }
        let status = self.status(end, failed.is_empty() && !out_failed, out);
        if out.json {
            let failed: Vec<_> = failed
                .iter()
                .map(|r| {
                    let mut entry = self.kind.row_json(r);
                    entry.insert("row".into(), json!(r.row));
                    entry.insert("error".into(), json!(r.error_code));
                    entry.insert("message".into(), json!(r.error_message));
                    serde_json::Value::Object(entry)
                })
                .collect();
            out.print_json(&json!({
                "complete": matches!(end, End::Complete),
                "total": counts.total(),
                "created": counts.created,
                "failed": failed,
                "left": counts.left(),
                "createdThisRun": tally.created_now,
                "reconciled": tally.reconciled_found,
                "resent": tally.resent,
                "requests": tally.requests,
                "rateLimited": tally.rate_limited,
                "seconds": elapsed.as_secs_f64(),
                "out": self.out_path.map(|p| p.display().to_string()),
            }))?;
        }
        Ok(status)
    }

    fn list_failed(&self, failed: &[Row], out: &Output) {
        for row in failed.iter().take(MAX_LISTED) {
            out.note(&format!(
                "failed: {}: {}: {}",
                self.kind.label(row),
                row.error_code.as_deref().unwrap_or("ERROR"),
                row.error_message.as_deref().unwrap_or_default()
            ));
        }
        if failed.len() > MAX_LISTED {
            out.note(&format!(
                "… and {} more failed rows (all are in the state file: sqlite3 {} \"SELECT row, \
                 input, error_code, error_message FROM rows WHERE state = 'failed'\")",
                failed.len() - MAX_LISTED,
                quote_path(&self.options.state)
            ));
        }
        if !failed.is_empty() {
            out.note(
                "(fix them in a new CSV and import it with a new --state file, or rerun with \
                 --retry-failed)",
            );
        }
    }

    /// The exit status, with what to do when the run did not complete.
    fn status(&self, end: &End, clean: bool, out: &Output) -> i32 {
        let state = self.options.state.display();
        let resume = &self.resume;
        match end {
            End::Complete if clean => EXIT_OK,
            End::Complete => EXIT_ERROR,
            End::Interrupted(signal) | End::Abandoned(signal) => {
                out.note(&format!(
                    "stopped ({}); progress is saved in {state}. Resume with:\n  {resume}",
                    match signal {
                        Signal::Interrupt => "interrupted",
                        Signal::Terminate => "terminated",
                    },
                ));
                signal.exit_status()
            }
            End::Stopped(error) | End::GaveUp(error) => {
                out.api_error(error);
                let what = if matches!(end, End::GaveUp(_)) {
                    "too many failures in a row"
                } else if error.kind() == ErrorKind::Authentication {
                    "the API refused the key: fix it (POSTCORE_API_KEY or --api-key-env)"
                } else if error.code() == Some("MONTHLY_LIMIT_EXCEEDED") {
                    "the monthly post quota is used up: resume when it renews (or on a larger \
                     plan)"
                } else {
                    "the API refused the request for every row"
                };
                out.note(&format!(
                    "stopped: {what}; progress is saved in {state}. Resume with:\n  {resume}"
                ));
                EXIT_ERROR
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting() {
        assert_eq!(quote("users.csv"), "users.csv");
        assert_eq!(quote("my users.csv"), "'my users.csv'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote(""), "''");
    }
}
