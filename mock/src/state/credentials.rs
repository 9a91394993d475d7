//! What the mock accepts as Bluesky credentials. There is no Bluesky behind it, so it checks
//! the shapes real ones have, and refuses the one password the docs show being refused.

/// A hostname-like Bluesky handle: at least two dot-separated labels of letters, digits and
/// inner hyphens (1 to 63 characters each), 253 characters at most.
pub(crate) fn valid_bluesky_handle(handle: &str) -> bool {
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    handle.len() <= 253 && handle.contains('.') && handle.split('.').all(label_ok)
}

/// The password the docs show being refused: a well-formed app password that Bluesky rejects.
pub(crate) const REJECTED_APP_PASSWORD: &str = "0000-0000-0000-0000";

/// `xxxx-xxxx-xxxx-xxxx` in lowercase letters and digits, and not the rejected one.
pub(crate) fn valid_app_password(password: &str) -> bool {
    let groups: Vec<&str> = password.split('-').collect();
    groups.len() == 4
        && groups.iter().all(|g| {
            g.len() == 4
                && g.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && password != REJECTED_APP_PASSWORD
}
