//! The loop both imports run: rows are sent one at a time through the client's pacing,
//! answers are recorded in the state file before the next request, rows whose answer was lost
//! are looked for in the listing before they are sent again, and signals stop it between
//! requests. What differs between profiles and posts (the request, how a created object is
//! recognised, which refusals are the row's) is a [`Kind`].

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::{Duration, Instant};

use postcore::{Client, ErrorKind, Response};

use super::progress::{Progress, human};
use super::state::{Held, Reconciled, Row, RowState, State};
use super::window::{RateView, after, unix_ms};
use crate::args::ImportOptions;
use crate::failure::Failure;
use crate::output::describe;
use crate::signals::{Interrupts, Signal};

/// The longest the client itself waits for a slot of the rate budget; beyond, the import
/// waits (interruptibly) and tries again.
pub(crate) const BUDGET_WAIT: Duration = Duration::from_secs(2);
/// Consecutive failures (no connection, timeouts, 5xx) after which the run stops.
const MAX_CONSECUTIVE_FAILURES: u32 = 8;
/// Longest backoff between such failures.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How a run ended.
#[derive(Debug)]
pub(crate) enum End {
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
pub(crate) enum Step {
    Go,
    End(End),
}

/// How a failed create is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// 429: wait `retry_after`, send again.
    RateLimited,
    /// Nothing can succeed (key or endpoint refused): stop the run.
    Stop,
    /// This row was refused for good: record and go on.
    Refused,
    /// The request may have been processed: reconcile (after the settle time) before sending
    /// again.
    Ambiguous,
    /// Refused because of what exists already (posts: too close to another of the profile's
    /// posts, which an earlier request of this very row may have created): reconcile at once;
    /// if the row's object is not there, the row fails.
    Conflict,
    /// Provably not processed (no connection): send again after a backoff.
    NotSent,
}

/// The handling both imports share.
pub(crate) fn classify(error: &postcore::Error) -> Outcome {
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
        // A success status with a body this client cannot read: the object may exist.
        ErrorKind::ResponseValidation | ErrorKind::InternalServer => Outcome::Ambiguous,
        ErrorKind::Configuration => Outcome::Stop,
        ErrorKind::InvalidArgument | ErrorKind::InvalidArgumentType => Outcome::Refused,
        _ => match error.status() {
            Some(408) => Outcome::Ambiguous,
            // The create endpoints have no parameter in their path: these say the base URL or
            // the server is wrong, not the row.
            Some(404 | 405) => Outcome::Stop,
            Some(400..=499) => Outcome::Refused,
            Some(500..) => Outcome::Ambiguous,
            _ => Outcome::Stop,
        },
    }
}

/// The error code to record for a failure.
pub(crate) fn error_code(error: &postcore::Error) -> String {
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
        (ErrorKind::IdempotencyKeyReused, _) => "IDEMPOTENCY_KEY_REUSED".to_owned(),
        (_, Some(status)) => format!("HTTP_{status}"),
        _ => "ERROR".to_owned(),
    }
}

/// Profile keys or post ids.
pub(crate) type Ids = HashSet<String>;

/// What one kind of import sends for a row and how it recognises what a row created.
pub(crate) trait Kind {
    /// One object of the listing (a profile, a post).
    type Listed;
    /// What a create returns.
    type Created;
    /// The request that lists the objects, for messages: `"GET /profiles"`.
    const LIST: &'static str;
    /// Whether, after a run that reconciled rows, the listing is checked once more for
    /// objects created by a request that was given up on.
    const VERIFIES: bool;

    /// Lists every object.
    fn list(client: &Client)
    -> impl Future<Output = postcore::Result<Response<Vec<Self::Listed>>>>;

    /// What is sent for a row, or why nothing can be (code, message).
    type Request;

    /// The row's request, or its refusal without sending anything (code, message).
    fn prepare(&self, row: &Row) -> Result<Self::Request, (String, String)>;

    /// Sends the row's create request.
    fn create(
        &self,
        client: &Client,
        row: &Row,
        request: Self::Request,
    ) -> impl Future<Output = postcore::Result<Response<Self::Created>>>;

    /// What a row holds after its create succeeded.
    fn held(&self, created: &Self::Created) -> Held;

    /// How a failed create is handled.
    fn classify(&self, error: &postcore::Error) -> Outcome {
        classify(error)
    }

    /// For each `sent` row, what the listing says (by row number). `taken`: ids that rows
    /// hold or that existed before the import.
    fn find(&self, rows: &[Row], listed: &[Self::Listed], taken: &Ids) -> Vec<(i64, Reconciled)>;

    /// Warnings about objects no row holds that look like a row's (see [`Kind::VERIFIES`]).
    fn strays(
        &self,
        _listed: &[Self::Listed],
        _held: &HashSet<String>,
        _baseline: &HashSet<String>,
    ) -> Vec<String> {
        Vec::new()
    }

    /// How long the next create must wait besides the client's pacing, and why.
    fn pause(&self, _state: &State) -> Result<Option<(Duration, String)>, Failure> {
        Ok(None)
    }

    /// A row in messages: `row 4 ("ann@example.com")`.
    fn label(&self, row: &Row) -> String;

    /// How messages speak of what a row creates.
    const WORDS: Words;
    /// The columns `--out` fills in or adds.
    const OUT_COLUMNS: &'static [&'static str];

    /// A created row's values for [`Kind::OUT_COLUMNS`].
    fn out_values(&self, row: &Row) -> Vec<String>;

    /// A failed row's identity in the JSON summary, e.g. `{"name": …}`.
    fn row_json(&self, row: &Row) -> serde_json::Map<String, serde_json::Value>;
}

/// How messages speak of what a row creates.
pub(crate) struct Words {
    /// After a lost answer: `"the profile may have been created; looking for it"`.
    pub(crate) maybe_created: &'static str,
    /// Before what was found: `"its profile is"`.
    pub(crate) found: &'static str,
    /// After finding nothing: `"no profile was created"`.
    pub(crate) none_created: &'static str,
    /// What the summary says of created rows: `"have a profile"`.
    pub(crate) have: &'static str,
}

/// What a paced call returned.
enum Call<T> {
    Done(postcore::Result<Response<T>>),
    /// A second signal came while it was in flight.
    Abandoned(Signal),
}

/// What this run did, for the summary.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) requests: u64,
    /// Answers with status 429.
    pub(crate) rate_limited: u64,
    pub(crate) created_now: u64,
    pub(crate) reconciled_found: u64,
    pub(crate) resent: u64,
}

/// One run of an import: the client, the state file, the pace, the display.
pub(crate) struct Runner {
    client: Client,
    pub(crate) state: State,
    /// The rate-limit window as last reported (progress, `--reserve`).
    view: RateView,
    /// Requests of each window left to others.
    reserve: u64,
    /// No request before this (a 429's wait, a backoff).
    hold: Option<Instant>,
    pub(crate) progress: Progress,
    interrupts: Interrupts,
    settle: Duration,
    /// Consecutive failures.
    failures: u32,
    pub(crate) tally: Tally,
}

impl Runner {
    pub(crate) fn new(client: Client, state: State, options: &ImportOptions) -> Self {
        let progress = Progress::new(options.progress, state.counts());
        Self {
            client,
            state,
            view: RateView::default(),
            reserve: options.reserve,
            hold: None,
            progress,
            interrupts: Interrupts::install(),
            settle: options.settle,
            failures: 0,
            tally: Tally::default(),
        }
    }

    /// Sends every pending row and settles every `sent` one, until done or stopped.
    pub(crate) async fn drive<K: Kind>(&mut self, kind: &K) -> Result<End, Failure> {
        self.progress.restart(self.state.counts());
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
                    match self.reconcile(kind, &ripe).await? {
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
            match self.create(kind, row).await? {
                Step::Go => {}
                Step::End(end) => return Ok(end),
            }
        }
        if K::VERIFIES && self.state.meta("needs_verify")?.as_deref() == Some("1") {
            loop {
                match self.verify(kind).await? {
                    Some(Step::Go) => break,
                    Some(Step::End(end)) => return Ok(end),
                    None => {}
                }
            }
        }
        Ok(End::Complete)
    }

    /// Lists every object (waiting out rate limits and failures), or says why the run ends.
    pub(crate) async fn listing<K: Kind>(
        &mut self,
    ) -> Result<Result<Response<Vec<K::Listed>>, End>, Failure> {
        loop {
            let client = self.client.clone();
            let result = match self.paced(K::list(&client)).await {
                Err(signal) => return Ok(Err(End::Interrupted(signal))),
                Ok(Call::Abandoned(signal)) => return Ok(Err(End::Abandoned(signal))),
                Ok(Call::Done(result)) => result,
            };
            match result {
                Ok(response) => {
                    self.failures = 0;
                    return Ok(Ok(response));
                }
                Err(error) => match self.list_failed::<K>(error).await? {
                    Step::Go => {}
                    Step::End(end) => return Ok(Err(end)),
                },
            }
        }
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

    /// Waits for the pace; `Some` if a signal came meanwhile (then nothing may be sent).
    async fn wait_for_pace(&mut self) -> Option<Signal> {
        let delay = self.delay();
        if let Some(signal) = self.wait(delay).await {
            return Some(signal);
        }
        self.interrupts.received().first
    }

    /// Waits for the pace, then sends; a signal during the wait stops before sending.
    async fn paced<T, F>(&mut self, call: F) -> Result<Call<T>, Signal>
    where
        F: Future<Output = postcore::Result<Response<T>>>,
    {
        if let Some(signal) = self.wait_for_pace().await {
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
        self.tally.requests += 1;
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
            self.tally.requests -= 1;
        }
        Call::Done(result)
    }

    /// A failed listing: wait and try again, or stop.
    async fn list_failed<K: Kind>(&mut self, error: postcore::Error) -> Result<Step, Failure> {
        match classify(&error) {
            Outcome::RateLimited => {
                self.rate_limited(&error, K::LIST);
                Ok(Step::Go)
            }
            Outcome::Stop | Outcome::Refused | Outcome::Conflict => {
                Ok(Step::End(End::Stopped(error)))
            }
            Outcome::Ambiguous | Outcome::NotSent => {
                let message = describe(&error);
                let (step, backoff) = self.failure(error);
                if matches!(step, Step::Go) {
                    self.progress.println(&format!(
                        "{}: {message}; trying again in {}",
                        K::LIST,
                        human(backoff)
                    ));
                }
                Ok(step)
            }
        }
    }

    fn rate_limited(&mut self, error: &postcore::Error, what: &str) {
        if error.attempts() > 0 {
            self.tally.rate_limited += 1;
        }
        let wait = error.retry_after().unwrap_or(Duration::from_secs(1));
        self.hold_for(wait);
        if error.attempts() == 0 {
            // The shared budget had no slot yet: nothing was sent, no 429 was drawn.
            self.progress.println(&format!(
                "{what}: waiting {} for the rate budget (nothing sent)",
                human(wait)
            ));
            return;
        }
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

    /// Sends the create request of one pending row and records how it ended.
    async fn create<K: Kind>(&mut self, kind: &K, row: Row) -> Result<Step, Failure> {
        let label = kind.label(&row);
        let request = match kind.prepare(&row) {
            Ok(request) => request,
            Err((code, message)) => {
                self.state.mark_failed(&row, &code, &message)?;
                self.progress
                    .println(&format!("{label}: failed: {code}: {message}"));
                return Ok(Step::Go);
            }
        };
        if let Some((pause, why)) = kind.pause(&self.state)? {
            if pause > self.delay() {
                self.progress
                    .println(&format!("{why}; waiting {}", human(pause)));
                self.hold_for(pause);
            }
        }
        if let Some(signal) = self.wait_for_pace().await {
            return Ok(Step::End(End::Interrupted(signal)));
        }
        // Committed before the request leaves: if this process dies from here on, the next
        // run knows the request may have been processed.
        let sent_at = unix_ms();
        self.state.mark_sent(&row, sent_at)?;
        let row = Row {
            state: RowState::Sent,
            ..row
        };
        let client = self.client.clone();
        let result = match self.call(kind.create(&client, &row, request)).await {
            Call::Abandoned(signal) => return Ok(Step::End(End::Abandoned(signal))),
            Call::Done(result) => result,
        };
        let attempts = match &result {
            Ok(response) => response.attempts,
            Err(error) => error.attempts(),
        };
        if attempts == 0 {
            // Nothing left this machine (no slot in the budget, a replayed result): the
            // import's own count of what it sent must not include it.
            self.state.forget_send(sent_at)?;
        }
        let error = match result {
            Ok(response) => {
                self.state.mark_created(&row, &kind.held(&response.data))?;
                self.failures = 0;
                self.tally.created_now += 1;
                return Ok(Step::Go);
            }
            Err(error) => error,
        };
        let code = error_code(&error);
        let message = error.message().to_string();
        Ok(match kind.classify(&error) {
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
                        "{label}: {text}: {} with {} in {}",
                        K::WORDS.maybe_created,
                        K::LIST,
                        human(self.settle)
                    ));
                }
                step
            }
            Outcome::Conflict => {
                // The server has answered: nothing is still on its way, look at once.
                let settle = i64::try_from(self.settle.as_millis()).unwrap_or(i64::MAX);
                let now = unix_ms();
                self.state
                    .mark_ambiguous(&row, &code, &message, now.saturating_sub(settle))?;
                self.failures = 0;
                self.progress.println(&format!(
                    "{label}: {}: {} with {} (an earlier request of this row may have)",
                    describe(&error),
                    K::WORDS.maybe_created,
                    K::LIST
                ));
                Step::Go
            }
        })
    }

    /// Looks for what `rows` (all `sent`, settled) created, with one listing.
    async fn reconcile<K: Kind>(&mut self, kind: &K, rows: &[Row]) -> Result<Step, Failure> {
        let client = self.client.clone();
        let result = match self.paced(K::list(&client)).await {
            Err(signal) => return Ok(Step::End(End::Interrupted(signal))),
            Ok(Call::Abandoned(signal)) => return Ok(Step::End(End::Abandoned(signal))),
            Ok(Call::Done(result)) => result,
        };
        let listed = match result {
            Ok(response) => response.data,
            Err(error) => return self.list_failed::<K>(error).await,
        };
        self.failures = 0;
        let mut taken = self.state.held_ids()?;
        taken.extend(self.state.baseline()?);
        let outcome = kind.find(rows, &listed, &taken);
        self.state.apply_reconciliation(&outcome)?;
        let by_row: HashMap<i64, &Row> = rows.iter().map(|r| (r.row, r)).collect();
        for (number, reconciled) in &outcome {
            let Some(row) = by_row.get(number) else {
                continue;
            };
            let label = kind.label(row);
            match reconciled {
                Reconciled::Found(held) => {
                    self.tally.reconciled_found += 1;
                    self.progress.println(&format!(
                        "{label}: reconciled: the request had been processed, {} {}",
                        K::WORDS.found,
                        held.ids.join(", ")
                    ));
                }
                Reconciled::Absent => {
                    self.tally.resent += 1;
                    self.progress.println(&format!(
                        "{label}: reconciled: {}; sending it again",
                        K::WORDS.none_created
                    ));
                }
                Reconciled::Failed(code, message) => {
                    self.progress
                        .println(&format!("{label}: failed: {code}: {message}"));
                }
            }
        }
        Ok(Step::Go)
    }

    /// After a run that reconciled rows: objects that look like a row's but that no row holds
    /// (a request processed after it was declared lost). Reported, not deleted.
    async fn verify<K: Kind>(&mut self, kind: &K) -> Result<Option<Step>, Failure> {
        let client = self.client.clone();
        let result = match self.paced(K::list(&client)).await {
            Err(signal) => return Ok(Some(Step::End(End::Interrupted(signal)))),
            Ok(Call::Abandoned(signal)) => return Ok(Some(Step::End(End::Abandoned(signal)))),
            Ok(Call::Done(result)) => result,
        };
        let listed = match result {
            Ok(response) => response.data,
            Err(error) if classify(&error) == Outcome::RateLimited => {
                self.rate_limited(&error, K::LIST);
                return Ok(None);
            }
            Err(error) => {
                self.progress.println(&format!(
                    "note: could not check for strays: {}",
                    describe(&error)
                ));
                return Ok(Some(Step::Go));
            }
        };
        let warnings = kind.strays(&listed, &self.state.held_ids()?, &self.state.baseline()?);
        if warnings.is_empty() {
            self.state.set_meta("needs_verify", "0")?;
        }
        for warning in warnings {
            self.progress.println(&warning);
        }
        Ok(Some(Step::Go))
    }
}
