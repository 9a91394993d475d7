//! The tools: what each one is called, says and promises (annotations), and what it does with
//! the SDK. Arguments are parsed by `schema` and checked by the SDK before any request; the
//! LinkedIn connect URL (it holds the API key) and Bluesky connections (an app password) are
//! deliberately not tools.

use std::sync::Arc;
use std::time::Duration;

use postcore::{Client, CreatePost, CreateProfile, Platform, Profile, Timestamp, WaitOptions};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

use super::result::{HOW_TO_CONNECT, ToolError};
use super::schema::{self, parse};
use super::{dry_run, idempotency};

/// One tool as advertised.
pub(crate) struct ToolSpec {
    pub(crate) name: &'static str,
    title: &'static str,
    description: &'static str,
    /// Changes nothing (offered with `--read-only`).
    pub(crate) read_only: bool,
    /// Deletes something for good.
    destructive: bool,
    /// Reaches beyond the postcore account (scheduling publishes to social networks).
    open_world: bool,
    schema: fn() -> Arc<JsonObject>,
}

impl ToolSpec {
    /// The MCP definition: name, title, description, input schema, annotations.
    pub(crate) fn definition(&self) -> Tool {
        let annotations = ToolAnnotations::with_title(self.title)
            .read_only(self.read_only)
            .open_world(self.open_world);
        let annotations = if self.read_only {
            annotations
        } else {
            // Every tool that changes something is safe to repeat: creates carry an
            // idempotency key derived from their arguments, deletes of what is gone change
            // nothing more.
            annotations.destructive(self.destructive).idempotent(true)
        };
        Tool::new(self.name, self.description, (self.schema)())
            .with_title(self.title)
            .with_annotations(annotations)
    }
}

/// Every tool, in the order they are listed.
pub(crate) const TOOLS: &[ToolSpec] = &[
    ToolSpec {
        name: "list_profiles",
        title: "List profiles",
        description: "List every profile of the postcore account with its connected accounts \
            (platform, username, LinkedIn expiry, needsReconnect). A profile stands for one \
            end-user of the app. Use it to find the profileKey a request is about; if several \
            profiles could match, ask the user which one: never guess a key.",
        read_only: true,
        destructive: false,
        open_world: false,
        schema: schema::input_schema::<schema::NoArgs>,
    },
    ToolSpec {
        name: "create_profile",
        title: "Create a profile",
        description: "Create a profile for one end-user of the app and return its profileKey. \
            Calling it again with the same profile_name returns the first profile instead of \
            creating another (an idempotency key is derived from the arguments), so give each \
            end-user a distinct name, e.g. \"User: john@example.com\". A new profile has no \
            connected accounts: accounts are connected by a person, not through this server: \
            LinkedIn in the end-user's browser through the connect link the app's server \
            builds, Bluesky with an app password the end-user gives the app.",
        read_only: false,
        destructive: false,
        open_world: false,
        schema: schema::input_schema::<schema::CreateProfileArgs>,
    },
    ToolSpec {
        name: "delete_profile",
        title: "Delete a profile",
        description: "Delete a profile together with its connected accounts and its pending \
            posts. Destructive, cannot be undone: only when the user asked for exactly this \
            profile to be deleted; confirm its profile_key with list_profiles first.",
        read_only: false,
        destructive: true,
        open_world: false,
        schema: schema::input_schema::<schema::ProfileKeyArgs>,
    },
    ToolSpec {
        name: "schedule_post",
        title: "Schedule a post",
        description: "Schedule a post for one profile on LinkedIn and/or Bluesky at a given \
            time (one post per platform; there is no \"publish now\": choose a time at least a \
            minute ahead). profile_key must come from list_profiles or the user, never be \
            guessed. Checked before sending: content at most 3000 characters, and at most 300 \
            graphemes when Bluesky is a platform. dry_run: true returns what would be sent and \
            every check (content length, the profile's spacing of posts: LinkedIn 60 s apart, \
            Bluesky 1 s; connected platforms; a time in the future) without sending anything. \
            Repeating the same call does not create a second post (an idempotency key is \
            derived from the arguments). Platforms must be connected to the profile; accounts \
            are connected by a person, not through this server.",
        read_only: false,
        destructive: false,
        open_world: true,
        schema: schema::input_schema::<schema::SchedulePostArgs>,
    },
    ToolSpec {
        name: "list_posts",
        title: "List posts",
        description: "List scheduled, published and failed posts, optionally only those of one \
            profile and/or one status. Each post has postId, profileKey, platform, content, \
            scheduledFor, status (pending, published, failed) and platformUrl once published.",
        read_only: true,
        destructive: false,
        open_world: false,
        schema: schema::input_schema::<schema::ListPostsArgs>,
    },
    ToolSpec {
        name: "get_post",
        title: "Get a post",
        description: "Read one post by its postId: status (pending, published, failed), \
            platformUrl once published, failureReason when it failed.",
        read_only: true,
        destructive: false,
        open_world: false,
        schema: schema::input_schema::<schema::PostIdArgs>,
    },
    ToolSpec {
        name: "cancel_post",
        title: "Cancel a post",
        description: "Cancel a pending post so that it is never published (it is deleted). \
            Destructive, cannot be undone; only pending posts can be cancelled.",
        read_only: false,
        destructive: true,
        open_world: false,
        schema: schema::input_schema::<schema::PostIdArgs>,
    },
    ToolSpec {
        name: "wait_for_post",
        title: "Wait for a post",
        description: "Wait until a post is published or has failed, and return it. Gives up \
            after timeout_seconds (default 60) with a WAIT_TIMEOUT error that \
            carries the post as last seen. Polls no earlier than the post is due and within \
            the API's rate limit. Meant for posts due within minutes; for later ones use \
            get_post.",
        read_only: true,
        destructive: false,
        open_world: false,
        schema: schema::input_schema::<schema::WaitForPostArgs>,
    },
    ToolSpec {
        name: "connection_health",
        title: "Check connections",
        description: "Find the connected accounts that need attention: LinkedIn connections \
            that must be reconnected (expired or revoked) or that expire within within_days \
            days (default 7). Bluesky connections do not expire. Reconnecting is done by a \
            person, not through this server: the end-user opens the LinkedIn connect link the \
            app's server builds.",
        read_only: true,
        destructive: false,
        open_world: false,
        schema: schema::input_schema::<schema::ConnectionHealthArgs>,
    },
];

/// The tool called `name`, if this server has one.
pub(crate) fn find(name: &str) -> Option<&'static ToolSpec> {
    TOOLS.iter().find(|tool| tool.name == name)
}

/// Runs tool `name` (one of [`TOOLS`]) with its arguments.
pub(crate) async fn call(
    client: &Client,
    name: &str,
    args: JsonObject,
) -> Result<Value, ToolError> {
    match name {
        "list_profiles" => {
            let schema::NoArgs {} = parse(name, args)?;
            Ok(json!({ "profiles": client.list_profiles().await? }))
        }
        "create_profile" => {
            let args: schema::CreateProfileArgs = parse(name, args)?;
            let key = idempotency::create_profile_key(args.profile_name.as_deref());
            let params = CreateProfile {
                profile_name: args.profile_name,
            };
            let profile = client
                .create_profile_with(params, &idempotency::request_options(&key))
                .await?
                .into_data();
            Ok(json!({
                "profileKey": profile.profile_key,
                "profileName": profile.profile_name,
            }))
        }
        "delete_profile" => {
            let args: schema::ProfileKeyArgs = parse(name, args)?;
            client.delete_profile(&args.profile_key).await?;
            Ok(json!({ "deleted": true, "profileKey": args.profile_key }))
        }
        "schedule_post" => schedule_post(client, parse(name, args)?).await,
        "list_posts" => {
            let args: schema::ListPostsArgs = parse(name, args)?;
            let posts: Vec<_> = client
                .list_posts()
                .await?
                .into_iter()
                .filter(|post| {
                    args.profile_key
                        .as_ref()
                        .is_none_or(|key| post.profile_key == *key)
                        && args
                            .status
                            .is_none_or(|status| status.matches(&post.status))
                })
                .collect();
            Ok(json!({ "count": posts.len(), "posts": posts }))
        }
        "get_post" => {
            let args: schema::PostIdArgs = parse(name, args)?;
            Ok(json!({ "post": client.retrieve_post(&args.post_id).await? }))
        }
        "cancel_post" => {
            let args: schema::PostIdArgs = parse(name, args)?;
            client.delete_post(&args.post_id).await?;
            Ok(json!({ "cancelled": true, "postId": args.post_id }))
        }
        "wait_for_post" => {
            let args: schema::WaitForPostArgs = parse(name, args)?;
            let timeout = seconds("timeout_seconds", Some(args.timeout_seconds))?;
            let mut options = WaitOptions::new();
            options.timeout = timeout;
            if let Some(interval) = seconds("interval_seconds", args.interval_seconds)? {
                options = options.interval(interval);
            }
            let post = client.wait_for_post(&args.post_id, &options).await?;
            Ok(json!({ "post": post }))
        }
        "connection_health" => connection_health(client, parse(name, args)?).await,
        other => Err(ToolError::unknown_tool(format!("no tool named {other:?}"))),
    }
}

/// A number of seconds from 0.001 to [`schema::MAX_WAIT_SECONDS`].
fn seconds(name: &str, value: Option<f64>) -> Result<Option<Duration>, ToolError> {
    match value {
        None => Ok(None),
        Some(s) if (0.001..=schema::MAX_WAIT_SECONDS).contains(&s) => {
            Ok(Some(Duration::from_secs_f64(s)))
        }
        Some(s) => Err(ToolError::invalid(format!(
            "{name} must be between 0.001 and {} seconds, got {s}",
            schema::MAX_WAIT_SECONDS
        ))),
    }
}

async fn schedule_post(
    client: &Client,
    args: schema::SchedulePostArgs,
) -> Result<Value, ToolError> {
    let scheduled_for = Timestamp::parse(&args.scheduled_for)
        .map_err(|e| ToolError::invalid(format!("scheduled_for: {e}")))?;
    let platforms: Vec<Platform> = args.platforms.iter().map(|&p| p.into()).collect();
    let params = CreatePost::new(args.profile_key, args.content, platforms, scheduled_for);
    let key = idempotency::schedule_post_key(&params);
    if args.dry_run {
        return dry_run::report(client, &params, &key).await;
    }
    let scheduled = client
        .create_post_with(params, &idempotency::request_options(&key))
        .await?
        .into_data();
    Ok(json!(scheduled))
}

async fn connection_health(
    client: &Client,
    args: schema::ConnectionHealthArgs,
) -> Result<Value, ToolError> {
    let within_days = args.within_days;
    if within_days > schema::MAX_WITHIN_DAYS {
        return Err(ToolError::invalid(format!(
            "within_days must be at most {}, got {within_days}",
            schema::MAX_WITHIN_DAYS
        )));
    }
    let profiles: Vec<Profile> = client
        .list_profiles()
        .await?
        .into_iter()
        .filter(|p| {
            args.profile_key
                .as_ref()
                .is_none_or(|k| p.profile_key == *k)
        })
        .collect();
    if let (Some(key), true) = (&args.profile_key, profiles.is_empty()) {
        return Err(ToolError::local(
            "PROFILE_NOT_FOUND",
            format!("no profile has the key {key:?}"),
        )
        .with_hint("check the key with list_profiles; never guess one"));
    }
    let mut attention = Vec::new();
    for profile in &profiles {
        for connection in &profile.connected_platforms {
            let expiring = connection
                .days_until_expiry
                .is_some_and(|days| days <= i64::from(within_days));
            if !connection.needs_reconnect && !expiring {
                continue;
            }
            attention.push(json!({
                "profileKey": profile.profile_key,
                "profileName": profile.profile_name,
                "platform": connection.platform,
                "username": connection.username,
                "problem": if connection.needs_reconnect { "needs_reconnect" } else { "expires_soon" },
                "needsReconnect": connection.needs_reconnect,
                "expiresAt": connection.expires_at,
                "daysUntilExpiry": connection.days_until_expiry,
            }));
        }
    }
    Ok(json!({
        "ok": attention.is_empty(),
        "withinDays": within_days,
        "profilesChecked": profiles.len(),
        "connections": attention,
        "howToReconnect": HOW_TO_CONNECT,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_are_unique_and_annotated() {
        let mut names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TOOLS.len());
        for tool in TOOLS {
            let definition = tool.definition();
            let annotations = definition.annotations.as_ref().expect("annotations");
            assert_eq!(annotations.read_only_hint, Some(tool.read_only));
            let publishes = tool.name == "schedule_post";
            assert_eq!(
                annotations.open_world_hint,
                Some(publishes),
                "{}",
                tool.name
            );
            if !tool.read_only {
                assert_eq!(annotations.destructive_hint, Some(tool.destructive));
            }
            assert_eq!(definition.input_schema["type"], "object", "{}", tool.name);
        }
        let destructive: Vec<&str> = TOOLS
            .iter()
            .filter(|t| t.destructive)
            .map(|t| t.name)
            .collect();
        assert_eq!(destructive, ["delete_profile", "cancel_post"]);
    }

    #[test]
    fn no_tool_connects_accounts() {
        for tool in TOOLS {
            assert!(!tool.name.contains("connect_"), "{}", tool.name);
        }
    }
}
