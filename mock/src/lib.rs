//! # postcore-mock
//!
//! A local, in-memory server that speaks the documented postcore API, for tests and CI: run it
//! instead of the real API and point a client at it with `POSTCORE_BASE_URL`.
//!
//! It implements `POST /profiles/create`, `GET /profiles` and `DELETE /profiles/{profileKey}`
//! with the documented bodies, status codes, error format and `X-RateLimit-*` headers, and lets a
//! test script *faults* for the next requests: any status, body and headers, a delay, or a
//! dropped connection.
//!
//! As a library (tests):
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let server = postcore_mock::MockServer::start(postcore_mock::MockConfig::default()).await?;
//! server.push_fault(postcore_mock::Fault::status(503));
//! println!("{}", server.url()); // http://127.0.0.1:<port>
//! # Ok(()) }
//! ```
//!
//! As a binary: `postcore-mock --port 4010 --api-key KEY` prints its URL on the first line of
//! stdout and serves until stopped.
//!
//! Other languages script it over HTTP (no API key needed on these paths):
//!
//! | request | effect |
//! |---|---|
//! | `POST /__mock/faults` with a [`Fault`] or a list of them | queue faults for the next API requests |
//! | `POST /__mock/reset` | forget faults, recorded requests, profiles and rate-limit counts |
//! | `GET /__mock/requests` | `{"requests": [RecordedRequest…]}`: every API request seen |
//! | `GET /__mock/profiles` | `{"profiles": [...]}`: every stored profile |

mod fault;
mod routes;
mod server;
mod state;
mod time;

pub use fault::{Fault, FaultAction};
pub use server::{MockConfig, MockServer};
pub use state::{RecordedRequest, StoredProfile};

/// The key the server accepts when none is configured.
pub const DEFAULT_API_KEY: &str = "pc_test_key";
