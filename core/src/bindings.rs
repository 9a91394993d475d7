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

use crate::Client;
use crate::config::RequestOptions;
use crate::endpoint::{Endpoint, Retry};
use crate::endpoints::posts::{CreatePost, DeletePost, ListPosts, RetrievePost};
use crate::endpoints::profiles::{ConnectBluesky, CreateProfile, DeleteProfile, ListProfiles};
use crate::error::{Error, Result};
use crate::response::Response;
use crate::validate::{Names, snake_to_camel};
use crate::wait::WaitOptions;

pub use crate::config::{
    duration_from_millis, duration_from_secs, max_retries_from, timeout_from_millis,
    timeout_from_secs, wait_from_millis, wait_from_secs,
};
pub use crate::log::{DebugSink, set_debug_sink};

/// The calling package's conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// `snake_case` arguments, durations in seconds.
    Python,
    /// `camelCase` arguments, durations in milliseconds.
    Node,
}

impl Language {
    /// How this language spells argument names.
    pub fn names(self) -> Names {
        match self {
            Self::Python => Names::SnakeCase,
            Self::Node => Names::CamelCase,
        }
    }

    fn duration(self, name: &str, value: &Value) -> Result<Option<Duration>> {
        let field = self.names().spell(name);
        let unit = match self {
            Self::Python => "seconds",
            Self::Node => "milliseconds",
        };
        let number = match value {
            Value::Null => return Ok(None),
            Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
            other => {
                return Err(Error::invalid_argument_type(format!(
                    "{field} must be a number of {unit}, not {}",
                    json_type(other)
                )));
            }
        };
        let seconds = match self {
            Self::Python => number,
            Self::Node => number / 1000.0,
        };
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(Error::invalid_argument(format!(
                "{field} must be a non-negative number of {unit}, got {number}"
            )));
        }
        Duration::try_from_secs_f64(seconds)
            .map(Some)
            .map_err(|_| Error::invalid_argument(format!("{field} is out of range: {number}")))
    }
}

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
        /// A validated call, ready to send.
        #[derive(Debug)]
        enum Prepared {
            $($variant($ty),)*
            Wait { post_id: String, options: WaitOptions },
        }

        /// Whether operation `name` takes an idempotency key.
        fn keyed(name: &str) -> bool {
            match name {
                $(<$ty as Endpoint>::NAME => <$ty as Endpoint>::KEYED,)*
                _ => false,
            }
        }

        fn parse_http(name: &str, args: Value, names: Names) -> Option<Result<Prepared>> {
            match name {
                $(<$ty as Endpoint>::NAME => Some(
                    parse_args::<$ty>(args, names)
                        .and_then(|p| p.validate(names).map(|()| Prepared::$variant(p))),
                ),)*
                _ => None,
            }
        }

        async fn send_prepared(
            prepared: Prepared,
            client: &Client,
            options: &RequestOptions,
            names: Names,
        ) -> Result<Response<Value>> {
            match prepared {
                $(Prepared::$variant(params) => {
                    to_json(client.send_checked(&params, options, names).await?)
                })*
                // Handled by `Call::send` before it gets here.
                Prepared::Wait { .. } => Err(Error::invalid_argument("posts.wait sends no single request")),
            }
        }

        /// Every operation the packages expose.
        pub fn operations() -> Vec<OperationInfo> {
            let mut all = vec![$(OperationInfo {
                name: <$ty as Endpoint>::NAME,
                method: Some(method_name(&<$ty as Endpoint>::METHOD)),
                path: <$ty as Endpoint>::PATH,
                idempotent: <$ty as Endpoint>::RETRY == Retry::Idempotent,
            },)*];
            all.push(OperationInfo {
                name: LINKEDIN_CONNECT_URL,
                method: None,
                path: "/profiles/connect",
                idempotent: true,
            });
            all.push(OperationInfo {
                name: WAIT,
                method: None,
                path: "/posts/:postId",
                idempotent: true,
            });
            all
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

/// The local operation that builds the LinkedIn OAuth URL (see [`linkedin_connect_url`]).
pub const LINKEDIN_CONNECT_URL: &str = "profiles.linkedin_connect_url";
/// The polling operation (see [`Client::wait_for_post`]).
pub const WAIT: &str = "posts.wait";

/// A call checked and ready to send: arguments parsed and validated now, so that argument
/// errors are raised when the call is made, not when its future first runs.
#[derive(Debug)]
pub struct Call {
    prepared: Prepared,
    language: Language,
    /// The call's idempotency key, if it is a creation given one.
    idempotency_key: Option<String>,
}

/// Parses and validates the arguments of operation `name`.
pub fn prepare(language: Language, name: &str, args: Value) -> Result<Call> {
    let names = language.names();
    let mut args = normalize(language, args)?;
    let idempotency_key = match args
        .as_object_mut()
        .and_then(|m| m.remove("idempotencyKey"))
    {
        None => None,
        Some(_) if !keyed(name) => {
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
    let prepared = if name == WAIT {
        parse_wait(language, args)?
    } else {
        parse_http(name, args, names).unwrap_or_else(|| {
            Err(Error::invalid_argument(format!(
                "unknown operation {name:?}"
            )))
        })?
    };
    Ok(Call {
        prepared,
        language,
        idempotency_key,
    })
}

impl Call {
    /// Sends the call; the result is the operation's output as JSON (`null` for deletions).
    pub async fn send(self, client: &Client, options: &RequestOptions) -> Result<Response<Value>> {
        let names = self.language.names();
        match self.prepared {
            Prepared::Wait {
                post_id,
                options: mut wait,
            } => {
                wait.request = options.clone();
                let response = client.wait_for_post_checked(&post_id, &wait, names).await?;
                to_json(response)
            }
            prepared => match self.idempotency_key {
                Some(key) => {
                    let options = options.clone().idempotency_key(key);
                    send_prepared(prepared, client, &options, names).await
                }
                None => send_prepared(prepared, client, options, names).await,
            },
        }
    }
}

/// The LinkedIn connect URL, from `{returnUrl, profileKey}` spelled in `language`.
pub fn linkedin_connect_url(client: &Client, language: Language, args: Value) -> Result<String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Args {
        return_url: String,
        #[serde(default)]
        profile_key: Option<String>,
    }
    let names = language.names();
    let args: Args = parse_args(normalize(language, args)?, names)?;
    client.linkedin_connect_url_for(&args.return_url, args.profile_key.as_deref(), names)
}

/// Checks a post's arguments as `posts.create` does before sending (profile key, platforms,
/// content length, Bluesky's 300 graphemes), for tools that check many posts before sending
/// any (`postcore posts import`). Argument names are spelled as in the API (`profileKey`).
pub fn validate_post(params: &CreatePost) -> Result<()> {
    params.validate(Names::CamelCase)
}

/// The documented least time between two scheduled posts of one profile on `platform`
/// (LinkedIn 60 s, Bluesky 1 s); `None` for a platform this SDK does not know.
pub fn post_spacing(platform: &crate::models::Platform) -> Option<Duration> {
    crate::validate::post_spacing(platform)
}

/// The documented posting budget, the default of `ClientBuilder::posting_budget`: requests
/// per window.
pub const POSTING_BUDGET: (u32, Duration) = crate::config::DEFAULT_POSTING_BUDGET;

/// The same configuration with a new, empty connection pool, for a child process after
/// `fork()`, where the parent's sockets and runtime must not be reused.
pub fn with_new_pool(client: &Client) -> Result<Client> {
    client.with_new_pool()
}

/// Every model the packages return and its JSON field names, read off the Rust types
/// themselves (by serializing a sample of each), so that the packages' model classes and type
/// declarations can be checked against the one definition.
pub fn models() -> Vec<(&'static str, Vec<String>)> {
    use crate::models::*;
    use crate::timestamp::Timestamp;
    let at = Some(Timestamp::from_unix(0));
    let connected = ConnectedPlatform {
        platform: Platform::LinkedIn,
        display_name: None,
        username: None,
        connected_at: at,
        expires_at: at,
        days_until_expiry: Some(1),
        needs_reconnect: false,
        extra: Extra::new(),
    };
    let profile = Profile {
        profile_key: String::new(),
        profile_name: None,
        created_at: at,
        connected_platforms: vec![connected.clone()],
        extra: Extra::new(),
    };
    let connection = Connection {
        profile_key: None,
        platform: None,
        username: None,
        display_name: None,
        connected_at: at,
        extra: Extra::new(),
    };
    let post = Post {
        post_id: String::new(),
        profile_key: String::new(),
        platform: Platform::Bluesky,
        content: String::new(),
        scheduled_for: Timestamp::from_unix(0),
        created_at: at,
        published_at: at,
        status: PostStatus::Pending,
        platform_url: None,
        extra: Extra::new(),
    };
    let usage = Usage {
        month: String::new(),
        used: 0,
        limit: 0,
        remaining: 0,
        extra: Extra::new(),
    };
    let scheduled = ScheduledPosts {
        posts: vec![post.clone()],
        usage: Some(usage.clone()),
        extra: Extra::new(),
    };
    fn keys(value: impl serde::Serialize) -> Vec<String> {
        match serde_json::to_value(value) {
            Ok(Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }
    vec![
        ("Profile", keys(profile)),
        ("ConnectedPlatform", keys(connected)),
        ("Connection", keys(connection)),
        ("Post", keys(post)),
        ("Usage", keys(usage)),
        ("ScheduledPosts", keys(scheduled)),
    ]
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
        let expected = match expected {
            "a sequence" => "a list",
            "a string" | "a borrowed string" => "a string",
            "a map" | "struct" => "an object",
            other => other,
        };
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

    fn kind(result: Result<Call>) -> ErrorKind {
        result.err().map_or(ErrorKind::Api, |e| e.kind())
    }

    #[test]
    fn argument_errors_are_typed_and_named_per_language() {
        let err = prepare(
            Language::Python,
            "profiles.create",
            json!({"profile_name": 5}),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgumentType);
        assert_eq!(
            err.message(),
            "profile_name must be a string, not integer `5`"
        );

        let err = prepare(
            Language::Node,
            "profiles.connect_bluesky",
            json!({"handle": "a.bsky.social", "appPassword": "nope"}),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.message().starts_with("appPassword must be"), "{err}");

        let err = prepare(Language::Python, "posts.create", json!({"content": "x"})).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgumentType);
        assert!(err.message().contains("profile_key"), "{err}");

        let args = json!({"profile_key": "p", "content": "x", "platforms": ["linkedin"],
                          "scheduled_for": "tomorrow"});
        assert_eq!(
            kind(prepare(Language::Python, "posts.create", args)),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            kind(prepare(Language::Python, "nope", json!({}))),
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn valid_calls_prepare() {
        let args = json!({"profile_key": "prof_1", "content": "hi", "platforms": ["linkedin", "bluesky"],
                          "scheduled_for": "2030-01-01T00:00:00Z"});
        assert!(prepare(Language::Python, "posts.create", args).is_ok());
        assert!(prepare(Language::Node, "profiles.list", Value::Null).is_ok());
        assert!(
            prepare(
                Language::Node,
                WAIT,
                json!({"postId": "post_1", "interval": 500})
            )
            .is_ok()
        );
        assert_eq!(
            kind(prepare(
                Language::Node,
                WAIT,
                json!({"postId": "post_1", "interval": 0})
            )),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            kind(prepare(
                Language::Python,
                WAIT,
                json!({"post_id": "p", "timeout": "soon"})
            )),
            ErrorKind::InvalidArgumentType
        );
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
    fn every_operation_is_listed_once() {
        let names: Vec<_> = operations().iter().map(|o| o.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert_eq!(names.len(), 10);
    }
}
