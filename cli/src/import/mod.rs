//! `postcore profiles import USERS.csv --name-column COLUMN --state STATE.db [--out KEYS.csv]`:
//! one profile per CSV row, paced to the rate limit, resumable, and never two profiles for
//! one row.
//!
//! ## Rows and their states (kept in the SQLite state file, see `state.rs`)
//!
//! ```text
//!            mark_sent (committed before the request leaves)
//!  pending ─────────────────────────────────────────────► sent
//!     ▲  ▲                                                 │
//!     │  │ 429 (waited out), 401/403/404 (run stops),       │ 201: created + key
//!     │  └─ no connection: provably not processed ◄────────┤ 400 & co: failed + code (reported)
//!     │                                                    │ timeout / connection lost after
//!     │                                                    │ sending / 5xx / unusable 2xx:
//!     │                                                    ▼ stays `sent` (outcome unknown)
//!     │                   settle time, then GET /profiles: │
//!     └────────── no unclaimed profile of that name ◄──────┤
//!                                                          └─► created + the profile found
//! ```
//!
//! * A `sent` row is never sent again blindly: after `--settle` seconds (so a request still
//!   being processed has landed) one `GET /profiles` looks for a profile with exactly its name
//!   that no other row holds and that did not exist before the import began (the *baseline*,
//!   listed once before the first create). Rows with the same name share the candidates one
//!   each, in row order: two rows never get the same key (a unique index enforces it).
//! * Rows left `sent` by a crash, `kill -9` or a second Ctrl-C are treated the same way by the
//!   next run.
//! * When everything is done and some row was ever reconciled, one more `GET /profiles` looks
//!   for profiles of the import's names that no row holds (a request processed after the look
//!   that declared it absent): they are reported, never deleted.
//!
//! ## Pacing
//!
//! The client's: every request takes a slot of postcore's rate budget, shared through
//! `--store` with the other processes using the key. When the budget has no slot for a while,
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
mod progress;
mod state;
mod window;

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use postcore::{Client, CreateProfile, ErrorKind, Profile, RequestOptions, Response};
use serde_json::json;

use self::input::Input;
use self::progress::{Progress, human};
use self::state::{Counts, Fingerprint, Row, RowState, Setup, State};
use self::window::{RateView, after, unix_ms};
use crate::args::{Global, ImportArgs};
use crate::output::{Output, cell, describe};
use crate::signals::{Interrupts, Signal};
use crate::{EXIT_ERROR, EXIT_OK, Failure};

/// The longest the client itself waits for a slot of the rate budget; beyond, the import
/// waits (interruptibly) and tries again.
const BUDGET_WAIT: Duration = Duration::from_secs(2);
/// Consecutive failures (no connection, timeouts, 5xx) after which the run stops.
const MAX_CONSECUTIVE_FAILURES: u32 = 8;
/// Longest backoff between such failures.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Failed rows listed on stderr at most (the state file has them all).
const MAX_LISTED: usize = 100;

pub(crate) async fn run(global: &Global, args: ImportArgs, out: &Output) -> Result<i32, Failure> {
    if input::same_file(&args.csv, &args.state) {
        return Err(Failure::Usage(
            "--state must be a file of its own, not the input CSV".to_owned(),
        ));
    }
    if let Some(keys) = &args.out {
        if input::same_file(keys, &args.csv) || input::same_file(keys, &args.state) {
            return Err(Failure::Usage(
                "--out must be a new file, not the input CSV or the state file".to_owned(),
            ));
        }
        let dir = keys.parent().filter(|d| !d.as_os_str().is_empty());
        if !dir.unwrap_or(Path::new(".")).is_dir() || keys.is_dir() {
            return Err(Failure::Usage(format!(
                "--out {}: no such directory, or a directory itself",
                keys.display()
            )));
        }
    }
    // 429s come back to the import, which waits them out itself (and shows it).
    let client = crate::build_client(
        crate::client_builder(global)?
            .max_retry_wait(Duration::ZERO)
            // Long waits for the budget come back here, where Ctrl-C can end them.
            .max_rate_limit_wait(BUDGET_WAIT),
    )?;
    let input = input::read(&args.csv, &args.name_column)?;
    let mut state = State::open(&args.state)?;
    let fingerprint = Fingerprint {
        path: input.path.display().to_string(),
        size: input.size,
        hash: input.hash.clone(),
        rows: u64::try_from(input.records.len()).unwrap_or(u64::MAX),
        name_column: args.name_column.clone(),
        base_url: client.base_url().to_owned(),
    };
    let setup = state.setup(&fingerprint, &input.names)?;
    let resume = resume_command(global, &args);
    match setup {
        Setup::New => {}
        Setup::Resumed { moved_from } => {
            if let Some(old) = moved_from {
                out.note(&format!(
                    "note: the CSV moved from {old} to {} (same content): resuming",
                    fingerprint.path
                ));
            }
            if args.retry_failed {
                let n = state.retry_failed()?;
                out.note(&format!("retrying {n} failed rows"));
            }
        }
    }
    let counts = state.counts();
    out.note(&format!(
        "import: {} rows in {}: {} done ({} created, {} failed), {} to do{}",
        counts.total(),
        args.csv.display(),
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
    let interrupts = Interrupts::install();
    let mut importer = Importer {
        client,
        view: RateView::default(),
        reserve: args.reserve,
        hold: None,
        rate_limited: 0,
        progress: Progress::new(args.progress, counts),
        interrupts,
        settle: args.settle,
        names: &input.names,
        baseline: HashSet::new(),
        failures: 0,
        requests: 0,
        reconciled_found: 0,
        resent: 0,
        created_now: 0,
        state,
    };
    let started = Instant::now();
    let end = importer.run().await;
    importer.progress.finish();
    let end = end?;
    finish(
        &importer,
        &input,
        &args,
        out,
        &end,
        &resume,
        started.elapsed(),
    )
}

/// How a run ended.
#[derive(Debug)]
enum End {
    /// Every row is created or failed.
    Complete,
    /// A signal: stopped between requests.
    Interrupted(Signal),
    /// A second signal: stopped with a request in flight (its row stays `sent`).
    Abandoned(Signal),
    /// The API refused the key (401/403) or the endpoint (404/405): no row can succeed.
    Stopped(postcore::Error),
    /// Too many failures in a row (network, 5xx).
    GaveUp(postcore::Error),
}

/// What a step of the loop says.
enum Step {
    Go,
    End(End),
}

/// How a failed call is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// 429: wait `retry_after`, send again.
    RateLimited,
    /// Nothing can succeed (key or endpoint refused): stop the run.
    Stop,
    /// This row was refused for good: record and go on.
    Refused,
    /// The request may have been processed: reconcile before sending again.
    Ambiguous,
    /// Provably not processed (no connection): send again after a backoff.
    NotSent,
}

fn classify(error: &postcore::Error) -> Outcome {
    match error.kind() {
        ErrorKind::RateLimit => Outcome::RateLimited,
        ErrorKind::Authentication | ErrorKind::PermissionDenied => Outcome::Stop,
        ErrorKind::Connection | ErrorKind::Timeout => {
            if error.may_have_been_processed() {
                Outcome::Ambiguous
            } else {
                Outcome::NotSent
            }
        }
        // A success status with a body this client cannot read: the profile may exist.
        ErrorKind::ResponseValidation | ErrorKind::InternalServer => Outcome::Ambiguous,
        ErrorKind::Configuration => Outcome::Stop,
        ErrorKind::InvalidArgument | ErrorKind::InvalidArgumentType => Outcome::Refused,
        _ => match error.status() {
            Some(408) => Outcome::Ambiguous,
            // The create endpoint has no parameter in its path: these say the base URL or the
            // server is wrong, not the row.
            Some(404 | 405) => Outcome::Stop,
            Some(400..=499) => Outcome::Refused,
            Some(500..) => Outcome::Ambiguous,
            _ => Outcome::Stop,
        },
    }
}

/// The error code to record for a failure.
fn error_code(error: &postcore::Error) -> String {
    if let Some(code) = error.code() {
        return code.to_owned();
    }
    match (error.kind(), error.status()) {
        (ErrorKind::Timeout, _) => "TIMEOUT".to_owned(),
        (ErrorKind::Connection, _) => "CONNECTION_ERROR".to_owned(),
        (ErrorKind::ResponseValidation, _) => "INVALID_RESPONSE".to_owned(),
        (ErrorKind::InvalidArgument | ErrorKind::InvalidArgumentType, _) => {
            "INVALID_ARGUMENT".to_owned()
        }
        (_, Some(status)) => format!("HTTP_{status}"),
        _ => "ERROR".to_owned(),
    }
}

/// What a paced call returned.
enum Call<T> {
    Done(postcore::Result<Response<T>>),
    /// A second signal came while it was in flight.
    Abandoned(Signal),
}

struct Importer<'a> {
    client: Client,
    state: State,
    /// The rate-limit window as last reported (progress, `--reserve`).
    view: RateView,
    /// Requests of each window left to others.
    reserve: u64,
    /// No request before this (a 429's wait, a backoff).
    hold: Option<Instant>,
    /// Answers with status 429.
    rate_limited: u64,
    progress: Progress,
    interrupts: Interrupts,
    settle: Duration,
    names: &'a [String],
    /// Profiles that existed before the import's first request.
    baseline: HashSet<String>,
    /// Consecutive failures.
    failures: u32,
    requests: u64,
    reconciled_found: u64,
    resent: u64,
    created_now: u64,
}

impl Importer<'_> {
    async fn run(&mut self) -> Result<End, Failure> {
        if self.state.meta("baseline_done")?.as_deref() == Some("1") {
            self.baseline = self.state.baseline()?;
        } else {
            loop {
                match self.take_baseline().await? {
                    Some(Step::Go) => break,
                    Some(Step::End(end)) => return Ok(end),
                    None => {}
                }
            }
        }
        loop {
            if let Some(signal) = self.interrupts.received().first {
                return Ok(End::Interrupted(signal));
            }
            self.refresh(false);
            let counts = self.state.counts();
            if counts.sent > 0 {
                let sent = self.state.sent_rows()?;
                let now = unix_ms();
                let settle = i64::try_from(self.settle.as_millis()).unwrap_or(i64::MAX);
                let ripe_at = |row: &Row| {
                    // A time well in the future: the clock was set back since; do not wait for it.
                    let sent = row.sent_at_ms.unwrap_or(0);
                    let sent = if sent > now.saturating_add(60_000) {
                        0
                    } else {
                        sent
                    };
                    sent.saturating_add(settle)
                };
                let ripe: Vec<Row> = sent.iter().filter(|r| ripe_at(r) <= now).cloned().collect();
                if !ripe.is_empty() {
                    match self.reconcile(&ripe).await? {
                        Step::Go => continue,
                        Step::End(end) => return Ok(end),
                    }
                }
                if counts.pending == 0 {
                    // Only rows waiting for their settle time: wait for the first.
                    let first = sent.iter().map(ripe_at).min().unwrap_or(now);
                    let wait = Duration::from_millis(
                        u64::try_from(first.saturating_sub(now)).unwrap_or(0),
                    );
                    if let Some(signal) = self.wait(wait).await {
                        return Ok(End::Interrupted(signal));
                    }
                    continue;
                }
            }
            let Some(row) = self.state.next_pending()? else {
                break;
            };
            match self.create(row).await? {
                Step::Go => {}
                Step::End(end) => return Ok(end),
            }
        }
        if self.state.meta("needs_verify")?.as_deref() == Some("1") {
            loop {
                match self.verify().await? {
                    Some(Step::Go) => break,
                    Some(Step::End(end)) => return Ok(end),
                    None => {}
                }
            }
        }
        Ok(End::Complete)
    }

    fn refresh(&mut self, force: bool) {
        self.progress
            .update(self.state.counts(), &self.view, self.reserve, force);
    }

    /// Sleeps `wait`, keeping the progress display fresh; a signal ends it early.
    async fn wait(&mut self, wait: Duration) -> Option<Signal> {
        let deadline = after(Instant::now(), wait);
        loop {
            if let Some(signal) = self.interrupts.received().first {
                return Some(signal);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            let chunk = (deadline - now).min(Duration::from_millis(500));
            tokio::select! {
                () = tokio::time::sleep(chunk) => {}
                signal = self.interrupts.first() => return Some(signal),
            }
            self.refresh(false);
        }
    }

    /// How long before the next request: a hold (429, backoff) or the reserve.
    fn delay(&self) -> Duration {
        let held = self.hold.map_or(Duration::ZERO, |h| {
            h.saturating_duration_since(Instant::now())
        });
        held.max(self.view.reserve_wait(self.reserve))
    }

    /// Nothing leaves for `wait`.
    fn hold_for(&mut self, wait: Duration) {
        let until = after(Instant::now(), wait);
        self.hold = Some(self.hold.map_or(until, |h| h.max(until)));
    }

    /// Waits for the pace, then sends; a signal during the wait stops before sending.
    async fn paced<T, F>(&mut self, call: F) -> Result<Call<T>, Signal>
    where
        F: Future<Output = postcore::Result<Response<T>>>,
    {
        let delay = self.delay();
        if let Some(signal) = self.wait(delay).await {
            return Err(signal);
        }
        if let Some(signal) = self.interrupts.received().first {
            return Err(signal);
        }
        Ok(self.call(call).await)
    }

    /// Runs one call to its end (a first signal waits for it; a second abandons it), and
    /// notes the rate-limit window its answer reports.
    async fn call<T, F>(&mut self, call: F) -> Call<T>
    where
        F: Future<Output = postcore::Result<Response<T>>>,
    {
        self.requests += 1;
        let mut call = std::pin::pin!(call);
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut warned = false;
        let result = loop {
            tokio::select! {
                biased;
                result = &mut call => break result,
                signal = self.interrupts.at_least(2) => return Call::Abandoned(signal),
                _ = tick.tick() => {
                    if self.interrupts.stopping() && !warned {
                        warned = true;
                        self.progress.println(
                            "stopping after the request in flight (Ctrl-C again to stop at once)",
                        );
                    }
                    self.progress.update(self.state.counts(), &self.view, self.reserve, false);
                }
            }
        };
        match &result {
            Ok(response) => self
                .view
                .observe(Some(&response.headers), response.rate_limit.as_ref()),
            Err(error) => self.view.observe(error.headers(), error.rate_limit()),
        }
        if result.as_ref().is_err_and(|e| e.attempts() == 0) {
            // Refused before sending (the shared budget had no slot): not a request.
            self.requests -= 1;
        }
        Call::Done(result)
    }

    /// `GET /profiles` before the first create: the profiles that are not the import's.
    async fn take_baseline(&mut self) -> Result<Option<Step>, Failure> {
        let client = self.client.clone();
        let options = RequestOptions::new();
        let result = match self.paced(client.list_profiles_with(&options)).await {
            Err(signal) => return Ok(Some(Step::End(End::Interrupted(signal)))),
            Ok(Call::Abandoned(signal)) => return Ok(Some(Step::End(End::Abandoned(signal)))),
            Ok(Call::Done(result)) => result,
        };
        match result {
            Ok(response) => {
                self.failures = 0;
                let profiles = response.data;
                let keys: Vec<String> = profiles.iter().map(|p| p.profile_key.clone()).collect();
                self.state.save_baseline(&keys)?;
                let existing: HashSet<&str> = profiles
                    .iter()
                    .filter_map(|p| p.profile_name.as_deref())
                    .collect();
                let clashes = self
                    .names
                    .iter()
                    .filter(|n| existing.contains(n.as_str()))
                    .count();
                if clashes > 0 {
                    self.progress.println(&format!(
                        "note: {clashes} names of the CSV are already used by profiles that \
                         existed before this import; the import creates its own profile for \
                         each row regardless"
                    ));
                }
                self.baseline = keys.into_iter().collect();
                Ok(Some(Step::Go))
            }
            Err(error) => self.list_failed(error).await.map(|step| match step {
                Step::Go => None,
                end => Some(end),
            }),
        }
    }

    /// A failed `GET /profiles`: wait and try again, or stop.
    async fn list_failed(&mut self, error: postcore::Error) -> Result<Step, Failure> {
        match classify(&error) {
            Outcome::RateLimited => {
                self.rate_limited(&error, "GET /profiles");
                Ok(Step::Go)
            }
            Outcome::Stop | Outcome::Refused => Ok(Step::End(End::Stopped(error))),
            Outcome::Ambiguous | Outcome::NotSent => {
                let message = describe(&error);
                let (step, backoff) = self.failure(error);
                if matches!(step, Step::Go) {
                    self.progress.println(&format!(
                        "GET /profiles: {message}; trying again in {}",
                        human(backoff)
                    ));
                }
                Ok(step)
            }
        }
    }

    fn rate_limited(&mut self, error: &postcore::Error, what: &str) {
        if error.attempts() > 0 {
            self.rate_limited += 1;
        }
        let wait = error.retry_after().unwrap_or(Duration::from_secs(1));
        self.hold_for(wait);
        self.progress.println(&format!(
            "{what}: {}; waiting {}",
            describe(error),
            human(wait)
        ));
    }

    /// One more consecutive failure: back off (the pause is returned, for the message), or
    /// give up after too many.
    fn failure(&mut self, error: postcore::Error) -> (Step, Duration) {
        self.failures += 1;
        if self.failures >= MAX_CONSECUTIVE_FAILURES {
            return (Step::End(End::GaveUp(error)), Duration::ZERO);
        }
        let backoff = Duration::from_millis(500)
            .saturating_mul(1 << (self.failures - 1).min(10))
            .min(MAX_BACKOFF);
        self.hold_for(backoff);
        (Step::Go, backoff)
    }

    /// Creates the profile of one pending row.
    async fn create(&mut self, row: Row) -> Result<Step, Failure> {
        if row.name.trim().is_empty() {
            self.state.mark_failed(
                &row,
                "EMPTY_NAME",
                "the name column is empty in this row: no profile was created",
            )?;
            return Ok(Step::Go);
        }
        let delay = self.delay();
        if let Some(signal) = self.wait(delay).await {
            return Ok(Step::End(End::Interrupted(signal)));
        }
        if let Some(signal) = self.interrupts.received().first {
            return Ok(Step::End(End::Interrupted(signal)));
        }
        // Committed before the request leaves: if this process dies from here on, the next
        // run knows the request may have been processed.
        self.state.mark_sent(&row, unix_ms())?;
        let row = Row {
            state: RowState::Sent,
            ..row
        };
        let client = self.client.clone();
        let options = RequestOptions::new();
        let call = client.create_profile_with(CreateProfile::named(row.name.clone()), &options);
        let result = match self.call(call).await {
            Call::Abandoned(signal) => return Ok(Step::End(End::Abandoned(signal))),
            Call::Done(result) => result,
        };
        let error = match result {
            Ok(response) => {
                self.state.mark_created(&row, &response.data.profile_key)?;
                self.failures = 0;
                self.created_now += 1;
                return Ok(Step::Go);
            }
            Err(error) => error,
        };
        let code = error_code(&error);
        let message = error.message().to_string();
        let label = row_label(&row);
        Ok(match classify(&error) {
            Outcome::RateLimited => {
                self.state.mark_pending(&row, &code, &message)?;
                self.rate_limited(&error, &label);
                Step::Go
            }
            Outcome::Stop => {
                self.state.mark_pending(&row, &code, &message)?;
                Step::End(End::Stopped(error))
            }
            Outcome::Refused => {
                self.state.mark_failed(&row, &code, &message)?;
                self.failures = 0;
                self.progress
                    .println(&format!("{label}: failed: {}", describe(&error)));
                Step::Go
            }
            Outcome::NotSent => {
                self.state.mark_pending(&row, &code, &message)?;
                let text = describe(&error);
                let (step, backoff) = self.failure(error);
                if matches!(step, Step::Go) {
                    self.progress.println(&format!(
                        "{label}: {text}: not sent; trying again in {}",
                        human(backoff)
                    ));
                }
                step
            }
            Outcome::Ambiguous => {
                self.state
                    .mark_ambiguous(&row, &code, &message, unix_ms())?;
                let text = describe(&error);
                let (step, _) = self.failure(error);
                if matches!(step, Step::Go) {
                    self.progress.println(&format!(
                        "{label}: {text}: the profile may have been created; looking for it \
                         with GET /profiles in {}",
                        human(self.settle)
                    ));
                }
                step
            }
        })
    }

    /// Looks for the profiles of `rows` (all `sent`, settled) with one `GET /profiles`.
    async fn reconcile(&mut self, rows: &[Row]) -> Result<Step, Failure> {
        let client = self.client.clone();
        let options = RequestOptions::new();
        let result = match self.paced(client.list_profiles_with(&options)).await {
            Err(signal) => return Ok(Step::End(End::Interrupted(signal))),
            Ok(Call::Abandoned(signal)) => return Ok(Step::End(End::Abandoned(signal))),
            Ok(Call::Done(result)) => result,
        };
        let profiles = match result {
            Ok(response) => response.data,
            Err(error) => return self.list_failed(error).await,
        };
        self.failures = 0;
        let mut taken = self.state.claimed_keys()?;
        taken.extend(self.baseline.iter().cloned());
        let wanted: Vec<(i64, &str)> = rows.iter().map(|r| (r.row, r.name.as_str())).collect();
        let outcome = assign(&wanted, &profiles, &taken);
        self.state.apply_reconciliation(&outcome)?;
        for (row, (_, key)) in rows.iter().zip(&outcome) {
            let label = row_label(row);
            match key {
                Some(key) => {
                    self.reconciled_found += 1;
                    self.progress.println(&format!(
                        "{label}: reconciled: the request had been processed, its profile is {key}"
                    ));
                }
                None => {
                    self.resent += 1;
                    self.progress.println(&format!(
                        "{label}: reconciled: no profile was created; sending it again"
                    ));
                }
            }
        }
        Ok(Step::Go)
    }

    /// After a run that reconciled rows: profiles with the import's names that no row holds
    /// and that are not from before the import (a request processed after it was declared
    /// lost). Reported, not deleted.
    async fn verify(&mut self) -> Result<Option<Step>, Failure> {
        let client = self.client.clone();
        let options = RequestOptions::new();
        let result = match self.paced(client.list_profiles_with(&options)).await {
            Err(signal) => return Ok(Some(Step::End(End::Interrupted(signal)))),
            Ok(Call::Abandoned(signal)) => return Ok(Some(Step::End(End::Abandoned(signal)))),
            Ok(Call::Done(result)) => result,
        };
        let profiles = match result {
            Ok(response) => response.data,
            Err(error) if classify(&error) == Outcome::RateLimited => {
                self.rate_limited(&error, "GET /profiles");
                return Ok(None);
            }
            Err(error) => {
                self.progress.println(&format!(
                    "note: could not check for stray profiles: {}",
                    describe(&error)
                ));
                return Ok(Some(Step::Go));
            }
        };
        let claimed = self.state.claimed_keys()?;
        let names: HashSet<&str> = self.names.iter().map(String::as_str).collect();
        let strays: Vec<&Profile> = profiles
            .iter()
            .filter(|p| {
                p.profile_name.as_deref().is_some_and(|n| names.contains(n))
                    && !claimed.contains(&p.profile_key)
                    && !self.baseline.contains(&p.profile_key)
            })
            .collect();
        if strays.is_empty() {
            self.state.set_meta("needs_verify", "0")?;
        }
        for profile in strays {
            self.progress.println(&format!(
                "warning: profile {} ({:?}) has the name of a row of this import but no row \
                 holds it: most likely a duplicate from a request the server processed after \
                 it was given up on. Check it, then: postcore profiles delete {}",
                profile.profile_key,
                cell(profile.profile_name.as_deref().unwrap_or_default()),
                profile.profile_key
            ));
        }
        Ok(Some(Step::Go))
    }
}

/// Which profile each `sent` row gets: for each name, the profiles of that name that are not
/// `taken` (held by a row, or older than the import), oldest first, one per row in row order.
/// `None`: no such profile, the row's request was not processed.
fn assign(
    rows: &[(i64, &str)],
    profiles: &[Profile],
    taken: &HashSet<String>,
) -> Vec<(i64, Option<String>)> {
    let mut ordered: Vec<&Profile> = profiles.iter().collect();
    // Stable: the server's order (creation order) where the times are equal or missing.
    ordered.sort_by_key(|p| p.created_at);
    let mut candidates: HashMap<&str, VecDeque<&str>> = HashMap::new();
    for profile in ordered {
        if let Some(name) = profile.profile_name.as_deref() {
            if !taken.contains(&profile.profile_key) {
                candidates
                    .entry(name)
                    .or_default()
                    .push_back(&profile.profile_key);
            }
        }
    }
    let mut rows = rows.to_vec();
    rows.sort_by_key(|(row, _)| *row);
    rows.into_iter()
        .map(|(row, name)| {
            let key = candidates
                .get_mut(name)
                .and_then(VecDeque::pop_front)
                .map(str::to_owned);
            (row, key)
        })
        .collect()
}

fn row_label(row: &Row) -> String {
    format!("row {} ({:?})", row.row, cell(&row.name))
}

/// The command that resumes this import (never with a key: it is not in the arguments).
fn resume_command(global: &Global, args: &ImportArgs) -> String {
    let mut words: Vec<String> = vec!["postcore".into(), "profiles".into(), "import".into()];
    words.push(quote_path(&args.csv));
    words.extend(["--name-column".into(), quote(&args.name_column)]);
    words.extend(["--state".into(), quote_path(&args.state)]);
    if let Some(out) = &args.out {
        words.extend(["--out".into(), quote_path(out)]);
    }
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
    if args.settle != Duration::from_secs(10) {
        words.extend(["--settle".into(), format!("{}", args.settle.as_secs_f64())]);
    }
    if args.reserve > 0 {
        words.extend(["--reserve".into(), args.reserve.to_string()]);
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

/// Writes `--out`, lists failed rows, prints the summary; returns the exit status.
fn finish(
    importer: &Importer<'_>,
    input: &Input,
    args: &ImportArgs,
    out: &Output,
    end: &End,
    resume: &str,
    elapsed: Duration,
) -> Result<i32, Failure> {
    let state = &importer.state;
    let counts: Counts = state.counts();
    let mut written = None;
    let mut out_failed = false;
    if let Some(path) = &args.out {
        let keys = state.keys()?;
        match input::write_keys(path, input, &keys) {
            Ok(n) => written = Some(n),
            Err(failure) => {
                failure.report(out);
                out_failed = true;
            }
        }
    }
    let failed = state.failed_rows()?;
    if !out.json {
        for row in failed.iter().take(MAX_LISTED) {
            out.note(&format!(
                "failed: {}: {}: {}",
                row_label(row),
                row.error_code.as_deref().unwrap_or("ERROR"),
                row.error_message.as_deref().unwrap_or_default()
            ));
        }
        if failed.len() > MAX_LISTED {
            out.note(&format!(
                "… and {} more failed rows (all are in the state file: sqlite3 {} \"SELECT row, \
                 name, error_code, error_message FROM rows WHERE state = 'failed'\")",
                failed.len() - MAX_LISTED,
                quote_path(&args.state)
            ));
        }
        if !failed.is_empty() {
            out.note("(fix them in a new CSV and import it with a new --state file, or rerun with --retry-failed)");
        }
    }
    let summary = format!(
        "import: {} of {} rows have a profile ({} created in this run, {} found after a lost \
         answer, {} sent again), {} failed, {} left; {} requests, {} answered 429; {}",
        counts.created,
        counts.total(),
        importer.created_now,
        importer.reconciled_found,
        importer.resent,
        counts.failed,
        counts.left(),
        importer.requests,
        importer.rate_limited,
        human(elapsed),
    );
    out.note(&summary);
    if let (Some(path), Some(n)) = (&args.out, written) {
        out.note(&format!(
            "wrote {n} rows with their profileKey to {}",
            path.display()
        ));
    }
    let status = match end {
        End::Complete if failed.is_empty() && !out_failed => EXIT_OK,
        End::Complete => EXIT_ERROR,
        End::Interrupted(signal) | End::Abandoned(signal) => {
            out.note(&format!(
                "stopped ({}); progress is saved in {}. Resume with:\n  {resume}",
                match signal {
                    Signal::Interrupt => "interrupted",
                    Signal::Terminate => "terminated",
                },
                args.state.display()
            ));
            signal.exit_status()
        }
        End::Stopped(error) | End::GaveUp(error) => {
            out.api_error(error);
            let what = if matches!(end, End::Stopped(_)) {
                if error.kind() == ErrorKind::Authentication {
                    "the API refused the key: fix it (POSTCORE_API_KEY or --api-key-env)"
                } else {
                    "the API refused the request for every row"
                }
            } else {
                "too many failures in a row"
            };
            out.note(&format!(
                "stopped: {what}; progress is saved in {}. Resume with:\n  {resume}",
                args.state.display()
            ));
            EXIT_ERROR
        }
    };
    if out.json {
        let failed: Vec<_> = failed
            .iter()
            .map(|r| {
                json!({
                    "row": r.row,
                    "name": r.name,
                    "error": r.error_code,
                    "message": r.error_message,
                })
            })
            .collect();
        out.print_json(&json!({
            "complete": matches!(end, End::Complete),
            "total": counts.total(),
            "created": counts.created,
            "failed": failed,
            "left": counts.left(),
            "createdThisRun": importer.created_now,
            "reconciled": importer.reconciled_found,
            "resent": importer.resent,
            "requests": importer.requests,
            "rateLimited": importer.rate_limited,
            "seconds": elapsed.as_secs_f64(),
            "out": args.out.as_ref().map(|p| p.display().to_string()),
        }))?;
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(key: &str, name: Option<&str>, created: i64) -> Profile {
        serde_json::from_value(json!({
            "profileKey": key,
            "profileName": name,
            "createdAt": postcore::Timestamp::from_unix(created).to_string(),
            "connectedPlatforms": [],
        }))
        .unwrap_or_else(|e| panic!("test profile: {e}"))
    }

    #[test]
    fn same_names_get_distinct_profiles() {
        let profiles = [
            profile("prof_old", Some("Ann"), 1),
            profile("prof_b", Some("Ann"), 3),
            profile("prof_a", Some("Ann"), 2),
            profile("prof_held", Some("Ann"), 4),
            profile("prof_bob", Some("Bob"), 5),
            profile("prof_none", None, 6),
        ];
        let taken: HashSet<String> = ["prof_old".to_owned(), "prof_held".to_owned()].into();
        let rows = [(9, "Ann"), (2, "Ann"), (5, "Ann"), (7, "Bob"), (8, "Cy")];
        assert_eq!(
            assign(&rows, &profiles, &taken),
            vec![
                (2, Some("prof_a".to_owned())),
                (5, Some("prof_b".to_owned())),
                (7, Some("prof_bob".to_owned())),
                (8, None),
                (9, None),
            ]
        );
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(quote("users.csv"), "users.csv");
        assert_eq!(quote("my users.csv"), "'my users.csv'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote(""), "''");
    }
}
