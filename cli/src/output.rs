//! Where results and errors go: tables or the API's JSON on stdout, errors on stderr (as text,
//! or as JSON with `--json`). Writes never panic: a closed stdout (`postcore … | head`) ends the
//! output quietly.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use crate::exit::{EXIT_ERROR, EXIT_USAGE, exit_status};
use crate::failure::Failure;

/// The output settings of one run.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub(crate) json: bool,
}

impl Output {
    pub(crate) fn new(json: bool) -> Self {
        Self { json }
    }

    /// Prints why a command failed on stderr and returns its exit status.
    pub(crate) fn report(&self, failure: Failure) -> i32 {
        match failure {
            Failure::Usage(message) => {
                self.error_line(&message);
                EXIT_USAGE
            }
            Failure::Local(message) => {
                self.error_line(&message);
                EXIT_ERROR
            }
            Failure::Api(error) => {
                self.api_error(&error);
                exit_status(&error)
            }
            Failure::Signal(signal) => {
                self.error_line("interrupted");
                signal.exit_status()
            }
        }
    }

    /// Writes `text` to stdout as is.
    pub(crate) fn print(&self, text: &str) -> Result<(), Failure> {
        let mut out = io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => Ok(()),
            // The reader went away (`| head`): nothing more to say.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Failure::Local(format!("cannot write to stdout: {e}"))),
        }
    }

    /// Writes a JSON value to stdout, pretty-printed, with a final newline.
    pub(crate) fn print_json(&self, value: &impl Serialize) -> Result<(), Failure> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Failure::Local(format!("cannot encode the output as JSON: {e}")))?;
        self.print(&format!("{text}\n"))
    }

    /// A line on stderr, as is.
    pub(crate) fn note(&self, message: &str) {
        let _ = writeln!(io::stderr().lock(), "{message}");
    }

    /// An error that did not come from the API, on stderr.
    pub(crate) fn error_line(&self, message: &str) {
        if self.json {
            self.note(&json!({ "error": "CLI_ERROR", "message": message }).to_string());
        } else {
            self.note(&format!("error: {message}"));
        }
    }

    /// An error of the SDK, on stderr: the API's code and message (and the body as JSON with
    /// `--json`), plus what to do about it when that is clear.
    pub(crate) fn api_error(&self, error: &postcore::Error) {
        if self.json {
            self.note(&error_json(error).to_string());
            return;
        }
        self.note(&format!("error: {}", describe(error)));
        if let Some(hint) = hint(error) {
            self.note(&format!("hint: {hint}"));
        }
    }
}

/// `CODE (status): message`, or the message alone when there is no status.
pub(crate) fn describe(error: &postcore::Error) -> String {
    match (error.status(), error.code()) {
        (Some(status), Some(code)) => format!("{code} ({status}): {}", error.message()),
        (Some(status), None) => format!("HTTP {status}: {}", error.message()),
        _ => error.message().to_string(),
    }
}

/// The error as JSON: the API's own error body when it sent one, with `status` added;
/// otherwise a body of the same shape naming the kind of failure.
pub(crate) fn error_json(error: &postcore::Error) -> Value {
    let mut body = match error.body_json() {
        Some(Value::Object(map)) if map.contains_key("error") => Value::Object(map.clone()),
        _ => json!({
            "error": error.code().map_or_else(|| kind_code(error), str::to_owned),
            "message": error.message(),
        }),
    };
    if let Value::Object(map) = &mut body {
        map.insert("status".to_owned(), json!(error.status()));
        if error.may_have_been_processed() {
            map.insert("mayHaveBeenProcessed".to_owned(), json!(true));
        }
    }
    body
}

/// A code for failures without one from the API: `CONNECTION_ERROR`, `TIMEOUT`, …
fn kind_code(error: &postcore::Error) -> String {
    use postcore::ErrorKind as K;
    match error.kind() {
        K::Configuration => "CONFIGURATION_ERROR",
        K::InvalidArgument | K::InvalidArgumentType => "INVALID_ARGUMENT",
        K::Connection => "CONNECTION_ERROR",
        K::Timeout => "TIMEOUT",
        K::WaitTimeout => "WAIT_TIMEOUT",
        K::ResponseValidation => "INVALID_RESPONSE",
        K::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
        _ => "API_ERROR",
    }
    .to_owned()
}

fn hint(error: &postcore::Error) -> Option<String> {
    use postcore::ErrorKind as K;
    match error.kind() {
        K::Authentication => Some(
            "check the API key in POSTCORE_API_KEY (or the variable named by --api-key-env)"
                .to_owned(),
        ),
        K::RateLimit => match (error.retry_after(), error.next_available()) {
            (_, Some(next)) => Some(format!("the next slot is at {next}")),
            (Some(wait), None) => Some(format!("try again in {} s", wait.as_secs().max(1))),
            _ => None,
        },
        K::PlatformsNotConnected => Some(format!(
            "connect {} first (postcore profiles connect-url / connect-bluesky)",
            error.missing_platforms().join(", ")
        )),
        K::Connection | K::Timeout if error.may_have_been_processed() => Some(
            "the server may have processed the request: check (list) before trying again"
                .to_owned(),
        ),
        K::Connection => Some("is the API reachable? (POSTCORE_BASE_URL / --base-url)".to_owned()),
        _ => None,
    }
}

/// Columns aligned with two spaces; the last column is not padded.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut text = String::new();
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths.get(i).copied().unwrap_or(0);
                line.push_str(cell);
                line.extend(std::iter::repeat_n(
                    ' ',
                    pad.saturating_sub(cell.chars().count()) + 2,
                ));
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// `name  value` lines, names aligned.
pub(crate) fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (name, value) in pairs {
        text.push_str(&format!("{name:<width$}  {value}\n"));
    }
    text
}

/// Control characters (a newline in a name, an escape sequence) shown escaped in tables.
pub(crate) fn cell(text: &str) -> String {
    if text.chars().any(char::is_control) {
        text.chars()
            .flat_map(|c| {
                if c.is_control() {
                    c.escape_default().collect::<Vec<_>>()
                } else {
                    vec![c]
                }
            })
            .collect()
    } else {
        text.to_owned()
    }
}

/// A shortened single-line preview of `text`.
pub(crate) fn preview(text: &str, max: usize) -> String {
    let line = cell(text);
    if line.chars().count() <= max {
        line
    } else {
        let mut short: String = line.chars().take(max.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_without_an_api_code_get_their_kind() {
        let reused = postcore::Error::IdempotencyKeyReused {
            message: "used for posts.create with other arguments".to_owned(),
        };
        assert_eq!(kind_code(&reused), "IDEMPOTENCY_KEY_REUSED");
    }

    #[test]
    fn tables_align() {
        let text = table(
            &["KEY", "NAME"],
            &[
                vec!["prof_a".into(), "Ann".into()],
                vec!["p".into(), "".into()],
            ],
        );
        assert_eq!(text, "KEY     NAME\nprof_a  Ann\np\n");
    }

    #[test]
    fn cells_escape_control_characters() {
        assert_eq!(cell("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(preview("abcdef", 4), "abc…");
        assert_eq!(preview("abc", 4), "abc");
    }
}
