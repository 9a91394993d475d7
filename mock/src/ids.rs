//! Random identifiers shaped like the real API's (`prof_abc123def456`, ...). Each server's
//! uniqueness checks live in its store; this only draws the characters.

const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `n` random lowercase letters and digits.
pub(crate) fn alnum(n: usize) -> String {
    (0..n)
        .map(|_| char::from(ALNUM[fastrand::usize(..ALNUM.len())]))
        .collect()
}

/// `prof_` and 12 lowercase letters and digits.
pub(crate) fn profile_key() -> String {
    format!("prof_{}", alnum(12))
}

/// `post_` and 12 lowercase letters and digits.
pub(crate) fn post_id() -> String {
    format!("post_{}", alnum(12))
}

/// The username of the fake LinkedIn account an OAuth connect produces.
pub(crate) fn linkedin_username() -> String {
    format!("mock-linkedin-{}", alnum(6))
}

/// A LinkedIn share URL with a 19-digit id, as LinkedIn's URNs look.
pub(crate) fn linkedin_post_url() -> String {
    let first = char::from(b'0' + fastrand::u8(1..10));
    let rest: String = (0..18)
        .map(|_| char::from(b'0' + fastrand::u8(0..10)))
        .collect();
    format!("https://www.linkedin.com/feed/update/urn:li:share:{first}{rest}")
}

/// A Bluesky post URL for `handle`, with a 13-character record key.
pub(crate) fn bluesky_post_url(handle: &str) -> String {
    format!("https://bsky.app/profile/{handle}/post/{}", alnum(13))
}
