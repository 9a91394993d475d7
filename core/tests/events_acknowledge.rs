//! `Events::acknowledge`: a consumer that stops after finishing an event (as `postcore listen`
//! does on Ctrl-C after a delivery) is not given it again.

use std::time::Duration;

use postcore::Client;
use postcore_mock::{DEFAULT_API_KEY, MockConfig, MockServer};
use serde_json::json;

#[tokio::test]
async fn an_acknowledged_event_is_not_given_again_after_a_restart() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock");
    let client = Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(server.url())
        .store("memory://acknowledge-events")
        .build()
        .expect("client");
    let interval = Some(Duration::from_millis(50));
    let mut events = client.events("acknowledge", interval);
    // Nothing to acknowledge yet: a no-op.
    events.acknowledge().await.expect("nothing to acknowledge");
    let first = tokio::spawn(async move {
        let event = events.next().await;
        (events, event)
    });
    // The first poll is the starting point; the two profiles come after it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    server
        .seed(json!({"profiles": [{"count": 2}]}))
        .expect("profiles");
    let (mut events, event) = first.await.expect("task");
    let one = event.expect("some").expect("an event");
    events.acknowledge().await.expect("acknowledged");
    // Twice is harmless.
    events.acknowledge().await.expect("acknowledged again");
    drop(events);

    let mut again = client.events("acknowledge", interval);
    let two = tokio::time::timeout(Duration::from_secs(5), again.next())
        .await
        .expect("the other event")
        .expect("some")
        .expect("event");
    assert_ne!(two.id, one.id, "the acknowledged event came again");
    assert_eq!(two.event_type, "profile.created");
    drop(again);
    // Not acknowledged: the next consumer gets it again.
    let mut later = client.events("acknowledge", interval);
    let same = tokio::time::timeout(Duration::from_secs(5), later.next())
        .await
        .expect("the unacknowledged one")
        .expect("some")
        .expect("event");
    assert_eq!(same.id, two.id);
}
