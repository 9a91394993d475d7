//! Finding what a creation made when its answer was lost: one `GET /posts` or `GET /profiles`.
//!
//! * A post: the profile's posts on the requested platforms at exactly the requested
//!   `scheduledFor` with the same content (the API's per-profile spacing makes that unique).
//! * A profile: a profile with the requested name created after the intent.
//! * A Bluesky connection: the profile (the given one, or a new one) with that handle
//!   connected after the intent.
//!
//! Several keyed calls may look at once: each object found is *claimed* in the store for the
//! key that found it (`postcore:<namespace>:claim:<id>`), so that two keys never take the same
//! profile.

use crate::client::Client;
use crate::config::RequestOptions;
use crate::endpoints::posts::{CreatePost, ListPosts};
use crate::endpoints::profiles::{ConnectBluesky, CreateProfile, ListProfiles};
use crate::error::{Error, Result};
use crate::models::{Connection, Platform, Post, Profile, ScheduledPosts};
use crate::response::Response;
use crate::store::backend::{Backend, Condition};
use crate::timestamp::Timestamp;
use crate::validate::Names;

/// Created objects older than the intent by more than this are not the call's (the server's
/// `createdAt` has whole seconds; the intent's time is a lower bound of the server's clock).
const SLACK_MS: i64 = 2_000;

/// What a look for a lost creation found.
pub(crate) enum Found<T> {
    /// It exists: here it is (as the creation would have returned it), with the ids claimed.
    Created(Response<T>, Vec<String>),
    /// It provably does not exist.
    Absent,
    /// The look failed: nobody can tell.
    CannotTell(Error),
}

/// The claims of one key on the objects it created.
pub(crate) struct Claims<'a> {
    store: &'a dyn Backend,
    namespace: String,
    record_key: String,
}

impl<'a> Claims<'a> {
    pub(crate) fn new(store: &'a dyn Backend, namespace: String, record_key: String) -> Self {
        Self {
            store,
            namespace,
            record_key,
        }
    }

    fn key(&self, id: &str) -> String {
        format!("postcore:{}:claim:{id}", self.namespace)
    }

    /// Claims `id` for this key: true if it is (now or already) this key's.
    async fn claim(&self, id: &str) -> bool {
        let key = self.key(id);
        let mine = self.record_key.as_bytes();
        match self
            .store
            .put(&key, mine, Some(CLAIM_TTL), Condition::IfAbsent)
            .await
        {
            Ok(true) => true,
            Ok(false) => self
                .store
                .get(&key)
                .await
                .is_ok_and(|v| v.as_deref() == Some(mine)),
            // A store that fails cannot vouch for anyone: take it.
            Err(_) => true,
        }
    }

    /// Claims every id, best effort (after a successful creation).
    pub(crate) async fn claim_all(&self, ids: &[String]) {
        for id in ids {
            let _ = self.claim(id).await;
        }
    }
}

/// Claims outlive the keys they protect (a key's record lasts its ttl, a day by default).
const CLAIM_TTL: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 60 * 60);

fn since_ok(at: Option<&Timestamp>, since_ms: i64) -> bool {
    at.is_none_or(|t| t.unix_seconds().saturating_mul(1000) >= since_ms - SLACK_MS)
}

fn listed<T, U>(response: Response<T>, data: U) -> Response<U> {
    Response {
        data,
        status: response.status,
        headers: response.headers,
        rate_limit: response.rate_limit,
        attempts: response.attempts,
    }
}

pub(crate) async fn created_post(
    params: &CreatePost,
    client: &Client,
    _since_ms: i64,
    claims: &Claims<'_>,
) -> Found<ScheduledPosts> {
    let listing = match client
        .send_unkeyed(&ListPosts {}, &RequestOptions::new(), Names::SnakeCase)
        .await
    {
        Ok(response) => response,
        Err(e) => return Found::CannotTell(e),
    };
    // No createdAt check: two posts of one profile on one platform cannot share a
    // `scheduledFor` (the API's spacing), so this one is the call's.
    let mut found: Vec<Post> = Vec::new();
    for platform in &params.platforms {
        let candidate = listing.data.iter().find(|p| {
            p.profile_key == params.profile_key
                && &p.platform == platform
                && p.scheduled_for == params.scheduled_for
                && p.content == params.content
        });
        if let Some(post) = candidate {
            if claims.claim(&post.post_id).await {
                found.push(post.clone());
            }
        }
    }
    if found.is_empty() {
        return Found::Absent;
    }
    let ids = found.iter().map(|p| p.post_id.clone()).collect();
    // As the server would have answered, minus the usage it did not tell.
    let answer = serde_json::json!({ "posts": found });
    match serde_json::from_value::<ScheduledPosts>(answer) {
        Ok(scheduled) => Found::Created(listed(listing, scheduled), ids),
        Err(e) => Found::CannotTell(Error::invalid_argument(format!(
            "the posts found cannot be read back: {e}"
        ))),
    }
}

pub(crate) async fn created_profile(
    params: &CreateProfile,
    client: &Client,
    since_ms: i64,
    claims: &Claims<'_>,
) -> Found<Profile> {
    let listing = match list_profiles(client).await {
        Ok(response) => response,
        Err(e) => return Found::CannotTell(e),
    };
    let mut candidates: Vec<&Profile> = listing
        .data
        .iter()
        .filter(|p| {
            p.profile_name == params.profile_name && since_ok(p.created_at.as_ref(), since_ms)
        })
        .collect();
    candidates.sort_by_key(|p| p.created_at);
    for profile in candidates {
        if claims.claim(&profile.profile_key).await {
            let found = profile.clone();
            let ids = vec![found.profile_key.clone()];
            return Found::Created(listed(listing, found), ids);
        }
    }
    Found::Absent
}

pub(crate) async fn created_connection(
    params: &ConnectBluesky,
    client: &Client,
    since_ms: i64,
    claims: &Claims<'_>,
) -> Found<Connection> {
    let listing = match list_profiles(client).await {
        Ok(response) => response,
        Err(e) => return Found::CannotTell(e),
    };
    let handle = normalized_handle(&params.handle);
    let mut candidates: Vec<(&Profile, &crate::models::ConnectedPlatform)> = Vec::new();
    for profile in &listing.data {
        if params
            .profile_key
            .as_ref()
            .is_some_and(|k| *k != profile.profile_key)
        {
            continue;
        }
        for connected in &profile.connected_platforms {
            let same_handle = connected
                .username
                .as_deref()
                .is_some_and(|u| normalized_handle(u) == handle);
            if connected.platform == Platform::Bluesky
                && same_handle
                && since_ok(connected.connected_at.as_ref(), since_ms)
            {
                candidates.push((profile, connected));
            }
        }
    }
    candidates.sort_by_key(|(_, c)| c.connected_at);
    for (profile, connected) in candidates {
        let id = format!("{}:bluesky", profile.profile_key);
        if claims.claim(&id).await {
            let answer = serde_json::json!({
                "profileKey": profile.profile_key,
                "platform": Platform::Bluesky,
                "username": connected.username,
                "displayName": connected.display_name,
                "connectedAt": connected.connected_at,
            });
            return match serde_json::from_value::<Connection>(answer) {
                Ok(connection) => Found::Created(listed(listing, connection), vec![id]),
                Err(e) => Found::CannotTell(Error::invalid_argument(format!(
                    "the connection found cannot be read back: {e}"
                ))),
            };
        }
    }
    Found::Absent
}

async fn list_profiles(client: &Client) -> Result<Response<Vec<Profile>>> {
    client
        .send_unkeyed(&ListProfiles {}, &RequestOptions::new(), Names::SnakeCase)
        .await
}

/// A Bluesky handle as compared: without a leading `@`, lower case.
pub(crate) fn normalized_handle(handle: &str) -> String {
    handle.trim().trim_start_matches('@').to_ascii_lowercase()
}
