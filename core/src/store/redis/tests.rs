//! The Redis store against real `redis-server`s, each started by its test on a free loopback
//! port in a temporary folder (no persistence) and stopped at its end. Without `redis-server`
//! these tests fail: `make test` installs it (scripts/ensure-redis.sh).

use std::net::TcpListener;
use std::time::{Duration, Instant};

use postcore_testnet::RedisServer;

use crate::store::Store;
use crate::store::backend::{Backend, BudgetRef, Condition};
use crate::store::budget::{BudgetSpec, MultiDecision};
use crate::store::tests::{conformance, same_decisions};

/// A plain connection of the test's, to look at what the store wrote.
async fn inspect(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("connection")
}

fn general(key: &str) -> Vec<BudgetRef> {
    vec![BudgetRef {
        key: key.to_owned(),
        spec: BudgetSpec {
            limit: 100,
            window_ms: 900_000,
            learns: true,
        },
    }]
}

#[tokio::test]
async fn redis_store_conformance() {
    let server = RedisServer::start("redis-conformance", &[]);
    let store = Store::open(&server.url()).expect("store");
    conformance(store.backend(), "t").await;
}

#[tokio::test]
async fn budget_lua_decides_as_budget_rs_does() {
    let server = RedisServer::start("redis-differential", &[]);
    let reference = Store::open("memory://redis-differential").expect("memory store");
    let store = Store::open(&server.url()).expect("store");
    same_decisions(reference.backend(), store.backend(), "d").await;
}

#[tokio::test]
async fn every_key_written_expires() {
    let server = RedisServer::start("redis-ttl", &[]);
    let store = Store::open(&server.url()).expect("store");
    let backend = store.backend();
    let budget = general("t:general");
    assert!(matches!(
        backend.acquire(&budget, 5_000, false).await,
        Ok(MultiDecision::Granted(_))
    ));
    backend
        .put(
            "t:value",
            b"v",
            Some(Duration::from_secs(30)),
            Condition::Always,
        )
        .await
        .expect("put");
    let mut redis = inspect(&server).await;
    let ttl = |key: &'static str| redis::cmd("PTTL").arg(key).to_owned();
    let budget_ttl: i64 = ttl("t:general")
        .query_async(&mut redis)
        .await
        .expect("pttl");
    // The provisional window (15 minutes) and a minute more.
    assert!(
        (900_000..=960_000).contains(&budget_ttl),
        "budget ttl {budget_ttl}"
    );
    let value_ttl: i64 = ttl("t:value").query_async(&mut redis).await.expect("pttl");
    assert!(
        (29_000..=30_000).contains(&value_ttl),
        "value ttl {value_ttl}"
    );
    // The budget is a hash of BudgetState's fields.
    let fields: Vec<(String, i64)> = redis::cmd("HGETALL")
        .arg("t:general")
        .query_async(&mut redis)
        .await
        .expect("hgetall");
    let remaining = fields
        .iter()
        .find(|(f, _)| f == "remaining")
        .map(|(_, v)| *v);
    assert_eq!(remaining, Some(99), "{fields:?}");
    assert_eq!(fields.len(), 6, "{fields:?}");
}

#[tokio::test]
async fn an_unreachable_server_fails_fast_without_the_password() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("redis://:hunter2@127.0.0.1:{port}/2");
    // Opening does no I/O.
    let store = Store::open(&url).expect("opening needs no server");
    assert!(!format!("{store:?} {store}").contains("hunter2"));
    for _ in 0..3 {
        let started = Instant::now();
        let result = store.backend().acquire(&general("t:g"), 5_000, false).await;
        let elapsed = started.elapsed();
        let error = result.expect_err("no server");
        assert!(!error.0.contains("hunter2"), "{error}");
        assert!(!format!("{error:?}").contains("hunter2"), "{error:?}");
        assert!(elapsed < Duration::from_millis(1_500), "{elapsed:?}");
    }
}

#[tokio::test]
async fn a_wrong_password_is_an_error_without_it() {
    let server = RedisServer::start("redis-auth", &["--requirepass", "right-secret"]);
    let wrong = Store::open(&format!(
        "redis://:wrong-secret@127.0.0.1:{}",
        server.port()
    ))
    .expect("store");
    let error = wrong.backend().get("t:k").await.expect_err("refused");
    assert!(!error.0.contains("wrong-secret"), "{error}");
    let right = Store::open(&format!(
        "redis://:right-secret@127.0.0.1:{}",
        server.port()
    ))
    .expect("store");
    assert_eq!(right.backend().get("t:k").await, Ok(None));
}

#[tokio::test]
async fn a_restarted_server_is_reconnected_to() {
    let mut server = RedisServer::start("redis-restart", &[]);
    let store = Store::open(&server.url()).expect("store");
    let backend = store.backend();
    let budget = general("t:general");
    assert!(backend.acquire(&budget, 5_000, false).await.is_ok());
    server.kill();
    // While it is down, every operation fails, and fast.
    for _ in 0..5 {
        let started = Instant::now();
        let result = backend.acquire(&budget, 5_000, false).await;
        assert!(result.is_err(), "{result:?}");
        assert!(started.elapsed() < Duration::from_millis(1_500));
    }
    server.restart();
    // Back: the connection is made again (the server lost everything: a new probe).
    let started = Instant::now();
    let mut attempts = 0;
    let granted = loop {
        attempts += 1;
        match backend.acquire(&budget, 5_000, false).await {
            Ok(MultiDecision::Granted(g)) => break g,
            other => {
                assert!(
                    started.elapsed() < Duration::from_secs(5),
                    "still {other:?} after {attempts} attempts"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    assert!(granted[0].probe, "{granted:?}");
    assert!(attempts <= 2, "{attempts} attempts");
}

#[test]
fn clients_on_different_runtimes_share_the_connection() {
    // One runtime per test, per Node worker, per fork: the connection outlives each.
    let server = RedisServer::start("redis-runtimes", &[]);
    let store = Store::open(&server.url()).expect("store");
    for round in 0..3 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let value = round.to_string();
        runtime.block_on(async {
            let backend = store.backend();
            let put = backend.put("t:k", value.as_bytes(), None, Condition::Always);
            assert_eq!(put.await, Ok(true));
            assert_eq!(
                backend.get("t:k").await,
                Ok(Some(value.clone().into_bytes()))
            );
        });
    }
}

#[tokio::test]
async fn after_fork_keeps_the_store_in_the_same_process() {
    let server = RedisServer::start("redis-after-fork", &[]);
    let store = Store::open(&server.url()).expect("store");
    let again = store.after_fork().expect("store");
    assert!(std::ptr::addr_eq(store.backend(), again.backend()));
}

#[tokio::test]
async fn a_child_process_makes_its_own_connection() {
    let server = RedisServer::start("redis-child", &[]);
    let crate::store::url::StoreUrl::Redis(url) =
        crate::store::url::StoreUrl::parse(&server.url(), None).expect("url")
    else {
        panic!("a Redis URL");
    };
    let backend = super::RedisStore::new(&url);
    let mut redis = inspect(&server).await;
    // The store's connections: all but this test's.
    let mut ours = async || {
        let list: String = redis::cmd("CLIENT")
            .arg("LIST")
            .query_async(&mut redis)
            .await
            .expect("client list");
        list.lines().count() - 1
    };
    assert_eq!(backend.get("t:k").await, Ok(None));
    assert_eq!(ours().await, 1);
    // As if this were a child after fork(): the connection is the parent's.
    if let Some(worker) = backend.worker.lock().expect("worker").as_mut() {
        worker.pid = 0;
    }
    assert_eq!(backend.get("t:k").await, Ok(None));
    // The child's own connection; the parent's left open (the parent still uses it).
    assert_eq!(ours().await, 2);
}
