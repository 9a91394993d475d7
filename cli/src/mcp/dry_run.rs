//! `schedule_post` with `dry_run: true`: what would be sent and every check, with nothing sent.
//! It reads (`GET /profiles`, `GET /posts`: the profile's connections, its posts, the server's
//! clock from the `Date` header) but never posts. The rules are the SDK's: the content rules
//! and the per-profile spacing live in core.

use postcore::bindings::{check_post, content_checks, spacing_checks};
use postcore::{Client, CreatePost, Profile, RequestOptions, Timestamp};
use serde_json::{Value, json};

use super::result::{HOW_TO_CONNECT, ToolError};

/// The report: `ok` when the post passes every check, `problems` in words, the `request` that
/// would be sent, the idempotency key it would carry, and each check with its numbers.
pub(crate) async fn report(
    client: &Client,
    params: &CreatePost,
    key: &str,
) -> Result<Value, ToolError> {
    let mut problems: Vec<String> = Vec::new();
    if let Err(error) = check_post(params) {
        problems.push(error.message().to_owned());
    }
    let content: Vec<Value> = content_checks(&params.content, &params.platforms)
        .iter()
        .map(|check| {
            json!({
                "rule": check.rule.as_str(),
                "count": check.count,
                "limit": check.limit,
                "ok": check.ok(),
            })
        })
        .collect();

    let options = RequestOptions::default();
    let (profiles, posts) = tokio::join!(client.list_profiles(), client.list_posts_with(&options));
    let (profiles, posts) = (profiles?, posts?);
    let server_now = posts
        .headers
        .get("date")
        .and_then(|value| value.to_str().ok())
        .and_then(Timestamp::parse_http_date);

    let spacing: Vec<Value> = spacing_checks(params, &posts.data)
        .iter()
        .map(|check| {
            if let Some(next) = check.next_available() {
                problems.push(format!(
                    "{} requires {} s between the posts of a profile: {} already scheduled \
                     near {}; the next free time is {next}",
                    check.platform.display_name(),
                    check.spacing.as_secs(),
                    check
                        .conflicts
                        .iter()
                        .map(|p| format!("{} at {}", p.post_id, p.scheduled_for))
                        .collect::<Vec<_>>()
                        .join(", "),
                    params.scheduled_for,
                ));
            }
            json!({
                "platform": check.platform,
                "spacingSeconds": check.spacing.as_secs(),
                "ok": check.ok(),
                "conflicts": check.conflicts.iter().map(|p| json!({
                    "postId": p.post_id,
                    "scheduledFor": p.scheduled_for,
                    "status": p.status,
                })).collect::<Vec<_>>(),
                "nextAvailable": check.next_available(),
            })
        })
        .collect();

    let profile = profiles
        .iter()
        .find(|p| p.profile_key == params.profile_key);
    let connections = connection_checks(profile, params, &mut problems);

    let in_future = server_now.map(|now| params.scheduled_for > now);
    if in_future == Some(false) {
        problems.push(format!(
            "scheduled_for ({}) is not in the future (the server's time is {})",
            params.scheduled_for,
            server_now.map(|t| t.to_string()).unwrap_or_default()
        ));
    }

    Ok(json!({
        "dryRun": true,
        "sent": false,
        "ok": problems.is_empty(),
        "problems": problems,
        "request": {
            "method": "POST",
            "path": "/posts",
            "body": params,
        },
        "idempotencyKey": key,
        "checks": {
            "content": content,
            "spacing": spacing,
            "connections": connections,
            "scheduledFor": {
                "value": params.scheduled_for,
                "serverTime": server_now,
                "inFuture": in_future,
            },
        },
    }))
}

/// Whether the profile exists and each platform is connected and usable at `scheduledFor`
/// (a LinkedIn connection that needs reconnecting, or expires before then, fails the post
/// when it is due).
fn connection_checks(
    profile: Option<&Profile>,
    params: &CreatePost,
    problems: &mut Vec<String>,
) -> Value {
    let Some(profile) = profile else {
        problems.push(format!(
            "no profile has the key {:?} (check it with list_profiles; never guess one)",
            params.profile_key
        ));
        return json!({ "profileFound": false });
    };
    let platforms: Vec<Value> = params
        .platforms
        .iter()
        .map(|platform| {
            let connection = profile
                .connected_platforms
                .iter()
                .find(|c| c.platform == *platform);
            let problem = match connection {
                None => Some(format!(
                    "{} is not connected to the profile; {HOW_TO_CONNECT}",
                    platform.display_name()
                )),
                Some(c) if c.needs_reconnect => Some(format!(
                    "the {} connection needs reconnecting, so the post would fail; \
                     {HOW_TO_CONNECT}",
                    platform.display_name()
                )),
                Some(c) if c.expires_at.is_some_and(|at| at <= params.scheduled_for) => {
                    Some(format!(
                        "the {} connection expires before the post is due, so it would fail \
                         unless it is reconnected first; {HOW_TO_CONNECT}",
                        platform.display_name()
                    ))
                }
                Some(_) => None,
            };
            let ok = problem.is_none();
            problems.extend(problem);
            json!({
                "platform": platform,
                "connected": connection.is_some(),
                "ok": ok,
            })
        })
        .collect();
    json!({ "profileFound": true, "platforms": platforms })
}
