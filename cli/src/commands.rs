//! The one-request commands: profiles and posts (all but the import).

use std::io::{BufRead, IsTerminal, Read};

use postcore::{
    AppPassword, Client, ConnectBluesky, Connection, CreatePost, CreateProfile, Post, PostStatus,
    Profile, ScheduledPosts, WaitOptions,
};
use serde_json::json;

use crate::args::{Command, CreatePostArgs, Global, PostsCommand, ProfilesCommand};
use crate::exit::{EXIT_ERROR, EXIT_OK};
use crate::failure::Failure;
use crate::output::{Output, cell, fields, preview, table};

/// The environment variable `connect-bluesky` reads the app password from.
pub(crate) const APP_PASSWORD_VAR: &str = "POSTCORE_BLUESKY_APP_PASSWORD";

pub(crate) async fn run(global: &Global, command: Command, out: &Output) -> Result<i32, Failure> {
    match command {
        Command::Profiles(command) => profiles(global, command, out).await,
        Command::Posts(command) => posts(global, command, out).await,
        // Dispatched before: they manage signals themselves.
        Command::Mock(_) | Command::Mcp(_) | Command::Listen(_) => {
            Err(Failure::Usage("unexpected command".to_owned()))
        }
    }
}

fn client(global: &Global) -> Result<Client, Failure> {
    crate::client::build_client(crate::client::client_builder(global)?)
}

/// Per-call options with the idempotency key, if one was given.
fn keyed(key: Option<String>) -> postcore::RequestOptions {
    let options = postcore::RequestOptions::new();
    match key {
        Some(key) => options.idempotency_key(key),
        None => options,
    }
}

async fn profiles(global: &Global, command: ProfilesCommand, out: &Output) -> Result<i32, Failure> {
    match command {
        ProfilesCommand::Create {
            name,
            idempotency_key,
        } => {
            let client = client(global)?;
            let params = match name {
                Some(name) => CreateProfile::named(name),
                None => CreateProfile::new(),
            };
            let profile = client
                .create_profile_with(params, &keyed(idempotency_key))
                .await?
                .data;
            if out.json {
                out.print_json(&json!({
                    "profileKey": profile.profile_key,
                    "profileName": profile.profile_name,
                }))?;
            } else {
                out.print(&fields(&[
                    ("profileKey", profile.profile_key.clone()),
                    ("profileName", optional(profile.profile_name.as_deref())),
                ]))?;
            }
        }
        ProfilesCommand::List => {
            let profiles = client(global)?.list_profiles().await?;
            if out.json {
                out.print_json(&json!({ "profiles": profiles }))?;
            } else if profiles.is_empty() {
                out.print("no profiles\n")?;
            } else {
                out.print(&profiles_table(&profiles))?;
            }
        }
        ProfilesCommand::Delete { profile_key } => {
            client(global)?.delete_profile(&profile_key).await?;
            if out.json {
                out.print_json(&json!({ "message": "Profile deleted successfully" }))?;
            } else {
                out.print(&format!("deleted profile {profile_key}\n"))?;
            }
        }
        ProfilesCommand::LinkedinConnectUrl {
            return_url,
            profile,
        } => {
            let url = postcore::bindings::linkedin_connect_url_for_flags(
                &client(global)?,
                &return_url,
                profile.as_deref(),
            )?;
            // The URL is what was asked for, key included; say so where a person reads it.
            if std::io::stdout().is_terminal() {
                out.note(
                    "note: this URL contains your API key: redirect the end-user's browser to it \
                     from your server, never put it in a page or an app",
                );
            }
            if out.json {
                out.print_json(&json!({ "url": url }))?;
            } else {
                out.print(&format!("{url}\n"))?;
            }
        }
        ProfilesCommand::ConnectBluesky {
            handle,
            profile,
            idempotency_key,
        } => {
            let client = client(global)?;
            let password = read_app_password()?;
            let mut params = ConnectBluesky::new(handle, password);
            if let Some(key) = profile {
                params = params.profile_key(key);
            }
            let connection = client
                .connect_bluesky_with(params, &keyed(idempotency_key))
                .await?
                .data;
            if out.json {
                out.print_json(&connection)?;
            } else {
                out.print(&connection_fields(&connection))?;
            }
        }
        ProfilesCommand::Import(_) => {
            return Err(Failure::Usage("unexpected command".to_owned()));
        }
    }
    Ok(EXIT_OK)
}

async fn posts(global: &Global, command: PostsCommand, out: &Output) -> Result<i32, Failure> {
    match command {
        PostsCommand::Create(args) => {
            let options = keyed(args.idempotency_key.clone());
            let params = create_post_params(args)?;
            let scheduled = client(global)?
                .create_post_with(params, &options)
                .await?
                .data;
            if out.json {
                out.print_json(&scheduled)?;
            } else {
                out.print(&scheduled_text(&scheduled))?;
            }
        }
        PostsCommand::Import(_) => {
            return Err(Failure::Usage("unexpected command".to_owned()));
        }
        PostsCommand::List => {
            let posts = client(global)?.list_posts().await?;
            if out.json {
                out.print_json(&json!({ "posts": posts }))?;
            } else if posts.is_empty() {
                out.print("no posts\n")?;
            } else {
                out.print(&posts_table(&posts))?;
            }
        }
        PostsCommand::Retrieve { post_id } => {
            let post = client(global)?.retrieve_post(&post_id).await?;
            print_post(out, &post)?;
        }
        PostsCommand::Delete { post_id } => {
            client(global)?.delete_post(&post_id).await?;
            if out.json {
                out.print_json(&json!({ "message": "Post deleted successfully" }))?;
            } else {
                out.print(&format!("deleted post {post_id}\n"))?;
            }
        }
        PostsCommand::Wait {
            post_id,
            timeout,
            interval,
        } => {
            let mut options = WaitOptions::new();
            if let Some(timeout) = timeout {
                options = options.timeout(timeout);
            }
            if let Some(interval) = interval {
                options = options.interval(interval);
            }
            let post = client(global)?.wait_for_post(&post_id, &options).await?;
            print_post(out, &post)?;
            if post.status != PostStatus::Published {
                let reason = post
                    .extra
                    .get("failureReason")
                    .and_then(|v| v.as_str())
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                out.error_line(&format!("post {} {}{reason}", post.post_id, post.status));
                return Ok(EXIT_ERROR);
            }
        }
    }
    Ok(EXIT_OK)
}

fn create_post_params(args: CreatePostArgs) -> Result<CreatePost, Failure> {
    let content = match (args.content.content, args.content.content_file) {
        (Some(text), _) => text,
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::Usage(format!("cannot read the content from stdin: {e}")))?;
            text
        }
        (None, Some(path)) => std::fs::read_to_string(&path).map_err(|e| {
            Failure::Usage(format!(
                "--content-file: cannot read {}: {e}",
                path.display()
            ))
        })?,
        (None, None) => {
            return Err(Failure::Usage(
                "give the text with --content or --content-file".to_owned(),
            ));
        }
    };
    let mut platforms: Vec<postcore::Platform> = Vec::new();
    for platform in args.platforms {
        let platform = postcore::Platform::from(platform);
        if !platforms.contains(&platform) {
            platforms.push(platform);
        }
    }
    Ok(CreatePost::new(args.profile, content, platforms, args.at))
}

/// The app password: `POSTCORE_BLUESKY_APP_PASSWORD` if set, else one line of stdin (read
/// without echo on a terminal).
fn read_app_password() -> Result<AppPassword, Failure> {
    if let Ok(password) = std::env::var(APP_PASSWORD_VAR) {
        if !password.is_empty() {
            return Ok(AppPassword::new(password));
        }
    }
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        let term = console::Term::stderr();
        let _ = term.write_str("Bluesky app password: ");
        term.read_secure_line()
            .map_err(|e| Failure::Usage(format!("cannot read the app password: {e}")))?
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::Usage(format!("cannot read the app password from stdin: {e}")))?;
        line
    };
    let password = line.trim_end_matches(['\r', '\n']).trim();
    if password.is_empty() {
        return Err(Failure::Usage(format!(
            "no app password: pipe it on stdin (one line) or set {APP_PASSWORD_VAR}"
        )));
    }
    Ok(AppPassword::new(password))
}

fn optional(value: Option<&str>) -> String {
    value.map_or_else(|| "-".to_owned(), cell)
}

fn timestamp(value: Option<&postcore::Timestamp>) -> String {
    value.map_or_else(|| "-".to_owned(), ToString::to_string)
}

fn profiles_table(profiles: &[Profile]) -> String {
    let rows: Vec<Vec<String>> = profiles
        .iter()
        .map(|p| {
            let connected: Vec<String> = p
                .connected_platforms
                .iter()
                .map(|c| {
                    let who = c.username.as_deref().map(cell).unwrap_or_default();
                    let mut text = format!("{} {who}", c.platform).trim_end().to_owned();
                    if c.needs_reconnect {
                        text.push_str(" (reconnect)");
                    } else if let Some(days) = c.days_until_expiry {
                        text.push_str(&format!(" ({days} d left)"));
                    }
                    text
                })
                .collect();
            vec![
                p.profile_key.clone(),
                optional(p.profile_name.as_deref()),
                timestamp(p.created_at.as_ref()),
                if connected.is_empty() {
                    "-".to_owned()
                } else {
                    connected.join(", ")
                },
            ]
        })
        .collect();
    table(&["PROFILE KEY", "NAME", "CREATED", "CONNECTED"], &rows)
}

fn posts_table(posts: &[Post]) -> String {
    let rows: Vec<Vec<String>> = posts
        .iter()
        .map(|p| {
            vec![
                p.post_id.clone(),
                p.profile_key.clone(),
                p.platform.to_string(),
                p.status.to_string(),
                p.scheduled_for.to_string(),
                preview(&p.content, 40),
            ]
        })
        .collect();
    table(
        &[
            "POST ID",
            "PROFILE KEY",
            "PLATFORM",
            "STATUS",
            "SCHEDULED FOR",
            "CONTENT",
        ],
        &rows,
    )
}

fn print_post(out: &Output, post: &Post) -> Result<(), Failure> {
    if out.json {
        return out.print_json(&json!({ "post": post }));
    }
    let mut pairs = vec![
        ("postId", post.post_id.clone()),
        ("profileKey", post.profile_key.clone()),
        ("platform", post.platform.to_string()),
        ("status", post.status.to_string()),
        ("scheduledFor", post.scheduled_for.to_string()),
        ("createdAt", timestamp(post.created_at.as_ref())),
        ("publishedAt", timestamp(post.published_at.as_ref())),
        ("platformUrl", optional(post.platform_url.as_deref())),
    ];
    if let Some(reason) = post.extra.get("failureReason").and_then(|v| v.as_str()) {
        pairs.push(("failureReason", cell(reason)));
    }
    pairs.push(("content", cell(&post.content)));
    out.print(&fields(&pairs))
}

fn scheduled_text(scheduled: &ScheduledPosts) -> String {
    let rows: Vec<Vec<String>> = scheduled
        .posts
        .iter()
        .map(|p| {
            vec![
                p.post_id.clone(),
                p.platform.to_string(),
                p.status.to_string(),
                p.scheduled_for.to_string(),
            ]
        })
        .collect();
    let mut text = table(&["POST ID", "PLATFORM", "STATUS", "SCHEDULED FOR"], &rows);
    if let Some(usage) = &scheduled.usage {
        text.push_str(&format!(
            "usage: {} of {} posts in {} ({} left)\n",
            usage.used,
            usage.limit,
            cell(&usage.month),
            usage.remaining
        ));
    }
    text
}

fn connection_fields(connection: &Connection) -> String {
    fields(&[
        ("profileKey", optional(connection.profile_key.as_deref())),
        (
            "platform",
            connection
                .platform
                .as_ref()
                .map_or_else(|| "-".to_owned(), ToString::to_string),
        ),
        ("username", optional(connection.username.as_deref())),
        ("displayName", optional(connection.display_name.as_deref())),
        ("connectedAt", timestamp(connection.connected_at.as_ref())),
    ])
}
