//! The posts CSV, row by row: `profileKey`, `platforms` (`linkedin;bluesky`), `scheduledFor`
//! (ISO 8601 with an offset) and `content` or `contentFile` (a path relative to the CSV's
//! folder). Every row is checked before anything is sent, with the SDK's own rules (content
//! length, Bluesky's 300 graphemes, platforms); a row that breaks one is a failed row, reported
//! up front, and the others go on.

use postcore::{CreatePost, Platform, Timestamp};

use super::input::{Input, fnv1a64};
use crate::failure::Failure;

pub(crate) const PROFILE_KEY: &str = "profileKey";
const PLATFORMS: &str = "platforms";
pub(crate) const SCHEDULED_FOR: &str = "scheduledFor";
const CONTENT: &str = "content";
const CONTENT_FILE: &str = "contentFile";

/// Content files larger than this cannot hold a post (3,000 characters of at most 4 bytes).
const MAX_CONTENT_FILE_BYTES: u64 = 64 * 1024;

/// One row of the CSV: the post it asks for, or why it cannot be sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PostRow {
    Valid(CreatePost),
    /// The row's raw fields (for messages) and the code and message of the refusal.
    Invalid {
        raw: serde_json::Value,
        code: &'static str,
        message: String,
    },
}

/// Every row of the CSV, and a fingerprint of the content files they name (a state file
/// belongs to one set of contents as much as to one CSV).
pub(crate) struct PostRows {
    pub(crate) rows: Vec<PostRow>,
    pub(crate) content_hash: String,
}

/// Reads and checks every row; rows scheduled at or before `now` are failed rows.
pub(crate) fn read(input: &Input, now: Timestamp) -> Result<PostRows, Failure> {
    let required = |name: &str| -> Result<usize, Failure> {
        input.column(name, "")?.ok_or_else(|| missing(input, name))
    };
    let profile_key = required(PROFILE_KEY)?;
    let platforms = required(PLATFORMS)?;
    let scheduled_for = required(SCHEDULED_FOR)?;
    let content = input.column(CONTENT, "")?;
    let content_file = input.column(CONTENT_FILE, "")?;
    if content.is_none() && content_file.is_none() {
        return Err(missing(input, "content"));
    }
    let mut files = Vec::new();
    let mut rows = Vec::with_capacity(input.records.len());
    for (i, record) in input.records.iter().enumerate() {
        let field = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        let raw = Raw {
            profile_key: field(Some(profile_key)).trim().to_owned(),
            platforms: field(Some(platforms)),
            scheduled_for: field(Some(scheduled_for)).trim().to_owned(),
            content: field(content),
            content_file: field(content_file).trim().to_owned(),
        };
        if !raw.content_file.is_empty() {
            let path = input.folder().join(&raw.content_file);
            let bytes = std::fs::read(&path).ok();
            files.extend_from_slice(format!("{i}\0{}\0", path.display()).as_bytes());
            files.extend_from_slice(bytes.as_deref().unwrap_or(b"\xff(unreadable)"));
            files.push(0);
        }
        rows.push(raw.check(input, now));
    }
    Ok(PostRows {
        rows,
        content_hash: format!("{:016x}", fnv1a64(&files)),
    })
}

fn missing(input: &Input, name: &str) -> Failure {
    let columns: Vec<&str> = input.headers.iter().collect();
    Failure::Usage(format!(
        "{} has no {name} column (its columns: {}); a posts CSV has the columns profileKey, \
         platforms (e.g. linkedin;bluesky), scheduledFor (ISO 8601 with an offset) and content \
         or contentFile",
        input.path.display(),
        columns.join(", ")
    ))
}

/// A row's fields as written.
struct Raw {
    profile_key: String,
    platforms: String,
    scheduled_for: String,
    content: String,
    content_file: String,
}

impl Raw {
    fn check(self, input: &Input, now: Timestamp) -> PostRow {
        match self.post(input, now) {
            Ok(post) => PostRow::Valid(post),
            Err((code, message)) => PostRow::Invalid {
                raw: serde_json::json!({
                    PROFILE_KEY: self.profile_key,
                    PLATFORMS: self.platforms,
                    SCHEDULED_FOR: self.scheduled_for,
                }),
                code,
                message,
            },
        }
    }

    fn post(&self, input: &Input, now: Timestamp) -> Result<CreatePost, (&'static str, String)> {
        let invalid = |message: String| ("INVALID_ROW", message);
        let at = Timestamp::parse(&self.scheduled_for)
            .map_err(|e| invalid(format!("{SCHEDULED_FOR}: {e}")))?;
        // The API keeps whole seconds; the post is looked for (after a lost answer) at the
        // time it was scheduled for.
        let at = Timestamp::from_unix(at.unix_seconds());
        let platforms: Vec<Platform> = self
            .platforms
            .split(';')
            .map(|p| p.trim().to_ascii_lowercase())
            .filter(|p| !p.is_empty())
            .map(|p| Platform::from_name(&p))
            .collect();
        let content = match (self.content.is_empty(), self.content_file.is_empty()) {
            (false, false) => {
                return Err(invalid(format!(
                    "both {CONTENT} and {CONTENT_FILE} are given: give one"
                )));
            }
            (true, true) => {
                return Err(invalid(format!(
                    "no content: fill in {CONTENT} or {CONTENT_FILE}"
                )));
            }
            (false, true) => self.content.clone(),
            (true, false) => read_content(input, &self.content_file)?,
        };
        let post = CreatePost::new(self.profile_key.clone(), content, platforms, at);
        postcore::bindings::validate_post(&post).map_err(|e| invalid(e.message().to_string()))?;
        if at <= now {
            return Err((
                "IN_THE_PAST",
                format!(
                    "{SCHEDULED_FOR} {at} is not in the future (now: {now}); posts are only scheduled ahead"
                ),
            ));
        }
        Ok(post)
    }
}

/// The text of a content file, relative to the CSV's folder.
fn read_content(input: &Input, name: &str) -> Result<String, (&'static str, String)> {
    let path = input.folder().join(name);
    let failed = |why: String| {
        (
            "CONTENT_FILE",
            format!("{CONTENT_FILE} {}: {why}", path.display()),
        )
    };
    let size = std::fs::metadata(&path)
        .map_err(|e| failed(e.to_string()))?
        .len();
    if size > MAX_CONTENT_FILE_BYTES {
        return Err(failed(format!("{size} bytes: longer than any post can be")));
    }
    std::fs::read_to_string(&path).map_err(|e| failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(dir: &str, csv: &str) -> Result<Input, String> {
        let dir =
            std::env::temp_dir().join(format!("postcore-cli-posts-{}-{dir}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("texts")).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("texts/hello.txt"), "Hello from a file")
            .map_err(|e| e.to_string())?;
        std::fs::write(dir.join("long.txt"), "a".repeat(301)).map_err(|e| e.to_string())?;
        let path = dir.join("posts.csv");
        std::fs::write(&path, csv).map_err(|e| e.to_string())?;
        super::super::input::read(&path).map_err(|e| format!("{e:?}"))
    }

    fn now() -> Timestamp {
        Timestamp::parse("2026-01-01T00:00:00Z").unwrap_or_else(|_| Timestamp::from_unix(0))
    }

    fn codes(rows: &PostRows) -> Vec<&str> {
        rows.rows
            .iter()
            .map(|r| match r {
                PostRow::Valid(_) => "ok",
                PostRow::Invalid { code, .. } => code,
            })
            .collect()
    }

    #[test]
    fn rows_are_read_and_checked() -> Result<(), String> {
        let csv = "profileKey,platforms,scheduledFor,content,contentFile,note\n\
            prof_a,linkedin;bluesky,2030-01-15T15:00:00.750+01:00,Hello,,x\n\
            prof_a, LinkedIn ; ,2030-01-15T14:05:00Z,,texts/hello.txt,y\n\
            prof_a,bluesky,2030-01-15T14:06:00Z,,long.txt,\n\
            prof_a,myspace,2030-01-15T14:07:00Z,Hi,,\n\
            prof_a,linkedin,2030-01-15 14:08,Hi,,\n\
            prof_a,linkedin,2025-01-15T14:09:00Z,Hi,,\n\
            prof_a,linkedin,2030-01-15T14:10:00Z,Hi,texts/hello.txt,\n\
            prof_a,linkedin,2030-01-15T14:11:00Z,,missing.txt,\n\
            ,linkedin,2030-01-15T14:12:00Z,Hi,,\n\
            prof_a,,2030-01-15T14:13:00Z,Hi,,\n";
        let rows = read(&input("read", csv)?, now()).map_err(|e| format!("{e:?}"))?;
        assert_eq!(
            codes(&rows),
            [
                "ok",
                "ok",
                "INVALID_ROW",
                "INVALID_ROW",
                "INVALID_ROW",
                "IN_THE_PAST",
                "INVALID_ROW",
                "CONTENT_FILE",
                "INVALID_ROW",
                "INVALID_ROW"
            ]
        );
        let PostRow::Valid(first) = &rows.rows[0] else {
            return Err("row 1".into());
        };
        // Whole seconds, in UTC.
        assert_eq!(first.scheduled_for.to_string(), "2030-01-15T14:00:00Z");
        assert_eq!(first.platforms, [Platform::LinkedIn, Platform::Bluesky]);
        let PostRow::Valid(second) = &rows.rows[1] else {
            return Err("row 2".into());
        };
        assert_eq!(second.content, "Hello from a file");
        assert_eq!(second.platforms, [Platform::LinkedIn]);
        let PostRow::Invalid { message, .. } = &rows.rows[2] else {
            return Err("row 3".into());
        };
        assert!(message.contains("Bluesky allows at most 300"), "{message}");
        Ok(())
    }

    #[test]
    fn a_csv_without_the_columns_is_a_usage_error() -> Result<(), String> {
        let missing = read(
            &input("cols", "profileKey,platforms,when,content\n")?,
            now(),
        );
        assert!(
            matches!(&missing, Err(Failure::Usage(m)) if m.contains("no scheduledFor column")),
            "{:?}",
            missing.err()
        );
        let no_content = read(
            &input("nocontent", "profileKey,platforms,scheduledFor\n")?,
            now(),
        );
        assert!(matches!(&no_content, Err(Failure::Usage(m)) if m.contains("no content column")));
        Ok(())
    }

    #[test]
    fn the_contents_are_fingerprinted() -> Result<(), String> {
        let csv = "profileKey,platforms,scheduledFor,contentFile\nprof_a,linkedin,2030-01-15T14:00:00Z,texts/hello.txt\n";
        let first = read(&input("hash", csv)?, now()).map_err(|e| format!("{e:?}"))?;
        let input = input("hash", csv)?;
        std::fs::write(input.folder().join("texts/hello.txt"), "Changed")
            .map_err(|e| e.to_string())?;
        let second = read(&input, now()).map_err(|e| format!("{e:?}"))?;
        assert_ne!(first.content_hash, second.content_hash);
        Ok(())
    }
}
