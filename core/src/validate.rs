//! Checks made before a request is sent, so that a call the server would refuse (or a post
//! that would fail at publish time) fails at once with a clear argument error instead.
//!
//! Messages name arguments through [`Names`], so that Python users read `app_password` and
//! Node users `appPassword`.

use unicode_segmentation::UnicodeSegmentation;

use crate::error::{Error, Result};
use crate::models::Platform;

/// The API's limit on a post's content, in characters.
pub const MAX_CONTENT_CHARS: usize = 3000;
/// Bluesky's limit, in graphemes (user-perceived characters); longer posts fail when published.
pub const MAX_BLUESKY_GRAPHEMES: usize = 300;

/// How argument names are spelled in the caller's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Names {
    /// Rust and Python: `app_password`.
    #[default]
    SnakeCase,
    /// JavaScript: `appPassword`.
    CamelCase,
    /// The command line's flags: `--app-password`.
    Flags,
}

impl Names {
    /// `name` (given in camelCase, as in the API) spelled for the caller.
    pub fn spell(self, name: &str) -> String {
        match self {
            Self::CamelCase => name.to_owned(),
            Self::SnakeCase => camel_to_snake(name),
            Self::Flags => format!("--{}", camel_to_snake(name).replace('_', "-")),
        }
    }
}

/// `profileKey` → `profile_key` (the Python spelling of an API name).
pub fn camel_to_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `profile_key` → `profileKey` (the API's spelling of a Python name).
pub fn snake_to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// An identifier that goes into a URL path (`profile_key`, `post_id`): non-empty, no control
/// characters. (It is percent-encoded, so `/` or `?` cannot change the path.)
pub(crate) fn id(names: Names, field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(format!(
            "{} must not be empty",
            names.spell(field)
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_argument(format!(
            "{} must not contain control characters",
            names.spell(field)
        )));
    }
    Ok(())
}

/// A length rule on a post's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentRule {
    /// At most [`MAX_CONTENT_CHARS`] characters (Unicode scalar values), on every platform.
    Characters,
    /// At most [`MAX_BLUESKY_GRAPHEMES`] graphemes when Bluesky is among the platforms.
    BlueskyGraphemes,
}

impl ContentRule {
    /// A stable name for reports: `"characters"`, `"bluesky_graphemes"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Characters => "characters",
            Self::BlueskyGraphemes => "bluesky_graphemes",
        }
    }
}

/// One content rule measured on a post: what `posts.create` checks, for reports that show every
/// rule with its numbers (the MCP server's dry run) rather than the first one broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentCheck {
    /// The rule.
    pub rule: ContentRule,
    /// The content's length as the rule counts it.
    pub count: usize,
    /// The most the rule allows.
    pub limit: usize,
}

impl ContentCheck {
    /// Whether the content keeps to the rule.
    pub fn ok(&self) -> bool {
        self.count <= self.limit
    }
}

/// The rules that apply to `content` on `platforms`, measured.
pub fn content_checks(content: &str, platforms: &[Platform]) -> Vec<ContentCheck> {
    let mut checks = vec![ContentCheck {
        rule: ContentRule::Characters,
        count: content.chars().count(),
        limit: MAX_CONTENT_CHARS,
    }];
    if platforms.contains(&Platform::Bluesky) {
        checks.push(ContentCheck {
            rule: ContentRule::BlueskyGraphemes,
            count: content.graphemes(true).count(),
            limit: MAX_BLUESKY_GRAPHEMES,
        });
    }
    checks
}

/// A post's content for the given platforms.
pub(crate) fn content(names: Names, content: &str, platforms: &[Platform]) -> Result<()> {
    let field = names.spell("content");
    if content.trim().is_empty() {
        return Err(Error::invalid_argument(format!(
            "{field} must not be empty"
        )));
    }
    for ContentCheck { rule, count, limit } in content_checks(content, platforms) {
        if count <= limit {
            continue;
        }
        return Err(Error::invalid_argument(match rule {
            ContentRule::Characters => {
                format!("{field} is {count} characters long; postcore allows at most {limit}")
            }
            ContentRule::BlueskyGraphemes => format!(
                "{field} is {count} characters (graphemes) long; Bluesky allows at most \
                 {limit}, so the post would fail when published (schedule it for LinkedIn \
                 only, or shorten it)"
            ),
        }));
    }
    Ok(())
}

/// The platforms of a post: at least one, each known, none twice.
pub(crate) fn platforms(names: Names, platforms: &[Platform]) -> Result<()> {
    let field = names.spell("platforms");
    if platforms.is_empty() {
        return Err(Error::invalid_argument(format!(
            "{field} must name at least one platform (\"linkedin\", \"bluesky\")"
        )));
    }
    for (i, platform) in platforms.iter().enumerate() {
        if let Platform::Other(name) = platform {
            return Err(Error::invalid_argument(format!(
                "{field}: unknown platform {name:?} (expected \"linkedin\" or \"bluesky\")"
            )));
        }
        if platforms[..i].contains(platform) {
            return Err(Error::invalid_argument(format!(
                "{field}: {platform:?} is listed twice",
                platform = platform.as_str()
            )));
        }
    }
    Ok(())
}

/// A Bluesky app password: `xxxx-xxxx-xxxx-xxxx`, letters and digits. The value is never
/// echoed in the message.
pub(crate) fn app_password(names: Names, password: &str) -> Result<()> {
    let groups: Vec<&str> = password.split('-').collect();
    let ok = groups.len() == 4
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "{} must be a Bluesky app password of the form xxxx-xxxx-xxxx-xxxx (create one in \
             Bluesky under Settings > App passwords; it is not the account password)",
            names.spell("appPassword")
        )))
    }
}

/// A Bluesky handle such as `user.bsky.social`.
pub(crate) fn handle(names: Names, handle: &str) -> Result<()> {
    let h = handle.trim_start_matches('@');
    if h.is_empty() || !h.contains('.') || h.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_argument(format!(
            "{} must be a Bluesky handle such as \"user.bsky.social\"",
            names.spell("handle")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_spelled_per_language() {
        assert_eq!(Names::SnakeCase.spell("appPassword"), "app_password");
        assert_eq!(Names::CamelCase.spell("appPassword"), "appPassword");
        assert_eq!(snake_to_camel("profile_key"), "profileKey");
        assert_eq!(snake_to_camel("_private"), "_private");
    }

    #[test]
    fn content_limits() {
        let n = Names::SnakeCase;
        assert!(content(n, "hi", &[Platform::LinkedIn]).is_ok());
        assert!(content(n, "  ", &[Platform::LinkedIn]).is_err());
        assert!(content(n, &"a".repeat(3000), &[Platform::LinkedIn]).is_ok());
        assert!(content(n, &"a".repeat(3001), &[Platform::LinkedIn]).is_err());
        // 300 family emoji are 300 graphemes but far more chars: fine for Bluesky.
        let family = "👨‍👩‍👧".repeat(300);
        assert!(content(n, &family, &[Platform::Bluesky]).is_ok());
        let err = content(n, &"a".repeat(301), &[Platform::Bluesky]).unwrap_err();
        assert!(err.message().contains("Bluesky"), "{err}");
    }

    #[test]
    fn platform_lists() {
        let n = Names::CamelCase;
        assert!(platforms(n, &[Platform::LinkedIn, Platform::Bluesky]).is_ok());
        assert!(platforms(n, &[]).is_err());
        assert!(platforms(n, &[Platform::LinkedIn, Platform::LinkedIn]).is_err());
        assert!(platforms(n, &[Platform::Other("myspace".into())]).is_err());
    }

    #[test]
    fn app_passwords_are_checked_without_echo() {
        let n = Names::SnakeCase;
        assert!(app_password(n, "abcd-efgh-ijkl-mnop").is_ok());
        let err = app_password(n, "hunter2").unwrap_err();
        assert!(!err.message().contains("hunter2"));
        assert!(err.message().starts_with("app_password"));
        assert!(app_password(n, "abcd-efgh-ijkl-mno!").is_err());
    }
}
