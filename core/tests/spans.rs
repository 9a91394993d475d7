//! The `tracing` spans of a call: one per operation, one per HTTP attempt under it, with the
//! OpenTelemetry names and attributes `tracing-opentelemetry` reads (`otel.name`, `otel.kind`,
//! the HTTP client conventions). Every test here records with its own subscriber, set for its
//! thread before anything is traced (`tracing` caches which callsites are wanted globally).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postcore::{Client, ErrorKind, RequestOptions};
use postcore_mock::{DEFAULT_API_KEY, Fault, MockConfig, MockServer};
use serde_json::json;

fn unavailable() -> Fault {
    Fault::json(503, json!({"error": "UNAVAILABLE", "message": "try again"}))
}

/// One span as a subscriber saw it: its name, fields and parent.
#[derive(Debug, Clone)]
struct SpanRecord {
    name: &'static str,
    parent: Option<u64>,
    fields: BTreeMap<String, String>,
}

/// A subscriber that keeps every span (the test's thread only: `set_default`).
#[derive(Clone, Default)]
struct Spans {
    spans: Arc<Mutex<Vec<SpanRecord>>>,
    stack: Arc<Mutex<Vec<u64>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl tracing::Subscriber for Spans {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }

    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = BTreeMap::new();
        span.record(&mut Fields(&mut fields));
        let parent = self.stack.lock().expect("lock").last().copied();
        let mut spans = self.spans.lock().expect("lock");
        spans.push(SpanRecord {
            name: span.metadata().name(),
            parent,
            fields,
        });
        tracing::span::Id::from_u64(spans.len() as u64)
    }

    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.spans.lock().expect("lock");
        let index = usize::try_from(id.into_u64()).expect("id") - 1;
        values.record(&mut Fields(&mut spans[index].fields));
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, _: &tracing::Event<'_>) {}

    fn enter(&self, id: &tracing::span::Id) {
        self.stack.lock().expect("lock").push(id.into_u64());
    }

    fn exit(&self, _: &tracing::span::Id) {
        self.stack.lock().expect("lock").pop();
    }
}

impl Spans {
    fn of(&self, otel_name: &str) -> Vec<(u64, SpanRecord)> {
        let spans = self.spans.lock().expect("lock");
        (1u64..)
            .zip(spans.iter().cloned())
            .filter(|(_, s)| s.fields.get("otel.name").map(String::as_str) == Some(otel_name))
            .collect()
    }
}

#[tokio::test]
async fn spans_have_the_open_telemetry_shape() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    let spans = Spans::default();
    let guard = tracing::subscriber::set_default(spans.clone());
    let client = Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(server.url())
        .initial_retry_delay(Duration::from_millis(10))
        .build()
        .expect("client builds");
    server.push_fault(unavailable());
    let options = RequestOptions::new().header("x-case", "spans");
    client
        .list_posts_with(&options)
        .await
        .expect("listed after a retry");
    let error = client
        .delete_profile("prof_missing")
        .await
        .expect_err("no such profile");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    drop(guard);

    let [(list_id, list)] = spans
        .of("posts.list")
        .try_into()
        .expect("one posts.list span");
    assert_eq!(list.name, "postcore.operation");
    assert_eq!(list.fields["otel.kind"], "internal");
    assert_eq!(list.fields["postcore.operation"], "posts.list");
    assert_eq!(list.fields["postcore.attempts"], "2");
    assert!(!list.fields.contains_key("error.type"));
    let attempts = spans.of("GET /posts");
    assert_eq!(attempts.len(), 2);
    let port = server.addr().port().to_string();
    for (i, (_, attempt)) in attempts.iter().enumerate() {
        assert_eq!(attempt.parent, Some(list_id), "{attempt:?}");
        assert_eq!(attempt.fields["otel.kind"], "client");
        assert_eq!(attempt.fields["http.request.method"], "GET");
        assert_eq!(attempt.fields["server.address"], "127.0.0.1");
        assert_eq!(attempt.fields["server.port"], port);
        assert_eq!(
            attempt.fields["url.full"],
            format!("{}/posts", server.url())
        );
        assert_eq!(
            attempt
                .fields
                .get("http.request.resend_count")
                .map(String::as_str),
            (i == 1).then_some("1")
        );
    }
    assert_eq!(attempts[0].1.fields["http.response.status_code"], "503");
    assert_eq!(attempts[0].1.fields["error.type"], "503");
    assert_eq!(attempts[0].1.fields["otel.status_code"], "error");
    assert_eq!(attempts[1].1.fields["http.response.status_code"], "200");
    assert!(!attempts[1].1.fields.contains_key("error.type"));

    let [(delete_id, delete)] = spans
        .of("profiles.delete")
        .try_into()
        .expect("one profiles.delete span");
    assert_eq!(delete.fields["error.type"], "NotFoundError");
    assert_eq!(delete.fields["otel.status_code"], "error");
    let [(_, attempt)] = spans
        .of("DELETE /profiles/{profileKey}")
        .try_into()
        .expect("one attempt");
    assert_eq!(attempt.parent, Some(delete_id));
    assert_eq!(attempt.fields["error.type"], "404");
}

#[tokio::test]
async fn a_timeout_is_the_attempts_error_type() {
    let server = MockServer::start(MockConfig::default())
        .await
        .expect("mock starts");
    server.push_fault(Fault::delay(2_000));
    let spans = Spans::default();
    let guard = tracing::subscriber::set_default(spans.clone());
    let error = Client::builder()
        .api_key(DEFAULT_API_KEY)
        .base_url(server.url())
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .expect("client builds")
        .list_profiles()
        .await
        .expect_err("timed out");
    drop(guard);
    assert_eq!(error.kind(), ErrorKind::Timeout);
    let [(_, attempt)] = spans.of("GET /profiles").try_into().expect("one attempt");
    assert_eq!(attempt.fields["error.type"], "timeout");
    let [(_, call)] = spans.of("profiles.list").try_into().expect("one call");
    assert_eq!(call.fields["error.type"], "APITimeoutError");
}
