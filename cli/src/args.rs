//! The command line grammar (clap derive). Values that can be checked without the network
//! (timestamps, durations, platforms) are checked here, so a typo is a usage error (exit 2).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Command line for the postcore API: profiles, posts, a resumable bulk import, events and
/// webhooks, a local server.
///
/// Reads the API key from POSTCORE_API_KEY (or the variable named by --api-key-env; the key is
/// never taken from the command line) and the API root from POSTCORE_BASE_URL or --base-url.
/// Exit status: 0 ok, 1 API or network error, 2 usage error, 130 interrupted.
#[derive(Debug, Parser)]
#[command(
    name = "postcore",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts, before or after the command name.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Print the API's JSON instead of tables (errors go to stderr as JSON too)
    #[arg(long, global = true)]
    pub json: bool,
    /// Name of the environment variable that holds the API key [default: POSTCORE_API_KEY]
    #[arg(long, global = true, value_name = "NAME")]
    pub api_key_env: Option<String>,
    /// API root [default: $POSTCORE_BASE_URL, else https://api.postcore.dev]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Per-attempt timeout of each HTTP request, in seconds [default: 60]
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_seconds)]
    pub request_timeout: Option<Duration>,
    /// Where the rate budget (and `listen`'s position) is shared with the other processes using
    /// the key:
    /// sqlite:///absolute/path.db (one host) or redis://host[:port][/db] (many hosts)
    /// [default: $POSTCORE_STORE, else this process alone]
    #[arg(long, global = true, value_name = "URL")]
    pub store: Option<String>,
    /// The posting budget, N requests per SECONDS (default: the documented 100/3600). For
    /// tests against `postcore mock` with short windows.
    #[arg(long, global = true, value_name = "N/SECONDS", value_parser = parse_budget, hide = true)]
    pub posting_budget: Option<(u32, Duration)>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Profiles: one per end-user of your app
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// Scheduled posts
    #[command(subcommand)]
    Posts(PostsCommand),
    /// Follow what happens to the account's posts, profiles and connections (events, found by
    /// polling): print each one, or POST each one, signed, to your app with --forward-to
    Listen(ListenArgs),
    /// Run the local postcore-compatible server (postcore-mock) in the foreground; `postcore
    /// mock advance 1h` moves a running one's clock
    Mock(MockArgs),
    /// Serve the postcore tools to AI agents: a Model Context Protocol server on stdin/stdout
    Mcp(McpArgs),
}

/// `postcore mcp`.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// Offer only the tools that change nothing (list_profiles, list_posts, get_post,
    /// wait_for_post, connection_health)
    #[arg(long)]
    pub read_only: bool,
}

/// `postcore listen`.
#[derive(Debug, Clone, Args)]
#[command(after_long_help = LISTEN_HELP)]
pub struct ListenArgs {
    /// POST each event as JSON to this URL (your app's webhook endpoint; http:// or https://),
    /// signed with the secret in POSTCORE_WEBHOOK_SECRET, retried until it answers 2xx (each
    /// attempt waits at most 30 s for the answer, or --request-timeout)
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,
    /// Whose position this is: each consumer gets every event, in order; one process at a time
    /// polls for a consumer sharing --store
    #[arg(long, value_name = "NAME", default_value = DEFAULT_LISTEN_CONSUMER)]
    pub consumer: String,
    /// Seconds between polls (each poll is two requests: GET /posts and GET /profiles)
    /// [default: 30]
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub interval: Option<Duration>,
}

/// The consumer `postcore listen` follows when none is named: its own, so that it does not
/// share a position with an app's `client.events()` (whose default is `"default"`).
const DEFAULT_LISTEN_CONSUMER: &str = "listen";

const LISTEN_HELP: &str = "\
Each event is {\"id\", \"type\", \"createdAt\", \"data\"}; the types are post.published,
post.failed, post.deleted, profile.created, profile.deleted, connection.connected,
connection.disconnected, connection.needs_reconnect and connection.expiring.

With --forward-to, each event is POSTed with the header
  Postcore-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">
keyed with POSTCORE_WEBHOOK_SECRET and signed afresh for each attempt. Verify it with
postcore.webhooks.verify (Python), verifyWebhook (Node) or postcore::webhooks::verify (Rust).
Events go one at a time, in order: the next waits until the one before got a 2xx; failed
attempts are retried after 0.5 s, doubling up to 30 s. An event counts as delivered only once
it got a 2xx, so one whose delivery was cut short (the process killed mid-way) is delivered
again by the next run: receivers should ignore an event id they already handled.

Positions are kept in --store: with the default (memory) a new run starts from now; with
--store sqlite:///abs/path.db (or redis://) a restarted run goes on where the last one
stopped, and misses nothing in between.

Ctrl-C stops after the delivery in flight (exit 130); a second Ctrl-C stops at once.";

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Create a profile
    Create {
        /// A label for the end-user, e.g. "User: john@example.com"
        #[arg(long)]
        name: Option<String>,
        /// Create it once however often this command is run with the same key (from any
        /// process sharing --store); a repeat prints the first run's result
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
    /// List every profile with its connected accounts
    List,
    /// Delete a profile, its connections and pending posts (cannot be undone)
    Delete {
        /// The profile's key, e.g. prof_abc123def456
        profile_key: String,
    },
    /// Print the URL that connects a LinkedIn account (it contains your API key: server-side
    /// only); also `connect-url`
    #[command(name = "linkedin-connect-url", visible_alias = "connect-url")]
    LinkedinConnectUrl {
        /// Where postcore sends the browser back to, with the profileKey
        #[arg(long, value_name = "URL")]
        return_url: String,
        /// Connect to this profile (default: a new one is created)
        #[arg(long, value_name = "PROFILE_KEY", alias = "profile-key")]
        profile: Option<String>,
    },
    /// Connect a Bluesky account; the app password is read from stdin (one line) or
    /// POSTCORE_BLUESKY_APP_PASSWORD, never from the command line
    ConnectBluesky {
        /// The Bluesky handle, e.g. user.bsky.social
        #[arg(long)]
        handle: String,
        /// Connect to this profile (default: a new one is created)
        #[arg(long, value_name = "PROFILE_KEY")]
        profile: Option<String>,
        /// Create it once however often this command is run with the same key (from any
        /// process sharing --store); a repeat prints the first run's result
        #[arg(long, value_name = "KEY")]
        idempotency_key: Option<String>,
    },
    /// Create one profile per row of a CSV file, pacing to the rate limit; resumable
    Import(ImportArgs),
}

/// `postcore profiles import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The users: a CSV file with a header row
    #[arg(value_name = "USERS.csv")]
    pub csv: PathBuf,
    /// The column whose value becomes each profile's name
    #[arg(long, value_name = "COLUMN")]
    pub name_column: String,
    /// Write the rows that have a profile, plus a profileKey column, to this CSV file
    #[arg(long, value_name = "KEYS.csv")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub options: ImportOptions,
}

/// `postcore posts import`.
#[derive(Debug, Clone, Args)]
pub struct PostsImportArgs {
    /// The posts: a CSV file with the columns profileKey, platforms ("linkedin;bluesky"),
    /// scheduledFor (ISO 8601 with an offset) and content or contentFile (a path relative to
    /// the CSV's folder)
    #[arg(value_name = "POSTS.csv")]
    pub csv: PathBuf,
    /// Move each post that is too close to another of its profile (LinkedIn 60 s, Bluesky 1 s)
    /// to the next free time; without it such rows are reported and nothing is sent
    #[arg(long)]
    pub respace: bool,
    /// Write the rows that are scheduled, with the scheduledFor they got and a postIds column,
    /// to this CSV file
    #[arg(long, value_name = "SCHEDULED.csv")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub options: ImportOptions,
}

/// What both imports take besides their input.
#[derive(Debug, Clone, Args)]
pub struct ImportOptions {
    /// SQLite file that records every row's progress; run the same command again to resume
    #[arg(long, value_name = "STATE.db")]
    pub state: PathBuf,
    /// After a request that may have been processed (timeout, dropped connection), wait this
    /// long before looking for what it created (GET /profiles, GET /posts)
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds_or_zero)]
    pub settle: Duration,
    /// Leave this many requests of each rate-limit window for other clients of the same key/IP
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub reserve: u64,
    /// Try the rows the API refused in an earlier run (400s) again
    #[arg(long)]
    pub retry_failed: bool,
    /// Progress display: a bar on a terminal, else a line every few seconds
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, else lines
    Auto,
    /// Always the bar
    Bar,
    /// One line every few seconds
    Lines,
    /// Nothing but the summary
    None,
}

#[derive(Debug, Subcommand)]
pub enum PostsCommand {
    /// Schedule a post on one or more platforms
    Create(CreatePostArgs),
    /// List every post
    List,
    /// Show one post; also `get`
    #[command(visible_alias = "get")]
    Retrieve {
        /// The post's id, e.g. post_abc123
        post_id: String,
    },
    /// Cancel a pending post
    Delete {
        /// The post's id
        post_id: String,
    },
    /// Schedule the posts of each row of a CSV file (one per platform), each once, within the
    /// rate limits; resumable
    Import(PostsImportArgs),
    /// Wait until a post is published or has failed (exit 1 if it failed)
    Wait {
        /// The post's id
        post_id: String,
        /// Give up after this many seconds [default: wait as long as it takes]
        #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
        timeout: Option<Duration>,
        /// Seconds between polls once the post is due [default: 10]
        #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
        interval: Option<Duration>,
    },
}

#[derive(Debug, Args)]
pub struct CreatePostArgs {
    /// The profile to post for
    #[arg(long, value_name = "PROFILE_KEY")]
    pub profile: String,
    /// Where to post (repeat for several)
    #[arg(
        long = "platform",
        value_enum,
        required = true,
        value_name = "PLATFORM"
    )]
    pub platforms: Vec<PlatformArg>,
    /// When to publish (in the future), ISO 8601 with a time zone, e.g. 2030-01-15T14:00:00Z
    #[arg(long, value_name = "ISO8601", value_parser = parse_timestamp)]
    pub at: postcore::Timestamp,
    #[command(flatten)]
    pub content: ContentArgs,
    /// Schedule it once however often this command is run with the same key (from any
    /// process sharing --store); a repeat prints the first run's result
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ContentArgs {
    /// The text of the post
    #[arg(long, value_name = "TEXT")]
    pub content: Option<String>,
    /// Read the text from this file ("-" for stdin)
    #[arg(long, value_name = "PATH")]
    pub content_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlatformArg {
    Linkedin,
    Bluesky,
}

impl From<PlatformArg> for postcore::Platform {
    fn from(p: PlatformArg) -> Self {
        match p {
            PlatformArg::Linkedin => postcore::Platform::LinkedIn,
            PlatformArg::Bluesky => postcore::Platform::Bluesky,
        }
    }
}

/// `postcore mock`: the flags of the `postcore-mock` binary, or a control of a running one.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MockArgs {
    #[command(subcommand)]
    pub control: Option<MockControl>,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port (0: any free port; the URL is printed on stdout)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// An accepted x-api-key, repeatable [default: the API key variable, else pc_test_key]
    #[arg(long = "api-key", value_name = "KEY")]
    pub api_keys: Vec<String>,
    /// Answer 429 past N requests per window [default: only report a limit of 100]
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// Length of the rate-limit window in seconds [default: 900]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub rate_window: Option<u64>,
    /// Monthly post quota [default: 10]
    #[arg(long, value_name = "N")]
    pub posts_per_month: Option<u32>,
}

/// Controls of a running local server (`POST /__mock/…`), at `--base-url` /
/// `POSTCORE_BASE_URL`.
#[derive(Debug, Subcommand)]
pub enum MockControl {
    /// Move the server's clock forward (posts that become due are published), e.g. `1h`,
    /// `90m`, `30s`, `2d` or plain seconds; prints the server's new time
    Advance {
        /// How far: a number with an optional unit s, m, h or d
        #[arg(value_name = "DURATION", value_parser = parse_span)]
        by: Duration,
    },
    /// Forget everything: requests, faults, profiles, posts, quota, rate-limit window, clock
    Reset,
}

/// `1h`, `90m`, `30s`, `2d`, `45` (seconds); at most 10 years.
pub fn parse_span(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let factor = match unit {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        other => return Err(format!("unknown unit {other:?}: use s, m, h or d")),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("not a duration: {text:?} (e.g. 1h, 90m, 30s)"))?;
    let seconds = value * factor;
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 10.0 * 365.0 * 86_400.0) {
        return Err(format!(
            "must be a positive duration of at most 10 years, got {text}"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn parse_timestamp(text: &str) -> Result<postcore::Timestamp, String> {
    postcore::Timestamp::parse(text).map_err(|e| e.to_string())
}

/// `N/SECONDS`: at least one request per window of at least a second.
fn parse_budget(text: &str) -> Result<(u32, Duration), String> {
    let (n, seconds) = text
        .split_once('/')
        .ok_or_else(|| format!("expected N/SECONDS, e.g. 100/3600, got {text:?}"))?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("not a number of requests: {n:?}"))?;
    let window = parse_seconds(seconds)?;
    if n == 0 || window < Duration::from_secs(1) {
        return Err("at least one request per window of at least a second".to_owned());
    }
    Ok((n, window))
}

/// A positive number of seconds, fractions allowed, at most a day.
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    match parse_seconds_or_zero(text)? {
        d if d.is_zero() => Err("must be greater than zero".to_owned()),
        d => Ok(d),
    }
}

fn parse_seconds_or_zero(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("not a number of seconds: {text:?}"))?;
    if !(0.0..=86_400.0).contains(&seconds) {
        return Err(format!("must be between 0 and 86400 seconds, got {text}"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds() {
        assert_eq!(parse_seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_seconds("0").is_err());
        assert_eq!(parse_seconds_or_zero("0"), Ok(Duration::ZERO));
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("nan").is_err());
        assert!(parse_seconds("inf").is_err());
        assert!(parse_seconds("1e9").is_err());
        assert!(parse_seconds("x").is_err());
        assert_eq!(
            parse_budget("100/3600"),
            Ok((100, Duration::from_secs(3600)))
        );
        assert!(parse_budget("0/10").is_err());
        assert!(parse_budget("10").is_err());
        assert!(parse_budget("10/0.5").is_err());
    }

    #[test]
    fn spans() {
        assert_eq!(parse_span("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_span("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_span("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_span("1.5d"), Ok(Duration::from_secs(129_600)));
        assert!(parse_span("0").is_err());
        assert!(parse_span("1w").is_err());
        assert!(parse_span("h").is_err());
    }

    #[test]
    fn grammar_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
