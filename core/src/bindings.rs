//! The generic entry points of the Python and Node packages. Not part of the Rust API.
//!
//! A binding does not know the endpoints: it passes an operation's name (`"posts.create"`)
//! and its arguments as JSON, spelled in its language (`profile_key` / `profileKey`, seconds /
//! milliseconds), and gets the result back as JSON. Parsing the arguments (type errors and
//! value errors, named as the caller spelled them), validation, the request and decoding all
//! happen here, once. So adding an endpoint to the core makes it callable from both packages;
//! their typed façades only add a method that forwards to it.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::config::RequestOptions;
use crate::endpoint::Endpoint;
use crate::endpoints::posts::{CreatePost, DeletePost, ListPosts, RetrievePost};
use crate::endpoints::profiles::{ConnectBluesky, CreateProfile, DeleteProfile, ListProfiles};
use crate::error::{Error, Result};
use crate::options::request_options;
use crate::response::Response;
#[cfg(test)]
use crate::retry::Retry;
use crate::spec::ParamType;
use crate::validate::Names;
pub use crate::validate::{camel_to_snake, snake_to_camel};
use crate::wait::WaitOptions;

pub use crate::config::{
    duration_from_millis, duration_from_secs, max_retries_from, timeout_from_millis,
    timeout_from_secs, wait_from_millis, wait_from_secs,
};
pub use crate::log::{DebugSwitch, LogForwarder, LogLevel, LogSink};
pub use crate::observe::{Answer, CallObserver, EventKind, Observed};

/// Whether `POSTCORE_LOG` asks for debug lines (`debug` or `trace`): a binding that installs
/// its own subscriber ([`LogForwarder`]) prints them on stderr then, as the core does without one.
pub fn log_env_debug() -> bool {
    crate::log::env_enabled()
}

pub use crate::spacing::{SpacingCheck, post_spacing, spacing_checks};
pub use crate::validate::{ContentCheck, ContentRule, content_checks};

/// The checks [`Client::create_post`] makes before sending, without sending: for a dry run
/// (the MCP server's `schedule_post` with `dry_run`). Names are spelled in snake_case.
pub fn check_post(params: &CreatePost) -> Result<()> {
    params.validate(Names::SnakeCase)
}

pub use crate::language::Language;
pub use crate::options::{OptionSet, check_option_names, closest};

/// What the bindings can list about an operation (for their tests: every operation must have
/// a method in every package).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    /// `"resource.method"`, e.g. `"posts.create"`; the method name is the Python one.
    pub name: &'static str,
    /// HTTP method, or `None` for operations that send no single request (`posts.wait`
    /// polls; `profiles.linkedin_connect_url` is built locally).
    pub method: Option<&'static str>,
    /// The documented path.
    pub path: &'static str,
    /// Whether failures after sending are retried.
    pub idempotent: bool,
}

/// Declares the HTTP operations once: their names come from each type's `Endpoint::NAME`.
macro_rules! operations {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        /// A validated call of one HTTP endpoint, ready to send.
        #[derive(Debug)]
        enum HttpCall {
            $($variant($ty),)*
        }

        /// Whether operation `name` takes an idempotency key.
        fn keyed(name: &str) -> bool {
            match name {
                $(<$ty as Endpoint>::NAME => <$ty as Endpoint>::KEYED,)*
                _ => false,
            }
        }

        fn parse_http(name: &str, args: Value, names: Names) -> Option<Result<HttpCall>> {
            match name {
                $(<$ty as Endpoint>::NAME => Some(
                    parse_args::<$ty>(args, names)
                        .and_then(|p| p.validate(names).map(|()| HttpCall::$variant(p))),
                ),)*
                _ => None,
            }
        }

        async fn send_http(
            call: HttpCall,
            client: &Client,
            options: &RequestOptions,
            names: Names,
        ) -> Result<Response<Value>> {
            match call {
                $(HttpCall::$variant(params) => {
                    to_json(client.send_valid(&params, options, names).await?)
                })*
            }
        }

        /// The HTTP operations as their `Endpoint` types declare them: name, method, path,
        /// whether they are retried after sending, whether they take a key (checked against
        /// [`crate::spec::OPERATIONS`] by a test).
        #[cfg(test)]
        fn endpoint_table() -> Vec<(&'static str, &'static str, &'static str, bool, bool)> {
            vec![$((
                <$ty as Endpoint>::NAME,
                method_name(&<$ty as Endpoint>::METHOD),
                <$ty as Endpoint>::PATH,
                <$ty as Endpoint>::RETRY == Retry::Idempotent,
                <$ty as Endpoint>::KEYED,
            ),)*]
        }
    };
}

operations! {
    CreateProfile(CreateProfile),
    ListProfiles(ListProfiles),
    DeleteProfile(DeleteProfile),
    ConnectBluesky(ConnectBluesky),
    CreatePost(CreatePost),
    ListPosts(ListPosts),
    RetrievePost(RetrievePost),
    DeletePost(DeletePost),
}

pub use crate::spec::{LINKEDIN_CONNECT_URL, NEXT_EVENT, WAIT, WAIT_MANY};

/// A validated call, ready to send: one request, or a polling operation.
#[derive(Debug)]
enum Prepared {
    Http(HttpCall),
    Wait {
        post_id: String,
        options: WaitOptions,
    },
    WaitMany {
        post_ids: Vec<String>,
        options: WaitOptions,
    },
    NextEvent {
        consumer: String,
        interval: Duration,
        after: Option<String>,
    },
    LinkedinConnectUrl {
        return_url: String,
        profile_key: Option<String>,
    },
}

/// A call checked and ready to send: arguments parsed and validated now, so that argument
/// errors are raised when the call is made, not when its future first runs.
#[derive(Debug)]
pub struct Call {
    prepared: Prepared,
    language: Language,
    /// The call's own options (timeout, retries, headers, the longest wait for the budget).
    options: RequestOptions,
    /// The call's idempotency key, if it is a creation given one.
    idempotency_key: Option<String>,
    /// The operation's name (`"posts.create"`).
    operation: &'static str,
    /// What watches the call (the package's hooks, OpenTelemetry spans, a logger).
    observer: Option<std::sync::Arc<dyn CallObserver>>,
}

/// Every operation the packages expose, from [`crate::spec::OPERATIONS`].
pub fn operations() -> Vec<OperationInfo> {
    crate::spec::OPERATIONS
        .iter()
        .map(|op| {
            let (method, path) = match op.kind {
                crate::spec::Kind::Request { method, path } => (Some(method), path),
                crate::spec::Kind::Poll { path } | crate::spec::Kind::Local { path } => {
                    (None, path)
                }
            };
            OperationInfo {
                name: op.name,
                method,
                path,
                idempotent: method != Some("POST"),
            }
        })
        .collect()
}

/// Parses and validates one call of operation `name`: its arguments and its options, each a
/// JSON object spelled in `language` (`null`: none given), here, once, for every package. Type
/// errors and value errors name what the caller wrote (`profile_key`, `options.maxRetries`).
pub fn prepare(language: Language, name: &str, args: Value, options: Value) -> Result<Call> {
    let names = language.names();
    let op = crate::spec::operation(name)
        .ok_or_else(|| Error::invalid_argument(format!("unknown operation {name:?}")))?;
    let mut args = normalize(language, args)?;
    let options = call_options(language, op, options, &mut args)?;
    let idempotency_key = match args
        .as_object_mut()
        .and_then(|m| m.remove("idempotencyKey"))
    {
        None => None,
        Some(_) if !keyed(op.name) => {
            return Err(Error::invalid_argument_type(format!(
                "unexpected argument: {} (only posts.create, profiles.create and \
                 profiles.connect_bluesky take one)",
                names.spell("idempotencyKey")
            )));
        }
        Some(Value::String(key)) => {
            crate::idempotency::check_key(names, &key)?;
            Some(key)
        }
        Some(other) => {
            return Err(Error::invalid_argument_type(format!(
                "{} must be a string, not {}",
                names.spell("idempotencyKey"),
                json_type(&other)
            )));
        }
    };
    let prepared = match op.name {
        WAIT => parse_wait(language, args)?,
        WAIT_MANY => parse_wait_many(language, args)?,
        NEXT_EVENT => parse_next_event(language, args)?,
        LINKEDIN_CONNECT_URL => parse_linkedin_connect_url(names, args)?,
        _ => Prepared::Http(parse_http(name, args, names).unwrap_or_else(|| {
            Err(Error::invalid_argument(format!(
                "unknown operation {name:?}"
            )))
        })?),
    };
    Ok(Call {
        prepared,
        language,
        options,
        idempotency_key,
        operation: op.name,
        observer: None,
    })
}

/// A call's options as [`RequestOptions`]. The operation's own durations (`posts.wait`'s
/// `timeout` and `interval`), which Node takes among the options, move to its arguments.
fn call_options(
    language: Language,
    op: &crate::spec::Operation,
    options: Value,
    args: &mut Value,
) -> Result<RequestOptions> {
    let mut map = match options {
        Value::Null => return Ok(RequestOptions::new()),
        Value::Object(map) => map,
        other => {
            return Err(Error::invalid_argument_type(format!(
                "options must be {}, not {}",
                match language {
                    Language::Python => "a dict",
                    Language::Node => "an object",
                },
                language.type_of(&other)
            )));
        }
    };
    map.retain(|_, value| !value.is_null());
    if map.is_empty() {
        return Ok(RequestOptions::new());
    }
    if !op.options {
        return Err(Error::invalid_argument_type(format!(
            "{} takes no options",
            op.name
        )));
    }
    check_option_names(
        language,
        OptionSet::of_operation(op.name),
        map.keys().map(String::as_str),
    )?;
    if let (Language::Node, Value::Object(args)) = (language, args) {
        let durations = op.params.iter().filter(|p| p.ty == ParamType::Duration);
        for param in durations {
            let name = snake_to_camel(param.name);
            if let Some(value) = map.remove(&name) {
                args.insert(name, value);
            }
        }
    }
    request_options(language, map)
}

impl Call {
    /// The operation's name (`"posts.create"`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// Has `observer` watch the call: told of every attempt, response, retry and wait, in
    /// order, in the call's task; its headers are added to each attempt.
    pub fn observed_by(mut self, observer: std::sync::Arc<dyn CallObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Sends the call; the result is the operation's output as JSON (`null` for deletions).
    pub async fn send(self, client: &Client) -> Result<Response<Value>> {
        let (operation, observer) = (self.operation, self.observer.clone());
        // Boxed: the dispatch's future holds every operation's, and each future around it
        // (the bindings', the observation's) would be as large again; debug builds keep
        // several copies of a future on the stack per `.await`, which overflowed the stack of
        // a JavaScript thread (Node's driver) and of a runtime thread.
        let call = Box::pin(self.send_unobserved(client));
        client.operation(operation, observer, call).await
    }

    /// The result of a local operation (`profiles.linkedin_connect_url`), computed now, with
    /// no request and no runtime; `None` for a call that must be sent.
    pub fn local(&self, client: &Client) -> Option<Result<Response<Value>>> {
        let Prepared::LinkedinConnectUrl {
            return_url,
            profile_key,
        } = &self.prepared
        else {
            return None;
        };
        let names = self.language.names();
        let url = client.linkedin_connect_url_for(return_url, profile_key.as_deref(), names);
        Some(url.map(|url| Response {
            data: Value::String(url),
            status: 200,
            headers: http::HeaderMap::new(),
            rate_limit: None,
            attempts: 0,
        }))
    }

    async fn send_unobserved(self, client: &Client) -> Result<Response<Value>> {
        if let Some(result) = self.local(client) {
            return result;
        }
        let names = self.language.names();
        let options = &self.options;
        match self.prepared {
            Prepared::Wait {
                post_id,
                options: mut wait,
            } => {
                wait.request = options.clone();
                let response = client.wait_for_post_checked(&post_id, &wait, names).await?;
                to_json(response)
            }
            Prepared::WaitMany {
                post_ids,
                options: mut wait,
            } => {
                wait.request = options.clone();
                let response = client
                    .wait_for_posts_checked(&post_ids, &wait, names)
                    .await?;
                to_json(response)
            }
            Prepared::NextEvent {
                consumer,
                interval,
                after,
            } => {
                let event = client.next_event(&consumer, interval, after, names).await?;
                to_json(Response {
                    data: event,
                    status: 200,
                    headers: http::HeaderMap::new(),
                    rate_limit: None,
                    attempts: 0,
                })
            }
            Prepared::LinkedinConnectUrl { .. } => Err(Error::invalid_argument(
                "profiles.linkedin_connect_url makes no request",
            )),
            Prepared::Http(call) => match self.idempotency_key {
                Some(key) => {
                    let options = options.clone().idempotency_key(key);
                    send_http(call, client, &options, names).await
                }
                None => send_http(call, client, options, names).await,
            },
        }
    }
}

/// The LinkedIn connect URL for the command line: argument errors name its flags
/// (`--return-url`, `--profile-key`).
pub fn linkedin_connect_url_for_flags(
    client: &Client,
    return_url: &str,
    profile_key: Option<&str>,
) -> Result<String> {
    client.linkedin_connect_url_for(return_url, profile_key, Names::Flags)
}

/// Checks a post's arguments as `posts.create` does before sending (profile key, platforms,
/// content length, Bluesky's 300 graphemes), for tools that check many posts before sending
/// any (`postcore posts import`). Argument names are spelled as in the API (`profileKey`).
pub fn validate_post(params: &CreatePost) -> Result<()> {
    params.validate(Names::CamelCase)
}

/// The documented posting budget, the default of `ClientBuilder::posting_budget`: requests
/// per window.
pub const POSTING_BUDGET: (u32, Duration) = crate::config::DEFAULT_POSTING_BUDGET;

/// The same configuration with a new, empty connection pool, for a child process after
/// `fork()`, where the parent's sockets and runtime must not be reused.
pub fn with_new_pool(client: &Client) -> Result<Client> {
    client.with_new_pool()
}

/// `url` if it is an `http://` or `https://` URL with a host (normalized), else why not.
pub fn check_webhook_url(url: &str) -> Result<String> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::invalid_argument(format!("not a URL: {url:?} ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::invalid_argument(format!(
            "not an http:// or https:// URL: {url:?}"
        )));
    }
    Ok(parsed.into())
}

/// One `POST` of `body` to `url`, for `postcore listen --forward-to`: the user's own
/// endpoint, so any `http://` or `https://` host, no API key, no rate budget and no retries
/// (the caller retries), through the client's connections (TLS roots, proxies). Returns the
/// status and the start of the answer's body (up to 64 KiB).
pub async fn post_webhook(
    client: &Client,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
    timeout: Duration,
) -> Result<(u16, String)> {
    let url = check_webhook_url(url)?;
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::invalid_argument(format!("not a header name: {name:?}")))?;
        let value = http::HeaderValue::from_str(value)
            .map_err(|_| Error::invalid_argument(format!("not a header value for {name}")))?;
        map.append(name, value);
    }
    let (status, body) = client
        .post_elsewhere(&url, &map, body.into(), timeout)
        .await?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// One poll of the events of `consumer` (both listings, the diff against its snapshot, the
/// events queued), now: for `make bench`, which measures what one poll costs. How many events
/// it found (none on a consumer's first poll, which only takes the snapshot).
pub async fn poll_events_once(client: &Client, consumer: &str) -> Result<usize> {
    crate::events::poll_once(client, consumer).await
}

/// Every model the packages return and its JSON field names, from the models' own
/// declarations, so that the packages' model classes and type declarations can be checked
/// against the one definition.
pub fn models() -> Vec<(&'static str, Vec<String>)> {
    crate::models::specs()
        .into_iter()
        .map(|model| {
            (
                model.name,
                model.fields.iter().map(|f| f.name.to_owned()).collect(),
            )
        })
        .collect()
}

/// Every post attached to a [`Error::WaitTimeout`] (`posts.wait_many`), as JSON.
pub fn error_posts(error: &Error) -> Option<Value> {
    let posts = error.posts();
    (!posts.is_empty())
        .then(|| serde_json::to_value(posts).ok())
        .flatten()
}

/// The post attached to a [`Error::WaitTimeout`], as JSON.
pub fn error_post(error: &Error) -> Option<Value> {
    error
        .post()
        .and_then(|post| serde_json::to_value(post).ok())
}

fn parse_wait(language: Language, args: Value) -> Result<Prepared> {
    let names = language.names();
    let Value::Object(mut map) = args else {
        return Err(Error::invalid_argument_type("arguments must be an object"));
    };
    let timeout = language.duration("timeout", &map.remove("timeout").unwrap_or(Value::Null))?;
    let interval = language.duration("interval", &map.remove("interval").unwrap_or(Value::Null))?;
    if interval.is_some_and(|i| i.is_zero()) {
        return Err(Error::invalid_argument(format!(
            "{} must be greater than zero",
            names.spell("interval")
        )));
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        post_id: String,
    }
    let args: Args = parse_args(Value::Object(map), names)?;
    crate::validate::id(names, "postId", &args.post_id)?;
    let mut options = WaitOptions::new();
    options.timeout = timeout;
    options.interval = interval;
    Ok(Prepared::Wait {
        post_id: args.post_id,
        options,
    })
}

/// `posts.wait_many`: `{postIds, timeout, interval}`.
fn parse_wait_many(language: Language, args: Value) -> Result<Prepared> {
    let names = language.names();
    let Value::Object(mut map) = args else {
        return Err(Error::invalid_argument_type("arguments must be an object"));
    };
    let timeout = language.duration("timeout", &map.remove("timeout").unwrap_or(Value::Null))?;
    let interval = language.duration("interval", &map.remove("interval").unwrap_or(Value::Null))?;
    if interval.is_some_and(|i| i.is_zero()) {
        return Err(Error::invalid_argument(format!(
            "{} must be greater than zero",
            names.spell("interval")
        )));
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        post_ids: Vec<String>,
    }
    let args: Args = parse_args(Value::Object(map), names)?;
    for id in &args.post_ids {
        crate::validate::id(names, "postIds", id)?;
    }
    let mut options = WaitOptions::new();
    options.timeout = timeout;
    options.interval = interval;
    Ok(Prepared::WaitMany {
        post_ids: args.post_ids,
        options,
    })
}

/// `events.next`: `{consumer, interval, after}`.
fn parse_next_event(language: Language, args: Value) -> Result<Prepared> {
    let names = language.names();
    let Value::Object(mut map) = args else {
        return Err(Error::invalid_argument_type("arguments must be an object"));
    };
    let interval = language
        .duration("interval", &map.remove("interval").unwrap_or(Value::Null))?
        .unwrap_or(crate::events::DEFAULT_EVENTS_INTERVAL);
    if interval.is_zero() {
        return Err(Error::invalid_argument(format!(
            "{} must be greater than zero",
            names.spell("interval")
        )));
    }
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        #[serde(default)]
        consumer: Option<String>,
        #[serde(default)]
        after: Option<String>,
    }
    let args: Args = parse_args(Value::Object(map), names)?;
    let consumer = args
        .consumer
        .unwrap_or_else(|| crate::events::DEFAULT_CONSUMER.to_owned());
    crate::events::check_consumer(&consumer, names)?;
    Ok(Prepared::NextEvent {
        consumer,
        interval,
        after: args.after,
    })
}

/// `profiles.linkedin_connect_url`: `{returnUrl, profileKey}`.
fn parse_linkedin_connect_url(names: Names, args: Value) -> Result<Prepared> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        return_url: String,
        #[serde(default)]
        profile_key: Option<String>,
    }
    let args: Args = parse_args(args, names)?;
    Ok(Prepared::LinkedinConnectUrl {
        return_url: args.return_url,
        profile_key: args.profile_key,
    })
}

/// Drops "not given" (`null`) arguments and spells the names as the API does.
fn normalize(language: Language, args: Value) -> Result<Value> {
    let map = match args {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => {
            return Err(Error::invalid_argument_type(format!(
                "the arguments must be an object, not {}",
                json_type(&other)
            )));
        }
    };
    let map: Map<String, Value> = map
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match language {
            Language::Python => (snake_to_camel(&k), v),
            Language::Node => (k, v),
        })
        .collect();
    Ok(Value::Object(map))
}

/// Typed parameters from JSON arguments, with serde's messages rewritten for the caller:
/// "profile_name must be a string, not integer 5".
fn parse_args<T: DeserializeOwned>(args: Value, names: Names) -> Result<T> {
    serde_path_to_error::deserialize::<_, T>(args).map_err(|e| {
        let field = e
            .path()
            .iter()
            .map(|segment| match segment {
                serde_path_to_error::Segment::Map { key } => names.spell(key),
                serde_path_to_error::Segment::Seq { index } => format!("[{index}]"),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
            .replace(".[", "[");
        describe_serde_error(&field, &e.into_inner().to_string(), names)
    })
}

fn describe_serde_error(field: &str, message: &str, names: Names) -> Error {
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (got, expected) = rest
            .split_once(", expected ")
            .unwrap_or((rest, "another type"));
        let python = names == Names::SnakeCase;
        let expected = match expected {
            "a sequence" if python => "a list",
            "a sequence" => "an array",
            "a string" | "a borrowed string" => "a string",
            "a map" | "struct" if python => "a dict",
            "a map" | "struct" => "an object",
            crate::timestamp::EXPECTING if python => "an aware datetime or an ISO 8601 string",
            crate::timestamp::EXPECTING => "a Date or an ISO 8601 string",
            other => other,
        };
        let got = describe_unexpected(got, python);
        return Error::invalid_argument_type(format!("{field} must be {expected}, not {got}"));
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = names.spell(rest.trim_matches('`'));
        let name = if field.is_empty() {
            name
        } else {
            format!("{field}.{name}")
        };
        return Error::invalid_argument_type(format!("missing required argument: {name}"));
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let name = rest.split('`').nth(1).unwrap_or(rest);
        return Error::invalid_argument_type(format!("unexpected argument: {}", names.spell(name)));
    }
    let message = if field.is_empty() {
        message.to_owned()
    } else {
        format!("{field}: {message}")
    };
    Error::invalid_argument(message)
}

/// serde's name for what it got ("floating point `1.5`", "integer `5`", "map") in the
/// caller's terms: "a number (1.5)" in JavaScript, "a float (1.5)" in Python.
fn describe_unexpected(got: &str, python: bool) -> String {
    if let Some(text) = got.strip_prefix("string ") {
        return format!("a string {text}");
    }
    let (kind, value) = match got.split_once(" `") {
        Some((kind, value)) => (kind, value.trim_end_matches('`')),
        None => (got, ""),
    };
    let kind = match (kind, python) {
        ("floating point", true) => "a float",
        ("integer", true) => "an int",
        ("floating point" | "integer", false) => "a number",
        ("boolean", true) => "a bool",
        ("boolean", false) => "a boolean",
        ("map", true) => "a dict",
        ("map", false) => "an object",
        ("sequence", true) => "a list",
        ("sequence", false) => "an array",
        ("null" | "unit value", true) => "None",
        ("null" | "unit value", false) => "null",
        _ => return got.to_owned(),
    };
    if value.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} ({value})")
    }
}

#[cfg(test)]
fn method_name(method: &http::Method) -> &'static str {
    match *method {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::DELETE => "DELETE",
        http::Method::PUT => "PUT",
        http::Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn to_value<T: serde::Serialize>(data: &T) -> Result<Value> {
    serde_json::to_value(data)
        .map_err(|e| Error::invalid_argument(format!("cannot encode the result: {e}")))
}

fn to_json<T: serde::Serialize>(response: Response<T>) -> Result<Response<Value>> {
    let data = to_value(&response.data)?;
    Ok(response.map(|_| data))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ErrorKind;

    /// A call prepared without options.
    fn prep(language: Language, name: &str, args: Value) -> Result<Call> {
        prepare(language, name, args, Value::Null)
    }

    fn kind(result: Result<Call>) -> ErrorKind {
        result.err().map_or(ErrorKind::Api, |e| e.kind())
    }

    /// A value of `ty` the dispatch accepts, for checking the table against it.
    fn sample(param: &crate::spec::Param, language: Language) -> Value {
        match param.ty {
            ParamType::Text if param.name == "app_password" => json!("abcd-efgh-ijkl-mnop"),
            ParamType::Text if param.name == "handle" => json!("user.bsky.social"),
            ParamType::Text if param.name == "return_url" => json!("https://app.example.com/x"),
            ParamType::Text => json!("prof_abc123"),
            ParamType::Texts => json!(["post_1", "post_2"]),
            ParamType::Platforms => json!(["linkedin"]),
            ParamType::Time => json!("2999-01-01T00:00:00Z"),
            ParamType::Duration if language == Language::Node => json!(5000),
            ParamType::Duration => json!(5),
        }
    }

    #[test]
    fn the_spec_table_is_the_dispatchs() {
        use crate::spec::{Kind, OPERATIONS};
        // Every HTTP endpoint has its entry, with its method, path, retry class and key.
        for (name, method, path, idempotent, keyed) in endpoint_table() {
            let op = crate::spec::operation(name).expect(name);
            assert_eq!(op.kind, Kind::Request { method, path }, "{name}");
            assert_eq!(idempotent, method != "POST", "{name}");
            assert_eq!(op.keyed, keyed, "{name}");
        }
        let requests = OPERATIONS
            .iter()
            .filter(|op| matches!(op.kind, Kind::Request { .. }));
        assert_eq!(requests.count(), endpoint_table().len());
        // The arguments the table lists are the ones the dispatch takes, spelled per language;
        // each required one is needed, and no other is taken.
        let client = Client::builder()
            .api_key("pc_test")
            .base_url("http://127.0.0.1:9")
            .build()
            .expect("client");
        for language in [Language::Python, Language::Node] {
            let names = language.names();
            for op in OPERATIONS {
                let all: Map<String, Value> = op
                    .params
                    .iter()
                    .map(|p| (names.spell(&snake_to_camel(p.name)), sample(p, language)))
                    .collect();
                let run = |args: Map<String, Value>| -> Result<()> {
                    let call = prepare(language, op.name, Value::Object(args), Value::Null)?;
                    call.local(&client).transpose().map(drop)
                };
                assert!(
                    run(all.clone()).is_ok(),
                    "{} {language:?}: {:?}",
                    op.name,
                    run(all.clone())
                );
                for param in op.params.iter().filter(|p| p.required) {
                    let mut less = all.clone();
                    less.remove(&names.spell(&snake_to_camel(param.name)));
                    assert!(run(less).is_err(), "{} needs {}", op.name, param.name);
                }
                let mut more = all.clone();
                more.insert("notAnArgument".into(), json!("x"));
                assert!(run(more).is_err(), "{} takes no other argument", op.name);
                if op.keyed {
                    let mut keyed = all.clone();
                    keyed.insert(names.spell("idempotencyKey"), json!("key-1"));
                    assert!(run(keyed).is_ok(), "{} takes a key", op.name);
                }
            }
        }
    }

    #[test]
    fn argument_errors_are_typed_and_named_per_language() {
        let err = prep(
            Language::Python,
            "profiles.create",
            json!({"profile_name": 5}),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgumentType);
        assert_eq!(
            err.message(),
            "profile_name must be a string, not an int (5)"
        );

        let err = prep(
            Language::Node,
            "profiles.connect_bluesky",
            json!({"handle": "a.bsky.social", "appPassword": "nope"}),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().starts_with("appPassword must be"), "{err}");

        let err = prep(Language::Python, "posts.create", json!({"content": "x"})).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgumentType);
        assert!(err.message().contains("profile_key"), "{err}");

        let args = json!({"profile_key": "p", "content": "x", "platforms": ["linkedin"],
                          "scheduled_for": "tomorrow"});
        assert_eq!(
            kind(prep(Language::Python, "posts.create", args)),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            kind(prep(Language::Python, "nope", json!({}))),
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn type_errors_read_in_the_callers_terms() {
        let args = json!({"profileKey": "prof_1", "content": "x", "platforms": ["bluesky"],
                          "scheduledFor": 1.5});
        let err = prep(Language::Node, "posts.create", args).unwrap_err();
        assert_eq!(
            err.message(),
            "scheduledFor must be a Date or an ISO 8601 string, not a number (1.5)"
        );
        let args = json!({"profile_key": "prof_1", "content": "x", "platforms": "bluesky",
                          "scheduled_for": true});
        let err = prep(Language::Python, "posts.create", args).unwrap_err();
        assert_eq!(
            err.message(),
            "platforms must be a list, not a string \"bluesky\""
        );
        let args = json!({"profile_key": "prof_1", "content": "x", "platforms": ["bluesky"],
                          "scheduled_for": {}});
        let err = prep(Language::Python, "posts.create", args).unwrap_err();
        assert_eq!(
            err.message(),
            "scheduled_for must be an aware datetime or an ISO 8601 string, not a dict"
        );
    }

    #[test]
    fn valid_calls_prepare() {
        let args = json!({"profile_key": "prof_1", "content": "hi", "platforms": ["linkedin", "bluesky"],
                          "scheduled_for": "2030-01-01T00:00:00Z"});
        assert!(prep(Language::Python, "posts.create", args).is_ok());
        assert!(prep(Language::Node, "profiles.list", Value::Null).is_ok());
        assert!(
            prep(
                Language::Node,
                WAIT,
                json!({"postId": "post_1", "interval": 500})
            )
            .is_ok()
        );
        assert_eq!(
            kind(prep(
                Language::Node,
                WAIT,
                json!({"postId": "post_1", "interval": 0})
            )),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            kind(prep(
                Language::Python,
                WAIT,
                json!({"post_id": "p", "timeout": "soon"})
            )),
            ErrorKind::InvalidArgumentType
        );
    }

    #[test]
    fn event_arguments_are_checked_when_the_call_is_prepared() {
        assert!(prep(Language::Python, NEXT_EVENT, json!({"consumer": "billing"})).is_ok());
        assert!(prep(Language::Node, NEXT_EVENT, Value::Null).is_ok());
        let err = prep(Language::Python, NEXT_EVENT, json!({"consumer": ""})).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().starts_with("consumer must be"), "{err}");
        assert_eq!(
            kind(prep(Language::Node, NEXT_EVENT, json!({"consumer": 5}))),
            ErrorKind::InvalidArgumentType
        );
        assert_eq!(
            kind(prep(Language::Node, NEXT_EVENT, json!({"interval": 0}))),
            ErrorKind::InvalidArgument
        );
        let err = prep(Language::Node, WAIT_MANY, json!({"postIds": "post_1"})).unwrap_err();
        assert_eq!(
            err.message(),
            "postIds must be an array, not a string \"post_1\""
        );
    }

    #[test]
    fn call_options_are_parsed_once_here() {
        let ok = |language, name, options: Value| prepare(language, name, json!({}), options);
        assert!(
            ok(
                Language::Node,
                "profiles.list",
                json!({"timeout": 5000, "maxRetries": 1,
            "headers": {"x-trace": "1"}, "maxRateLimitWait": 0, "signal": {}})
            )
            .is_ok()
        );
        assert!(
            ok(
                Language::Python,
                "profiles.list",
                json!({"timeout": 5, "max_retries": 0,
            "extra_headers": [["x-trace", "1"]], "max_rate_limit_wait": 1.5})
            )
            .is_ok()
        );
        let err = ok(Language::Node, "profiles.list", json!({"timeout": "5s"})).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgumentType);
        assert_eq!(
            err.message(),
            "options.timeout must be a number of milliseconds, not a string"
        );
        let err = ok(
            Language::Python,
            "profiles.list",
            json!({"max_retries": 1.0}),
        )
        .unwrap_err();
        assert_eq!(err.message(), "max_retries must be an int, not float");
        let err = ok(Language::Python, "profiles.list", json!({"timeout": 0})).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        let err = ok(Language::Node, "profiles.list", json!({"maxRetries": -1})).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        let err = ok(
            Language::Node,
            "profiles.list",
            json!({"headers": {"a": 1}}),
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "options.headers[\"a\"] must be a string, not a number"
        );
        let err = ok(Language::Node, "profiles.list", json!({"timout": 5})).unwrap_err();
        assert!(err.message().contains("did you mean timeout?"), "{err}");
        let err = ok(Language::Python, "profiles.list", json!([])).unwrap_err();
        assert_eq!(err.message(), "options must be a dict, not list");
        // Node's wait takes its own timeout and interval among the options.
        let wait = |options| prepare(Language::Node, WAIT, json!({"postId": "post_1"}), options);
        assert!(wait(json!({"timeout": 1000, "interval": 50, "maxRetries": 0})).is_ok());
        assert_eq!(
            kind(wait(json!({"interval": 0}))),
            ErrorKind::InvalidArgument
        );
        let err = wait(json!({"interval": 0})).unwrap_err();
        assert!(err.message().starts_with("interval must be"), "{err}");
        // A local operation takes none, and runs without a runtime.
        let err = prepare(
            Language::Python,
            LINKEDIN_CONNECT_URL,
            json!({"return_url": "https://app.example.com/"}),
            json!({"timeout": 1}),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgumentType);
        let client = Client::builder()
            .api_key("pc_test")
            .base_url("http://127.0.0.1:9")
            .build()
            .expect("client");
        let call = prep(
            Language::Node,
            LINKEDIN_CONNECT_URL,
            json!({"returnUrl": "https://app.example.com/", "profileKey": "prof_1"}),
        )
        .expect("prepared");
        let url = call.local(&client).expect("local").expect("url").data;
        assert!(
            url.as_str()
                .is_some_and(|u| u.starts_with("http://127.0.0.1:9/")),
            "{url}"
        );
        let call = prep(Language::Node, "profiles.list", Value::Null).expect("prepared");
        assert!(call.local(&client).is_none());
    }

    #[test]
    fn models_list_their_fields() {
        let models = models();
        let post = &models.iter().find(|(n, _)| *n == "Post").expect("Post").1;
        assert!(
            post.contains(&"scheduledFor".to_owned()) && post.len() == 9,
            "{post:?}"
        );
    }

    #[test]
    fn unknown_options_name_the_closest_valid_one() {
        let err = check_option_names(Language::Node, OptionSet::Client, ["apiKey", "maxRetry"])
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgumentType);
        assert!(
            err.message().starts_with(
                "unknown option \"maxRetry\" for new Postcore(): did you mean maxRetries?"
            ),
            "{err}"
        );
        let err = check_option_names(Language::Node, OptionSet::Request, ["timout"]).unwrap_err();
        assert!(err.message().contains("did you mean timeout?"), "{err}");
        let err = check_option_names(Language::Node, OptionSet::Request, ["zzzzzz"]).unwrap_err();
        assert!(!err.message().contains("did you mean"), "{err}");
        assert!(
            check_option_names(Language::Node, OptionSet::Wait, ["interval", "signal"]).is_ok()
        );
        let err =
            check_option_names(Language::Node, OptionSet::WaitMany, ["intervall"]).unwrap_err();
        assert!(
            err.message().starts_with(
                "unknown option \"intervall\" for posts.waitMany(): did you mean interval?"
            ),
            "{err}"
        );
        let err = check_option_names(Language::Node, OptionSet::Events, ["consumr", "signal"])
            .unwrap_err();
        assert!(
            err.message().starts_with(
                "unknown option \"consumr\" for client.events(): did you mean consumer?"
            ),
            "{err}"
        );
        assert_eq!(
            closest("max_retry", OptionSet::Client.names(Language::Python)),
            Some("max_retries")
        );
        assert_eq!(
            closest("baseURL", OptionSet::Client.names(Language::Node)),
            Some("baseUrl")
        );
    }

    #[test]
    fn every_operation_is_listed_once() {
        let names: Vec<_> = operations().iter().map(|o| o.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert_eq!(names.len(), 12);
    }
}
