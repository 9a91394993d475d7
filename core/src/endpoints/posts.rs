//! Posts: schedule, list, read and cancel them.
//!
//! `POST /posts`, `GET /posts`, `GET /posts/:postId`, `DELETE /posts/:postId`. Waiting for a
//! post to be published is in `wait.rs`.

use std::borrow::Cow;

use http::Method;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::config::RequestOptions;
use crate::endpoint::{Endpoint, json_body, path_segment};
use crate::error::Result;
use crate::idempotency::{Claims, Found, reconcile};
use crate::models::{Platform, Post, ScheduledPosts};
use crate::pacer::Budgets;
use crate::response::Response;
use crate::retry::Retry;
use crate::store::backend::BoxFuture;
use crate::timestamp::Timestamp;
use crate::validate::{self, Names};

/// Parameters of `POST /posts`: one post per platform, published at `scheduled_for`.
///
/// ```
/// use postcore::{CreatePost, Platform, Timestamp};
/// let at = Timestamp::now().add(std::time::Duration::from_secs(3600));
/// let params = CreatePost::new("prof_abc123def456", "Hello!", [Platform::LinkedIn, Platform::Bluesky], at);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct CreatePost {
    /// The profile to post for.
    pub profile_key: String,
    /// The text: at most 3,000 characters, and 300 graphemes when Bluesky is among the
    /// platforms (Bluesky refuses longer posts at publish time, so the SDK refuses them now).
    pub content: String,
    /// Where to post: each at most once, and connected to the profile.
    pub platforms: Vec<Platform>,
    /// When to publish; must be in the future (there is no "publish now").
    pub scheduled_for: Timestamp,
}

impl CreatePost {
    /// A post of `content` for `profile_key` on `platforms` at `scheduled_for`.
    pub fn new(
        profile_key: impl Into<String>,
        content: impl Into<String>,
        platforms: impl IntoIterator<Item = Platform>,
        scheduled_for: impl Into<Timestamp>,
    ) -> Self {
        Self {
            profile_key: profile_key.into(),
            content: content.into(),
            platforms: platforms.into_iter().collect(),
            scheduled_for: scheduled_for.into(),
        }
    }
}

impl Endpoint for CreatePost {
    type Wire = ScheduledPosts;
    type Output = ScheduledPosts;
    const NAME: &'static str = "posts.create";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/posts";
    const RETRY: Retry = Retry::SentOnce;
    const BUDGETS: Budgets = Budgets::Posting;
    const KEYED: bool = true;

    fn validate(&self, names: Names) -> Result<()> {
        validate::id(names, "profileKey", &self.profile_key)?;
        validate::platforms(names, &self.platforms)?;
        validate::content(names, &self.content, &self.platforms)
    }

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed(Self::PATH)
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        json_body(self)
    }

    fn fingerprint(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({
            "profileKey": self.profile_key,
            "content": self.content,
            "platforms": self.platforms,
            "scheduledFor": self.scheduled_for,
        }))
    }

    fn find_created<'a>(
        &'a self,
        client: &'a Client,
        since_ms: i64,
        claims: &'a Claims<'a>,
    ) -> BoxFuture<'a, Found<ScheduledPosts>> {
        Box::pin(reconcile::created_post(self, client, since_ms, claims))
    }

    fn created_ids(&self, output: &ScheduledPosts) -> Vec<String> {
        output.posts.iter().map(|p| p.post_id.clone()).collect()
    }

    /// The answer's posts lack `profileKey` and `content`: filled in from the request, so
    /// every `Post` has them.
    fn output(&self, mut wire: ScheduledPosts) -> ScheduledPosts {
        for post in &mut wire.posts {
            if post.profile_key.is_empty() {
                post.profile_key.clone_from(&self.profile_key);
            }
            if post.content.is_empty() {
                post.content.clone_from(&self.content);
            }
        }
        wire
    }
}

/// `GET /posts`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListPosts {}

#[derive(Deserialize)]
pub(crate) struct PostList {
    posts: Vec<Post>,
}

impl Endpoint for ListPosts {
    type Wire = PostList;
    type Output = Vec<Post>;
    const NAME: &'static str = "posts.list";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/posts";
    const RETRY: Retry = Retry::Idempotent;
    const MAX_RESPONSE_BYTES: usize = crate::config::MAX_LIST_RESPONSE_BYTES;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed(Self::PATH)
    }

    fn output(&self, wire: PostList) -> Vec<Post> {
        wire.posts
    }
}

/// `GET /posts/:postId`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RetrievePost {
    pub(crate) post_id: String,
}

#[derive(Deserialize)]
pub(crate) struct OnePost {
    post: Post,
}

impl Endpoint for RetrievePost {
    type Wire = OnePost;
    type Output = Post;
    const NAME: &'static str = "posts.retrieve";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/posts/:postId";
    const RETRY: Retry = Retry::Idempotent;

    fn validate(&self, names: Names) -> Result<()> {
        validate::id(names, "postId", &self.post_id)
    }

    fn path(&self) -> Cow<'static, str> {
        Cow::Owned(format!("/posts/{}", path_segment(&self.post_id)))
    }

    fn output(&self, wire: OnePost) -> Post {
        wire.post
    }
}

/// `DELETE /posts/:postId`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct DeletePost {
    post_id: String,
}

impl Endpoint for DeletePost {
    type Wire = IgnoredAny;
    type Output = ();
    const NAME: &'static str = "posts.delete";
    const METHOD: Method = Method::DELETE;
    const PATH: &'static str = "/posts/:postId";
    const RETRY: Retry = Retry::Idempotent;

    fn validate(&self, names: Names) -> Result<()> {
        validate::id(names, "postId", &self.post_id)
    }

    fn path(&self) -> Cow<'static, str> {
        Cow::Owned(format!("/posts/{}", path_segment(&self.post_id)))
    }

    fn output(&self, _: IgnoredAny) {}

    fn already_done(&self) -> Option<()> {
        Some(())
    }
}

impl Client {
    /// Schedules a post on one or more platforms (`POST /posts`): one [`Post`] per platform.
    ///
    /// Checked before sending: content length (and Bluesky's 300 graphemes), platforms.
    /// Never resent after the server may have processed it. Refusals:
    /// `PlatformsNotConnected` (see [`Error::missing_platforms`](crate::Error::missing_platforms)),
    /// `RateLimit` (the hourly limit, or the per-profile spacing with
    /// [`Error::next_available`](crate::Error::next_available): waited out and retried when it
    /// is within 30 s, else returned at once).
    pub async fn create_post(&self, params: CreatePost) -> Result<ScheduledPosts> {
        self.create_post_with(params, &RequestOptions::default())
            .await
            .map(Response::into_data)
    }

    /// [`Client::create_post`] with per-call options and the response metadata.
    pub async fn create_post_with(
        &self,
        params: CreatePost,
        options: &RequestOptions,
    ) -> Result<Response<ScheduledPosts>> {
        self.send(&params, options).await
    }

    /// Lists every post of the account (`GET /posts`).
    pub async fn list_posts(&self) -> Result<Vec<Post>> {
        self.list_posts_with(&RequestOptions::default())
            .await
            .map(Response::into_data)
    }

    /// [`Client::list_posts`] with per-call options and the response metadata.
    pub async fn list_posts_with(&self, options: &RequestOptions) -> Result<Response<Vec<Post>>> {
        self.send(&ListPosts {}, options).await
    }

    /// Reads one post (`GET /posts/:postId`); unknown ids are `NotFound` (`POST_NOT_FOUND`).
    pub async fn retrieve_post(&self, post_id: &str) -> Result<Post> {
        self.retrieve_post_with(post_id, &RequestOptions::default())
            .await
            .map(Response::into_data)
    }

    /// [`Client::retrieve_post`] with per-call options and the response metadata.
    pub async fn retrieve_post_with(
        &self,
        post_id: &str,
        options: &RequestOptions,
    ) -> Result<Response<Post>> {
        let params = RetrievePost {
            post_id: post_id.to_owned(),
        };
        self.send(&params, options).await
    }

    /// Cancels a pending post (`DELETE /posts/:postId`). Unknown ids are `NotFound`
    /// (`POST_NOT_FOUND`); published or failed posts cannot be deleted.
    pub async fn delete_post(&self, post_id: &str) -> Result<()> {
        self.delete_post_with(post_id, &RequestOptions::default())
            .await
            .map(Response::into_data)
    }

    /// [`Client::delete_post`] with per-call options and the response metadata.
    pub async fn delete_post_with(
        &self,
        post_id: &str,
        options: &RequestOptions,
    ) -> Result<Response<()>> {
        let params = DeletePost {
            post_id: post_id.to_owned(),
        };
        self.send(&params, options).await
    }
}
