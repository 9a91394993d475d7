//! Events without webhooks: what happened to the account's posts, profiles and connections,
//! found by comparing successive `GET /posts` / `GET /profiles` answers (`snapshot.rs`), kept
//! per consumer in the client's store (`consumer.rs`).
//!
//! ```no_run
//! # async fn run(client: postcore::Client) -> postcore::Result<()> {
//! let mut events = client.events("billing", None);
//! while let Some(event) = events.next().await {
//!     let event = event?;
//!     println!("{} {}", event.event_type, event.data);
//! }
//! # Ok(()) }
//! ```

mod consumer;
mod event;
mod snapshot;

pub(crate) use consumer::check_consumer;
pub(crate) use consumer::poll_once;
pub use consumer::{DEFAULT_CONSUMER, DEFAULT_EVENTS_INTERVAL, Events};
pub use event::{Event, EventType};
