//! What the store holds (profiles, their connections, posts) and the public views of them
//! that the API and the library hand out. Times are kept as Unix seconds and turned into ISO
//! strings only in the views, so that derived fields (`daysUntilExpiry`, `needsReconnect`)
//! are computed at read time on the mock clock.

use serde::{Deserialize, Serialize};

use crate::time::iso8601;

/// LinkedIn tokens last 60 days, as documented.
pub(crate) const LINKEDIN_TOKEN_SECS: i64 = 60 * 86_400;
/// The documented maximum length of a post's content, counted in Unicode scalar values
/// (LinkedIn's own limit).
pub(crate) const MAX_CONTENT_CHARS: usize = 3000;
/// Bluesky's own post length limit, in grapheme clusters; longer posts fail at publish time.
pub(crate) const BLUESKY_MAX_GRAPHEMES: usize = 300;
/// The handle seeded Bluesky connections get when none is given.
pub(crate) const DEFAULT_BLUESKY_HANDLE: &str = "mock.bsky.social";

/// The two platforms the API posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Platform {
    LinkedIn,
    Bluesky,
}

impl Platform {
    /// The API's spelling (`"linkedin"`, `"bluesky"`); nothing else is accepted.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "linkedin" => Some(Self::LinkedIn),
            "bluesky" => Some(Self::Bluesky),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::LinkedIn => "linkedin",
            Self::Bluesky => "bluesky",
        }
    }

    /// The name in human messages.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::LinkedIn => "LinkedIn",
            Self::Bluesky => "Bluesky",
        }
    }

    /// The documented minimum distance between two posts of one profile on this platform.
    pub(crate) fn spacing_secs(self) -> i64 {
        match self {
            Self::LinkedIn => 60,
            Self::Bluesky => 1,
        }
    }
}

/// One platform account connected to a profile.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub(crate) platform: Platform,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) connected_at: i64,
    /// LinkedIn only.
    pub(crate) expires_at: Option<i64>,
    /// Set by `POST /__mock/linkedin`; expiry is judged separately from `expires_at`.
    pub(crate) flagged_reconnect: bool,
    /// `needsReconnect` and `daysUntilExpiry` as last reported by an event (`events.rs`).
    pub(crate) reported: (bool, Option<i64>),
}

impl Connection {
    /// A fresh fake LinkedIn account, as the OAuth flow yields.
    pub(crate) fn linkedin(now: i64) -> Self {
        Self {
            platform: Platform::LinkedIn,
            username: crate::ids::linkedin_username(),
            display_name: "Mock LinkedIn User".to_owned(),
            connected_at: now,
            expires_at: Some(now + LINKEDIN_TOKEN_SECS),
            flagged_reconnect: false,
            reported: (false, Some(LINKEDIN_TOKEN_SECS / 86_400)),
        }
    }

    /// A Bluesky account; its display name is the handle's first label.
    pub(crate) fn bluesky(handle: &str, now: i64) -> Self {
        Self {
            platform: Platform::Bluesky,
            username: handle.to_owned(),
            display_name: handle.split('.').next().unwrap_or(handle).to_owned(),
            connected_at: now,
            expires_at: None,
            flagged_reconnect: false,
            reported: (false, None),
        }
    }

    /// Why a post due at `at` cannot go out through this connection, if it cannot.
    pub(crate) fn unusable_at(&self, at: i64) -> Option<&'static str> {
        if self.flagged_reconnect {
            Some("The LinkedIn connection needs reconnecting")
        } else if self.expires_at.is_some_and(|e| e <= at) {
            Some("The LinkedIn connection had expired")
        } else {
            None
        }
    }

    /// LinkedIn: days left at `now`, rounded up (a fresh token reads 60 however many
    /// milliseconds of real time pass before the read, and 0 exactly when it has expired).
    pub(crate) fn days_until_expiry(&self, now: i64) -> Option<i64> {
        self.expires_at
            .map(|e| ((e - now).max(0) + 86_399).div_euclid(86_400))
    }

    /// Expired, or flagged.
    pub(crate) fn needs_reconnect(&self, now: i64) -> bool {
        self.flagged_reconnect || self.expires_at.is_some_and(|e| e <= now)
    }

    pub(crate) fn view(&self, now: i64) -> ConnectedPlatform {
        ConnectedPlatform {
            platform: self.platform.as_str().to_owned(),
            display_name: self.display_name.clone(),
            username: self.username.clone(),
            connected_at: iso8601(self.connected_at),
            expires_at: self.expires_at.map(iso8601),
            days_until_expiry: self.days_until_expiry(now),
            needs_reconnect: self.needs_reconnect(now),
        }
    }
}

/// A stored profile.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub(crate) key: String,
    pub(crate) name: Option<String>,
    pub(crate) created_at: i64,
    /// In connection order; at most one per platform.
    pub(crate) connections: Vec<Connection>,
}

impl Profile {
    pub(crate) fn new(key: String, name: Option<String>, now: i64) -> Self {
        Self {
            key,
            name,
            created_at: now,
            connections: Vec::new(),
        }
    }

    pub(crate) fn connection(&self, platform: Platform) -> Option<&Connection> {
        self.connections.iter().find(|c| c.platform == platform)
    }

    pub(crate) fn connection_mut(&mut self, platform: Platform) -> Option<&mut Connection> {
        self.connections.iter_mut().find(|c| c.platform == platform)
    }

    /// Adds a connection, replacing (in place) one of the same platform.
    pub(crate) fn connect(&mut self, connection: Connection) {
        match self.connection_mut(connection.platform) {
            Some(existing) => *existing = connection,
            None => self.connections.push(connection),
        }
    }

    pub(crate) fn view(&self, now: i64) -> StoredProfile {
        StoredProfile {
            profile_key: self.key.clone(),
            profile_name: self.name.clone(),
            created_at: iso8601(self.created_at),
            connected_platforms: self.connections.iter().map(|c| c.view(now)).collect(),
        }
    }
}

/// A stored post.
#[derive(Debug, Clone)]
pub(crate) struct Post {
    pub(crate) id: String,
    pub(crate) profile_key: String,
    pub(crate) platform: Platform,
    pub(crate) content: String,
    pub(crate) scheduled_for: i64,
    pub(crate) created_at: i64,
    pub(crate) status: PostStatus,
    pub(crate) published_at: Option<i64>,
    pub(crate) platform_url: Option<String>,
    pub(crate) failure_reason: Option<String>,
}

impl Post {
    pub(crate) fn view(&self) -> StoredPost {
        StoredPost {
            post_id: self.id.clone(),
            profile_key: self.profile_key.clone(),
            platform: self.platform.as_str().to_owned(),
            content: self.content.clone(),
            scheduled_for: iso8601(self.scheduled_for),
            created_at: iso8601(self.created_at),
            published_at: self.published_at.map(iso8601),
            status: self.status,
            platform_url: self.platform_url.clone(),
            failure_reason: self.failure_reason.clone(),
        }
    }
}

/// A profile as `GET /profiles` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredProfile {
    /// `prof_` followed by 12 lowercase letters and digits (or a key given in a seed).
    pub profile_key: String,
    /// The name given at creation.
    pub profile_name: Option<String>,
    /// Creation time, ISO 8601 UTC on the mock clock.
    pub created_at: String,
    /// The connected platform accounts, in connection order.
    pub connected_platforms: Vec<ConnectedPlatform>,
}

/// One entry of a profile's `connectedPlatforms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedPlatform {
    /// `"linkedin"` or `"bluesky"`.
    pub platform: String,
    /// LinkedIn: `Mock LinkedIn User`; Bluesky: the handle's first label.
    pub display_name: String,
    /// LinkedIn: `mock-linkedin-xxxxxx`; Bluesky: the handle.
    pub username: String,
    /// When it was (re)connected.
    pub connected_at: String,
    /// LinkedIn: `connectedAt` + 60 days; Bluesky: `null`.
    pub expires_at: Option<String>,
    /// LinkedIn: days left at read time, rounded up (60 when fresh, 0 once expired);
    /// Bluesky: `null`.
    pub days_until_expiry: Option<i64>,
    /// Expired, or flagged through `POST /__mock/linkedin`.
    pub needs_reconnect: bool,
}

/// Where a post stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostStatus {
    /// Scheduled, not yet due.
    Pending,
    /// Went out at `scheduledFor`.
    Published,
    /// Could not go out; `failureReason` says why.
    Failed,
}

/// A post as `GET /posts` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredPost {
    /// `post_` followed by 12 lowercase letters and digits.
    pub post_id: String,
    /// The profile it was scheduled for.
    pub profile_key: String,
    /// `"linkedin"` or `"bluesky"`.
    pub platform: String,
    /// The text.
    pub content: String,
    /// When it is due, ISO 8601 UTC (whole seconds).
    pub scheduled_for: String,
    /// When it was scheduled.
    pub created_at: String,
    /// `scheduledFor` once published, else `null`.
    pub published_at: Option<String>,
    /// Pending until due, then published or failed (decided on the mock clock when read).
    pub status: PostStatus,
    /// The post's URL on the platform once published, else `null`.
    pub platform_url: Option<String>,
    /// Failed posts only: why (a mock-specific extra field that SDKs must carry through).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}
