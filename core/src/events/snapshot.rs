//! What a consumer last saw (a compact snapshot: ids and states, not the whole answers), and
//! the events between two snapshots.
//!
//! The API has no webhooks, but `GET /posts` and `GET /profiles` each return everything in
//! one answer: comparing successive answers tells what happened. The snapshot keeps, per post,
//! its status, profile and platform; per profile, its name and, per connected platform, what
//! the events are about (the account, when it was connected, whether it needs reconnecting,
//! the expiry bucket). Memory: one copy of the new answer plus the snapshot.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Event, EventType};
use crate::models::{ConnectedPlatform, Post, PostStatus, Profile};
use crate::timestamp::Timestamp;

/// A post as the snapshot keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SeenPost {
    /// `p` pending, `d` published, `f` failed, else the status name.
    pub(crate) s: String,
    /// Its profile.
    pub(crate) k: String,
    /// Its platform.
    pub(crate) pl: String,
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

/// Everything one consumer saw at its last poll.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub(crate) posts: BTreeMap<String, SeenPost>,
    pub(crate) profiles: BTreeMap<String, SeenProfile>,
}

/// The `daysUntilExpiry` thresholds that give `connection.expiring` when crossed.
const EXPIRY_THRESHOLDS: [i64; 2] = [7, 1];

fn status_code(status: &PostStatus) -> String {
    match status {
        PostStatus::Pending => "p".to_owned(),
        PostStatus::Published => "d".to_owned(),
        PostStatus::Failed => "f".to_owned(),
        other => other.as_str().to_owned(),
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

impl Snapshot {
    /// The snapshot of two answers.
    pub(crate) fn of(posts: &[Post], profiles: &[Profile]) -> Self {
        Self {
            posts: posts
                .iter()
                .map(|p| {
                    (
                        p.post_id.clone(),
                        SeenPost {
                            s: status_code(&p.status),
                            k: p.profile_key.clone(),
                            pl: p.platform.as_str().to_owned(),
                        },
                    )
                })
                .collect(),
            profiles: profiles
                .iter()
                .map(|p| {
                    (
                        p.profile_key.clone(),
                        SeenProfile {
                            name: p.profile_name.clone(),
                            connections: p
                                .connected_platforms
                                .iter()
                                .map(seen_connection)
                                .collect(),
                        },
                    )
                })
                .collect(),
        }
    }
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
    old: &Snapshot,
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
        let was = old.posts.get(&post.post_id).map(|p| p.s.as_str());
        if was == Some(status_code(&post.status).as_str()) {
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
        if !now_posts.contains(id.as_str()) {
            changes.push(Change {
                kind: EventType::PostDeleted,
                about: id.clone(),
                at: None,
                data: json!({
                    "postId": id,
                    "profileKey": seen_post.k,
                    "platform": seen_post.pl,
                    "status": match seen_post.s.as_str() {
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
