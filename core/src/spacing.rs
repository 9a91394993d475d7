//! The documented per-profile spacing of scheduled posts: on one profile, two LinkedIn posts
//! must be at least 60 s apart and two Bluesky posts 1 s (their `scheduledFor` times). The
//! API refuses a post that breaks it with 429 `RATE_LIMIT_EXCEEDED` and `next_available`;
//! checking first against the posts already scheduled says so without sending anything.

use std::time::Duration;

use crate::endpoints::posts::CreatePost;
use crate::models::{Platform, Post, PostStatus};
use crate::timestamp::Timestamp;

/// The least time between the `scheduledFor` of two posts of one profile on `platform`
/// (LinkedIn 60 s, Bluesky 1 s); `None` for platforms the SDK does not know.
pub fn post_spacing(platform: &Platform) -> Option<Duration> {
    match platform {
        Platform::LinkedIn => Some(Duration::from_secs(60)),
        Platform::Bluesky => Some(Duration::from_secs(1)),
        Platform::Other(_) => None,
    }
}

/// The spacing rule for one platform of a new post, checked against known posts.
#[derive(Debug, Clone, PartialEq)]
pub struct SpacingCheck {
    /// The platform.
    pub platform: Platform,
    /// The least time allowed between two posts of the profile on it.
    pub spacing: Duration,
    /// The posts of the same profile and platform, pending or published, scheduled less than
    /// `spacing` away from the new one (as the API counts them).
    pub conflicts: Vec<Post>,
}

impl SpacingCheck {
    /// Whether the new post keeps to the rule.
    pub fn ok(&self) -> bool {
        self.conflicts.is_empty()
    }

    /// When the platform is next free after the conflicting posts (the latest of them plus
    /// the spacing, as the API's `next_available`); `None` when nothing conflicts.
    pub fn next_available(&self) -> Option<Timestamp> {
        self.conflicts
            .iter()
            .map(|post| post.scheduled_for)
            .max()
            .map(|latest| latest.add(self.spacing))
    }
}

/// Checks `new` against `posts` (e.g. every post from `GET /posts`): one check per platform of
/// the new post that has a documented spacing.
pub fn spacing_checks(new: &CreatePost, posts: &[Post]) -> Vec<SpacingCheck> {
    new.platforms
        .iter()
        .filter_map(|platform| {
            let spacing = post_spacing(platform)?;
            let conflicts = posts
                .iter()
                .filter(|post| {
                    post.profile_key == new.profile_key
                        && post.platform == *platform
                        && matches!(post.status, PostStatus::Pending | PostStatus::Published)
                        && apart(post.scheduled_for, new.scheduled_for) < spacing
                })
                .cloned()
                .collect();
            Some(SpacingCheck {
                platform: platform.clone(),
                spacing,
                conflicts,
            })
        })
        .collect()
}

/// The time between two instants, in either order.
fn apart(a: Timestamp, b: Timestamp) -> Duration {
    a.duration_since(&b)
        .or_else(|| b.duration_since(&a))
        .unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(id: &str, profile: &str, platform: Platform, at: i64, status: PostStatus) -> Post {
        serde_json::from_value(serde_json::json!({
            "postId": id,
            "profileKey": profile,
            "platform": platform,
            "content": "x",
            "scheduledFor": Timestamp::from_unix(at),
            "status": status.as_str(),
        }))
        .expect("a post")
    }

    #[test]
    fn conflicts_are_same_profile_same_platform_and_closer_than_the_spacing() {
        let at = 1_000_000;
        let posts = [
            post(
                "near",
                "p",
                Platform::LinkedIn,
                at - 59,
                PostStatus::Pending,
            ),
            post(
                "later",
                "p",
                Platform::LinkedIn,
                at + 30,
                PostStatus::Published,
            ),
            post("far", "p", Platform::LinkedIn, at + 60, PostStatus::Pending),
            post("failed", "p", Platform::LinkedIn, at, PostStatus::Failed),
            post("other", "q", Platform::LinkedIn, at, PostStatus::Pending),
            post("sky", "p", Platform::Bluesky, at + 1, PostStatus::Pending),
        ];
        let new = CreatePost::new(
            "p",
            "hi",
            [Platform::LinkedIn, Platform::Bluesky],
            Timestamp::from_unix(at),
        );
        let checks = spacing_checks(&new, &posts);
        assert_eq!(checks.len(), 2);
        let ids: Vec<&str> = checks[0]
            .conflicts
            .iter()
            .map(|p| p.post_id.as_str())
            .collect();
        assert_eq!(ids, ["near", "later"]);
        assert_eq!(
            checks[0].next_available(),
            Some(Timestamp::from_unix(at + 90))
        );
        // Bluesky: 1 s apart is allowed.
        assert!(checks[1].ok(), "{:?}", checks[1]);
        assert_eq!(checks[1].next_available(), None);
    }
}
