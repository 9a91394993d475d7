//! What the API returns: profiles, their connected accounts, posts and usage.
//!
//! Every model keeps the fields this version does not know in `extra`, and remembers which of
//! its known fields the server sent ([`Model::was_sent`]): absent, `null` and a value are
//! three different answers. Serializing a model writes exactly what the server sent, the
//! unknown fields included and nothing else: that is what the Python package's `to_dict()`
//! and the Node package's plain objects are built from, so nothing is invented and nothing the
//! server sends is dropped. (The Rust fields still have a value for an absent field: its
//! default, or what the SDK filled in, such as a scheduled post's `profile_key`.)
//!
//! The models are declared with `model!`, which writes their `Deserialize` (one pass over
//! the object's keys, no buffering: `GET /profiles` answers with tens of thousands) and their
//! `Serialize`.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
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

/// How sure the packages can be that an answer holds a model's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The core refuses an answer without it.
    Required,
    /// In every documented answer; an answer without it is still read (the packages say the
    /// field is missing when it is read).
    Always,
    /// Sent whenever the documented answer that returns this model holds it (its Rust type
    /// says whether some answers lack it).
    Sent,
    /// May be `null` in the documented answer.
    Nullable,
    /// The documented answer may leave it out.
    Maybe,
}

/// One field of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Its JSON name (`"profileKey"`).
    pub name: &'static str,
    /// Its Rust type as declared (`"Option<Timestamp>"`), which the generator maps per
    /// language.
    pub rust_type: &'static str,
    /// Whether answers hold it.
    pub presence: Presence,
    /// Its documentation (the Rust doc comment).
    pub doc: &'static str,
}

/// A model the API returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// `"Profile"`.
    pub name: &'static str,
    /// Its documentation (the Rust doc comment).
    pub doc: &'static str,
    /// Its fields, in declaration order.
    pub fields: &'static [FieldSpec],
}

/// What every model can say about the answer it was read from.
pub trait Model {
    /// Whether the server's answer held the field `json_name` (its API name, e.g.
    /// `"createdAt"`), be it `null` or a value. Fields the server did not send are left out
    /// when the model is serialized.
    fn was_sent(&self, json_name: &str) -> bool;
}

/// Which known fields of a model the server sent: one bit per field, in declaration order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sent(u32);

impl Sent {
    fn has(self, index: usize) -> bool {
        self.0 & (1 << index) != 0
    }
}

/// An object key: the index of a known field, or an unknown name. Known names are matched
/// without allocating.
enum Key {
    Known(usize),
    Unknown(String),
}

struct KeySeed(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
        Ok(match self.0.iter().position(|known| *known == name) {
            Some(index) => Key::Known(index),
            None => Key::Unknown(name.to_owned()),
        })
    }
}

/// Declares a model: the struct (every field public, plus `extra` and the sent-fields record),
/// its `Deserialize` and `Serialize`. A field marked `required` makes an answer without it
/// undecodable; any other absent field takes its type's default.
macro_rules! model {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $(
                $(#[doc = $field_doc:literal])*
                pub $field:ident: $ty:ty = $json:literal $($presence:ident)?,
            )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[doc = $field_doc])*
                pub $field: $ty,
            )*
            /// Fields this version does not know, as the server sent them.
            pub extra: Extra,
            /// Which known fields the server sent.
            sent: Sent,
        }

        impl $name {
            const FIELDS: &'static [&'static str] = &[$($json),*];

            /// The model as the packages' generator reads it.
            const SPEC: ModelSpec = ModelSpec {
                name: stringify!($name),
                doc: concat!($($doc, "\n"),*),
                fields: &[$(FieldSpec {
                    name: $json,
                    rust_type: stringify!($ty),
                    presence: model!(@presence $($presence)?),
                    doc: concat!($($field_doc, "\n"),*),
                }),*],
            };
        }

        impl Model for $name {
            fn was_sent(&self, json_name: &str) -> bool {
                Self::FIELDS
                    .iter()
                    .position(|known| *known == json_name)
                    .is_some_and(|index| self.sent.has(index))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let len = self.sent.0.count_ones() as usize + self.extra.len();
                let mut map = serializer.serialize_map(Some(len))?;
                let mut index = 0;
                $(
                    if self.sent.has(index) {
                        map.serialize_entry($json, &self.$field)?;
                    }
                    index += 1;
                )*
                let _ = index;
                for (key, value) in &self.extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ModelVisitor;

                impl<'de> Visitor<'de> for ModelVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }

                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        $(let mut $field: Option<$ty> = None;)*
                        let mut sent = Sent::default();
                        let mut extra = Extra::new();
                        while let Some(key) = map.next_key_seed(KeySeed($name::FIELDS))? {
                            match key {
                                Key::Known(index) => {
                                    if sent.has(index) {
                                        return Err(de::Error::duplicate_field($name::FIELDS[index]));
                                    }
                                    sent.0 |= 1 << index;
                                    let mut at = 0;
                                    $(
                                        if index == at {
                                            $field = Some(map.next_value()?);
                                        }
                                        at += 1;
                                    )*
                                    let _ = at;
                                }
                                Key::Unknown(name) => {
                                    let value = map.next_value()?;
                                    extra.insert(name, value);
                                }
                            }
                        }
                        Ok($name {
                            $($field: model!(@finish $field, $json $($presence)?),)*
                            extra,
                            sent,
                        })
                    }
                }

                deserializer.deserialize_map(ModelVisitor)
            }
        }
    };
    (@finish $value:ident, $json:literal required) => {
        $value.ok_or_else(|| de::Error::missing_field($json))?
    };
    (@finish $value:ident, $json:literal $($presence:ident)?) => {
        $value.unwrap_or_default()
    };
    (@presence) => { Presence::Sent };
    (@presence required) => { Presence::Required };
    (@presence always) => { Presence::Always };
    (@presence nullable) => { Presence::Nullable };
    (@presence maybe) => { Presence::Maybe };
}

model! {
    /// A postcore profile: one end-user of your app. Store `profile_key` with that user.
    pub struct Profile {
        /// The profile's key, e.g. `"prof_abc123def456"`.
        pub profile_key: String = "profileKey" required,
        /// The name given at creation, or `None`.
        pub profile_name: Option<String> = "profileName" nullable,
        /// When the profile was created (sent by `GET /profiles`; not by the create call).
        pub created_at: Option<Timestamp> = "createdAt",
        /// The social accounts connected to this profile (empty right after creation).
        pub connected_platforms: Vec<ConnectedPlatform> = "connectedPlatforms",
    }
}

model! {
    /// A social account connected to a profile, as `GET /profiles` lists it.
    pub struct ConnectedPlatform {
        /// Which network.
        pub platform: Platform = "platform" required,
        /// The account's display name.
        pub display_name: Option<String> = "displayName",
        /// The account's username or handle.
        pub username: Option<String> = "username",
        /// When it was connected.
        pub connected_at: Option<Timestamp> = "connectedAt",
        /// When the connection expires (LinkedIn only: 60 days after connecting).
        pub expires_at: Option<Timestamp> = "expiresAt" nullable,
        /// Whole days until it expires (LinkedIn only).
        pub days_until_expiry: Option<i64> = "daysUntilExpiry" nullable,
        /// Whether the end-user must connect again (an expired LinkedIn token).
        pub needs_reconnect: bool = "needsReconnect",
    }
}

model! {
    /// The account connected by `POST /profiles/connect`. The documented answer has
    /// `username`; the other fields are sent by postcore today but not documented.
    pub struct Connection {
        /// The profile it was connected to (a new one when none was given).
        pub profile_key: Option<String> = "profileKey" maybe,
        /// Which network.
        pub platform: Option<Platform> = "platform" maybe,
        /// The account's username or handle.
        pub username: Option<String> = "username",
        /// The account's display name.
        pub display_name: Option<String> = "displayName" maybe,
        /// When it was connected.
        pub connected_at: Option<Timestamp> = "connectedAt" maybe,
    }
}

model! {
    /// A post scheduled on one platform.
    pub struct Post {
        /// The post's id, e.g. `"post_abc123"`.
        pub post_id: String = "postId" required,
        /// The profile it is posted for (the create call's answer omits it: the SDK fills it in
        /// from the call's arguments, and serializing that post leaves it out).
        pub profile_key: String = "profileKey",
        /// The platform it goes to.
        pub platform: Platform = "platform" required,
        /// The text (filled in from the call's arguments in the create call's answer, like
        /// `profile_key`).
        pub content: String = "content",
        /// When it is (or was) due to be published.
        pub scheduled_for: Timestamp = "scheduledFor" required,
        /// When it was scheduled.
        pub created_at: Option<Timestamp> = "createdAt",
        /// When it was published.
        pub published_at: Option<Timestamp> = "publishedAt" nullable,
        /// `pending`, then `published` or `failed`.
        pub status: PostStatus = "status" required,
        /// The published post on the platform.
        pub platform_url: Option<String> = "platformUrl" nullable,
    }
}

model! {
    /// The plan's monthly post quota after a scheduling call.
    pub struct Usage {
        /// The month counted, e.g. `"January 2025"`.
        pub month: String = "month" required,
        /// Posts scheduled this month.
        pub used: u64 = "used" required,
        /// Posts allowed per month (Free: 10, Pro: 3000).
        pub limit: u64 = "limit" required,
        /// Posts left this month.
        pub remaining: u64 = "remaining" required,
    }
}

model! {
    /// What scheduling a post returns: one post per platform, and the quota left.
    pub struct ScheduledPosts {
        /// One pending post per requested platform, in the request's order.
        pub posts: Vec<Post> = "posts" required,
        /// The monthly quota left (always in the documented answer).
        pub usage: Option<Usage> = "usage" always,
    }
}

/// Every model as the packages' generator reads it (for [`crate::spec::models`]).
pub(crate) fn specs() -> Vec<ModelSpec> {
    vec![
        Profile::SPEC,
        ConnectedPlatform::SPEC,
        Connection::SPEC,
        Post::SPEC,
        Usage::SPEC,
        ScheduledPosts::SPEC,
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn round_trip<T: serde::de::DeserializeOwned + Serialize>(body: &Value) -> Value {
        let model: T = serde_json::from_value(body.clone()).expect("decodes");
        serde_json::to_value(&model).expect("encodes")
    }

    #[test]
    fn serializing_writes_exactly_what_the_server_sent() {
        // The create call's answer: no createdAt, no connectedPlatforms, and none invented.
        let created = json!({"profileKey": "prof_abc123def456", "profileName": "x"});
        assert_eq!(round_trip::<Profile>(&created), created);
        // Absent, null and a value are three answers; unknown fields are kept.
        let listed = json!({"profileKey": "prof_1", "profileName": null, "plan": {"tier": "pro"},
            "connectedPlatforms": [{"platform": "mastodon", "needsReconnect": false, "x": 1}]});
        assert_eq!(round_trip::<Profile>(&listed), listed);
        let post = json!({"postId": "post_1", "platform": "bluesky", "status": "pending",
            "scheduledFor": "2030-01-01T00:00:00Z"});
        assert_eq!(round_trip::<Post>(&post), post);
        let scheduled = json!({"posts": [post]});
        assert_eq!(round_trip::<ScheduledPosts>(&scheduled), scheduled);
    }

    #[test]
    fn models_say_which_fields_were_sent() {
        let profile: Profile =
            serde_json::from_value(json!({"profileKey": "prof_1", "profileName": null}))
                .expect("decodes");
        assert!(profile.was_sent("profileKey") && profile.was_sent("profileName"));
        assert!(!profile.was_sent("createdAt") && !profile.was_sent("nope"));
        assert_eq!((profile.profile_name, profile.created_at), (None, None));
        assert!(profile.connected_platforms.is_empty());
    }

    #[test]
    fn required_fields_wrong_types_and_repeats_are_refused() {
        let missing = serde_json::from_value::<Post>(json!({"postId": "post_1"}));
        assert!(
            missing
                .unwrap_err()
                .to_string()
                .contains("missing field `platform`")
        );
        let wrong = serde_json::from_value::<Profile>(json!({"profileKey": 5}));
        assert!(wrong.unwrap_err().to_string().contains("invalid type"));
        let twice = serde_json::from_str::<Profile>(r#"{"profileKey": "a", "profileKey": "b"}"#);
        assert!(twice.unwrap_err().to_string().contains("duplicate field"));
        let not_object = serde_json::from_value::<Usage>(json!([1]));
        assert!(not_object.is_err());
    }
}
