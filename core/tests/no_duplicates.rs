//! Many create calls through random faults: the server must end up holding exactly one profile
//! for every call that reported success (with the key it reported), and never two profiles for
//! one call, whatever was lost on the way. Faults include "processed, then the answer was lost",
//! so a client that resent a POST it should not have would leave a duplicate behind.

use std::collections::HashMap;
use std::time::Duration;

use postcore::{Client, CreateProfile};
use postcore_mock::{DEFAULT_API_KEY, Fault, FaultAction, MockConfig, MockServer};
use serde_json::json;

const CALLS: usize = 600;
const CONCURRENCY: usize = 8;

fn random_fault(rng: &mut fastrand::Rng) -> Option<Fault> {
    let processed = rng.bool();
    let fault = match rng.u8(0..12) {
        0 => Fault::json(500, json!({"error": "INTERNAL_ERROR", "message": "boom"})),
        1 => Fault::json(503, json!({"error": "UNAVAILABLE", "message": "later"})),
        2 => Fault::json(
            429,
            json!({"error": "RATE_LIMIT_EXCEEDED", "message": "x", "retry_after": 0}),
        ),
        3 => Fault::json(502, json!("<html>bad gateway</html>")),
        4 => Fault::drop_connection(),
        5 => Fault::delay(400), // past the 150 ms timeout
        6 => Fault {
            action: FaultAction::Reset,
            ..Fault::default()
        },
        7 => Fault::status(408),
        _ => return None,
    };
    // A 429 means "not processed"; everything else may or may not have been.
    let processed = processed && fault.status != Some(429);
    Some(Fault {
        process: processed,
        ..fault
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_never_create_a_profile_twice() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    let client = Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(server.url())
        .timeout(Duration::from_millis(150))
        .initial_retry_delay(Duration::from_millis(1))
        .build()
        .expect("client");
    let mut rng = fastrand::Rng::with_seed(20261127);
    for _ in 0..CALLS {
        if let Some(fault) = random_fault(&mut rng) {
            server.push_fault(fault);
        } else {
            server.push_fault(Fault::delay(0));
        }
    }

    let mut outcomes = Vec::with_capacity(CALLS);
    for batch in (0..CALLS).collect::<Vec<_>>().chunks(CONCURRENCY) {
        let calls: Vec<_> = batch
            .iter()
            .map(|&i| {
                let client = client.clone();
                tokio::spawn(async move {
                    let name = format!("call-{i}");
                    let result = client
                        .create_profile(CreateProfile {
                            profile_name: Some(name.clone()),
                        })
                        .await;
                    (name, result)
                })
            })
            .collect();
        for call in calls {
            outcomes.push(call.await.expect("task"));
        }
    }
    // Let delayed handlers that outlived their client-side timeout finish.
    tokio::time::sleep(Duration::from_millis(600)).await;

    let mut stored: HashMap<String, Vec<String>> = HashMap::new();
    for profile in server.profiles() {
        let name = profile.profile_name.unwrap_or_default();
        stored.entry(name).or_default().push(profile.profile_key);
    }
    let (mut succeeded, mut failed) = (0, 0);
    for (name, result) in &outcomes {
        let keys = stored.get(name).cloned().unwrap_or_default();
        assert!(keys.len() <= 1, "{name} was created {} times", keys.len());
        match result {
            Ok(profile) => {
                succeeded += 1;
                assert_eq!(keys, vec![profile.profile_key.clone()], "{name}");
            }
            Err(_) => failed += 1,
        }
    }
    println!(
        "{succeeded} succeeded, {failed} failed, {} stored",
        server.profiles().len()
    );
    assert!(
        succeeded > CALLS / 3 && failed > CALLS / 10,
        "the faults were exercised"
    );
}
