//! The tools' arguments: one struct per tool, which is both the JSON schema the tool
//! advertises (schemars, doc comments as descriptions) and what a call's arguments are parsed
//! into (serde, unknown arguments refused). Values the schema cannot express are checked by the
//! SDK before anything is sent (`crate::mcp::tools`).

use std::sync::Arc;

use rmcp::model::JsonObject;
use rmcp::schemars::{self, JsonSchema};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::result::ToolError;

/// The tool's input schema (root `type: object`, draft 2020-12, as rmcp generates it).
/// Always with `properties` (`{}` for a tool without arguments), which some clients require;
/// descriptions on one line (doc comments are wrapped at 100 columns).
pub(crate) fn input_schema<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    use rmcp::handler::server::common::{schema_for_empty_input, schema_for_input};
    let Ok(schema) = schema_for_input::<T>() else {
        return schema_for_empty_input();
    };
    let mut schema = Value::Object(schema.as_ref().clone());
    unwrap_descriptions(&mut schema);
    let Value::Object(mut schema) = schema else {
        return schema_for_empty_input();
    };
    schema
        .entry("properties")
        .or_insert_with(|| Value::Object(JsonObject::new()));
    Arc::new(schema)
}

fn unwrap_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(text) if key == "description" => {
                        *text = text.replace('\n', " ");
                    }
                    other => unwrap_descriptions(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// A call's arguments as the tool's struct; what the schema refuses is an argument error
/// naming the argument (answered as a tool error, never a protocol error).
pub(crate) fn parse<T: DeserializeOwned>(tool: &str, args: JsonObject) -> Result<T, ToolError> {
    serde_path_to_error::deserialize::<_, T>(Value::Object(args)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let detail = if path == "." {
            message
        } else {
            format!("{path}: {message}")
        };
        ToolError::invalid(format!("invalid arguments for {tool}: {detail}"))
    })
}

/// `list_profiles`: no arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoArgs {}

/// `create_profile`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateProfileArgs {
    /// A label for the end-user this profile stands for, e.g. "User: john@example.com".
    /// Creating again with the same name returns the same profile instead of a second one.
    #[serde(default)]
    pub(crate) profile_name: Option<String>,
}

/// `delete_profile`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileKeyArgs {
    /// The profile's key, e.g. "prof_abc123def456", exactly as list_profiles shows it.
    pub(crate) profile_key: String,
}

/// A platform postcore posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub(crate) enum PlatformName {
    Linkedin,
    Bluesky,
}

impl From<PlatformName> for postcore::Platform {
    fn from(platform: PlatformName) -> Self {
        match platform {
            PlatformName::Linkedin => Self::LinkedIn,
            PlatformName::Bluesky => Self::Bluesky,
        }
    }
}

/// `schedule_post`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SchedulePostArgs {
    /// The profile to post for, exactly as list_profiles shows it. Never guess one: if the
    /// request could mean several profiles, ask which.
    pub(crate) profile_key: String,
    /// Where to post: "linkedin", "bluesky" or both, each connected to the profile. One post is
    /// created per platform.
    #[schemars(length(min = 1, max = 2), extend("uniqueItems" = true))]
    pub(crate) platforms: Vec<PlatformName>,
    /// When to publish: ISO 8601 with a UTC offset, in the future, e.g. "2025-01-15T14:00:00Z"
    /// or "2025-01-15T16:00:00+02:00".
    #[schemars(extend("format" = "date-time"))]
    pub(crate) scheduled_for: String,
    /// The text: at most 3000 characters, and at most 300 characters (graphemes) when Bluesky
    /// is among the platforms.
    #[schemars(length(min = 1, max = 3000))]
    pub(crate) content: String,
    /// true: check everything (content rules, the profile's spacing of posts) and return what
    /// would be sent, without sending it.
    #[serde(default)]
    pub(crate) dry_run: bool,
}

/// The status of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub(crate) enum StatusName {
    Pending,
    Published,
    Failed,
}

impl StatusName {
    pub(crate) fn matches(self, status: &postcore::PostStatus) -> bool {
        status.as_str()
            == match self {
                Self::Pending => "pending",
                Self::Published => "published",
                Self::Failed => "failed",
            }
    }
}

/// `list_posts`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListPostsArgs {
    /// Only the posts of this profile.
    #[serde(default)]
    pub(crate) profile_key: Option<String>,
    /// Only the posts with this status.
    #[serde(default)]
    pub(crate) status: Option<StatusName>,
}

/// `get_post`, `cancel_post`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PostIdArgs {
    /// The post's id, e.g. "post_abc123", as schedule_post or list_posts returned it.
    pub(crate) post_id: String,
}

/// The longest `wait_for_post` waits, in seconds.
pub(crate) const MAX_WAIT_SECONDS: f64 = 3600.0;

/// How long `wait_for_post` waits when not told, in seconds.
fn default_wait_seconds() -> f64 {
    60.0
}

/// `wait_for_post`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WaitForPostArgs {
    /// The post's id, e.g. "post_abc123".
    pub(crate) post_id: String,
    /// Give up after this many seconds and return the post as last seen (at most 3600).
    #[serde(default = "default_wait_seconds")]
    #[schemars(range(min = 0.001, max = 3600.0))]
    pub(crate) timeout_seconds: f64,
    /// Seconds between polls once the post is due (default 10; stretched to stay inside the
    /// API's rate limit).
    #[serde(default)]
    #[schemars(range(min = 0.001, max = 3600.0))]
    pub(crate) interval_seconds: Option<f64>,
}

/// The most days `connection_health` looks ahead (a LinkedIn connection lasts 60 days).
pub(crate) const MAX_WITHIN_DAYS: u32 = 365;
/// How far `connection_health` looks ahead when not told, in days.
fn default_within_days() -> u32 {
    7
}

/// `connection_health`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConnectionHealthArgs {
    /// Report connections that expire within this many days (LinkedIn connections last 60
    /// days; Bluesky ones do not expire).
    #[serde(default = "default_within_days")]
    #[schemars(range(max = 365))]
    pub(crate) within_days: u32,
    /// Only this profile.
    #[serde(default)]
    pub(crate) profile_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => map,
            _ => JsonObject::new(),
        }
    }

    #[test]
    fn refusals_name_the_argument() {
        let err = parse::<SchedulePostArgs>("schedule_post", object(json!({"profile_key": 5})))
            .unwrap_err();
        assert!(err.message.contains("profile_key: invalid type"), "{err:?}");
        let err =
            parse::<PostIdArgs>("get_post", object(json!({"post_id": "p", "x": 1}))).unwrap_err();
        assert!(err.message.contains("unknown field `x`"), "{err:?}");
        let err = parse::<PostIdArgs>("get_post", JsonObject::new()).unwrap_err();
        assert!(err.message.contains("missing field `post_id`"), "{err:?}");
        let err = parse::<SchedulePostArgs>(
            "schedule_post",
            object(json!({"profile_key": "p", "platforms": ["myspace"], "scheduled_for": "x", "content": "c"})),
        )
        .unwrap_err();
        assert!(
            err.message.contains("platforms[0]: unknown variant"),
            "{err:?}"
        );
    }

    #[test]
    fn schemas_are_objects_with_the_arguments() {
        let schema = input_schema::<SchedulePostArgs>();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(
            schema["required"],
            json!(["profile_key", "platforms", "scheduled_for", "content"])
        );
        assert_eq!(
            schema["properties"]["platforms"]["items"]["enum"],
            json!(["linkedin", "bluesky"])
        );
        assert_eq!(schema["properties"]["scheduled_for"]["format"], "date-time");
        let description = schema["properties"]["profile_key"]["description"].as_str();
        assert!(description.is_some_and(|d| d.contains("the request") && !d.contains('\n')));
        let empty = input_schema::<NoArgs>();
        assert_eq!(empty["type"], "object");
        assert_eq!(empty["properties"], json!({}));
    }
}
