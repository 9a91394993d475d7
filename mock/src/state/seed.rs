//! `POST /__mock/seed`: loads profiles and posts in one go, so a test can start from a given
//! state (or a huge one: 30,000 profiles) without thousands of API calls. The whole seed is
//! checked before anything is stored, so a refused seed leaves the store as it was.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::credentials::valid_bluesky_handle;
use super::model::{Connection, DEFAULT_BLUESKY_HANDLE, Platform, Post, PostStatus, Profile};
use super::store::Store;
use crate::ids;
use crate::time::parse_iso8601;

/// More profiles than any test needs; a typo like `count: 1e9` is refused, not allocated.
const MAX_SEEDED_PROFILES: usize = 1_000_000;

/// The seed body; unknown fields are refused so that a misspelt one is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Seed {
    profiles: Vec<SeedProfile>,
    posts: Vec<SeedPost>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SeedProfile {
    profile_key: Option<String>,
    #[serde(default)]
    profile_name: Option<String>,
    #[serde(default)]
    connect: Vec<String>,
    bluesky_handle: Option<String>,
    count: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SeedPost {
    post_id: Option<String>,
    profile_key: String,
    platform: String,
    content: String,
    scheduled_for: String,
    status: Option<PostStatus>,
}

/// What a seed created: the keys and ids, in seed order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seeded {
    /// Keys of the created profiles.
    pub profiles: Vec<String>,
    /// Ids of the created posts.
    pub posts: Vec<String>,
}

/// A seed profile entry, checked.
struct ProfilePlan<'a> {
    entry: &'a SeedProfile,
    /// One per profile to create; `None` means "generate a key".
    keys: Vec<Option<String>>,
    platforms: Vec<Platform>,
    handle: &'a str,
}

impl Store {
    /// Checks the whole seed, then stores it. Seeded posts count against the quota of the
    /// month they are created in (now), like posts created through the API.
    pub(crate) fn load_seed(&mut self, seed: &Seed, now: i64) -> Result<Seeded, String> {
        self.settle(now);
        let mut reserved: HashSet<String> = HashSet::new();
        let mut plans = Vec::with_capacity(seed.profiles.len());
        let mut total = 0usize;
        for (i, entry) in seed.profiles.iter().enumerate() {
            let plan = self.plan_profile(i, entry, &mut reserved)?;
            total = total.saturating_add(plan.keys.len());
            if total > MAX_SEEDED_PROFILES {
                return Err(format!(
                    "a seed creates at most {MAX_SEEDED_PROFILES} profiles"
                ));
            }
            plans.push(plan);
        }
        let mut post_ids: HashSet<&str> = HashSet::new();
        let mut post_plans = Vec::with_capacity(seed.posts.len());
        for (i, post) in seed.posts.iter().enumerate() {
            let platform = Platform::parse(&post.platform).ok_or_else(|| {
                format!("posts[{i}].platform must be \"linkedin\" or \"bluesky\"")
            })?;
            let scheduled_for = parse_iso8601(&post.scheduled_for).ok_or_else(|| {
                format!("posts[{i}].scheduledFor is not an ISO 8601 timestamp with a time zone")
            })?;
            if !self.has_profile(&post.profile_key) && !reserved.contains(&post.profile_key) {
                return Err(format!(
                    "posts[{i}].profileKey {:?} is neither stored nor seeded with an explicit key",
                    post.profile_key
                ));
            }
            if let Some(id) = &post.post_id {
                if id.is_empty() || self.has_post(id) || !post_ids.insert(id) {
                    return Err(format!("posts[{i}].postId {id:?} is empty or taken"));
                }
            }
            post_plans.push((post, platform, scheduled_for));
        }

        let mut seeded = Seeded {
            profiles: Vec::with_capacity(total),
            posts: Vec::with_capacity(post_plans.len()),
        };
        for plan in plans {
            for key in plan.keys {
                let key = key.unwrap_or_else(|| self.fresh_profile_key(|k| reserved.contains(k)));
                let mut profile = Profile::new(key, plan.entry.profile_name.clone(), now);
                for platform in &plan.platforms {
                    profile.connect(match platform {
                        Platform::LinkedIn => Connection::linkedin(now),
                        Platform::Bluesky => Connection::bluesky(plan.handle, now),
                    });
                }
                seeded.profiles.push(profile.key.clone());
                self.insert_profile(profile);
            }
        }
        for (post, platform, scheduled_for) in post_plans {
            let id = match &post.post_id {
                Some(id) => id.clone(),
                None => self.fresh_post_id(|id| post_ids.contains(id)),
            };
            let stored = self.seeded_post(id, post, platform, scheduled_for, now);
            seeded.posts.push(stored.id.clone());
            self.insert_post(stored);
        }
        Ok(seeded)
    }

    fn plan_profile<'a>(
        &self,
        i: usize,
        entry: &'a SeedProfile,
        reserved: &mut HashSet<String>,
    ) -> Result<ProfilePlan<'a>, String> {
        let mut platforms = Vec::new();
        for name in &entry.connect {
            let platform = Platform::parse(name).ok_or_else(|| {
                format!("profiles[{i}].connect: {name:?} is not \"linkedin\" or \"bluesky\"")
            })?;
            if !platforms.contains(&platform) {
                platforms.push(platform);
            }
        }
        let handle = entry
            .bluesky_handle
            .as_deref()
            .unwrap_or(DEFAULT_BLUESKY_HANDLE);
        if !valid_bluesky_handle(handle) {
            return Err(format!(
                "profiles[{i}].blueskyHandle {handle:?} is not a hostname-like handle"
            ));
        }
        let keys: Vec<Option<String>> = match (&entry.profile_key, entry.count) {
            (None, count) => vec![None; count.unwrap_or(1).min(MAX_SEEDED_PROFILES + 1)],
            (Some(key), None) => vec![Some(key.clone())],
            (Some(key), Some(count)) => (1..=count.min(MAX_SEEDED_PROFILES + 1))
                .map(|n| Some(format!("{key}_{n}")))
                .collect(),
        };
        for key in keys.iter().flatten() {
            if key.is_empty() || self.has_profile(key) || !reserved.insert(key.clone()) {
                return Err(format!(
                    "profiles[{i}]: profile key {key:?} is empty or taken"
                ));
            }
        }
        Ok(ProfilePlan {
            entry,
            keys,
            platforms,
            handle,
        })
    }

    /// A post as the seed asks for it: pending ones are decided later like any other, while
    /// `published` and `failed` are taken as already decided.
    fn seeded_post(
        &self,
        id: String,
        post: &SeedPost,
        platform: Platform,
        scheduled_for: i64,
        now: i64,
    ) -> Post {
        let status = post.status.unwrap_or(PostStatus::Pending);
        let handle = self
            .profile_seq
            .get(&post.profile_key)
            .and_then(|s| self.profiles.get(s))
            .and_then(|p| p.connection(Platform::Bluesky))
            .map_or(DEFAULT_BLUESKY_HANDLE, |c| c.username.as_str());
        let published = status == PostStatus::Published;
        Post {
            id,
            profile_key: post.profile_key.clone(),
            platform,
            content: post.content.clone(),
            scheduled_for,
            created_at: now,
            status,
            published_at: published.then_some(scheduled_for),
            platform_url: published.then(|| match platform {
                Platform::LinkedIn => ids::linkedin_post_url(),
                Platform::Bluesky => ids::bluesky_post_url(handle),
            }),
            failure_reason: (status == PostStatus::Failed).then(|| "Seeded as failed".to_owned()),
        }
    }
}
