//! Idempotency keys derived from a call's arguments, so that an agent that repeats a
//! `schedule_post` or `create_profile` (a retry after a timeout, a loop, a re-planned step)
//! creates nothing twice: the same tool with the same normalized arguments always gets the
//! same key, and the SDK answers a repeated key with the first call's result.

use postcore::RequestOptions;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The key of a call: `mcp-` and 32 hex digits of the SHA-256 of the tool's name and its
/// normalized arguments (`normalized` is built by the caller in a fixed order: a JSON array,
/// so no map ordering is involved).
pub(crate) fn key(tool: &str, normalized: &Value) -> String {
    let canonical = json!([tool, normalized]).to_string();
    let digest = Sha256::digest(canonical.as_bytes());
    let mut key = String::with_capacity(36);
    key.push_str("mcp-");
    for byte in &digest[..16] {
        key.push_str(&format!("{byte:02x}"));
    }
    key
}

/// `schedule_post`'s arguments as they matter to the API: the profile, the platforms as a set,
/// the instant (whatever offset it was written with) and the text.
pub(crate) fn schedule_post_key(params: &postcore::CreatePost) -> String {
    let mut platforms: Vec<&str> = params.platforms.iter().map(|p| p.as_str()).collect();
    platforms.sort_unstable();
    platforms.dedup();
    key(
        "schedule_post",
        &json!([
            params.profile_key,
            platforms,
            params.scheduled_for.to_string(),
            params.content,
        ]),
    )
}

/// `create_profile`'s arguments: the name (or none).
pub(crate) fn create_profile_key(profile_name: Option<&str>) -> String {
    key("create_profile", &json!([profile_name]))
}

/// The request options that send `key` with a create call: the core records the intent in
/// the client's store before sending, so a repeated call (from this server or any process
/// sharing the store) returns the first call's result instead of creating again.
pub(crate) fn request_options(key: &str) -> RequestOptions {
    RequestOptions::new().idempotency_key(key)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use postcore::{CreatePost, Platform, Timestamp};

    use super::*;

    #[test]
    fn equal_calls_share_a_key_and_others_do_not() {
        let at = Timestamp::parse("2030-01-01T12:00:00Z").expect("timestamp");
        let same_instant = Timestamp::parse("2030-01-01T14:00:00+02:00").expect("timestamp");
        let a = CreatePost::new("prof_1", "hi", [Platform::LinkedIn, Platform::Bluesky], at);
        let b = CreatePost::new(
            "prof_1",
            "hi",
            [Platform::Bluesky, Platform::LinkedIn],
            same_instant,
        );
        assert_eq!(schedule_post_key(&a), schedule_post_key(&b));
        let derived = schedule_post_key(&a);
        assert!(
            derived.starts_with("mcp-") && derived.len() == 36,
            "{derived}"
        );

        let later = CreatePost::new(
            "prof_1",
            "hi",
            [Platform::LinkedIn, Platform::Bluesky],
            at.add(Duration::from_secs(1)),
        );
        let other_text = CreatePost::new("prof_1", "hi!", [Platform::LinkedIn], at);
        let other_profile = CreatePost::new("prof_2", "hi", [Platform::LinkedIn], at);
        let linkedin_only = CreatePost::new("prof_1", "hi", [Platform::LinkedIn], at);
        let keys = [
            schedule_post_key(&a),
            schedule_post_key(&later),
            schedule_post_key(&other_text),
            schedule_post_key(&other_profile),
            schedule_post_key(&linkedin_only),
        ];
        for (i, k) in keys.iter().enumerate() {
            assert!(!keys[..i].contains(k), "{keys:?}");
        }

        assert_eq!(
            create_profile_key(Some("Ann")),
            create_profile_key(Some("Ann"))
        );
        assert_ne!(create_profile_key(Some("Ann")), create_profile_key(None));
        // The tool's name is part of the key.
        assert_ne!(key("a", &json!([1])), key("b", &json!([1])));
    }
}
