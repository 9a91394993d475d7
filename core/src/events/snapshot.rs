//! What a consumer last saw (a compact snapshot: ids and states, not the whole answers), and
//! the events between two snapshots.
//!
//! The API has no webhooks, but `GET /posts` and `GET /profiles` each return everything in
//! one answer: comparing successive answers tells what happened. The snapshot keeps, per post,
//! its status, profile and platform; per profile, its name and, per connected platform, what
//! the events are about (the account, when it was connected, whether it needs reconnecting,
//! the expiry bucket). It is stored as JSON (`{"posts": {id: {"s", "k", "pl"}}, "profiles":
//! {key: {"name", "connections"}}}`), written straight from the new answers ([`snapshot_json`])
//! and read back as an index that borrows from the stored bytes ([`Snapshot::parse`]). So a
//! poll holds one copy of the new answers, the stored snapshot and one hash index over it:
//! no second parsed snapshot, no string copied per post, and no ordered map (linear time).

use std::borrow::{Borrow, Cow};
use std::collections::{HashMap, HashSet};

use serde::de::{Deserializer, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::event::{Event, EventType};
use crate::models::{ConnectedPlatform, Post, PostStatus, Profile};
use crate::timestamp::Timestamp;

/// A string of the stored snapshot: borrowed from its bytes when it has no escapes (post ids
/// and profile keys never do), owned otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Text<'a>(Cow<'a, str>);

impl Borrow<str> for Text<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// A post as the snapshot keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct SeenPost<'a> {
    /// `p` pending, `d` published, `f` failed, else the status name.
    #[serde(borrow)]
    pub(crate) s: Text<'a>,
    /// Its profile.
    #[serde(borrow)]
    pub(crate) k: Text<'a>,
    /// Its platform.
    #[serde(borrow)]
    pub(crate) pl: Text<'a>,
}

/// A post as the snapshot writes it.
#[derive(Serialize)]
struct PostState<'a> {
    s: &'a str,
    k: &'a str,
    pl: &'a str,
}

/// A connected account as the snapshot keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SeenConnection {
    pub(crate) platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) connected_at: Option<Timestamp>,
    #[serde(default)]
    pub(crate) needs_reconnect: bool,
    /// Days until expiry as last seen (LinkedIn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) days: Option<i64>,
}

/// A profile as the snapshot keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SeenProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) connections: Vec<SeenConnection>,
}

/// Everything one consumer saw at its last poll, read from the stored bytes it borrows from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct Snapshot<'a> {
    #[serde(borrow)]
    pub(crate) posts: HashMap<Text<'a>, SeenPost<'a>>,
    pub(crate) profiles: HashMap<String, SeenProfile>,
}

impl<'a> Snapshot<'a> {
    /// The stored snapshot, or `None` when the bytes are not one (then the consumer starts
    /// again from the new answers).
    pub(crate) fn parse(bytes: &'a [u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }
}

/// The `daysUntilExpiry` thresholds that give `connection.expiring` when crossed.
const EXPIRY_THRESHOLDS: [i64; 2] = [7, 1];

fn status_code(status: &PostStatus) -> &str {
    match status {
        PostStatus::Pending => "p",
        PostStatus::Published => "d",
        PostStatus::Failed => "f",
        other => other.as_str(),
    }
}

fn seen_connection(c: &ConnectedPlatform) -> SeenConnection {
    SeenConnection {
        platform: c.platform.as_str().to_owned(),
        username: c.username.clone(),
        connected_at: c.connected_at,
        needs_reconnect: c.needs_reconnect,
        days: c.days_until_expiry,
    }
}

/// The snapshot of two answers, as stored: serialized straight from them.
pub(crate) fn snapshot_json(posts: &[Post], profiles: &[Profile]) -> Vec<u8> {
    struct Posts<'a>(&'a [Post]);
    impl Serialize for Posts<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(self.0.len()))?;
            for p in self.0 {
                let state = PostState {
                    s: status_code(&p.status),
                    k: &p.profile_key,
                    pl: p.platform.as_str(),
                };
                map.serialize_entry(&p.post_id, &state)?;
            }
            map.end()
        }
    }
    struct Profiles<'a>(&'a [Profile]);
    impl Serialize for Profiles<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(self.0.len()))?;
            for p in self.0 {
                let seen = SeenProfile {
                    name: p.profile_name.clone(),
                    connections: p.connected_platforms.iter().map(seen_connection).collect(),
                };
                map.serialize_entry(&p.profile_key, &seen)?;
            }
            map.end()
        }
    }
    #[derive(Serialize)]
    struct Stored<'a> {
        posts: Posts<'a>,
        profiles: Profiles<'a>,
    }
    serde_json::to_vec(&Stored {
        posts: Posts(posts),
        profiles: Profiles(profiles),
    })
    .unwrap_or_default()
}

/// One event found by a diff, before it gets its id and time.
struct Change {
    kind: EventType,
    /// What it is about, for the id (with a discriminator when it can happen again).
    about: String,
    /// The object's own time, for the order within one poll.
    at: Option<Timestamp>,
    data: Value,
}

fn post_json(post: &Post) -> Value {
    serde_json::to_value(post).unwrap_or(Value::Null)
}

fn connection_json(profile_key: &str, connection: &ConnectedPlatform) -> Value {
    let mut value = serde_json::to_value(connection).unwrap_or_else(|_| json!({}));
    if let Some(object) = value.as_object_mut() {
        object.insert("profileKey".to_owned(), profile_key.into());
    }
    value
}

fn gone_connection_json(profile_key: &str, c: &SeenConnection) -> Value {
    json!({
        "profileKey": profile_key,
        "platform": c.platform,
        "username": c.username,
        "connectedAt": c.connected_at,
    })
}

/// The events between `old` and the new answers, ordered by the objects' own times, then id;
/// `seen` is when the answers were received (the events' `createdAt`).
pub(crate) fn diff(
    old: &Snapshot<'_>,
    posts: &[Post],
    profiles: &[Profile],
    seen: Timestamp,
) -> Vec<Event> {
    let mut changes: Vec<Change> = Vec::new();
    // Posts: first seen published or failed, or seen pending before and decided now.
    for post in posts {
        let kind = match post.status {
            PostStatus::Published => EventType::PostPublished,
            PostStatus::Failed => EventType::PostFailed,
            _ => continue,
        };
        let was = old.posts.get(post.post_id.as_str()).map(|p| p.s.as_ref());
        if was == Some(status_code(&post.status)) {
            continue;
        }
        changes.push(Change {
            kind,
            about: post.post_id.clone(),
            at: post.published_at.or(Some(post.scheduled_for)),
            data: post_json(post),
        });
    }
    let now_posts: HashSet<&str> = posts.iter().map(|p| p.post_id.as_str()).collect();
    for (id, seen_post) in &old.posts {
        let id: &str = id.as_ref();
        if !now_posts.contains(id) {
            changes.push(Change {
                kind: EventType::PostDeleted,
                about: id.to_owned(),
                at: None,
                data: json!({
                    "postId": id,
                    "profileKey": seen_post.k.as_ref(),
                    "platform": seen_post.pl.as_ref(),
                    "status": match seen_post.s.as_ref() {
                        "p" => "pending",
                        "d" => "published",
                        "f" => "failed",
                        other => other,
                    },
                }),
            });
        }
    }
    // Profiles and their connections.
    for profile in profiles {
        let before = old.profiles.get(&profile.profile_key);
        if before.is_none() {
            changes.push(Change {
                kind: EventType::ProfileCreated,
                about: profile.profile_key.clone(),
                at: profile.created_at,
                data: serde_json::to_value(profile).unwrap_or(Value::Null),
            });
        }
        let empty = Vec::new();
        let before_connections = before.map_or(&empty, |p| &p.connections);
        for connection in &profile.connected_platforms {
            let platform = connection.platform.as_str();
            let was = before_connections.iter().find(|c| c.platform == platform);
            let instance = connection
                .connected_at
                .map_or_else(String::new, |t| t.to_string());
            let about = format!("{}:{platform}:{instance}", profile.profile_key);
            let data = connection_json(&profile.profile_key, connection);
            let same_account = was.is_some_and(|w| {
                w.connected_at == connection.connected_at && w.username == connection.username
            });
            if !same_account {
                if let Some(was) = was {
                    // Replaced by another account (or reconnected): the old one is gone.
                    changes.push(Change {
                        kind: EventType::ConnectionDisconnected,
                        about: format!(
                            "{}:{platform}:{}",
                            profile.profile_key,
                            was.connected_at.map_or_else(String::new, |t| t.to_string())
                        ),
                        at: connection.connected_at,
                        data: gone_connection_json(&profile.profile_key, was),
                    });
                }
                changes.push(Change {
                    kind: EventType::ConnectionConnected,
                    about: about.clone(),
                    at: connection.connected_at,
                    data: data.clone(),
                });
                continue;
            }
            let Some(was) = was else { continue };
            if connection.needs_reconnect && !was.needs_reconnect {
                changes.push(Change {
                    kind: EventType::ConnectionNeedsReconnect,
                    about: about.clone(),
                    at: connection.expires_at,
                    data: data.clone(),
                });
            }
            if let Some(days) = connection.days_until_expiry {
                for threshold in EXPIRY_THRESHOLDS {
                    let crossed_now = days <= threshold;
                    let crossed_before = was.days.is_some_and(|d| d <= threshold);
                    if crossed_now && !crossed_before {
                        changes.push(Change {
                            kind: EventType::ConnectionExpiring,
                            about: format!("{about}:{threshold}"),
                            at: connection.expires_at,
                            data: data.clone(),
                        });
                        // One event per poll: the nearest threshold crossed says it all.
                        break;
                    }
                }
            }
        }
        for was in before_connections {
            if !profile
                .connected_platforms
                .iter()
                .any(|c| c.platform.as_str() == was.platform)
            {
                changes.push(Change {
                    kind: EventType::ConnectionDisconnected,
                    about: format!(
                        "{}:{}:{}",
                        profile.profile_key,
                        was.platform,
                        was.connected_at.map_or_else(String::new, |t| t.to_string())
                    ),
                    at: None,
                    data: gone_connection_json(&profile.profile_key, was),
                });
            }
        }
    }
    let now_profiles: HashSet<&str> = profiles.iter().map(|p| p.profile_key.as_str()).collect();
    for (key, was) in &old.profiles {
        if now_profiles.contains(key.as_str()) {
            continue;
        }
        changes.push(Change {
            kind: EventType::ProfileDeleted,
            about: key.clone(),
            at: None,
            data: json!({ "profileKey": key, "profileName": was.name }),
        });
        for connection in &was.connections {
            changes.push(Change {
                kind: EventType::ConnectionDisconnected,
                about: format!(
                    "{key}:{}:{}",
                    connection.platform,
                    connection
                        .connected_at
                        .map_or_else(String::new, |t| t.to_string())
                ),
                at: None,
                data: gone_connection_json(key, connection),
            });
        }
    }
    let mut timed: Vec<(Timestamp, Event)> = changes
        .into_iter()
        .map(|c| {
            let event = Event {
                id: event_id(c.kind, &c.about),
                event_type: c.kind.as_str().to_owned(),
                created_at: seen,
                data: c.data,
            };
            (c.at.unwrap_or(seen), event)
        })
        .collect();
    timed.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.id.cmp(&y.id)));
    timed.into_iter().map(|(_, event)| event).collect()
}

/// A stable id: the same change seen twice (by two pollers, or again after a crash) has the
/// same id, so it can be recognised and never delivered twice.
fn event_id(kind: EventType, about: &str) -> String {
    let digest = crate::idempotency::sha256_hex(format!("{}\n{about}", kind.as_str()).as_bytes());
    format!("evt_{}", &digest[..24])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(id: &str, status: &str) -> Post {
        serde_json::from_value(json!({
            "postId": id, "profileKey": "prof_a", "platform": "bluesky", "content": "hi",
            "scheduledFor": "2030-01-01T00:00:00Z", "createdAt": "2029-12-31T00:00:00Z",
            "publishedAt": null, "status": status, "platformUrl": null,
        }))
        .expect("post")
    }

    fn profile(key: &str) -> Profile {
        serde_json::from_value(json!({
            "profileKey": key, "profileName": "Ann \"the\" \\ first", "createdAt": "2029-12-31T00:00:00Z",
            "connectedPlatforms": [{"platform": "bluesky", "displayName": "ann", "username": "ann.bsky.social",
                "connectedAt": "2029-12-31T00:00:00Z", "expiresAt": null, "daysUntilExpiry": null,
                "needsReconnect": false}],
        }))
        .expect("profile")
    }

    fn types(events: &[Event]) -> Vec<&str> {
        events.iter().map(|e| e.event_type.as_str()).collect()
    }

    #[test]
    fn the_stored_snapshot_reads_back_and_diffs() {
        // An id with characters JSON escapes is kept too (owned rather than borrowed).
        let odd = "post_\"odd\\id";
        let before = [
            post("post_a", "pending"),
            post("post_b", "pending"),
            post(odd, "pending"),
        ];
        let profiles = [profile("prof_a")];
        let bytes = snapshot_json(&before, &profiles);
        let old = Snapshot::parse(&bytes).expect("parses");
        assert_eq!(old.posts.len(), 3);
        assert!(matches!(
            old.posts.get("post_a").map(|p| &p.k.0),
            Some(Cow::Borrowed("prof_a"))
        ));
        assert!(matches!(
            old.posts.get(odd).map(|p| &p.s.0),
            Some(Cow::Borrowed("p"))
        ));
        assert_eq!(
            old.profiles["prof_a"].name.as_deref(),
            Some("Ann \"the\" \\ first")
        );
        let now = Timestamp::now();
        assert!(
            diff(&old, &before, &profiles, now).is_empty(),
            "nothing changed"
        );

        let after = [post("post_a", "published"), post(odd, "failed")];
        let events = diff(&old, &after, &[], now);
        let mut seen = types(&events);
        seen.sort_unstable();
        assert_eq!(
            seen,
            [
                "connection.disconnected",
                "post.deleted",
                "post.failed",
                "post.published",
                "profile.deleted"
            ]
        );
        let deleted = events
            .iter()
            .find(|e| e.event_type == "post.deleted")
            .expect("deleted");
        assert_eq!(
            deleted.data,
            json!({"postId": "post_b", "profileKey": "prof_a", "platform": "bluesky", "status": "pending"})
        );
        // The same answers give the same events, in the same order (ids are stable).
        assert_eq!(diff(&old, &after, &[], now), events);
    }

    #[test]
    fn snapshots_stored_by_the_ordered_map_version_still_read() {
        let stored = br#"{"posts":{"post_a":{"s":"p","k":"prof_a","pl":"bluesky"}},"profiles":{"prof_a":{"name":"Ann","connections":[{"platform":"bluesky","username":"ann.bsky.social","connected_at":"2029-12-31T00:00:00Z","needs_reconnect":false}]}}}"#;
        let old = Snapshot::parse(stored).expect("parses");
        let events = diff(
            &old,
            &[post("post_a", "published")],
            &[profile("prof_a")],
            Timestamp::now(),
        );
        assert_eq!(types(&events), ["post.published"]);
        assert!(Snapshot::parse(b"not json").is_none());
    }
}
