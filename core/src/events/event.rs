//! An event and its type, as [`Events`](super::Events) yields them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::models::{ConnectedPlatform, Post, Profile};
use crate::timestamp::Timestamp;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventType {
    /// A post was published (`data`: the post).
    PostPublished,
    /// A post failed to publish (`data`: the post).
    PostFailed,
    /// A post is gone: cancelled, or its profile deleted (`data`: its id, profile, platform
    /// and last status).
    PostDeleted,
    /// A profile appeared (`data`: the profile).
    ProfileCreated,
    /// A profile is gone (`data`: its key and name).
    ProfileDeleted,
    /// An account was connected to a profile (`data`: the connected platform, with its
    /// `profileKey`).
    ConnectionConnected,
    /// An account was disconnected, or its profile deleted.
    ConnectionDisconnected,
    /// A connection needs the end-user to connect again (an expired LinkedIn token).
    ConnectionNeedsReconnect,
    /// A LinkedIn connection's `daysUntilExpiry` crossed 7, or 1.
    ConnectionExpiring,
}

impl EventType {
    /// Every type, in the order of the docs.
    pub const ALL: &'static [EventType] = &[
        Self::PostPublished,
        Self::PostFailed,
        Self::PostDeleted,
        Self::ProfileCreated,
        Self::ProfileDeleted,
        Self::ConnectionConnected,
        Self::ConnectionDisconnected,
        Self::ConnectionNeedsReconnect,
        Self::ConnectionExpiring,
    ];

    /// The type's name, e.g. `"post.published"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PostPublished => "post.published",
            Self::PostFailed => "post.failed",
            Self::PostDeleted => "post.deleted",
            Self::ProfileCreated => "profile.created",
            Self::ProfileDeleted => "profile.deleted",
            Self::ConnectionConnected => "connection.connected",
            Self::ConnectionDisconnected => "connection.disconnected",
            Self::ConnectionNeedsReconnect => "connection.needs_reconnect",
            Self::ConnectionExpiring => "connection.expiring",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing that happened, as `client.events()` yields it and `postcore listen` sends it:
/// `{"id", "type", "createdAt", "data"}` with `data` in the API's camelCase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// Stable for the change it describes (the same change seen twice has the same id).
    pub id: String,
    /// `"post.published"`, …: see [`EventType`].
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the change was seen, on the server's clock.
    pub created_at: Timestamp,
    /// The object: a post, a profile, or a connected platform with its `profileKey`.
    pub data: serde_json::Value,
}

impl Event {
    /// The post, for `post.published` / `post.failed`.
    pub fn post(&self) -> Option<Post> {
        self.event_type
            .starts_with("post.")
            .then(|| serde_json::from_value(self.data.clone()).ok())
            .flatten()
    }

    /// The profile, for `profile.created`.
    pub fn profile(&self) -> Option<Profile> {
        self.event_type
            .starts_with("profile.")
            .then(|| serde_json::from_value(self.data.clone()).ok())
            .flatten()
    }

    /// The connected platform and its profile key, for `connection.*`.
    pub fn connection(&self) -> Option<(String, ConnectedPlatform)> {
        if !self.event_type.starts_with("connection.") {
            return None;
        }
        let key = self.data.get("profileKey")?.as_str()?.to_owned();
        let connection = serde_json::from_value(self.data.clone()).ok()?;
        Some((key, connection))
    }
}
