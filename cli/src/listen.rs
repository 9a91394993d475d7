//! `postcore listen`: the client's events (`client.events()`), printed one per line, or
//! delivered to the user's own endpoint as signed webhooks (`--forward-to URL`).
//!
//! Delivery is at least once, in order: an event is acknowledged (taken off the consumer's
//! queue in the store) only after the receiver answered 2xx, and the next one is not asked for
//! before. Each attempt is signed afresh (`postcore::webhooks::sign`, a new `t`), failed ones
//! are retried with backoff (0.5 s doubling to 30 s, with jitter) for as long as it takes. A
//! process killed mid-delivery leaves the event queued; the next run delivers it again.

use std::time::{Duration, Instant};

use postcore::events::Event;
use postcore::webhooks::SIGNATURE_HEADER;
use postcore::{Client, ErrorKind};
use serde_json::{Value, json};

use crate::args::{Global, ListenArgs};
use crate::exit::EXIT_OK;
use crate::failure::Failure;
use crate::output::{Output, cell, preview};
use crate::signals::{Interrupts, Signal};

/// The environment variable that holds the signing secret.
pub(crate) const SECRET_VAR: &str = "POSTCORE_WEBHOOK_SECRET";
/// Backoff between attempts: the first wait, and the longest.
const FIRST_WAIT: Duration = Duration::from_millis(500);
const LONGEST_WAIT: Duration = Duration::from_secs(30);
/// How long one delivery attempt may take, unless `--request-timeout` says otherwise.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the events go.
struct Forward {
    url: String,
    secret: String,
    timeout: Duration,
}

pub(crate) async fn run(global: &Global, args: ListenArgs, out: &Output) -> Result<i32, Failure> {
    let forward = match &args.forward_to {
        Some(url) => Some(Forward {
            url: postcore::bindings::check_webhook_url(url)
                .map_err(|e| Failure::Usage(format!("--forward-to: {}", e.message())))?,
            secret: webhook_secret()?,
            timeout: global.request_timeout.unwrap_or(DELIVERY_TIMEOUT),
        }),
        None => None,
    };
    let client = crate::client::build_client(crate::client::client_builder(global)?)?;
    let interval = args
        .interval
        .unwrap_or(postcore::events::DEFAULT_EVENTS_INTERVAL);
    let mut events = client.events(&args.consumer, Some(interval));
    let interrupts = Interrupts::install();
    let target = forward
        .as_ref()
        .map_or_else(String::new, |f| format!(", forwarding to {}", f.url));
    out.note(&format!(
        "listening for events (consumer {:?}, a poll every {} s{target}); Ctrl-C to stop",
        args.consumer,
        trim_seconds(interval)
    ));
    if client.store().url().starts_with("memory:") {
        out.note(
            "note: positions are kept in memory: a new run starts from now; --store \
             sqlite:///abs/path.db resumes where the last one stopped",
        );
    }
    // Consecutive failures to get the next event (the API or the store unreachable).
    let mut failures = 0u32;
    loop {
        let next = tokio::select! {
            next = events.next() => next,
            signal = interrupts.first() => return Err(Failure::Signal(signal)),
        };
        let event = match next {
            None => return Ok(EXIT_OK),
            Some(Ok(event)) => event,
            Some(Err(error)) => {
                if fatal(&error) {
                    return Err(Failure::Api(error));
                }
                failures += 1;
                let wait = backoff(failures);
                out.note(&format!(
                    "error: {}; trying again in {:.1} s",
                    crate::output::describe(&error),
                    wait.as_secs_f64()
                ));
                tokio::select! {
                    () = tokio::time::sleep(wait) => continue,
                    signal = interrupts.first() => return Err(Failure::Signal(signal)),
                }
            }
        };
        failures = 0;
        match &forward {
            None => print_event(&event, out)?,
            Some(forward) => {
                if let Some(signal) = deliver(&client, forward, &event, &interrupts, out).await? {
                    // Not delivered: it stays first in the queue for the next run.
                    return Err(Failure::Signal(signal));
                }
            }
        }
        // Done with it: off the queue now, so that a stop from here on does not repeat it.
        if let Err(error) = events.acknowledge().await {
            out.note(&format!(
                "warning: {} (the event may be given again)",
                crate::output::describe(&error)
            ));
        }
        if let Some(signal) = interrupts.received().first {
            return Err(Failure::Signal(signal));
        }
    }
}

/// Errors that waiting will not mend: a refused key, a bad argument.
fn fatal(error: &postcore::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Configuration
            | ErrorKind::InvalidArgument
            | ErrorKind::InvalidArgumentType
            | ErrorKind::Authentication
            | ErrorKind::PermissionDenied
    )
}

fn webhook_secret() -> Result<String, Failure> {
    match std::env::var(SECRET_VAR) {
        Ok(secret) if !secret.is_empty() => Ok(secret),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Failure::Usage(format!("{SECRET_VAR} is not valid UTF-8")))
        }
        _ => Err(Failure::Usage(format!(
            "--forward-to needs a signing secret: set {SECRET_VAR} to the secret your receiver \
             verifies with, e.g. export {SECRET_VAR}=\"$(openssl rand -hex 32)\""
        ))),
    }
}

/// The wait after `attempt` failures: 0.5 s doubling to 30 s, each ±25 % at random.
fn backoff(attempt: u32) -> Duration {
    let base = FIRST_WAIT.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    let jitter = 0.75 + fastrand::f64() * 0.5;
    base.mul_f64(jitter).min(LONGEST_WAIT)
}

/// `30`, `0.5`: seconds without a useless fraction.
fn trim_seconds(duration: Duration) -> String {
    let text = format!("{:.3}", duration.as_secs_f64());
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Delivers one event until a 2xx. `Some(signal)` when stopped before it was delivered.
async fn deliver(
    client: &Client,
    forward: &Forward,
    event: &Event,
    interrupts: &Interrupts,
    out: &Output,
) -> Result<Option<Signal>, Failure> {
    let body = serde_json::to_vec(event)
        .map_err(|e| Failure::Local(format!("cannot encode the event as JSON: {e}")))?;
    let user_agent = concat!("postcore-cli/", env!("CARGO_PKG_VERSION"));
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let signature = postcore::webhooks::sign(
            &forward.secret,
            &body,
            postcore::Timestamp::now().unix_seconds(),
        );
        let headers = [
            ("content-type", "application/json"),
            ("user-agent", user_agent),
            (SIGNATURE_HEADER, signature.as_str()),
        ];
        let started = Instant::now();
        // The attempt in flight is finished after a first Ctrl-C; a second one stops at once.
        let result = tokio::select! {
            result = postcore::bindings::post_webhook(
                client, &forward.url, &headers, body.clone(), forward.timeout,
            ) => result,
            signal = interrupts.at_least(2) => return Ok(Some(signal)),
        };
        let ms = started.elapsed().as_millis();
        let problem = match result {
            Ok((status, _)) if (200..300).contains(&status) => {
                report_delivered(out, event, attempt, status, ms)?;
                return Ok(None);
            }
            Ok((status, text)) => Attempt {
                status: Some(status),
                detail: excerpt(&text),
            },
            Err(error) => Attempt {
                status: None,
                detail: error.message().to_string(),
            },
        };
        if let Some(signal) = interrupts.received().first {
            report_failed(out, event, attempt, &problem, ms, None)?;
            return Ok(Some(signal));
        }
        let wait = backoff(attempt);
        report_failed(out, event, attempt, &problem, ms, Some(wait))?;
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            signal = interrupts.first() => return Ok(Some(signal)),
        }
    }
}

/// How one attempt failed: the receiver's status and the start of its answer, or why there
/// was no answer.
struct Attempt {
    status: Option<u16>,
    detail: String,
}

/// The start of a receiver's answer, on one line.
fn excerpt(text: &str) -> String {
    preview(text.trim(), 80)
}

fn report_delivered(
    out: &Output,
    event: &Event,
    attempt: u32,
    status: u16,
    ms: u128,
) -> Result<(), Failure> {
    if out.json {
        return print_line(
            out,
            &json!({
                "event": event.id, "type": event.event_type, "attempt": attempt,
                "status": status, "ms": ms, "delivered": true,
            }),
        );
    }
    let tries = if attempt > 1 {
        format!(" (attempt {attempt})")
    } else {
        String::new()
    };
    out.print(&format!(
        "delivered {} {} → {status} in {ms} ms{tries}\n",
        event.id,
        cell(&event.event_type)
    ))
}

fn report_failed(
    out: &Output,
    event: &Event,
    attempt: u32,
    problem: &Attempt,
    ms: u128,
    retry_in: Option<Duration>,
) -> Result<(), Failure> {
    if out.json {
        return print_line(
            out,
            &json!({
                "event": event.id, "type": event.event_type, "attempt": attempt,
                "status": problem.status, "error": problem.detail, "ms": ms,
                "delivered": false, "retryIn": retry_in.map(|w| w.as_secs_f64()),
            }),
        );
    }
    let what = match (problem.status, problem.detail.is_empty()) {
        (Some(status), true) => status.to_string(),
        (Some(status), false) => format!("{status} ({})", problem.detail),
        (None, _) => cell(&problem.detail),
    };
    let then = match retry_in {
        Some(wait) => format!("retrying in {:.1} s", wait.as_secs_f64()),
        None => "stopping; it is delivered again by the next run".to_owned(),
    };
    out.print(&format!(
        "attempt {attempt} for {}: {what}, {then}\n",
        event.id
    ))
}

fn print_line(out: &Output, value: &Value) -> Result<(), Failure> {
    out.print(&format!("{value}\n"))
}

/// One line per event: its time, type, id and what it is about; `--json`: the event.
fn print_event(event: &Event, out: &Output) -> Result<(), Failure> {
    if out.json {
        let value = serde_json::to_value(event)
            .map_err(|e| Failure::Local(format!("cannot encode the event as JSON: {e}")))?;
        return print_line(out, &value);
    }
    out.print(&format!(
        "{}  {:<26}  {}  {}\n",
        event.created_at,
        cell(&event.event_type),
        event.id,
        summary(&event.data)
    ))
}

/// What an event is about, from its `data`: the post, profile or connection.
fn summary(data: &Value) -> String {
    let field = |name: &str| data.get(name).and_then(Value::as_str);
    let mut parts: Vec<String> = Vec::new();
    for name in [
        "postId",
        "profileKey",
        "platform",
        "status",
        "username",
        "platformUrl",
    ] {
        if let Some(value) = field(name) {
            parts.push(cell(value));
        }
    }
    if let Some(name) = field("profileName") {
        parts.push(format!("\"{}\"", preview(name, 40)));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_half_a_second_to_thirty() {
        for attempt in 1..40 {
            let wait = backoff(attempt);
            let base = 0.5 * 2f64.powi(i32::try_from(attempt).unwrap_or(30).min(30) - 1);
            assert!(wait <= LONGEST_WAIT, "{attempt}: {wait:?}");
            assert!(
                wait.as_secs_f64() >= (base * 0.75).min(30.0) - 1e-9,
                "{attempt}: {wait:?}"
            );
            assert!(
                wait.as_secs_f64() <= base * 1.25 + 1e-9,
                "{attempt}: {wait:?}"
            );
        }
        assert!(backoff(1) < Duration::from_millis(626));
    }

    #[test]
    fn summaries_name_the_object() {
        let post = json!({"postId": "post_1", "profileKey": "prof_1", "platform": "linkedin",
            "status": "published", "platformUrl": "https://x/1"});
        assert_eq!(
            summary(&post),
            "post_1 prof_1 linkedin published https://x/1"
        );
        let profile = json!({"profileKey": "prof_1", "profileName": "A\nB"});
        assert_eq!(summary(&profile), "prof_1 \"A\\nB\"");
        assert_eq!(trim_seconds(Duration::from_secs(30)), "30");
        assert_eq!(trim_seconds(Duration::from_millis(250)), "0.25");
    }
}
