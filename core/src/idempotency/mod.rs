//! Client-side idempotency keys: a creation (`posts.create`, `profiles.create`,
//! `profiles.connect_bluesky`) made with a key happens once, however many times, from however
//! many processes sharing the store, the call is made.
//!
//! postcore has no idempotency keys of its own, so the SDK keeps a record per key in the
//! client's store (`postcore:<namespace>:idem:<hash of the key>`):
//!
//! * **before** the request leaves: the intent (the operation, a fingerprint of its
//!   arguments, who holds it and until when: a lease as long as the call may take);
//! * **after**: the outcome (the result, replayed to any later call with the key).
//!
//! A call with a key that has a record:
//! * `done`: returns the first call's result, sending nothing;
//! * in flight elsewhere under a live lease: waits for it (up to the call's timeout);
//! * in flight under an expired lease (its holder died), or `unknown` (sent, no answer): looks
//!   for the created object first (`reconcile.rs`: `GET /posts` or `GET /profiles`), returns
//!   it when found, and sends again only when it is provably absent; after a timeout it looks
//!   only once as long again has passed (the server may still be working on the request);
//! * for another operation or other arguments: `IdempotencyKeyReusedError`, nothing sent.
//!
//! When the answer to its own request is lost, a keyed call reconciles at once and returns
//! what it finds; it raises (with `may_have_been_processed`) only when it cannot tell. A
//! refusal that created nothing (a 4xx, a rate limit, no connection) removes the record, so the
//! key can be used again. The store keeps hashes, the result and the object ids it claimed:
//! never a request body, never an app password. A store that cannot be reached fails the call
//! before anything is sent (a key that cannot be recorded protects nothing).

pub(crate) mod reconcile;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::time::Instant;

use crate::client::Client;
use crate::config::RequestOptions;
use crate::endpoint::Endpoint;
use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use crate::store::backend::{Backend, Condition, StoreError};
use crate::validate::Names;

pub(crate) use reconcile::{Claims, Found};

/// The longest idempotency key accepted.
const MAX_KEY_LEN: usize = 255;
/// How often a call waiting for another's in-flight key looks again.
const POLL: Duration = Duration::from_millis(100);
/// How many times one call sends its request at most (again only after proof that nothing
/// was created).
const MAX_SENDS: u32 = 3;
/// The longest wait for the server to finish a request whose answer timed out (see
/// `Record::settle_until`): the call's timeout, at most this.
const MAX_SETTLE: Duration = Duration::from_secs(30);
/// The longest one store operation may take.
const STORE_TIMEOUT: Duration = Duration::from_secs(2);

/// Where a key's intent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum State {
    /// A call holds it and may be sending (see `lease_until`).
    InFlight,
    /// Sent, and nobody could tell whether the server processed it.
    Unknown,
    /// Done: `result` holds what the call returned.
    Done,
}

/// One key's record, as stored (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    /// The operation (`"posts.create"`).
    op: String,
    /// SHA-256 of the operation and its arguments (no secrets).
    fingerprint: String,
    state: State,
    /// The call holding it (random, per call).
    holder: String,
    /// Store clock, ms: past this, the holder is presumed dead.
    lease_until: i64,
    /// The server's clock when the first intent was recorded, ms: what reconciliation looks
    /// for was created after this.
    intent_at: i64,
    /// Store clock, ms, of an `unknown` record left by a timeout: until then a call taking the
    /// key over waits before it looks (the server may still be working on the request, and
    /// "not found" would prove nothing yet). 0: no such wait.
    #[serde(default, skip_serializing_if = "is_zero")]
    settle_until: i64,
    /// The status and result of a `done` record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<Value>,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

impl Record {
    fn bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Checks a key as the caller gave it.
pub(crate) fn check_key(names: Names, key: &str) -> Result<()> {
    let field = names.spell("idempotencyKey");
    if key.is_empty() || key.chars().all(char::is_whitespace) {
        return Err(Error::invalid_argument(format!(
            "{field} must not be empty"
        )));
    }
    if key.len() > MAX_KEY_LEN {
        return Err(Error::invalid_argument(format!(
            "{field} must be at most {MAX_KEY_LEN} bytes, got {}",
            key.len()
        )));
    }
    if key.chars().any(char::is_control) {
        return Err(Error::invalid_argument(format!(
            "{field} must not contain control characters"
        )));
    }
    Ok(())
}

/// Lower-case hex SHA-256.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn store_failed(store: &crate::store::Store, e: &StoreError) -> Error {
    Error::Connection {
        message: format!(
            "the store {store} did not answer ({e}): the idempotency key could not be recorded, \
             so nothing was sent"
        ),
        attempts: 0,
        may_have_been_processed: false,
    }
}

/// Whether a failed call provably created nothing (its record can go).
fn created_nothing(error: &Error) -> bool {
    match error.kind() {
        ErrorKind::Connection | ErrorKind::Timeout => !error.may_have_been_processed(),
        ErrorKind::InternalServer | ErrorKind::ResponseValidation => false,
        _ => !matches!(error.status(), Some(408)),
    }
}

/// Whether "nothing found" right after this failure proves nothing was created: not after a
/// timeout (the server may still be working on the request).
fn absence_is_proof(error: &Error) -> bool {
    error.kind() != ErrorKind::Timeout
}

/// The same error, saying the request may have been processed (so the caller knows).
fn maybe_processed(error: Error) -> Error {
    match error {
        Error::Connection {
            message, attempts, ..
        } => Error::Connection {
            message,
            attempts,
            may_have_been_processed: true,
        },
        Error::Timeout {
            message,
            timeout,
            attempts,
            ..
        } => Error::Timeout {
            message,
            timeout,
            attempts,
            may_have_been_processed: true,
        },
        other => other,
    }
}

/// One keyed call under way.
struct Keyed<'a> {
    client: &'a Client,
    store: &'a dyn Backend,
    record_key: String,
    claims: Claims<'a>,
    ttl: Duration,
    lease: Duration,
    /// The call's timeout per attempt.
    timeout: Duration,
    holder: String,
}

impl Keyed<'_> {
    async fn now(&self) -> Result<i64> {
        self.op(self.store.now_ms()).await
    }

    async fn op<T>(
        &self,
        future: impl std::future::Future<Output = std::result::Result<T, StoreError>>,
    ) -> Result<T> {
        match tokio::time::timeout(STORE_TIMEOUT, future).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(store_failed(self.client.store(), &e)),
            Err(_) => Err(store_failed(
                self.client.store(),
                &StoreError(format!("no answer within {} s", STORE_TIMEOUT.as_secs())),
            )),
        }
    }

    fn lease_until(&self, now: i64) -> i64 {
        now.saturating_add(i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX))
    }

    /// Replaces `old` (the bytes last read) with `new`; false if someone changed it since.
    async fn swap(&self, old: &[u8], new: &Record) -> Result<bool> {
        self.op(self.store.put(
            &self.record_key,
            &new.bytes(),
            Some(self.ttl),
            Condition::IfEquals(old),
        ))
        .await
    }
}

impl Client {
    /// Sends `endpoint` under idempotency key `key` (see the module docs).
    pub(crate) fn send_keyed<'a, E: Endpoint>(
        &'a self,
        endpoint: &'a E,
        key: &'a str,
        options: &'a RequestOptions,
        names: Names,
    ) -> crate::store::backend::BoxFuture<'a, Result<Response<E::Output>>> {
        Box::pin(async move {
            check_key(names, key)?;
            let Some(arguments) = endpoint.fingerprint() else {
                return Err(Error::invalid_argument(format!(
                    "{} takes no {}: only posts.create, profiles.create and \
                     profiles.connect_bluesky do",
                    E::NAME,
                    names.spell("idempotencyKey")
                )));
            };
            let mut input = E::NAME.as_bytes().to_vec();
            input.push(b'\n');
            input.extend_from_slice(arguments.to_string().as_bytes());
            let fingerprint = sha256_hex(&input);
            let config = self.config();
            let timeout = options.timeout.unwrap_or(config.timeout);
            let max_wait = options
                .max_rate_limit_wait
                .unwrap_or(config.max_rate_limit_wait);
            let ns = self.namespace();
            let record_key = format!("postcore:{ns}:idem:{}", sha256_hex(key.as_bytes()));
            let store = self.store().backend();
            let keyed = Keyed {
                client: self,
                store,
                claims: Claims::new(store, ns, record_key.clone()),
                record_key,
                ttl: config.idempotency_ttl,
                lease: timeout + max_wait + Duration::from_secs(5),
                timeout,
                holder: sha256_hex(&fastrand::u64(..).to_le_bytes())[..16].to_owned(),
            };
            let deadline = Instant::now() + timeout;
            loop {
                let now = keyed.now().await?;
                let Some(bytes) = keyed.op(store.get(&keyed.record_key)).await? else {
                    let record = Record {
                        op: E::NAME.to_owned(),
                        fingerprint: fingerprint.clone(),
                        state: State::InFlight,
                        holder: keyed.holder.clone(),
                        lease_until: keyed.lease_until(now),
                        intent_at: self.server_now_ms(),
                        settle_until: 0,
                        status: None,
                        result: None,
                    };
                    let recorded = keyed
                        .op(store.put(
                            &keyed.record_key,
                            &record.bytes(),
                            Some(keyed.ttl),
                            Condition::IfAbsent,
                        ))
                        .await?;
                    if !recorded {
                        continue; // another call got there first
                    }
                    match self
                        .send_recorded(&keyed, endpoint, record, true, options, names)
                        .await?
                    {
                        Some(response) => return Ok(response),
                        None => continue, // taken over meanwhile: see what the other call does
                    }
                };
                let record: Record = serde_json::from_slice(&bytes).map_err(|_| {
                    Error::invalid_argument(format!(
                        "the store holds something unreadable for this {}: use another key",
                        names.spell("idempotencyKey")
                    ))
                })?;
                if record.op != E::NAME || record.fingerprint != fingerprint {
                    return Err(Error::IdempotencyKeyReused {
                        message: format!(
                            "this {} was already used for {} with other arguments; nothing was \
                             sent (a key stands for one operation with one set of arguments)",
                            names.spell("idempotencyKey"),
                            record.op
                        ),
                    });
                }
                match record.state {
                    State::Done => return replay(endpoint, &record),
                    State::InFlight if record.lease_until > now => {
                        if Instant::now() + POLL > deadline {
                            return Err(Error::Timeout {
                                message: format!(
                                    "another call with this {} is still in flight after \
                                     {timeout:?}; try again later (it will return that call's \
                                     result)",
                                    names.spell("idempotencyKey")
                                ),
                                timeout,
                                attempts: 0,
                                may_have_been_processed: true,
                            });
                        }
                        tokio::time::sleep(POLL).await;
                    }
                    State::Unknown if record.settle_until > now => {
                        // The first call timed out moments ago: let the server finish first.
                        let left = u64::try_from(record.settle_until - now).unwrap_or(0);
                        tokio::time::sleep(Duration::from_millis(left).min(MAX_SETTLE)).await;
                    }
                    State::InFlight | State::Unknown => {
                        // Its holder died, or nobody could tell: take it over, then look.
                        let mine = Record {
                            state: State::InFlight,
                            holder: keyed.holder.clone(),
                            lease_until: keyed.lease_until(now),
                            settle_until: 0,
                            ..record
                        };
                        if !keyed.swap(&bytes, &mine).await? {
                            continue;
                        }
                        match endpoint
                            .find_created(self, mine.intent_at, &keyed.claims)
                            .await
                        {
                            Found::Created(response, _ids) => {
                                return self.finish_done(&keyed, mine, response).await;
                            }
                            Found::Absent => {
                                match self
                                    .send_recorded(&keyed, endpoint, mine, false, options, names)
                                    .await?
                                {
                                    Some(response) => return Ok(response),
                                    None => continue,
                                }
                            }
                            Found::CannotTell(error) => {
                                self.mark_unknown(&keyed, &mine, false).await;
                                return Err(maybe_processed(error));
                            }
                        }
                    }
                }
            }
        })
    }

    /// Sends a request whose intent is recorded (`record`, held by this call), and records how
    /// it ended. `fresh`: the record was written just now (its lease is new).
    ///
    /// Before each send but a fresh first one, the lease is renewed in the store, on the
    /// condition that the record is still the one this call wrote: a look for the created
    /// object can outlast the lease, and another call may have taken the key over meanwhile
    /// (and be sending itself). Then this call sends nothing and answers `None`: the caller
    /// reads the record again (and waits for, or replays, the other call).
    async fn send_recorded<E: Endpoint>(
        &self,
        keyed: &Keyed<'_>,
        endpoint: &E,
        mut record: Record,
        fresh: bool,
        options: &RequestOptions,
        names: Names,
    ) -> Result<Option<Response<E::Output>>> {
        let mut sends = 0;
        loop {
            if sends > 0 || !fresh {
                let renewed = Record {
                    lease_until: keyed.lease_until(keyed.now().await?),
                    ..record.clone()
                };
                if !keyed.swap(&record.bytes(), &renewed).await? {
                    return Ok(None);
                }
                record = renewed;
            }
            sends += 1;
            let error = match self.send_unkeyed(endpoint, options, names).await {
                Ok(response) => {
                    let ids = endpoint.created_ids(&response.data);
                    keyed.claims.claim_all(&ids).await;
                    return self.finish_done(keyed, record, response).await.map(Some);
                }
                Err(error) => error,
            };
            if created_nothing(&error) {
                let bytes = record.bytes();
                let _ = keyed
                    .op(keyed
                        .store
                        .delete(&keyed.record_key, Condition::IfEquals(&bytes)))
                    .await;
                return Err(error);
            }
            // The answer was lost: look for what the request created.
            match endpoint
                .find_created(self, record.intent_at, &keyed.claims)
                .await
            {
                Found::Created(mut response, _ids) => {
                    response.attempts += error.attempts();
                    return self.finish_done(keyed, record, response).await.map(Some);
                }
                Found::Absent if absence_is_proof(&error) && sends < MAX_SENDS => continue,
                Found::Absent | Found::CannotTell(_) => {
                    let timed_out = error.kind() == ErrorKind::Timeout;
                    self.mark_unknown(keyed, &record, timed_out).await;
                    return Err(maybe_processed(error));
                }
            }
        }
    }

    /// Records a `done` outcome (best effort: the result is returned either way).
    async fn finish_done<T: Serialize>(
        &self,
        keyed: &Keyed<'_>,
        record: Record,
        response: Response<T>,
    ) -> Result<Response<T>> {
        let old = record.bytes();
        let done = Record {
            state: State::Done,
            status: Some(response.status),
            result: serde_json::to_value(&response.data).ok(),
            ..record
        };
        let _ = keyed.swap(&old, &done).await;
        Ok(response)
    }

    /// Records that nobody can tell whether the request was processed. After a timeout
    /// (`timed_out`), the next call waits as long as the timeout (at most `MAX_SETTLE`) before
    /// it looks for the object.
    async fn mark_unknown(&self, keyed: &Keyed<'_>, record: &Record, timed_out: bool) {
        let settle_until = match (timed_out, keyed.now().await) {
            (true, Ok(now)) => now.saturating_add(
                i64::try_from(keyed.timeout.min(MAX_SETTLE).as_millis()).unwrap_or(0),
            ),
            _ => 0,
        };
        let unknown = Record {
            state: State::Unknown,
            settle_until,
            ..record.clone()
        };
        let _ = keyed.swap(&record.bytes(), &unknown).await;
    }
}

/// The first call's result, replayed: no request.
fn replay<E: Endpoint>(endpoint: &E, record: &Record) -> Result<Response<E::Output>> {
    let value = record.result.clone().unwrap_or(Value::Null);
    let data = endpoint.replayed(value).ok_or_else(|| Error::Connection {
        message: "the result recorded for this idempotency key cannot be read back".to_owned(),
        attempts: 0,
        may_have_been_processed: true,
    })?;
    Ok(Response {
        data,
        status: record.status.unwrap_or(200),
        headers: http::HeaderMap::new(),
        rate_limit: None,
        attempts: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert!(check_key(Names::SnakeCase, "job-42").is_ok());
        for bad in ["", "   ", "a\nb", &"x".repeat(256)] {
            let e = check_key(Names::CamelCase, bad).unwrap_err();
            assert!(e.message().starts_with("idempotencyKey"), "{e}");
        }
    }

    #[test]
    fn only_failures_that_created_nothing_free_the_key() {
        let not_sent = Error::Connection {
            message: String::new(),
            attempts: 1,
            may_have_been_processed: false,
        };
        assert!(created_nothing(&not_sent));
        assert!(!created_nothing(&maybe_processed(not_sent)));
        let timeout = Error::Timeout {
            message: String::new(),
            timeout: Duration::from_secs(1),
            attempts: 1,
            may_have_been_processed: true,
        };
        assert!(!created_nothing(&timeout) && !absence_is_proof(&timeout));
    }
}
