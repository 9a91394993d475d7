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

/// The documented least time between two scheduled posts of one profile on one platform
/// (LinkedIn 60 s, Bluesky 1 s); closer ones are refused with a 429 naming `next_available`.
pub(crate) fn post_spacing(platform: &Platform) -> Option<std::time::Duration> {
    match platform {
        Platform::LinkedIn => Some(std::time::Duration::from_secs(60)),
        Platform::Bluesky => Some(std::time::Duration::from_secs(1)),
        Platform::Other(_) => None,
    }
}

/// How argument names are spelled in the caller's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Names {
    /// Rust and Python: `app_password`.
    #[default]
    SnakeCase,
    /// JavaScript: `appPassword`.
    CamelCase,
}

impl Names {
    /// `name` (given in camelCase, as in the API) spelled for the caller.
    pub fn spell(self, name: &str) -> String {
        match self {
            Self::CamelCase => name.to_owned(),
            Self::SnakeCase => camel_to_snake(name),
        }
    }
}

pub(crate) fn camel_to_snake(name: &str) -> String {
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

pub(crate) fn snake_to_camel(name: &str) -> String {
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

/// A post's content for the given platforms.
pub(crate) fn content(names: Names, content: &str, platforms: &[Platform]) -> Result<()> {
    let field = names.spell("content");
    if content.trim().is_empty() {
        return Err(Error::invalid_argument(format!(
            "{field} must not be empty"
        )));
    }
    let chars = content.chars().count();
    if chars > MAX_CONTENT_CHARS {
        return Err(Error::invalid_argument(format!(
            "{field} is {chars} characters long; postcore allows at most {MAX_CONTENT_CHARS}"
        )));
    }
    if platforms.contains(&Platform::Bluesky) {
        let graphemes = content.graphemes(true).count();
        if graphemes > MAX_BLUESKY_GRAPHEMES {
            return Err(Error::invalid_argument(format!(
                "{field} is {graphemes} characters (graphemes) long; Bluesky allows at most \
                 {MAX_BLUESKY_GRAPHEMES}, so the post would fail when published (schedule it \
                 for LinkedIn only, or shorten it)"
            )));
        }
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
