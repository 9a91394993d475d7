//! The events the server's state changes amount to, as the SDK's `client.events()` and
//! `postcore listen` report them: the same types, the same ids (a hash of the type and what
//! the event is about), the same `data`. The SDK finds them by comparing `GET /posts` and
//! `GET /profiles` answers; the mock knows them first hand, and records them as they happen
//! (a post decided, cancelled or removed with its profile, a profile created or deleted, an
//! account connected, replaced or needing a reconnect, a LinkedIn token nearing expiry), so
//! the dashboard can show what a listener would get. Seeded data is the starting state: it
//! gives no events of its own (its pending posts do, when they are decided).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::model::{Connection, Post, PostStatus, Profile};
use crate::time::iso8601;

/// The latest events kept (the dashboard shows the newest of them).
const KEPT: usize = 1000;

/// The `daysUntilExpiry` thresholds that give `connection.expiring` when crossed (the SDK's).
const EXPIRY_THRESHOLDS: [i64; 2] = [7, 1];

/// One event, in the SDK's shape: `{"id", "type", "createdAt", "data"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MockEvent {
    /// `evt_` and 24 hex digits: the id the SDK gives the same change.
    pub id: String,
    /// `post.published`, `post.failed`, `post.deleted`, `profile.created`, `profile.deleted`,
    /// `connection.connected`, `connection.disconnected`, `connection.needs_reconnect`,
    /// `connection.expiring`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When it happened, ISO 8601 UTC on the mock clock (for a post: when it was due). The
    /// SDK's `createdAt` is when its poll saw it instead.
    pub created_at: String,
    /// The object, in the API's camelCase: a post, a profile, or a connected platform with its
    /// `profileKey`.
    pub data: Value,
}

/// The latest events, oldest first, and how many there were in all.
#[derive(Debug, Default)]
pub(crate) struct EventLog {
    events: VecDeque<Entry>,
    total: usize,
}

/// A kept event. `profile.created`, the one a benchmark makes per request, keeps the profile
/// as it was and is rendered only when read: its id (a SHA-256), JSON and dates would
/// otherwise cost every `POST /profiles/create` about a fifth of the server's CPU, which
/// the client under test shares in `make bench`.
#[derive(Debug)]
enum Entry {
    Ready(MockEvent),
    ProfileCreated { profile: Profile, at: i64 },
}

impl Entry {
    fn render(&self) -> MockEvent {
        match self {
            Entry::Ready(event) => event.clone(),
            Entry::ProfileCreated { profile, at } => event(
                "profile.created",
                &profile.key,
                *at,
                serde_json::to_value(profile.view(*at)).unwrap_or(Value::Null),
            ),
        }
    }
}

fn event(event_type: &str, about: &str, at: i64, data: Value) -> MockEvent {
    MockEvent {
        id: event_id(event_type, about),
        event_type: event_type.to_owned(),
        created_at: iso8601(at),
        data,
    }
}

impl EventLog {
    fn keep(&mut self, entry: Entry) {
        if self.events.len() >= KEPT {
            self.events.pop_front();
        }
        self.events.push_back(entry);
        self.total += 1;
    }

    fn push(&mut self, event_type: &str, about: &str, at: i64, data: Value) {
        self.keep(Entry::Ready(event(event_type, about, at, data)));
    }

    /// How many events there were since the start or the last reset.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// The kept events, oldest first.
    pub(crate) fn all(&self) -> Vec<MockEvent> {
        self.events.iter().map(Entry::render).collect()
    }

    /// The latest `n`, newest first.
    pub(crate) fn newest(&self, n: usize) -> Vec<MockEvent> {
        self.events
            .iter()
            .rev()
            .take(n)
            .map(Entry::render)
            .collect()
    }

    /// A post was published or failed (`at`: when it was due).
    pub(crate) fn post_decided(&mut self, post: &Post) {
        let event_type = match post.status {
            PostStatus::Published => "post.published",
            PostStatus::Failed => "post.failed",
            PostStatus::Pending => return,
        };
        let data = serde_json::to_value(post.view()).unwrap_or(Value::Null);
        self.push(event_type, &post.id, post.scheduled_for, data);
    }

    /// A pending post is gone: cancelled, or removed with its profile.
    pub(crate) fn post_deleted(&mut self, post: &Post, now: i64) {
        let data = json!({
            "postId": post.id,
            "profileKey": post.profile_key,
            "platform": post.platform.as_str(),
            "status": post.status,
        });
        self.push("post.deleted", &post.id, now, data);
    }

    pub(crate) fn profile_created(&mut self, profile: &Profile, now: i64) {
        self.keep(Entry::ProfileCreated {
            profile: profile.clone(),
            at: now,
        });
    }

    /// A profile is gone, and with it its connections.
    pub(crate) fn profile_deleted(&mut self, profile: &Profile, now: i64) {
        for connection in &profile.connections {
            self.disconnected(&profile.key, connection, now);
        }
        let data = json!({ "profileKey": profile.key, "profileName": profile.name });
        self.push("profile.deleted", &profile.key, now, data);
    }

    pub(crate) fn connected(&mut self, profile_key: &str, connection: &Connection, now: i64) {
        self.push(
            "connection.connected",
            &connection_about(profile_key, connection),
            now,
            connection_json(profile_key, connection, now),
        );
    }

    /// An account was replaced by another (a reconnect), or its profile deleted.
    pub(crate) fn disconnected(&mut self, profile_key: &str, connection: &Connection, now: i64) {
        let data = json!({
            "profileKey": profile_key,
            "platform": connection.platform.as_str(),
            "username": connection.username,
            "connectedAt": iso8601(connection.connected_at),
        });
        self.push(
            "connection.disconnected",
            &connection_about(profile_key, connection),
            now,
            data,
        );
    }

    /// What a connection's standing at `now` amounts to since it was last looked at: a need to
    /// reconnect (the token expired, or flagged), `daysUntilExpiry` crossing 7 or 1. Marks the
    /// standing as reported.
    pub(crate) fn watch(&mut self, profile_key: &str, connection: &mut Connection, now: i64) {
        let now_standing = (
            connection.needs_reconnect(now),
            connection.days_until_expiry(now),
        );
        let (was_reconnect, was_days) = std::mem::replace(&mut connection.reported, now_standing);
        if now_standing == (was_reconnect, was_days) {
            return;
        }
        let (needs_reconnect, days) = now_standing;
        let about = connection_about(profile_key, connection);
        if needs_reconnect && !was_reconnect {
            let data = connection_json(profile_key, connection, now);
            self.push("connection.needs_reconnect", &about, now, data);
        }
        if let Some(days) = days {
            for threshold in EXPIRY_THRESHOLDS {
                if days <= threshold && was_days.is_none_or(|d| d > threshold) {
                    let data = connection_json(profile_key, connection, now);
                    self.push(
                        "connection.expiring",
                        &format!("{about}:{threshold}"),
                        now,
                        data,
                    );
                    // As the SDK: the nearest threshold crossed says it all.
                    break;
                }
            }
        }
    }
}

/// What a connection event is about: the profile, platform and the account's connection time.
fn connection_about(profile_key: &str, connection: &Connection) -> String {
    format!(
        "{profile_key}:{}:{}",
        connection.platform.as_str(),
        iso8601(connection.connected_at)
    )
}

fn connection_json(profile_key: &str, connection: &Connection, now: i64) -> Value {
    let mut value = serde_json::to_value(connection.view(now)).unwrap_or_else(|_| json!({}));
    if let Some(object) = value.as_object_mut() {
        object.insert("profileKey".to_owned(), profile_key.into());
    }
    value
}

/// The SDK's event id: `evt_` and the first 24 hex digits of SHA-256 of `"<type>\n<about>"`.
fn event_id(event_type: &str, about: &str) -> String {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{event_type}\n{about}").as_bytes(),
    );
    let hex: String = digest
        .as_ref()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("evt_{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_sdks() {
        // sha256("post.published\npost_abc") starts with these 24 hex digits.
        assert_eq!(
            event_id("post.published", "post_abc"),
            "evt_34bcaaf592af1a6d80b5edd3"
        );
        assert_ne!(
            event_id("post.failed", "post_abc"),
            event_id("post.published", "post_abc")
        );
    }
}
