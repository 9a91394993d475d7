//! The same cases against every store: memory here; SQLite and Redis in their own modules'
//! tests call [`conformance`] too, so the three implement one behaviour.

use std::time::Duration;

use super::budget::{BudgetSpec, Grant, Observation, Settle};
use super::{Backend, BudgetRef, Condition, MultiDecision, Settlement};

fn general(key: &str) -> BudgetRef {
    BudgetRef {
        key: key.to_owned(),
        spec: BudgetSpec {
            limit: 100,
            window_ms: 900_000,
            learns: true,
        },
    }
}

fn local(key: &str, limit: i64) -> BudgetRef {
    BudgetRef {
        key: key.to_owned(),
        spec: BudgetSpec {
            limit,
            window_ms: 3_600_000,
            learns: false,
        },
    }
}

async fn grants(backend: &dyn Backend, budgets: &[BudgetRef]) -> Vec<Grant> {
    match backend.acquire(budgets, 5_000, false).await {
        Ok(MultiDecision::Granted(g)) => g,
        other => panic!("expected a grant, got {other:?}"),
    }
}

async fn waits(backend: &dyn Backend, budgets: &[BudgetRef]) -> i64 {
    match backend.acquire(budgets, 5_000, false).await {
        Ok(MultiDecision::Wait(ms)) => ms,
        other => panic!("expected a wait, got {other:?}"),
    }
}

fn told(key: &str, grant: Grant, limit: i64, remaining: i64, window: i64) -> Settlement {
    Settlement {
        key: key.to_owned(),
        grant,
        outcome: Settle::Sent {
            observation: Some(Observation {
                limit,
                remaining,
                window_id: window,
                until_reset_ms: 60_000,
            }),
            pause_ms: None,
        },
    }
}

/// Budget and key-value behaviour every store must have. `prefix` keeps runs apart.
pub(crate) async fn conformance(backend: &dyn Backend, prefix: &str) {
    let g = format!("{prefix}:general");
    let p = format!("{prefix}:posting");
    let both = [general(&g), local(&p, 2)];

    // A probe first, alone; then the told window is spent slot by slot.
    let first = grants(backend, &both).await;
    assert!(first[0].probe && !first[1].probe, "{first:?}");
    assert!(waits(backend, &both).await <= super::budget::PROBE_POLL_MS);
    backend
        .settle(&[told(&g, first[0], 3, 2, 1_000)])
        .await
        .expect("settle");
    let second = grants(backend, &both).await;
    assert_eq!((second[0].remaining, second[1].remaining), (1, 0));
    // The posting budget is spent: nothing is taken from the general one either.
    let wait = waits(backend, &both).await;
    assert!(wait > 3_000_000, "{wait}");
    assert_eq!(grants(backend, &both[..1]).await[0].remaining, 0);
    // A slot never sent comes back.
    backend
        .settle(&[Settlement {
            key: p.clone(),
            grant: second[1],
            outcome: Settle::NotSent,
        }])
        .await
        .expect("settle");
    assert!(waits(backend, &both).await > 50_000, "general is spent");
    // A later window replaces the state; a 429 pauses it.
    backend
        .settle(&[told(&g, second[0], 3, 3, 2_000)])
        .await
        .expect("settle");
    let third = grants(backend, &both).await;
    assert_eq!(third[1].remaining, 0);
    backend
        .settle(&[Settlement {
            key: g.clone(),
            grant: third[0],
            outcome: Settle::Sent {
                observation: None,
                pause_ms: Some(120_000),
            },
        }])
        .await
        .expect("settle");
    let paused = waits(backend, &both[..1]).await;
    assert!((100_000..=120_000).contains(&paused), "{paused}");

    // Key-value: conditions and expiry.
    let k = format!("{prefix}:value");
    assert_eq!(backend.get(&k).await, Ok(None));
    assert_eq!(
        backend.put(&k, b"one", None, Condition::IfAbsent).await,
        Ok(true)
    );
    assert_eq!(
        backend.put(&k, b"two", None, Condition::IfAbsent).await,
        Ok(false)
    );
    assert_eq!(
        backend
            .put(&k, b"two", None, Condition::IfEquals(b"nope"))
            .await,
        Ok(false)
    );
    assert_eq!(
        backend
            .put(&k, b"two", None, Condition::IfEquals(b"one"))
            .await,
        Ok(true)
    );
    assert_eq!(backend.get(&k).await, Ok(Some(b"two".to_vec())));
    assert_eq!(
        backend.delete(&k, Condition::IfEquals(b"one")).await,
        Ok(false)
    );
    assert_eq!(
        backend.delete(&k, Condition::IfEquals(b"two")).await,
        Ok(true)
    );
    assert_eq!(backend.delete(&k, Condition::Always).await, Ok(false));
    let short = format!("{prefix}:short");
    assert_eq!(
        backend
            .put(
                &short,
                b"x",
                Some(Duration::from_millis(50)),
                Condition::Always
            )
            .await,
        Ok(true)
    );
    assert_eq!(backend.get(&short).await, Ok(Some(b"x".to_vec())));
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(backend.get(&short).await, Ok(None));
    assert_eq!(
        backend.put(&short, b"y", None, Condition::IfAbsent).await,
        Ok(true),
        "an expired value counts as absent"
    );
    let now = backend.now_ms().await.expect("clock");
    assert!((now - super::system_now_ms()).abs() < 5_000, "{now}");
}

#[tokio::test]
async fn memory_store_conformance() {
    let store = super::Store::open("memory://conformance").expect("memory store");
    conformance(store.backend(), "t").await;
}

#[test]
fn stores_are_shared_by_url_and_namespaced_by_key() {
    let a = super::Store::open("memory://shared-test").expect("store");
    let b = super::Store::open("memory://shared-test/").expect("store");
    assert!(std::ptr::addr_eq(a.backend(), b.backend()));
    let c = super::Store::open("memory://other").expect("store");
    assert!(!std::ptr::addr_eq(a.backend(), c.backend()));
    let ns = super::namespace("pc_live_secret", "https://api.postcore.dev");
    assert_eq!(ns.len(), 32);
    assert!(!ns.contains("secret"));
    assert_ne!(
        ns,
        super::namespace("pc_live_secret", "http://127.0.0.1:4010")
    );
}
