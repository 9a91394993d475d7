//! The options a package takes by name (the client's, `with_options`', each call's): their
//! names per language, the check that names the closest valid one on a typo, and the parsing
//! of one call's options into [`RequestOptions`], once, here, for both packages.

use serde_json::{Map, Value};

use crate::config::{
    RequestOptions, max_retries_from, timeout_from_millis, timeout_from_secs, wait_from_millis,
    wait_from_secs,
};
use crate::error::{Error, Result};
use crate::language::Language;

/// A group of options a package takes by name: the lists are here, once, so that an option
/// added to the core is checked (and its absence noticed by the packages' tests) in every
/// language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionSet {
    /// The client's constructor.
    Client,
    /// `with_options` / `withOptions`.
    WithOptions,
    /// The per-call options of every method that sends a request.
    Request,
    /// `posts.wait`'s options: its own and the per-call ones of its polls.
    Wait,
    /// `posts.wait_many`'s options: the same as `posts.wait`'s.
    WaitMany,
    /// `client.events()`'s options: the consumer, its poll interval (and Node's `signal`).
    Events,
    /// The webhook check's options (Python `webhooks.verify`, Node `verifyWebhook`).
    VerifyWebhook,
}

impl OptionSet {
    /// Every set, for listings.
    pub const ALL: [OptionSet; 7] = [
        Self::Client,
        Self::WithOptions,
        Self::Request,
        Self::Wait,
        Self::WaitMany,
        Self::Events,
        Self::VerifyWebhook,
    ];

    /// The set's name in listings (`"client"`, `"with_options"`, `"request"`, `"wait"`,
    /// `"wait_many"`, `"events"`, `"verify_webhook"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::WithOptions => "with_options",
            Self::Request => "request",
            Self::Wait => "wait",
            Self::WaitMany => "wait_many",
            Self::Events => "events",
            Self::VerifyWebhook => "verify_webhook",
        }
    }

    /// The valid option names, spelled for `language`.
    pub fn names(self, language: Language) -> &'static [&'static str] {
        match (self, language) {
            (Self::Client, Language::Python) => &[
                "api_key",
                "base_url",
                "timeout",
                "max_retries",
                "max_connections",
                "default_headers",
                "proxy",
                "extra_ca_certs",
                "store",
                "budget_group",
                "max_rate_limit_wait",
                "idempotency_ttl",
                "hooks",
                "tracing",
            ],
            (Self::Client, Language::Node) => &[
                "apiKey",
                "baseUrl",
                "timeout",
                "maxRetries",
                "maxConnections",
                "defaultHeaders",
                "proxy",
                "extraCaCerts",
                "store",
                "budgetGroup",
                "maxRateLimitWait",
                "idempotencyTtl",
                "hooks",
                "logger",
                "tracing",
            ],
            (Self::WithOptions, Language::Python) => &[
                "timeout",
                "max_retries",
                "default_headers",
                "max_rate_limit_wait",
            ],
            (Self::WithOptions, Language::Node) => &[
                "timeout",
                "maxRetries",
                "defaultHeaders",
                "maxRateLimitWait",
            ],
            (Self::Request, Language::Python) => &[
                "timeout",
                "max_retries",
                "extra_headers",
                "max_rate_limit_wait",
            ],
            (Self::Request, Language::Node) => &[
                "signal",
                "timeout",
                "maxRetries",
                "headers",
                "maxRateLimitWait",
            ],
            (Self::Wait | Self::WaitMany, Language::Python) => &[
                "timeout",
                "interval",
                "max_retries",
                "extra_headers",
                "max_rate_limit_wait",
            ],
            (Self::Wait | Self::WaitMany, Language::Node) => &[
                "signal",
                "timeout",
                "interval",
                "maxRetries",
                "headers",
                "maxRateLimitWait",
            ],
            (Self::Events, Language::Python) => &["consumer", "interval"],
            (Self::Events, Language::Node) => &["consumer", "interval", "signal"],
            (Self::VerifyWebhook, _) => &["tolerance"],
        }
    }

    /// How the caller passed these options, for messages.
    fn place(self, language: Language) -> &'static str {
        match (self, language) {
            (Self::Client, Language::Python) => "Postcore()",
            (Self::Client, Language::Node) => "new Postcore()",
            (Self::WithOptions, Language::Python) => "with_options()",
            (Self::WithOptions, Language::Node) => "withOptions()",
            (Self::Request, _) => "a call's options",
            (Self::Wait, _) => "posts.wait()",
            (Self::WaitMany, Language::Python) => "posts.wait_many()",
            (Self::WaitMany, Language::Node) => "posts.waitMany()",
            (Self::Events, _) => "client.events()",
            (Self::VerifyWebhook, Language::Python) => "webhooks.verify()",
            (Self::VerifyWebhook, Language::Node) => "verifyWebhook()",
        }
    }
}

/// Refuses an option name `set` does not have, naming it and the closest valid one (an
/// argument type error: a `TypeError` in both packages).
pub fn check_option_names<'a>(
    language: Language,
    set: OptionSet,
    given: impl IntoIterator<Item = &'a str>,
) -> Result<()> {
    let valid = set.names(language);
    for name in given {
        if valid.contains(&name) {
            continue;
        }
        let hint = closest(name, valid).map_or_else(String::new, |c| format!("did you mean {c}? "));
        return Err(Error::invalid_argument_type(format!(
            "unknown option {name:?} for {}: {hint}(valid options: {})",
            set.place(language),
            valid.join(", ")
        )));
    }
    Ok(())
}

/// The valid name nearest to `name` (edit distance, ignoring case and `_`), if any is near
/// enough to be a likely typo: within a third of the longer name's length, at least 2.
pub fn closest<'a>(name: &str, valid: &[&'a str]) -> Option<&'a str> {
    let fold = |s: &str| -> Vec<char> {
        s.chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = fold(name);
    valid
        .iter()
        .map(|candidate| {
            let folded = fold(candidate);
            let limit = (wanted.len().max(folded.len()) / 3).max(2);
            (edit_distance(&wanted, &folded), limit, *candidate)
        })
        .filter(|(distance, limit, _)| distance <= limit)
        .min_by_key(|(distance, _, _)| *distance)
        .map(|(_, _, candidate)| candidate)
}

/// Levenshtein distance.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

impl OptionSet {
    /// The options the calls of operation `name` take.
    pub(crate) fn of_operation(name: &str) -> Self {
        match name {
            crate::spec::WAIT => Self::Wait,
            crate::spec::WAIT_MANY => Self::WaitMany,
            _ => Self::Request,
        }
    }
}

/// One call's options as the core's [`RequestOptions`], from JSON spelled in `language`
/// (`null`: not given; names already checked against the call's [`OptionSet`]): a wrong type is
/// a type error and a bad value a value error, named as the caller spelled them. Headers are
/// an object of strings or a list of `[name, value]` pairs. Node's `signal` is the package's
/// own (it cancels the call there) and is skipped.
pub(crate) fn request_options(
    language: Language,
    options: Map<String, Value>,
) -> Result<RequestOptions> {
    let mut out = RequestOptions::new();
    for (name, value) in options {
        if value.is_null() {
            continue;
        }
        let field = match language {
            Language::Python => name.clone(),
            Language::Node => format!("options.{name}"),
        };
        // A length of time, in the caller's unit.
        let time = || -> Result<f64> {
            let what = format!("a number of {}", language.unit());
            Ok(language.number(&field, &value, &what)?.unwrap_or(f64::NAN))
        };
        match name.as_str() {
            "timeout" => {
                out = out.timeout(match language {
                    Language::Python => timeout_from_secs(time()?)?,
                    Language::Node => timeout_from_millis(time()?)?,
                });
            }
            "max_retries" | "maxRetries" => {
                let what = match language {
                    Language::Python => "an int",
                    Language::Node => "a number",
                };
                if language == Language::Python && value.is_f64() {
                    return Err(Error::invalid_argument_type(format!(
                        "{field} must be an int, not float"
                    )));
                }
                let n = language.number(&field, &value, what)?.unwrap_or(f64::NAN);
                out = out.max_retries(max_retries_from(n, &name)?);
            }
            "max_rate_limit_wait" | "maxRateLimitWait" => {
                out = out.max_rate_limit_wait(match language {
                    Language::Python => wait_from_secs(time()?, &name)?,
                    Language::Node => wait_from_millis(time()?, &name)?,
                });
            }
            "extra_headers" | "headers" => {
                for (header, text) in header_pairs(language, &field, value)? {
                    out = out.header(header, text);
                }
            }
            "signal" if language == Language::Node => {}
            other => {
                return Err(Error::invalid_argument_type(format!(
                    "unknown option {other:?}"
                )));
            }
        }
    }
    Ok(out)
}

/// Header pairs from `{name: value}` or `[[name, value], ...]`; values must be strings (the
/// core checks names and values when sending).
fn header_pairs(language: Language, field: &str, value: Value) -> Result<Vec<(String, String)>> {
    let wrong = |what: &Value| {
        Error::invalid_argument_type(format!(
            "{field} must map header names to string values, not {}",
            language.type_of(what)
        ))
    };
    let pairs: Vec<(String, Value)> = match value {
        Value::Object(map) => map.into_iter().collect(),
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::Array(mut pair) if pair.len() == 2 => {
                    let value = pair.pop().unwrap_or(Value::Null);
                    match pair.pop() {
                        Some(Value::String(name)) => Ok((name, value)),
                        other => Err(wrong(&other.unwrap_or(Value::Null))),
                    }
                }
                other => Err(wrong(&other)),
            })
            .collect::<Result<_>>()?,
        other => return Err(wrong(&other)),
    };
    pairs
        .into_iter()
        .map(|(name, value)| match value {
            Value::String(text) => Ok((name, text)),
            other => Err(Error::invalid_argument_type(format!(
                "{field}[{name:?}] must be a string, not {}",
                language.type_of(&other)
            ))),
        })
        .collect()
}
