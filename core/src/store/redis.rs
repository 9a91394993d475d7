//! `redis://` and `rediss://`: the processes of many hosts share one Redis server.
//!
//! * Each budget operation is one script (`budget.lua`, a transcription of `budget.rs`): atomic,
//!   one round trip, on the server's clock (`TIME`), so hosts whose clocks disagree still agree
//!   on the windows. Every key written expires: a budget a minute after its window, pause or
//!   probe ends; a value after its ttl (a value written without one stays).
//! * The connection is redis-rs's `ConnectionManager` (one multiplexed connection, replaced in
//!   the background when it breaks). It runs on a thread of its own, made on first use, so that
//!   it never depends on the runtime of whichever client used it first: runtimes come and go
//!   (one per Node worker, a new one after `fork()`, one per `#[tokio::test]`), and a connection
//!   whose runtime is gone or busy would fail every client sharing it. A child after `fork()`
//!   makes its own thread and connection; the parent's are left alone.
//! * Failing fast: connecting and each answer are bounded by [`CONNECT_TIMEOUT`] and
//!   [`RESPONSE_TIMEOUT`], a whole operation (reconnecting, loading the script) by
//!   [`OPERATION_TIMEOUT`], all well under the pacer's 2 s; errors never carry the password.
//! * Opening does no I/O: nothing is connected before the first operation.

use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ConnectionAddr, IntoConnectionInfo, RedisConnectionInfo, RedisError, Script};
use tokio::runtime::Handle;

use super::backend::{
    Backend, BoxFuture, BudgetRef, Condition, Settlement, StoreError, StoreResult,
};
use super::budget::{Grant, MultiDecision, Settle};
use super::url::RedisUrl;

/// The longest a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// The longest the server may take to answer a command.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
/// The longest one operation may take, waiting for a reconnection included.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(1);

/// The budget script (see its header).
static BUDGET: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("budget.lua")));

/// Writes `ARGV[2]` (expiring after `ARGV[3]` ms, unless empty) if the key holds `ARGV[1]`.
static PUT_IF_EQUALS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end \
         if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2]) \
         else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end \
         return 1",
    )
});

/// Removes the key if it holds `ARGV[1]`.
static DELETE_IF_EQUALS: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end \
         return redis.call('DEL', KEYS[1])",
    )
});

/// One Redis store.
pub(crate) struct RedisStore {
    url: RedisUrl,
    /// This process's connection thread, once started.
    worker: Mutex<Option<Worker>>,
}

/// The thread that runs the connection, and the connection.
struct Worker {
    /// The process that started it (a child after `fork()` has no such thread).
    pid: u32,
    runtime: Handle,
    connection: ConnectionManager,
    /// Dropping it ends the thread.
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl RedisStore {
    pub(crate) fn new(url: &RedisUrl) -> Self {
        Self {
            url: url.clone(),
            worker: Mutex::new(None),
        }
    }

    /// This process's thread and connection, started on first use.
    fn worker(&self) -> StoreResult<(Handle, ConnectionManager)> {
        let mut worker = self.worker.lock().unwrap_or_else(PoisonError::into_inner);
        let pid = std::process::id();
        if worker.as_ref().is_some_and(|w| w.pid != pid) {
            // The parent's, in a child after fork(): its thread does not exist here, and its
            // socket is the parent's; leave both alone.
            std::mem::forget(worker.take());
        }
        let worker = match &mut *worker {
            Some(worker) => worker,
            empty => empty.insert(self.start(pid)?),
        };
        Ok((worker.runtime.clone(), worker.connection.clone()))
    }

    fn start(&self, pid: u32) -> StoreResult<Worker> {
        let client = client(&self.url).map_err(|e| self.error(&e))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError(format!("Redis: cannot start its runtime: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            // One attempt per reconnection: each failed operation starts another one, and the
            // pacer, meanwhile, paces with this process's memory.
            .set_number_of_retries(0);
        // The manager starts its tasks on the current runtime: this thread's.
        let connection = {
            let _enter = runtime.enter();
            ConnectionManager::new_lazy_with_config(client, config)
        };
        let connection = match connection {
            Ok(connection) => connection,
            Err(e) => {
                runtime.shutdown_background();
                return Err(self.error(&e));
            }
        };
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("postcore-redis".to_owned())
            .spawn(move || {
                let _ = runtime.block_on(stopped);
            });
        if let Err(e) = thread {
            return Err(StoreError(format!("Redis: cannot start its thread: {e}")));
        }
        Ok(Worker {
            pid,
            runtime: handle,
            connection,
            _stop: stop,
        })
    }

    /// Runs `op` on the connection's thread, within [`OPERATION_TIMEOUT`]. An attempt refused
    /// before anything was sent (the server was down when the connection was last made) is
    /// made once more, on the connection made since.
    fn run<'a, T, F>(
        &'a self,
        op: impl Fn(ConnectionManager) -> F + Send + 'static,
    ) -> BoxFuture<'a, StoreResult<T>>
    where
        T: Send + 'static,
        F: Future<Output = redis::RedisResult<T>> + Send + 'static,
    {
        Box::pin(async move {
            let (runtime, connection) = self.worker()?;
            let task = runtime.spawn(tokio::time::timeout(OPERATION_TIMEOUT, async move {
                match op(connection.clone()).await {
                    Err(e) if e.is_connection_refusal() => op(connection).await,
                    done => done,
                }
            }));
            match task.await {
                Ok(Ok(Ok(value))) => Ok(value),
                Ok(Ok(Err(e))) => Err(self.error(&e)),
                Ok(Err(_)) => Err(StoreError(format!(
                    "Redis: no answer within {} ms",
                    OPERATION_TIMEOUT.as_millis()
                ))),
                Err(e) => Err(StoreError(format!("Redis: the operation failed: {e}"))),
            }
        })
    }

    /// A Redis error as a store error, without the password.
    fn error(&self, e: &RedisError) -> StoreError {
        let mut message = format!("Redis: {e}");
        if let Some(password) = self.url.password.as_deref().filter(|p| !p.is_empty()) {
            message = message.replace(password, "<redacted>");
        }
        StoreError(message)
    }
}

impl Drop for RedisStore {
    fn drop(&mut self) {
        let worker = self
            .worker
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(inherited) = worker.take().filter(|w| w.pid != std::process::id()) {
            // A child after fork(): the parent's thread and socket are not ours to close.
            std::mem::forget(inherited);
        }
    }
}

/// The client for `url` (no I/O).
fn client(url: &RedisUrl) -> redis::RedisResult<redis::Client> {
    let addr = if url.tls {
        // redis-rs builds its TLS configuration with the process's default provider: make it
        // ring (the only one this crate builds with) unless the application chose one.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        // Verified against the platform's trust store (SSL_CERT_FILE / SSL_CERT_DIR honoured).
        ConnectionAddr::TcpTls {
            host: url.host.clone(),
            port: url.port,
            insecure: false,
            tls_params: None,
        }
    } else {
        ConnectionAddr::Tcp(url.host.clone(), url.port)
    };
    let mut settings = RedisConnectionInfo::default()
        .set_db(url.db)
        .set_lib_name("postcore", env!("CARGO_PKG_VERSION"));
    if let Some(username) = &url.username {
        settings = settings.set_username(username);
    }
    if let Some(password) = &url.password {
        settings = settings.set_password(password);
    }
    redis::Client::open(addr.into_connection_info()?.set_redis_settings(settings))
}

/// A condition, owned (operations run on another thread).
#[derive(Clone)]
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

/// A duration in ms for `PX` (at least 1: Redis refuses 0).
fn px(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// `budget.lua`'s answer to an acquisition.
fn decision(reply: &[i64]) -> Option<MultiDecision> {
    match reply {
        [0, wait] => Some(MultiDecision::Wait(*wait)),
        [1, grants @ ..] if grants.len() % 3 == 0 => Some(MultiDecision::Granted(
            grants
                .chunks_exact(3)
                .map(|g| Grant {
                    window_id: g[0],
                    remaining: g[1],
                    probe: g[2] == 1,
                })
                .collect(),
        )),
        _ => None,
    }
}

/// A settlement as `budget.lua` takes it: nine arguments.
fn settle_args(s: &Settlement) -> [String; 9] {
    let none = String::new;
    let (sent, observation, pause) = match s.outcome {
        Settle::NotSent => (false, None, None),
        Settle::Sent {
            observation,
            pause_ms,
        } => (true, observation, pause_ms),
    };
    let flag = |b: bool| if b { "1" } else { "0" }.to_owned();
    let [limit, remaining, window_id, until_reset] = match observation {
        Some(o) => [o.limit, o.remaining, o.window_id, o.until_reset_ms].map(|v| v.to_string()),
        None => [none(), none(), none(), none()],
    };
    [
        s.grant.window_id.to_string(),
        s.grant.remaining.to_string(),
        flag(s.grant.probe),
        flag(sent),
        limit,
        remaining,
        window_id,
        until_reset,
        pause.map_or_else(none, |p| p.to_string()),
    ]
}

impl Backend for RedisStore {
    fn acquire<'a>(
        &'a self,
        budgets: &'a [BudgetRef],
        probe_ttl_ms: i64,
        background: bool,
    ) -> BoxFuture<'a, StoreResult<MultiDecision>> {
        let budgets = budgets.to_vec();
        Box::pin(async move {
            let expected = budgets.len();
            let reply = self
                .run(move |mut connection| {
                    let mut call = BUDGET.prepare_invoke();
                    call.arg("acquire")
                        .arg(probe_ttl_ms)
                        .arg(i32::from(background));
                    for b in &budgets {
                        call.key(&b.key)
                            .arg(b.spec.limit)
                            .arg(b.spec.window_ms)
                            .arg(i32::from(b.spec.learns));
                    }
                    async move { call.invoke_async::<Vec<i64>>(&mut connection).await }
                })
                .await?;
            match decision(&reply) {
                Some(MultiDecision::Granted(grants)) if grants.len() != expected => Err(
                    StoreError(format!("Redis: budget.lua granted {} slots", grants.len())),
                ),
                Some(decision) => Ok(decision),
                None => Err(StoreError(format!(
                    "Redis: unexpected answer from budget.lua: {reply:?}"
                ))),
            }
        })
    }

    fn settle<'a>(&'a self, settlements: &'a [Settlement]) -> BoxFuture<'a, StoreResult<()>> {
        let settlements = settlements.to_vec();
        Box::pin(async move {
            if settlements.is_empty() {
                return Ok(());
            }
            self.run(move |mut connection| {
                let mut call = BUDGET.prepare_invoke();
                call.arg("settle");
                for s in &settlements {
                    call.key(&s.key).arg(&settle_args(s)[..]);
                }
                async move { call.invoke_async::<i64>(&mut connection).await }
            })
            .await
            .map(|_| ())
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, StoreResult<Option<Vec<u8>>>> {
        let key = key.to_owned();
        self.run(move |mut connection| {
            let command = redis::cmd("GET").arg(&key).to_owned();
            async move { command.query_async(&mut connection).await }
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
        self.run(move |mut connection| {
            let (key, value, condition) = (key.clone(), value.clone(), condition.clone());
            async move {
                match condition {
                    Expect::Always | Expect::IfAbsent => {
                        let mut set = redis::cmd("SET");
                        set.arg(&key).arg(&value);
                        if matches!(condition, Expect::IfAbsent) {
                            set.arg("NX");
                        }
                        if let Some(ttl) = ttl {
                            set.arg("PX").arg(px(ttl));
                        }
                        let done: Option<String> = set.query_async(&mut connection).await?;
                        Ok(done.is_some())
                    }
                    Expect::IfEquals(expected) => {
                        let ttl = ttl.map_or_else(String::new, |t| px(t).to_string());
                        let done: i64 = PUT_IF_EQUALS
                            .key(&key)
                            .arg(&expected)
                            .arg(&value)
                            .arg(ttl)
                            .invoke_async(&mut connection)
                            .await?;
                        Ok(done == 1)
                    }
                }
            }
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
        self.run(move |mut connection| {
            let (key, condition) = (key.clone(), condition.clone());
            async move {
                let removed: i64 = match condition {
                    Expect::IfEquals(expected) => {
                        DELETE_IF_EQUALS
                            .key(&key)
                            .arg(&expected)
                            .invoke_async(&mut connection)
                            .await?
                    }
                    _ => {
                        redis::cmd("DEL")
                            .arg(&key)
                            .query_async(&mut connection)
                            .await?
                    }
                };
                Ok(removed > 0)
            }
        })
    }

    fn now_ms(&self) -> BoxFuture<'_, StoreResult<i64>> {
        Box::pin(async move {
            let time: Vec<i64> = self
                .run(|mut connection| async move {
                    redis::cmd("TIME").query_async(&mut connection).await
                })
                .await?;
            match time[..] {
                [seconds, micros] => Ok(seconds * 1000 + micros / 1000),
                _ => Err(StoreError(format!(
                    "Redis: unexpected answer to TIME: {time:?}"
                ))),
            }
        })
    }
}

#[cfg(test)]
mod tests;
