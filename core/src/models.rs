//! What the API returns: profiles, their connected accounts, posts and usage.
//!
//! Every model keeps the fields this version does not know in `extra`, so nothing the server
//! sends is dropped (the Python and Node packages hand them to users in `to_dict()` and in the
//! plain objects they return). Known fields are always present when serialized, `null` when the
//! server did not send them, so each model has one shape in every language.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::timestamp::Timestamp;

/// Fields of a model this version of the SDK does not know, as the server sent them.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// A social network postcore posts to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Platform {
    /// LinkedIn: connected through OAuth in the end-user's browser; the token expires after 60 days.
    LinkedIn,
    /// Bluesky: connected with a handle and an app password; never expires.
    Bluesky,
    /// A platform this version of the SDK does not know (kept as the server named it).
    Other(String),
}

impl Platform {
    /// The API's name: `"linkedin"`, `"bluesky"`, or the unknown name as given.
    pub fn as_str(&self) -> &str {
        match self {
            Self::LinkedIn => "linkedin",
            Self::Bluesky => "bluesky",
            Self::Other(name) => name,
        }
    }

    /// Parses the API's name; unknown names become [`Platform::Other`].
    pub fn from_name(name: &str) -> Self {
        match name {
            "linkedin" => Self::LinkedIn,
            "bluesky" => Self::Bluesky,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The platform's display name, as in the API's messages (`"LinkedIn"`, `"Bluesky"`).
    pub fn display_name(&self) -> &str {
        match self {
            Self::LinkedIn => "LinkedIn",
            Self::Bluesky => "Bluesky",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Platform {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::from_name(&name))
    }
}

/// Where a scheduled post stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PostStatus {
    /// Waiting for its `scheduled_for` time; can still be deleted.
    Pending,
    /// Published on the platform (`platform_url` links to it).
    Published,
    /// Publishing failed (e.g. a Bluesky post over 300 graphemes, an expired LinkedIn token).
    Failed,
    /// A status this version of the SDK does not know.
    Other(String),
}

impl PostStatus {
    /// The API's name: `"pending"`, `"published"`, `"failed"`, or the unknown name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Pending => "pending",
            Self::Published => "published",
            Self::Failed => "failed",
            Self::Other(name) => name,
        }
    }

    /// Whether the post is done: published or failed (what waiting for a post waits for).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Published | Self::Failed)
    }
}

impl fmt::Display for PostStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PostStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PostStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(match name.as_ref() {
            "pending" => Self::Pending,
            "published" => Self::Published,
            "failed" => Self::Failed,
            other => Self::Other(other.to_owned()),
        })
    }
}

/// A postcore profile: one end-user of your app. Store `profile_key` with that user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Profile {
    /// The profile's key, e.g. `"prof_abc123def456"`.
    pub profile_key: String,
    /// The name given at creation, if any.
    #[serde(default)]
    pub profile_name: Option<String>,
    /// When the profile was created (sent by `GET /profiles`; not by the create call).
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// The social accounts connected to this profile (empty right after creation).
    #[serde(default)]
    pub connected_platforms: Vec<ConnectedPlatform>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A social account connected to a profile, as `GET /profiles` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConnectedPlatform {
    /// Which network.
    pub platform: Platform,
    /// The account's display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The account's username or handle.
    #[serde(default)]
    pub username: Option<String>,
    /// When it was connected.
    #[serde(default)]
    pub connected_at: Option<Timestamp>,
    /// When the connection expires (LinkedIn only).
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// Whole days until it expires (LinkedIn only).
    #[serde(default)]
    pub days_until_expiry: Option<i64>,
    /// Whether the end-user must connect again (an expired LinkedIn token).
    #[serde(default)]
    pub needs_reconnect: bool,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The account connected by `POST /profiles/connect`; fields the server did not send are `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Connection {
    /// The profile it was connected to (a new one when none was given).
    #[serde(default)]
    pub profile_key: Option<String>,
    /// Which network.
    #[serde(default)]
    pub platform: Option<Platform>,
    /// The account's username or handle.
    #[serde(default)]
    pub username: Option<String>,
    /// The account's display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// When it was connected.
    #[serde(default)]
    pub connected_at: Option<Timestamp>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A post scheduled on one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Post {
    /// The post's id, e.g. `"post_abc123"`.
    pub post_id: String,
    /// The profile it is posted for. (The create call's answer omits it; the SDK fills it in
    /// from the request.)
    #[serde(default)]
    pub profile_key: String,
    /// The platform it goes to.
    pub platform: Platform,
    /// The text. (Filled in from the request for the create call's answer, like `profile_key`.)
    #[serde(default)]
    pub content: String,
    /// When it is (or was) due to be published.
    pub scheduled_for: Timestamp,
    /// When it was scheduled.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// When it was published.
    #[serde(default)]
    pub published_at: Option<Timestamp>,
    /// Pending, published or failed.
    pub status: PostStatus,
    /// The published post on the platform.
    #[serde(default)]
    pub platform_url: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The plan's monthly post quota after a scheduling call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Usage {
    /// The month counted, e.g. `"January 2025"`.
    pub month: String,
    /// Posts scheduled this month.
    pub used: u64,
    /// Posts allowed per month (Free: 10, Pro: 3000).
    pub limit: u64,
    /// Posts left this month.
    pub remaining: u64,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What scheduling a post returns: one post per platform, and the quota left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScheduledPosts {
    /// One pending post per requested platform, in the request's order.
    pub posts: Vec<Post>,
    /// The monthly quota, when the server reported it.
    #[serde(default)]
    pub usage: Option<Usage>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}
