//! The same cases against every store: memory here; SQLite and Redis in their own modules'
//! tests call [`conformance`] too, so the three implement one behaviour.

use std::time::Duration;

use super::backend::{Backend, BudgetRef, Condition, Settlement};
use super::budget::{BudgetSpec, Grant, MultiDecision, Observation, Settle};

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
    assert!(
        (now - super::backend::system_now_ms()).abs() < 5_000,
        "{now}"
    );
}

/// Replays a seeded random run of acquisitions and settlements (out of order, with probes,
/// returned slots, corrections, later and earlier windows, refusals, absurd numbers) against
/// `reference` and `other`, and checks that they decide alike. The memory store runs budget.rs
/// itself: a store that agrees with it follows the same rules (this is how budget.lua is
/// compared with budget.rs). Windows, leases and pauses are long, so the few ms between the
/// two stores' clocks change no decision; waits may differ by that much.
#[cfg_attr(not(any(feature = "sqlite", feature = "redis")), allow(dead_code))]
pub(crate) async fn same_decisions(reference: &dyn Backend, other: &dyn Backend, prefix: &str) {
    for seed in 1..=3 {
        same_run(reference, other, &format!("{prefix}{seed}"), seed).await;
    }
}

#[cfg_attr(not(any(feature = "sqlite", feature = "redis")), allow(dead_code))]
async fn same_run(reference: &dyn Backend, other: &dyn Backend, prefix: &str, seed: u64) {
    let general = BudgetRef {
        key: format!("{prefix}:general"),
        spec: BudgetSpec {
            limit: 8,
            window_ms: 600_000,
            learns: true,
        },
    };
    let sets = [
        vec![general.clone()],
        vec![general.clone(), local(&format!("{prefix}:posting"), 3)],
        vec![general.clone(), local(&format!("{prefix}:connect"), 2)],
    ];
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut server_window = 1_000;
    let mut outstanding: Vec<Vec<(String, Grant)>> = Vec::new();
    let (mut granted, mut waited) = (0, 0);
    let observation = |rng: &mut fastrand::Rng, window: i64| Observation {
        limit: 8,
        remaining: rng.i64(0..=8),
        window_id: window,
        until_reset_ms: rng.i64(60_000..=600_000),
    };
    for step in 0..400 {
        if outstanding.is_empty() && rng.u8(..4) == 0 {
            // Every slot is settled and perhaps every budget spent: another client's response
            // tells of the next window.
            server_window += 1;
            let settlement = Settlement {
                key: general.key.clone(),
                grant: Grant::default(),
                outcome: Settle::Sent {
                    observation: Some(observation(&mut rng, server_window)),
                    pause_ms: None,
                },
            };
            reference
                .settle(std::slice::from_ref(&settlement))
                .await
                .expect("settle");
            other.settle(&[settlement]).await.expect("settle");
            continue;
        }
        if !outstanding.is_empty() && rng.u8(..) < 140 {
            // Settle a slot taken earlier, not necessarily the last one.
            let slot = outstanding.swap_remove(rng.usize(..outstanding.len()));
            let outcome = match rng.u8(..10) {
                0 => Settle::NotSent,
                1 => Settle::Sent {
                    observation: None,
                    pause_ms: None,
                },
                // A refusal pauses for longer than the run: only near its end.
                2 if step > 360 => Settle::Sent {
                    observation: None,
                    pause_ms: Some(1_800_000),
                },
                3 => Settle::Sent {
                    observation: Some(Observation {
                        limit: i64::MAX,
                        remaining: i64::MAX,
                        window_id: server_window,
                        until_reset_ms: i64::MAX,
                    }),
                    pause_ms: None,
                },
                _ => {
                    server_window += [0, 0, 0, 1, -1][rng.usize(..5)];
                    Settle::Sent {
                        observation: Some(observation(&mut rng, server_window)),
                        pause_ms: None,
                    }
                }
            };
            let settlements: Vec<Settlement> = slot
                .into_iter()
                .map(|(key, grant)| Settlement {
                    // Only the general budget hears from responses, as in the pacer.
                    outcome: match outcome {
                        Settle::Sent { pause_ms, .. } if key != general.key => Settle::Sent {
                            observation: None,
                            pause_ms,
                        },
                        _ => outcome,
                    },
                    key,
                    grant,
                })
                .collect();
            reference.settle(&settlements).await.expect("settle");
            other.settle(&settlements).await.expect("settle");
            continue;
        }
        let budgets = &sets[rng.usize(..sets.len())];
        let background = rng.u8(..4) == 0;
        let a = reference.acquire(budgets, 60_000, background).await;
        let b = other.acquire(budgets, 60_000, background).await;
        match (a, b) {
            (Ok(MultiDecision::Granted(a)), Ok(MultiDecision::Granted(b))) => {
                assert_eq!(a, b, "seed {seed}, step {step}: {budgets:?}");
                granted += 1;
                outstanding.push(budgets.iter().map(|r| r.key.clone()).zip(a).collect());
            }
            (Ok(MultiDecision::Wait(a)), Ok(MultiDecision::Wait(b))) => {
                assert!(
                    (a - b).abs() <= 1_000,
                    "seed {seed}, step {step}: waits {a}, {b} ms"
                );
                waited += 1;
            }
            (a, b) => panic!("seed {seed}, step {step}: {budgets:?}: {a:?} and {b:?}"),
        }
    }
    assert!(
        granted > 20 && waited > 20,
        "seed {seed}: {granted} grants, {waited} waits"
    );
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
    let ns = super::backend::namespace("pc_live_secret", "https://api.postcore.dev");
    assert_eq!(ns.len(), 32);
    assert!(!ns.contains("secret"));
    assert_ne!(
        ns,
        super::backend::namespace("pc_live_secret", "http://127.0.0.1:4010")
    );
}

#[cfg(not(all(feature = "sqlite", feature = "redis")))]
#[test]
fn a_store_left_out_of_the_build_is_a_configuration_error() {
    for (url, feature) in [
        ("sqlite:///tmp/postcore.db", "sqlite"),
        ("redis://:hunter2@localhost", "redis"),
    ] {
        let Err(err) = super::Store::open(url) else {
            continue; // built with that one
        };
        assert_eq!(err.kind(), crate::error::ErrorKind::Configuration, "{err}");
        assert!(
            err.message().contains(&format!("`{feature}` feature")),
            "{err}"
        );
        assert!(!err.message().contains("hunter2"), "{err}");
    }
}
