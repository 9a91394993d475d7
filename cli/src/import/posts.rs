//! `postcore posts import POSTS.csv --state STATE.db [--respace] [--out SCHEDULED.csv]`: the
//! posts each CSV row names (one per platform, one request per row), each scheduled once.
//!
//! ## Before anything is sent
//!
//! Every row is checked (`post_rows.rs`); invalid rows and rows in the past are failed rows,
//! reported up front. One `GET /posts` lists what is scheduled already: a row whose posts all
//! exist exactly as it describes them (same profile, platform, `scheduledFor` and content:
//! imported before, with another state file) is done without a request. Then the per-profile
//! spacing (`spacing.rs`) is checked over the rows and the existing posts: rows that break it
//! are reported and nothing is sent (exit 1), unless `--respace` moves each to the next free
//! time. The plan (each row's post, at its final time) is fixed in the state file then.
//!
//! ## Exactly once
//!
//! Each row's request carries an idempotency key made of the state file's random id and the
//! row number, so the client records its intent in its store before sending and its outcome
//! after: a lost answer is reconciled by the client at once (`GET /posts`, same profile,
//! platform, `scheduledFor` and content), and a row sent again with its key replays the first
//! result when the store remembers it (`sqlite://`, `redis://`). The state file does not rely
//! on the store (`memory://` dies with the process): a row left `sent` (a `kill -9`, an answer
//! nobody could interpret) is looked for in `GET /posts` by the same four fields before it is
//! sent again, and only its own key is ever used for it, so both records agree. A second post
//! at the same time for the same profile and platform is impossible anyway: the API's spacing
//! refuses it (429 with `next_available`), and the import answers such a refusal by looking
//! for the row's posts rather than by failing or sending again.
//!
//! ## Pacing
//!
//! `POST /posts` spends the posting budget (100 per hour per key) as well as the general one;
//! the client's pacer keeps both, shared through `--store`. The state file also remembers when
//! this import sent, so that a resumed run (whose `memory://` budget starts empty) keeps the
//! posting budget across restarts too.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use postcore::{
    Client, CreatePost, ErrorKind, Post, PostStatus, RequestOptions, Response, ScheduledPosts,
    Timestamp,
};
use serde_json::json;

use super::post_rows::{self, PROFILE_KEY, PostRow, SCHEDULED_FOR};
use super::progress::human;
use super::runner::{End, Ids, Kind, Outcome, Runner, Words, classify};
use super::spacing::{self, Conflict, Existing, Neighbour, Wanted};
use super::state::{Held, Reconciled, Resumed, Row, Start, State};
use super::window::unix_ms;
use super::{Job, check_paths, client, fingerprint, input, note_start, quote_path};
use crate::args::{Global, PostsImportArgs};
use crate::exit::EXIT_ERROR;
use crate::failure::Failure;
use crate::output::{Output, cell};

/// The column `--out` adds: the row's post ids, `;`-separated, in the row's platform order.
const POST_IDS: &str = "postIds";
/// The code of a row that a spacing refusal, not its own post, kept from being scheduled.
const SPACING_CONFLICT: &str = "SPACING_CONFLICT";

pub(crate) async fn run(
    global: &Global,
    args: PostsImportArgs,
    out: &Output,
) -> Result<i32, Failure> {
    let options = &args.options;
    check_paths(&args.csv, options, args.out.as_deref())?;
    let client = client(global)?;
    let input = input::read(&args.csv)?;
    let rows = post_rows::read(&input, Timestamp::now())?;
    let fingerprint = fingerprint(
        "posts",
        &input,
        &client,
        vec![("contentFile contents (hash)", rows.content_hash.clone())],
    );
    let existed = options.state.exists();
    let mut state = State::open(&options.state)?;
    let resumed = state.resume(&fingerprint)?;
    let mut runner = Runner::new(client, state, options);
    match resumed {
        Resumed::New => {
            let listing = match runner.listing::<PostRows>().await? {
                Ok(response) => response.data,
                Err(end) => return Ok(abandon(runner, &options.state, existed, &end, out)),
            };
            let plan = plan(&rows.rows, &listing, args.respace);
            plan.report(out);
            if !plan.conflicts.is_empty() {
                drop(runner);
                if !existed {
                    remove_state(&options.state);
                }
                return plan.refuse(out);
            }
            runner.state.initialise(&fingerprint, &plan.rows, None)?;
        }
        Resumed::Existing { moved_from } => {
            super::resumed(&mut runner.state, moved_from, &fingerprint, options, out)?;
        }
    }
    note_start(out, &args.csv, runner.state.counts(), "scheduled");
    let import_id = runner.state.meta("import_id")?.ok_or_else(|| {
        Failure::Local(format!(
            "the state file {} has no import id: use a new --state file",
            options.state.display()
        ))
    })?;
    let kind = PostRows {
        import_id,
        posting_budget: global
            .posting_budget
            .unwrap_or(postcore::bindings::POSTING_BUDGET),
    };
    let command = vec!["posts".into(), "import".into(), quote_path(&args.csv)];
    let resume = super::resume_command(global, command, args.out.as_deref(), options);
    let job = Job {
        kind: &kind,
        input: &input,
        out_path: args.out.as_deref(),
        options,
        resume,
    };
    job.run(runner, out).await
}

/// A new import that stopped before its first create: nothing is recorded (a state file
/// this run created is removed), and the exit status says why.
fn abandon(runner: Runner, state: &Path, existed: bool, end: &End, out: &Output) -> i32 {
    drop(runner);
    if !existed {
        remove_state(state);
    }
    match end {
        End::Interrupted(signal) | End::Abandoned(signal) => {
            out.note("stopped before any post was sent");
            signal.exit_status()
        }
        End::Stopped(error) | End::GaveUp(error) => {
            out.api_error(error);
            out.note("stopped before any post was sent: GET /posts failed");
            crate::exit::exit_status(error)
        }
        End::Complete => EXIT_ERROR,
    }
}

fn remove_state(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(Path::new(&name));
    }
}

/// A string field of a row's input (the post as JSON, or its raw fields when invalid).
fn field(input: &str, name: &str) -> String {
    serde_json::from_str::<serde_json::Value>(input)
        .ok()
        .and_then(|v| v.get(name).and_then(|f| f.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

/// What a new import will do with each row, decided before anything is sent.
struct Plan {
    /// Every row's input and how it starts, in CSV order.
    rows: Vec<(String, Start)>,
    /// Lines to print before the import goes on.
    notes: Vec<String>,
    /// Rows that break the spacing (only without `--respace`).
    conflicts: Vec<Conflict>,
    /// The rows' posts as asked for, by row number (for the messages).
    wanted: HashMap<i64, Wanted>,
}

fn plan(rows: &[PostRow], listing: &[Post], respace: bool) -> Plan {
    let scheduled: Vec<&Post> = listing
        .iter()
        .filter(|p| p.status != PostStatus::Failed)
        .collect();
    let existing: Vec<Existing> = scheduled
        .iter()
        .map(|p| Existing {
            post_id: p.post_id.clone(),
            profile: p.profile_key.clone(),
            platform: p.platform.clone(),
            at: p.scheduled_for.unix_seconds(),
        })
        .collect();
    let mut starts: Vec<Option<Start>> = vec![None; rows.len()];
    let mut notes = Vec::new();
    let mut wanted = Vec::new();
    let mut posts: HashMap<i64, &CreatePost> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let number = super::state::row_number(i);
        match row {
            PostRow::Invalid { code, message, .. } => {
                notes.push(format!("row {number}: failed: {code}: {message}"));
                starts[i] = Some(Start::Failed((*code).to_owned(), message.clone()));
            }
            PostRow::Valid(post) => {
                if let Some(held) = already_scheduled(post, &scheduled) {
                    notes.push(format!(
                        "row {number}: already scheduled exactly so ({}): not sent again",
                        held.ids.join(", ")
                    ));
                    starts[i] = Some(Start::Created(held));
                    continue;
                }
                posts.insert(number, post);
                wanted.push(Wanted {
                    row: number,
                    profile: post.profile_key.clone(),
                    platforms: post.platforms.clone(),
                    at: post.scheduled_for.unix_seconds(),
                });
            }
        }
    }
    let mut at: HashMap<i64, i64> = wanted.iter().map(|w| (w.row, w.at)).collect();
    // A row that an earlier import moved with --respace has its posts at a later time: where
    // the spacing would move it now, past them.
    for placed in spacing::respace(&wanted, &existing) {
        let (Some(post), Some(_)) = (posts.get(&placed.row), &placed.moved_by) else {
            continue;
        };
        let from = post.scheduled_for.unix_seconds();
        if let Some((held, time)) = scheduled_between(post, from, placed.at, &scheduled) {
            notes.push(format!(
                "row {}: already scheduled at {} ({}), where an earlier import moved it: not \
                 sent again",
                placed.row,
                Timestamp::from_unix(time),
                held.ids.join(", ")
            ));
            let index = usize::try_from(placed.row - 1).unwrap_or(usize::MAX);
            if let Some(start) = starts.get_mut(index) {
                *start = Some(Start::Created(held));
            }
            at.insert(placed.row, time);
        }
    }
    wanted.retain(|w| {
        starts
            .get(usize::try_from(w.row - 1).unwrap_or(usize::MAX))
            .is_some_and(Option::is_none)
    });
    let mut conflicts = Vec::new();
    if respace {
        for placed in spacing::respace(&wanted, &existing) {
            if let Some(why) = &placed.moved_by {
                notes.push(format!(
                    "row {}: moved from {} to {} ({})",
                    placed.row,
                    Timestamp::from_unix(at.get(&placed.row).copied().unwrap_or(why.at)),
                    Timestamp::from_unix(placed.at),
                    too_close(why)
                ));
            }
            at.insert(placed.row, placed.at);
        }
    } else {
        conflicts = spacing::conflicts(&wanted, &existing);
    }
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let number = super::state::row_number(i);
            let start = starts[i].take().unwrap_or(Start::Pending);
            let input = match (row, posts.get(&number)) {
                (PostRow::Valid(_), Some(post)) => {
                    let mut post = (*post).clone();
                    if let Some(at) = at.get(&number) {
                        post.scheduled_for = Timestamp::from_unix(*at);
                    }
                    serde_json::to_string(&post).unwrap_or_default()
                }
                (PostRow::Valid(post), None) => serde_json::to_string(post).unwrap_or_default(),
                (PostRow::Invalid { raw, .. }, _) => raw.to_string(),
            };
            (input, start)
        })
        .collect();
    Plan {
        rows,
        notes,
        conflicts,
        wanted: wanted.into_iter().map(|w| (w.row, w)).collect(),
    }
}

/// Whether `listed` is the post `post` asks for on `platform`: same profile, platform,
/// `scheduledFor` and content (the API's spacing makes that unique).
fn is_the_post(listed: &Post, post: &CreatePost, platform: &postcore::Platform) -> bool {
    listed.profile_key == post.profile_key
        && &listed.platform == platform
        && listed.scheduled_for == post.scheduled_for
        && listed.content == post.content
}

/// The existing posts that are exactly a row's (every platform), if all are there.
fn already_scheduled(post: &CreatePost, scheduled: &[&Post]) -> Option<Held> {
    let mut ids = Vec::new();
    for platform in &post.platforms {
        let found = scheduled.iter().find(|p| is_the_post(p, post, platform))?;
        ids.push(found.post_id.clone());
    }
    Some(Held {
        result: ids.join(";"),
        ids,
    })
}

/// The posts of `post` at the earliest time in `from..=to` where all exist exactly so.
fn scheduled_between(
    post: &CreatePost,
    from: i64,
    to: i64,
    scheduled: &[&Post],
) -> Option<(Held, i64)> {
    let mut times: Vec<i64> = scheduled
        .iter()
        .filter(|p| {
            p.profile_key == post.profile_key
                && p.content == post.content
                && post.platforms.first() == Some(&p.platform)
        })
        .map(|p| p.scheduled_for.unix_seconds())
        .filter(|t| (from..=to).contains(t))
        .collect();
    times.sort_unstable();
    times.into_iter().find_map(|time| {
        let mut then = post.clone();
        then.scheduled_for = Timestamp::from_unix(time);
        already_scheduled(&then, scheduled).map(|held| (held, time))
    })
}

/// `LinkedIn needs 60 s between a profile's posts; row 3 is at …`.
fn too_close(conflict: &Conflict) -> String {
    let neighbour = match &conflict.neighbour {
        Neighbour::Row(row) => format!("row {row}"),
        Neighbour::Post(id) => format!("the scheduled post {id}"),
    };
    format!(
        "{} needs {} s between a profile's posts; {neighbour} is at {}",
        conflict.platform.display_name(),
        spacing::spacing(&conflict.platform),
        Timestamp::from_unix(conflict.neighbour_at)
    )
}

impl Plan {
    fn report(&self, out: &Output) {
        for note in &self.notes {
            out.note(note);
        }
        for conflict in &self.conflicts {
            let profile = self
                .wanted
                .get(&conflict.row)
                .map(|w| cell(&w.profile))
                .unwrap_or_default();
            out.note(&format!(
                "row {} ({profile}, {}): {} is too close: {}",
                conflict.row,
                conflict.platform,
                Timestamp::from_unix(conflict.at),
                too_close(conflict)
            ));
        }
    }

    /// Refuses to start: some rows break the spacing.
    fn refuse(&self, out: &Output) -> Result<i32, Failure> {
        let rows: HashSet<i64> = self.conflicts.iter().map(|c| c.row).collect();
        out.error_line(&format!(
            "{} rows break the per-profile spacing (LinkedIn 60 s, Bluesky 1 s between a \
             profile's posts on a platform); nothing was sent. Fix their scheduledFor, or run \
             the same command with --respace to move each to the next free time",
            rows.len()
        ));
        if out.json {
            let conflicts: Vec<_> = self
                .conflicts
                .iter()
                .map(|c| {
                    json!({
                        "row": c.row,
                        "platform": c.platform,
                        "scheduledFor": Timestamp::from_unix(c.at),
                        "neighbour": match &c.neighbour {
                            Neighbour::Row(row) => json!({ "row": row }),
                            Neighbour::Post(id) => json!({ "postId": id }),
                        },
                        "neighbourScheduledFor": Timestamp::from_unix(c.neighbour_at),
                    })
                })
                .collect();
            out.print_json(&json!({ "complete": false, "conflicts": conflicts }))?;
        }
        Ok(EXIT_ERROR)
    }
}

/// A row of the posts CSV: its input is the post to schedule, as JSON.
struct PostRows {
    /// The state file's random id: the rows' idempotency keys are its own.
    import_id: String,
    /// The posting budget: requests per window.
    posting_budget: (u32, Duration),
}

impl PostRows {
    fn post(row: &Row) -> Option<CreatePost> {
        serde_json::from_str(&row.input).ok()
    }

    /// The row's idempotency key: one per row of this state file.
    fn key(&self, row: &Row) -> String {
        format!("postcore-posts-import:{}:row:{}", self.import_id, row.row)
    }
}

impl Kind for PostRows {
    /// A request processed after it was declared lost cannot leave a second post: the API's
    /// spacing refuses a post of the profile at the same time as the one sent again.
    const VERIFIES: bool = false;
    type Request = CreatePost;

    /// The post as planned, unless its time has passed meanwhile (a run resumed late).
    fn prepare(&self, row: &Row) -> Result<CreatePost, (String, String)> {
        let Some(post) = Self::post(row) else {
            return Err((
                "INVALID_ROW".to_owned(),
                "the state file holds no valid post for this row".to_owned(),
            ));
        };
        let now = Timestamp::now();
        if post.scheduled_for <= now {
            return Err((
                "IN_THE_PAST".to_owned(),
                format!(
                    "{SCHEDULED_FOR} {} is no longer in the future (now: {now}); nothing was \
                     sent: schedule it again at another time",
                    post.scheduled_for
                ),
            ));
        }
        Ok(post)
    }

    type Created = ScheduledPosts;

    /// With the row's idempotency key.
    async fn create(
        &self,
        client: &Client,
        row: &Row,
        post: CreatePost,
    ) -> postcore::Result<Response<ScheduledPosts>> {
        let options = RequestOptions::new().idempotency_key(self.key(row));
        client.create_post_with(post, &options).await
    }

    type Listed = Post;
    const LIST: &'static str = "GET /posts";

    async fn list(client: &Client) -> postcore::Result<Response<Vec<Post>>> {
        client.list_posts_with(&RequestOptions::new()).await
    }

    const WORDS: Words = Words {
        maybe_created: "its posts may have been scheduled; looking for them",
        found: "its posts are",
        none_created: "no post was scheduled",
        have: "are scheduled",
    };
    /// The time each row got (moved by `--respace`), and its posts.
    const OUT_COLUMNS: &'static [&'static str] = &[SCHEDULED_FOR, POST_IDS];

    fn out_values(&self, row: &Row) -> Vec<String> {
        let at = field(&row.input, SCHEDULED_FOR);
        vec![at, row.result.clone().unwrap_or_default()]
    }

    fn row_json(&self, row: &Row) -> serde_json::Map<String, serde_json::Value> {
        let mut entry = serde_json::Map::new();
        for name in [PROFILE_KEY, SCHEDULED_FOR] {
            entry.insert(name.into(), json!(field(&row.input, name)));
        }
        entry
    }

    fn held(&self, scheduled: &ScheduledPosts) -> Held {
        let ids: Vec<String> = scheduled.posts.iter().map(|p| p.post_id.clone()).collect();
        Held {
            result: ids.join(";"),
            ids,
        }
    }

    fn classify(&self, error: &postcore::Error) -> Outcome {
        match error.kind() {
            // Too close to another post of the profile: maybe the row's own, from a request
            // whose answer was lost.
            ErrorKind::RateLimit
                if error.platform().is_some() || error.next_available().is_some() =>
            {
                Outcome::Conflict
            }
            // A row's profile that does not exist (the path has no parameter: the body's).
            ErrorKind::NotFound if error.code() == Some("PROFILE_NOT_FOUND") => Outcome::Refused,
            ErrorKind::IdempotencyKeyReused => Outcome::Refused,
            _ => classify(error),
        }
    }

    fn find(&self, rows: &[Row], posts: &[Post], taken: &Ids) -> Vec<(i64, Reconciled)> {
        let mut used: HashSet<&str> = HashSet::new();
        rows.iter()
            .map(|row| {
                let Some(post) = Self::post(row) else {
                    return (row.row, Reconciled::Absent);
                };
                let mut ids = Vec::new();
                for platform in &post.platforms {
                    let found = posts.iter().find(|p| {
                        is_the_post(p, &post, platform)
                            && !taken.contains(&p.post_id)
                            && !used.contains(p.post_id.as_str())
                    });
                    if let Some(found) = found {
                        used.insert(&found.post_id);
                        ids.push(found.post_id.clone());
                    }
                }
                let reconciled = if !ids.is_empty() {
                    Reconciled::Found(Held {
                        result: ids.join(";"),
                        ids,
                    })
                } else if row.error_code.as_deref() == Some("RATE_LIMIT_EXCEEDED") {
                    // Left `sent` by a spacing refusal (the only 429 that keeps a row sent):
                    // the post in the way is not the row's.
                    Reconciled::Failed(
                        SPACING_CONFLICT.to_owned(),
                        format!(
                            "{} (another post of the profile is too close to {}: schedule this \
                             row at another time, in a new import)",
                            row.error_message.as_deref().unwrap_or_default(),
                            post.scheduled_for
                        ),
                    )
                } else {
                    Reconciled::Absent
                };
                (row.row, reconciled)
            })
            .collect()
    }

    fn pause(&self, state: &State) -> Result<Option<(Duration, String)>, Failure> {
        let (limit, window) = self.posting_budget;
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let now = unix_ms();
        let sends = state.sends_since(now.saturating_sub(window_ms))?;
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if sends.len() < limit {
            return Ok(None);
        }
        // The oldest send that must leave the window before the next may go.
        let oldest = sends[sends.len() - limit];
        let wait = oldest.saturating_add(window_ms).saturating_sub(now);
        let wait = Duration::from_millis(u64::try_from(wait).unwrap_or(0));
        Ok(Some((
            wait,
            format!(
                "posting budget: this import sent {} posts in the last {}",
                sends.len(),
                human(window)
            ),
        )))
    }

    fn label(&self, row: &Row) -> String {
        format!(
            "row {} ({} at {})",
            row.row,
            cell(&field(&row.input, PROFILE_KEY)),
            cell(&field(&row.input, SCHEDULED_FOR))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postcore::Platform;

    /// A post of `prof_a` as `GET /posts` lists it.
    fn listed(id: &str, platform: &str, at: &str, content: &str) -> Post {
        serde_json::from_value(json!({
            "postId": id, "profileKey": "prof_a", "platform": platform, "content": content,
            "scheduledFor": at, "createdAt": "2026-01-01T00:00:00Z", "publishedAt": null,
            "status": "pending", "platformUrl": null,
        }))
        .unwrap_or_else(|e| panic!("test post: {e}"))
    }

    /// A valid row for `prof_a` on one platform.
    fn valid(platform: Platform, at: &str, content: &str) -> PostRow {
        let at = Timestamp::parse(at).unwrap_or_else(|e| panic!("{e}"));
        PostRow::Valid(CreatePost::new("prof_a", content, [platform], at))
    }

    #[test]
    fn the_plan_keeps_existing_posts_and_moves_only_with_respace() {
        let listing = [
            listed("post_x", "linkedin", "2030-01-01T10:00:00Z", "Old"),
            listed("post_y", "linkedin", "2030-01-01T11:00:00Z", "Again"),
        ];
        let rows = [
            valid(Platform::LinkedIn, "2030-01-01T10:00:30Z", "New"),
            valid(Platform::LinkedIn, "2030-01-01T11:00:00Z", "Again"),
            PostRow::Invalid {
                raw: json!({"profileKey": "prof_a"}),
                code: "INVALID_ROW",
                message: "bad".into(),
            },
        ];
        let without = plan(&rows, &listing, false);
        assert_eq!(without.conflicts.len(), 1);
        assert_eq!(without.conflicts[0].row, 1);
        assert!(matches!(&without.rows[1].1, Start::Created(held) if held.ids == ["post_y"]));
        assert!(matches!(&without.rows[2].1, Start::Failed(code, _) if code == "INVALID_ROW"));
        let with = plan(&rows, &listing, true);
        assert!(with.conflicts.is_empty());
        assert_eq!(
            field(&with.rows[0].0, SCHEDULED_FOR),
            "2030-01-01T10:01:00Z"
        );
        assert!(
            with.notes.iter().any(|n| n.starts_with(
                "row 1: moved from 2030-01-01T10:00:30Z to 2030-01-01T10:01:00Z (LinkedIn needs \
                 60 s between a profile's posts; the scheduled post post_x is at"
            )),
            "{:?}",
            with.notes
        );
    }

    #[test]
    fn rows_an_earlier_respace_moved_are_found_where_it_moved_them() {
        // An earlier `--respace` import scheduled row 2 one second later than it asks.
        let listing = [
            listed("post_1", "bluesky", "2030-01-01T10:00:00Z", "Hello"),
            listed("post_2", "bluesky", "2030-01-01T10:00:01Z", "Again"),
        ];
        let rows = [
            valid(Platform::Bluesky, "2030-01-01T10:00:00Z", "Hello"),
            valid(Platform::Bluesky, "2030-01-01T10:00:00Z", "Again"),
            valid(Platform::Bluesky, "2030-01-01T10:00:00Z", "New"),
        ];
        for respace in [false, true] {
            let plan = plan(&rows, &listing, respace);
            assert!(matches!(&plan.rows[0].1, Start::Created(h) if h.ids == ["post_1"]));
            assert!(matches!(&plan.rows[1].1, Start::Created(h) if h.ids == ["post_2"]));
            assert_eq!(
                field(&plan.rows[1].0, SCHEDULED_FOR),
                "2030-01-01T10:00:01Z"
            );
            assert_eq!(plan.rows[2].1, Start::Pending);
            if respace {
                assert_eq!(
                    field(&plan.rows[2].0, SCHEDULED_FOR),
                    "2030-01-01T10:00:02Z"
                );
            } else {
                assert_eq!(plan.conflicts.len(), 1);
                assert_eq!(plan.conflicts[0].row, 3);
            }
        }
    }

    #[test]
    fn lost_answers_are_found_by_profile_platform_time_and_content() {
        let kind = PostRows {
            import_id: "abc".into(),
            posting_budget: (100, Duration::from_secs(3600)),
        };
        let post = CreatePost::new(
            "prof_a",
            "Hello",
            [Platform::LinkedIn, Platform::Bluesky],
            Timestamp::from_unix(1_900_000_000),
        );
        let at = Timestamp::from_unix(1_900_000_000).to_string();
        let row = |n: i64, code: Option<&str>| Row {
            row: n,
            input: serde_json::to_string(&post).unwrap_or_default(),
            state: super::super::state::RowState::Sent,
            result: None,
            error_code: code.map(str::to_owned),
            error_message: Some("LinkedIn requires 60 seconds".into()),
            sent_at_ms: Some(0),
        };
        let listing = [
            listed("post_other", "linkedin", &at, "Hello, other"),
            listed("post_l", "linkedin", &at, "Hello"),
            listed("post_b", "bluesky", &at, "Hello"),
        ];
        let found = kind.find(&[row(4, None)], &listing, &HashSet::new());
        assert_eq!(
            found,
            [(
                4,
                Reconciled::Found(Held {
                    result: "post_l;post_b".into(),
                    ids: vec!["post_l".into(), "post_b".into()]
                })
            )]
        );
        // Held by another row: not this one's; after a spacing refusal, the row fails.
        let taken: HashSet<String> = ["post_l".to_owned(), "post_b".to_owned()].into();
        assert_eq!(
            kind.find(&[row(4, None)], &listing, &taken),
            [(4, Reconciled::Absent)]
        );
        assert!(matches!(
            &kind.find(&[row(4, Some("RATE_LIMIT_EXCEEDED"))], &listing, &taken)[0].1,
            Reconciled::Failed(code, _) if code == SPACING_CONFLICT
        ));
        assert_eq!(kind.key(&row(4, None)), "postcore-posts-import:abc:row:4");
    }
}
