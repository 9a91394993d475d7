//! The API's data: profiles and posts in creation order, each with an index by key so that
//! lookups stay cheap with tens of thousands of seeded profiles. Every operation takes the
//! mock time `now` (Unix seconds) from its caller, and settles due posts before it changes
//! anything: the state between two changes is constant, so deciding a due post against the
//! current state is the same as deciding it at its `scheduledFor`.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use super::events::EventLog;
use super::model::{
    BLUESKY_MAX_GRAPHEMES, ConnectedPlatform, Connection, Platform, Post, PostStatus, Profile,
    StoredPost, StoredProfile,
};
use crate::ids;
use crate::time::{month_label, month_of};

/// Why the store refused an operation; the routes turn these into the API's error bodies.
#[derive(Debug)]
pub(crate) enum Denied {
    ProfileNotFound,
    PostNotFound,
    AlreadyConnected,
    LinkedInNotConnected,
    PostNotPending,
    /// The requested platforms the profile lacks, in request order.
    PlatformsNotConnected(Vec<Platform>),
    MonthlyLimit(Usage),
    Spacing {
        platform: Platform,
        next_available: i64,
    },
}

/// The `usage` object of `POST /posts` answers.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Usage {
    pub(crate) month: String,
    pub(crate) used: u32,
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
}

/// A profile's posts by status.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(crate) struct PostCounts {
    pub(crate) pending: u32,
    pub(crate) published: u32,
    pub(crate) failed: u32,
}

/// [`Store::overview`]'s answer.
pub(crate) struct Overview {
    pub(crate) profile_total: usize,
    pub(crate) post_total: usize,
    pub(crate) profiles: Vec<(StoredProfile, PostCounts)>,
    /// Each post with, while pending, the reason it would fail when due.
    pub(crate) posts: Vec<(StoredPost, Option<String>)>,
}

/// A validated `POST /posts` body.
pub(crate) struct NewPosts {
    pub(crate) profile_key: String,
    pub(crate) content: String,
    pub(crate) platforms: Vec<Platform>,
    /// Whole seconds, already checked to be in the future.
    pub(crate) scheduled_for: i64,
}

#[derive(Default)]
pub(crate) struct Store {
    pub(super) profiles: BTreeMap<u64, Profile>,
    pub(super) profile_seq: HashMap<String, u64>,
    pub(super) posts: BTreeMap<u64, Post>,
    pub(super) post_seq: HashMap<String, u64>,
    next_seq: u64,
    /// Posts created per UTC month; deleting a post does not give its slot back.
    created_per_month: HashMap<(i64, u32), u32>,
    /// What the changes amount to, as the SDK's events.
    pub(crate) events: EventLog,
}

impl Store {
    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub(super) fn has_profile(&self, key: &str) -> bool {
        self.profile_seq.contains_key(key)
    }

    pub(super) fn has_post(&self, id: &str) -> bool {
        self.post_seq.contains_key(id)
    }

    fn profile(&self, key: &str) -> Option<&Profile> {
        self.profile_seq.get(key).and_then(|s| self.profiles.get(s))
    }

    fn profile_mut(&mut self, key: &str) -> Option<&mut Profile> {
        let seq = self.profile_seq.get(key)?;
        self.profiles.get_mut(seq)
    }

    /// A `prof_…` key no stored profile has and `taken` does not contain.
    pub(super) fn fresh_profile_key(&self, taken: impl Fn(&str) -> bool) -> String {
        loop {
            let key = ids::profile_key();
            if !self.has_profile(&key) && !taken(&key) {
                return key;
            }
        }
    }

    pub(super) fn fresh_post_id(&self, taken: impl Fn(&str) -> bool) -> String {
        loop {
            let id = ids::post_id();
            if !self.has_post(&id) && !taken(&id) {
                return id;
            }
        }
    }

    /// Stores a profile whose key the caller made sure is free.
    pub(super) fn insert_profile(&mut self, profile: Profile) {
        let seq = self.seq();
        self.profile_seq.insert(profile.key.clone(), seq);
        self.profiles.insert(seq, profile);
    }

    /// Stores a post whose id the caller made sure is free, counting it against its month.
    pub(super) fn insert_post(&mut self, post: Post) {
        *self
            .created_per_month
            .entry(month_of(post.created_at))
            .or_default() += 1;
        let seq = self.seq();
        self.post_seq.insert(post.id.clone(), seq);
        self.posts.insert(seq, post);
    }

    pub(crate) fn create_profile(&mut self, name: Option<String>, now: i64) -> Profile {
        let key = self.fresh_profile_key(|_| false);
        let profile = Profile::new(key, name, now);
        self.events.profile_created(&profile, now);
        self.insert_profile(profile.clone());
        profile
    }

    pub(crate) fn profiles(&self, now: i64) -> Vec<StoredProfile> {
        self.profiles.values().map(|p| p.view(now)).collect()
    }

    /// Deletes a profile, its connections and its pending posts (published and failed posts
    /// stay, as history).
    pub(crate) fn delete_profile(&mut self, key: &str, now: i64) -> Result<(), Denied> {
        self.settle(now);
        let seq = self
            .profile_seq
            .remove(key)
            .ok_or(Denied::ProfileNotFound)?;
        let profile = self.profiles.remove(&seq);
        let Self {
            posts,
            post_seq,
            events,
            ..
        } = self;
        posts.retain(|_, post| {
            let doomed = post.profile_key == key && post.status == PostStatus::Pending;
            if doomed {
                post_seq.remove(&post.id);
                events.post_deleted(post, now);
            }
            !doomed
        });
        if let Some(profile) = profile {
            events.profile_deleted(&profile, now);
        }
        Ok(())
    }

    /// The profile `key` names, or a new unnamed one when `key` is `None`.
    fn profile_for_connect(&mut self, key: Option<&str>, now: i64) -> Result<String, Denied> {
        match key {
            Some(key) if self.has_profile(key) => Ok(key.to_owned()),
            Some(_) => Err(Denied::ProfileNotFound),
            None => Ok(self.create_profile(None, now).key),
        }
    }

    /// The end of the OAuth flow: connects (or reconnects) a fake LinkedIn account.
    /// Returns the profile's key.
    pub(crate) fn connect_linkedin(
        &mut self,
        key: Option<&str>,
        now: i64,
    ) -> Result<String, Denied> {
        self.settle(now);
        let key = self.profile_for_connect(key, now)?;
        let connection = Connection::linkedin(now);
        if let Some(old) = self
            .profile(&key)
            .and_then(|p| p.connection(Platform::LinkedIn))
        {
            let old = old.clone();
            self.events.disconnected(&key, &old, now);
        }
        self.events.connected(&key, &connection, now);
        if let Some(profile) = self.profile_mut(&key) {
            profile.connect(connection);
        }
        Ok(key)
    }

    /// Connects a Bluesky account whose credentials were already checked.
    pub(crate) fn connect_bluesky(
        &mut self,
        key: Option<&str>,
        handle: &str,
        now: i64,
    ) -> Result<(String, ConnectedPlatform), Denied> {
        self.settle(now);
        if let Some(profile) = key.and_then(|k| self.profile(k)) {
            if profile.connection(Platform::Bluesky).is_some() {
                return Err(Denied::AlreadyConnected);
            }
        }
        let key = self.profile_for_connect(key, now)?;
        let connection = Connection::bluesky(handle, now);
        let view = connection.view(now);
        self.events.connected(&key, &connection, now);
        if let Some(profile) = self.profile_mut(&key) {
            profile.connect(connection);
        }
        Ok((key, view))
    }

    /// `POST /__mock/linkedin`: expires a profile's LinkedIn token (`expired: false` restores
    /// the 60 days) and/or sets its needs-reconnect flag.
    pub(crate) fn mark_linkedin(
        &mut self,
        key: &str,
        expired: Option<bool>,
        needs_reconnect: Option<bool>,
        now: i64,
    ) -> Result<ConnectedPlatform, Denied> {
        self.settle(now);
        let seq = *self.profile_seq.get(key).ok_or(Denied::ProfileNotFound)?;
        let Self {
            profiles, events, ..
        } = self;
        let profile = profiles.get_mut(&seq).ok_or(Denied::ProfileNotFound)?;
        let connection = profile
            .connection_mut(Platform::LinkedIn)
            .ok_or(Denied::LinkedInNotConnected)?;
        match expired {
            Some(true) => connection.expires_at = Some(now - 1),
            Some(false) => {
                connection.expires_at =
                    Some(connection.connected_at + super::model::LINKEDIN_TOKEN_SECS);
            }
            None => {}
        }
        if let Some(flag) = needs_reconnect {
            connection.flagged_reconnect = flag;
        }
        events.watch(key, connection, now);
        Ok(connection.view(now))
    }

    /// Decides every pending post that is due: published, or failed with a reason; and notes
    /// the connections that came to need a reconnect or near their expiry (as events).
    pub(crate) fn settle(&mut self, now: i64) {
        let Self {
            profiles,
            profile_seq,
            posts,
            events,
            ..
        } = self;
        for post in posts.values_mut() {
            if post.status != PostStatus::Pending || post.scheduled_for > now {
                continue;
            }
            let profile = profile_seq
                .get(&post.profile_key)
                .and_then(|s| profiles.get(s));
            match publish(post, profile) {
                Ok(url) => {
                    post.status = PostStatus::Published;
                    post.published_at = Some(post.scheduled_for);
                    post.platform_url = Some(url);
                }
                Err(reason) => {
                    post.status = PostStatus::Failed;
                    post.failure_reason = Some(reason);
                }
            }
            events.post_decided(post);
        }
        for profile in profiles.values_mut() {
            for connection in &mut profile.connections {
                events.watch(&profile.key, connection, now);
            }
        }
    }

    pub(crate) fn posts(&mut self, now: i64) -> Vec<StoredPost> {
        self.settle(now);
        self.posts.values().map(Post::view).collect()
    }

    pub(crate) fn post(&mut self, id: &str, now: i64) -> Result<StoredPost, Denied> {
        self.settle(now);
        let seq = self.post_seq.get(id).ok_or(Denied::PostNotFound)?;
        self.posts
            .get(seq)
            .map(Post::view)
            .ok_or(Denied::PostNotFound)
    }

    pub(crate) fn delete_post(&mut self, id: &str, now: i64) -> Result<(), Denied> {
        self.settle(now);
        let seq = *self.post_seq.get(id).ok_or(Denied::PostNotFound)?;
        match self.posts.get(&seq) {
            None => return Err(Denied::PostNotFound),
            Some(post) if post.status != PostStatus::Pending => return Err(Denied::PostNotPending),
            Some(_) => {}
        }
        if let Some(post) = self.posts.remove(&seq) {
            self.events.post_deleted(&post, now);
        }
        self.post_seq.remove(id);
        Ok(())
    }

    /// What the dashboard shows, after settling due posts: the latest `max_profiles` profiles
    /// and `max_posts` posts (in creation order), the totals, each shown profile's post counts
    /// and, for each pending post, why it would fail if nothing changes before it is due.
    pub(crate) fn overview(&mut self, now: i64, max_profiles: usize, max_posts: usize) -> Overview {
        self.settle(now);
        let mut counts: HashMap<&str, PostCounts> = HashMap::new();
        for post in self.posts.values() {
            let entry = counts.entry(post.profile_key.as_str()).or_default();
            match post.status {
                PostStatus::Pending => entry.pending += 1,
                PostStatus::Published => entry.published += 1,
                PostStatus::Failed => entry.failed += 1,
            }
        }
        // The latest ones, taken from the end, then put back in creation order.
        let mut profiles: Vec<_> = self
            .profiles
            .values()
            .rev()
            .take(max_profiles)
            .map(|p| {
                let counts = counts.get(p.key.as_str()).copied().unwrap_or_default();
                (p.view(now), counts)
            })
            .collect();
        profiles.reverse();
        let mut posts: Vec<_> = self
            .posts
            .values()
            .rev()
            .take(max_posts)
            .map(|post| {
                let forecast = (post.status == PostStatus::Pending)
                    .then(|| failure(post, self.profile(&post.profile_key)))
                    .flatten();
                (post.view(), forecast)
            })
            .collect();
        posts.reverse();
        Overview {
            profile_total: self.profiles.len(),
            post_total: self.posts.len(),
            profiles,
            posts,
        }
    }

    /// The quota of the month `now` falls in.
    pub(crate) fn usage(&self, now: i64, limit: u32) -> Usage {
        let used = self
            .created_per_month
            .get(&month_of(now))
            .copied()
            .unwrap_or(0);
        Usage {
            month: month_label(now),
            used,
            limit,
            remaining: limit.saturating_sub(used),
        }
    }

    /// Schedules one post per platform, after the checks of `POST /posts` that need the store:
    /// profile, connections, monthly quota, then per-platform spacing.
    pub(crate) fn create_posts(
        &mut self,
        request: NewPosts,
        now: i64,
        limit: u32,
    ) -> Result<(Vec<StoredPost>, Usage), Denied> {
        self.settle(now);
        let profile = self
            .profile(&request.profile_key)
            .ok_or(Denied::ProfileNotFound)?;
        let missing: Vec<Platform> = request
            .platforms
            .iter()
            .copied()
            .filter(|p| profile.connection(*p).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(Denied::PlatformsNotConnected(missing));
        }
        let usage = self.usage(now, limit);
        if u64::from(usage.used) + request.platforms.len() as u64 > u64::from(limit) {
            return Err(Denied::MonthlyLimit(usage));
        }
        for platform in &request.platforms {
            self.check_spacing(&request, *platform)?;
        }
        let mut created = Vec::with_capacity(request.platforms.len());
        for platform in &request.platforms {
            let post = Post {
                id: self.fresh_post_id(|_| false),
                profile_key: request.profile_key.clone(),
                platform: *platform,
                content: request.content.clone(),
                scheduled_for: request.scheduled_for,
                created_at: now,
                status: PostStatus::Pending,
                published_at: None,
                platform_url: None,
                failure_reason: None,
            };
            created.push(post.view());
            self.insert_post(post);
        }
        Ok((created, self.usage(now, limit)))
    }

    /// Refuses a time closer than the platform's spacing to another pending or published post
    /// of the profile; `next_available` is the latest such post's time plus the spacing.
    fn check_spacing(&self, request: &NewPosts, platform: Platform) -> Result<(), Denied> {
        let spacing = platform.spacing_secs();
        let latest = self
            .posts
            .values()
            .filter(|p| {
                p.profile_key == request.profile_key
                    && p.platform == platform
                    && p.status != PostStatus::Failed
                    && (p.scheduled_for - request.scheduled_for).abs() < spacing
            })
            .map(|p| p.scheduled_for)
            .max();
        match latest {
            Some(latest) => Err(Denied::Spacing {
                platform,
                next_available: latest + spacing,
            }),
            None => Ok(()),
        }
    }
}

/// The URL a due post gets, or why it fails.
fn publish(post: &Post, profile: Option<&Profile>) -> Result<String, String> {
    if let Some(reason) = failure(post, profile) {
        return Err(reason);
    }
    let username = profile
        .and_then(|p| p.connection(post.platform))
        .map_or("", |c| c.username.as_str());
    Ok(match post.platform {
        Platform::LinkedIn => ids::linkedin_post_url(),
        Platform::Bluesky => ids::bluesky_post_url(username),
    })
}

/// Why a post fails when it comes due with the profile as it stands, if it does.
fn failure(post: &Post, profile: Option<&Profile>) -> Option<String> {
    if post.platform == Platform::Bluesky {
        let graphemes = post.content.graphemes(true).count();
        if graphemes > BLUESKY_MAX_GRAPHEMES {
            return Some(format!(
                "Bluesky posts are limited to {BLUESKY_MAX_GRAPHEMES} characters; this one has {graphemes}"
            ));
        }
    }
    let Some(connection) = profile.and_then(|p| p.connection(post.platform)) else {
        return Some(format!(
            "{} is not connected on this profile",
            post.platform.label()
        ));
    };
    connection
        .unusable_at(post.scheduled_for)
        .map(str::to_owned)
}
