//! A consumer of events: its position, durable in the client's store, and who polls for it.
//!
//! Per consumer (namespaced by the key and base URL, then a hash of its name), the store holds:
//! * `…:snapshot`: what the last poll saw (`snapshot.rs`); a new consumer's first poll only
//!   takes it (no events for what already exists);
//! * `…:queue`: the events found and not yet delivered, oldest first, and the ids of the last
//!   ones delivered (so that a change seen again after a crash is recognised);
//! * `…:lease`: which process polls for it: at most one at a time with a shared store; another
//!   takes over within one interval when the holder dies.
//!
//! An event counts as delivered once the caller asks for the next one: a consumer restarted
//! (or another process taking over) gets again the one it was given but had not finished with,
//! never one it finished with, and misses none.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::event::Event;
use super::snapshot::{Snapshot, diff, snapshot_json};
use crate::client::Client;
use crate::config::Priority;
use crate::config::RequestOptions;
use crate::endpoints::posts::ListPosts;
use crate::endpoints::profiles::ListProfiles;
use crate::error::{Error, Result};
use crate::idempotency::sha256_hex;
use crate::response::server_now;
use crate::store::backend::{Backend, Condition, StoreError};
use crate::validate::Names;

/// The consumer of `client.events()` when none is named.
pub const DEFAULT_CONSUMER: &str = "default";
/// How often a consumer polls by default (two requests a poll: `GET /posts`, `GET /profiles`).
pub const DEFAULT_EVENTS_INTERVAL: Duration = Duration::from_secs(30);
/// How many delivered ids a consumer remembers.
const REMEMBERED: usize = 10_000;
/// How long a consumer's position is kept without a poll.
const KEEP: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// The longest one store operation may take.
const STORE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Default, Serialize, Deserialize)]
struct Queue {
    pending: VecDeque<Event>,
    delivered: VecDeque<String>,
}

/// This process's part in each consumer: its lease holder id and when it last polled.
struct Local {
    holder: String,
    polled: Option<Instant>,
}

static LOCAL: Mutex<Vec<(String, Local)>> = Mutex::new(Vec::new());

fn local<T>(key: &str, f: impl FnOnce(&mut Local) -> T) -> T {
    let mut all = LOCAL.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, state)) = all.iter_mut().find(|(k, _)| k == key) {
        return f(state);
    }
    let mut state = Local {
        holder: sha256_hex(&fastrand::u64(..).to_le_bytes())[..16].to_owned(),
        polled: None,
    };
    let result = f(&mut state);
    all.push((key.to_owned(), state));
    result
}

/// The events of one consumer, one at a time ([`Events::next`]); also a
/// [`Stream`](futures_core::Stream) of them.
pub struct Events {
    client: Client,
    consumer: String,
    interval: Duration,
    /// The event last returned (acknowledged when the next one is asked for).
    last: Option<String>,
    pending: Option<crate::store::backend::BoxFuture<'static, (Events, Option<Result<Event>>)>>,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("consumer", &self.consumer)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The events of `consumer` (see [`crate::events`]): what happened to the account's posts,
    /// profiles and connections since the consumer's last poll, polled every `interval`
    /// (default [`DEFAULT_EVENTS_INTERVAL`]) inside the shared rate budget.
    pub fn events(&self, consumer: &str, interval: Option<Duration>) -> Events {
        Events {
            client: self.clone(),
            consumer: consumer.to_owned(),
            interval: interval.unwrap_or(DEFAULT_EVENTS_INTERVAL),
            last: None,
            pending: None,
        }
    }

    /// The next event of `consumer`, acknowledging `after` (the id of the event the caller
    /// finished with). Waits until there is one. For the bindings' iterators.
    pub(crate) async fn next_event(
        &self,
        consumer: &str,
        interval: Duration,
        after: Option<String>,
        names: Names,
    ) -> Result<Event> {
        check_consumer(consumer, names)?;
        if interval.is_zero() {
            return Err(Error::invalid_argument(format!(
                "{} must be greater than zero",
                names.spell("interval")
            )));
        }
        let mut cursor = Cursor::new(self, consumer, interval);
        self.operation(crate::spec::NEXT_EVENT, None, cursor.next(after))
            .await
    }
}

/// Refuses a consumer name that cannot be one (also checked when a binding's call is
/// prepared, so that the error comes at once).
pub(crate) fn check_consumer(consumer: &str, names: Names) -> Result<()> {
    if consumer.is_empty() || consumer.len() > 200 || consumer.chars().any(char::is_control) {
        return Err(Error::invalid_argument(format!(
            "{} must be a name of 1 to 200 characters without control characters",
            names.spell("consumer")
        )));
    }
    Ok(())
}

impl Events {
    /// The next event, waiting until there is one; `None` never (the stream does not end).
    /// The event returned before this call counts as delivered from now on.
    pub async fn next(&mut self) -> Option<Result<Event>> {
        let after = self.last.take();
        let result = self
            .client
            .next_event(
                &self.consumer,
                self.interval,
                after.clone(),
                Names::SnakeCase,
            )
            .await;
        match &result {
            Ok(event) => self.last = Some(event.id.clone()),
            // Not delivered: still to acknowledge with the next call.
            Err(_) => self.last = after,
        }
        Some(result)
    }
}

impl Events {
    /// Counts the event last returned as delivered now, rather than when the next one is asked
    /// for: for a consumer that stops once it has finished with an event (`postcore listen` on
    /// Ctrl-C after a delivery). Without it, that event is given again at the next start.
    pub async fn acknowledge(&mut self) -> Result<()> {
        let Some(done) = self.last.take() else {
            return Ok(());
        };
        check_consumer(&self.consumer, Names::SnakeCase)?;
        let cursor = Cursor::new(&self.client, &self.consumer, self.interval);
        let result = cursor.acknowledge(&done).await;
        if result.is_err() {
            self.last = Some(done);
        }
        result
    }
}

impl futures_core::Stream for Events {
    type Item = Result<Event>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = &mut *self;
        let mut future = match this.pending.take() {
            Some(future) => future,
            None => {
                let mut events = Events {
                    client: this.client.clone(),
                    consumer: this.consumer.clone(),
                    interval: this.interval,
                    last: this.last.take(),
                    pending: None,
                };
                Box::pin(async move {
                    let item = events.next().await;
                    (events, item)
                })
            }
        };
        match future.as_mut().poll(cx) {
            std::task::Poll::Ready((events, item)) => {
                this.last = events.last;
                std::task::Poll::Ready(item)
            }
            std::task::Poll::Pending => {
                this.pending = Some(future);
                std::task::Poll::Pending
            }
        }
    }
}

/// One `next` call's work.
struct Cursor<'a> {
    client: &'a Client,
    store: &'a dyn Backend,
    interval: Duration,
    local_key: String,
    snapshot_key: String,
    queue_key: String,
    lease_key: String,
    holder: String,
}

fn store_error(client: &Client, e: &StoreError) -> Error {
    Error::Connection {
        message: format!(
            "the store {} did not answer ({e}): events need it to keep their position",
            client.store()
        ),
        attempts: 0,
        may_have_been_processed: false,
    }
}

impl<'a> Cursor<'a> {
    fn new(client: &'a Client, consumer: &str, interval: Duration) -> Self {
        let ns = client.namespace();
        let name = &sha256_hex(consumer.as_bytes())[..32];
        let base = format!("postcore:{ns}:events:{name}");
        let local_key = base.clone();
        let holder = local(&local_key, |l| l.holder.clone());
        Self {
            client,
            store: client.store().backend(),
            interval,
            local_key,
            snapshot_key: format!("{base}:snapshot"),
            queue_key: format!("{base}:queue"),
            lease_key: format!("{base}:lease"),
            holder,
        }
    }

    async fn op<T>(
        &self,
        future: impl std::future::Future<Output = std::result::Result<T, StoreError>>,
    ) -> Result<T> {
        match tokio::time::timeout(STORE_TIMEOUT, future).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(store_error(self.client, &e)),
            Err(_) => Err(store_error(
                self.client,
                &StoreError(format!("no answer within {} s", STORE_TIMEOUT.as_secs())),
            )),
        }
    }

    /// Takes or renews the lease: whether this process polls for the consumer now.
    async fn hold_lease(&self) -> Result<bool> {
        let ttl = Some(self.interval + Duration::from_secs(1));
        let me = self.holder.as_bytes();
        if self
            .op(self
                .store
                .put(&self.lease_key, me, ttl, Condition::IfEquals(me)))
            .await?
        {
            return Ok(true);
        }
        self.op(self
            .store
            .put(&self.lease_key, me, ttl, Condition::IfAbsent))
            .await
    }

    async fn next(&mut self, mut after: Option<String>) -> Result<Event> {
        loop {
            if !self.hold_lease().await? {
                // Another process polls for this consumer: wait to take over if it dies.
                tokio::time::sleep(self.interval / 2 + Duration::from_millis(50)).await;
                continue;
            }
            let (mut queue, bytes) = self.read_queue().await?;
            if let Some(done) = after.take() {
                if queue.pending.front().is_some_and(|e| e.id == done) {
                    queue.pending.pop_front();
                    remember(&mut queue, done);
                    if !self.write_queue(&queue, bytes.as_deref()).await? {
                        continue; // the queue changed under us: read it again
                    }
                }
            }
            if let Some(front) = queue.pending.front() {
                return Ok(front.clone());
            }
            let since = local(&self.local_key, |l| l.polled);
            if let Some(polled) = since {
                let next = polled + self.interval;
                if Instant::now() < next {
                    crate::observe::pause(next.saturating_duration_since(Instant::now())).await;
                    tokio::time::sleep_until(next).await;
                    continue;
                }
            }
            self.poll().await?;
        }
    }

    /// Takes `done` off the front of the queue, if it is there (the queue is replaced only if
    /// unchanged meanwhile, so no lease is needed).
    async fn acknowledge(&self, done: &str) -> Result<()> {
        loop {
            let (mut queue, bytes) = self.read_queue().await?;
            if queue.pending.front().is_none_or(|e| e.id != done) {
                return Ok(());
            }
            queue.pending.pop_front();
            remember(&mut queue, done.to_owned());
            if self.write_queue(&queue, bytes.as_deref()).await? {
                return Ok(());
            }
        }
    }

    async fn read_queue(&self) -> Result<(Queue, Option<Vec<u8>>)> {
        let bytes = self.op(self.store.get(&self.queue_key)).await?;
        let queue = match &bytes {
            Some(b) => serde_json::from_slice(b).unwrap_or_default(),
            None => Queue::default(),
        };
        Ok((queue, bytes))
    }

    /// Replaces the queue if it still holds `old` (`None`: nothing); whether it did.
    async fn write_queue(&self, queue: &Queue, old: Option<&[u8]>) -> Result<bool> {
        let new = serde_json::to_vec(queue).unwrap_or_default();
        let condition = match old {
            Some(old) => Condition::IfEquals(old),
            None => Condition::IfAbsent,
        };
        self.op(self.store.put(&self.queue_key, &new, Some(KEEP), condition))
            .await
    }

    /// One poll: both listings, the diff against the snapshot, the new events queued; how
    /// many events the diff found.
    async fn poll(&self) -> Result<usize> {
        let mut options = RequestOptions::new();
        options.priority = Priority::Background;
        options.max_rate_limit_wait = Some(Duration::from_secs(24 * 60 * 60));
        let names = Names::SnakeCase;
        let posts = self
            .client
            .send_unkeyed(&ListPosts {}, &options, names)
            .await?;
        let profiles = self
            .client
            .send_unkeyed(&ListProfiles {}, &options, names)
            .await?;
        local(&self.local_key, |l| l.polled = Some(Instant::now()));
        let seen = server_now(&posts.headers);
        let stored = self.op(self.store.get(&self.snapshot_key)).await?;
        let new_bytes = snapshot_json(&posts.data, &profiles.data);
        let Some(old) = stored.as_deref().and_then(Snapshot::parse) else {
            // A new consumer: its position starts here.
            self.op(self.store.put(
                &self.snapshot_key,
                &new_bytes,
                Some(KEEP),
                Condition::Always,
            ))
            .await?;
            return Ok(0);
        };
        let found = diff(&old, &posts.data, &profiles.data, seen);
        drop(old);
        drop(stored);
        if !found.is_empty() {
            // Queued first, then the snapshot: a crash in between finds the same changes
            // again, recognised by their ids.
            loop {
                let (mut queue, bytes) = self.read_queue().await?;
                let mut added = false;
                for event in &found {
                    let known = queue.pending.iter().any(|e| e.id == event.id)
                        || queue.delivered.iter().any(|id| *id == event.id);
                    if !known {
                        queue.pending.push_back(event.clone());
                        added = true;
                    }
                }
                if !added || self.write_queue(&queue, bytes.as_deref()).await? {
                    break;
                }
            }
        }
        self.op(self.store.put(
            &self.snapshot_key,
            &new_bytes,
            Some(KEEP),
            Condition::Always,
        ))
        .await?;
        Ok(found.len())
    }
}

/// One poll of `consumer` now, whatever its interval and lease: for the benchmark of a poll's
/// cost (`make bench`). How many events it found.
pub(crate) async fn poll_once(client: &Client, consumer: &str) -> Result<usize> {
    check_consumer(consumer, Names::SnakeCase)?;
    Cursor::new(client, consumer, DEFAULT_EVENTS_INTERVAL)
        .poll()
        .await
}

fn remember(queue: &mut Queue, id: String) {
    queue.delivered.push_back(id);
    while queue.delivered.len() > REMEMBERED {
        queue.delivered.pop_front();
    }
}
