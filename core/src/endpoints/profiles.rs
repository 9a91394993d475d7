//! Profiles: create, list, delete, and connect social accounts to them.
//!
//! `POST /profiles/create`, `GET /profiles`, `DELETE /profiles/:profileKey`,
//! `POST /profiles/connect` (Bluesky), and the `GET /profiles/connect` URL (LinkedIn OAuth,
//! built locally: it is opened in the end-user's browser, not called by the SDK).

use std::borrow::Cow;
use std::fmt;

use http::Method;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::Client;
use crate::config::{RequestOptions, is_loopback};
use crate::endpoint::{Endpoint, json_body, path_segment};
use crate::error::{Error, Result};
use crate::idempotency::{Claims, Found, reconcile};
use crate::models::{Connection, Profile};
use crate::pacer::Budgets;
use crate::response::Response;
use crate::retry::Retry;
use crate::store::backend::BoxFuture;
use crate::validate::{self, Names};

/// Parameters of `POST /profiles/create`.
///
/// `CreateProfile { profile_name: Some(name) }`, [`CreateProfile::named`], or
/// `CreateProfile::default()` for an unnamed profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateProfile {
    /// A label for the end-user this profile stands for, e.g. `"User: john@example.com"`.
    /// `None` creates an unnamed profile (the request body is then `{}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
}

impl CreateProfile {
    /// An unnamed profile.
    pub fn new() -> Self {
        Self::default()
    }

    /// A profile with this name, e.g. `"User: john@example.com"`.
    pub fn named(profile_name: impl Into<String>) -> Self {
        Self {
            profile_name: Some(profile_name.into()),
        }
    }
}

impl Endpoint for CreateProfile {
    type Wire = Profile;
    type Output = Profile;
    const NAME: &'static str = "profiles.create";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/profiles/create";
    const RETRY: Retry = Retry::SentOnce;
    const KEYED: bool = true;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed(Self::PATH)
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        json_body(self)
    }

    fn output(&self, wire: Profile) -> Profile {
        wire
    }

    fn fingerprint(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({ "profileName": self.profile_name }))
    }

    fn find_created<'a>(
        &'a self,
        client: &'a Client,
        since_ms: i64,
        claims: &'a Claims<'a>,
    ) -> BoxFuture<'a, Found<Profile>> {
        Box::pin(reconcile::created_profile(self, client, since_ms, claims))
    }

    fn created_ids(&self, output: &Profile) -> Vec<String> {
        vec![output.profile_key.clone()]
    }
}

/// `GET /profiles`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListProfiles {}

#[derive(Deserialize)]
pub(crate) struct ProfileList {
    profiles: Vec<Profile>,
}

impl Endpoint for ListProfiles {
    type Wire = ProfileList;
    type Output = Vec<Profile>;
    const NAME: &'static str = "profiles.list";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/profiles";
    const RETRY: Retry = Retry::Idempotent;
    // Every profile in one body (no pagination is documented): 28,000 profiles pass 8 MiB.
    const MAX_RESPONSE_BYTES: usize = crate::config::MAX_LIST_RESPONSE_BYTES;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed(Self::PATH)
    }

    fn output(&self, wire: ProfileList) -> Vec<Profile> {
        wire.profiles
    }
}

/// `DELETE /profiles/:profileKey`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct DeleteProfile {
    profile_key: String,
}

impl Endpoint for DeleteProfile {
    type Wire = IgnoredAny;
    type Output = ();
    const NAME: &'static str = "profiles.delete";
    const METHOD: Method = Method::DELETE;
    const PATH: &'static str = "/profiles/:profileKey";
    const RETRY: Retry = Retry::Idempotent;

    fn validate(&self, names: Names) -> Result<()> {
        validate::id(names, "profileKey", &self.profile_key)
    }

    fn path(&self) -> Cow<'static, str> {
        Cow::Owned(format!("/profiles/{}", path_segment(&self.profile_key)))
    }

    fn output(&self, _: IgnoredAny) {}

    fn already_done(&self) -> Option<()> {
        Some(())
    }
}

/// A Bluesky app password (`xxxx-xxxx-xxxx-xxxx`). Never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct AppPassword(String);

impl AppPassword {
    /// Wraps an app password.
    pub fn new(password: impl Into<String>) -> Self {
        Self(password.into())
    }

    /// The password itself (sent only in the request body).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AppPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

impl From<&str> for AppPassword {
    fn from(password: &str) -> Self {
        Self::new(password)
    }
}

impl From<String> for AppPassword {
    fn from(password: String) -> Self {
        Self::new(password)
    }
}

/// Parameters of `POST /profiles/connect` for Bluesky.
///
/// ```
/// let params = postcore::ConnectBluesky::new("user.bsky.social", "abcd-efgh-ijkl-mnop")
///     .profile_key("prof_abc123def456");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ConnectBluesky {
    /// The profile to connect to; `None` creates a new profile.
    #[serde(default)]
    pub profile_key: Option<String>,
    /// The Bluesky handle, e.g. `"user.bsky.social"`.
    pub handle: String,
    /// An app password created in Bluesky's settings (not the account password).
    pub app_password: AppPassword,
}

impl ConnectBluesky {
    /// Connects `handle` with `app_password` to a new profile (see [`ConnectBluesky::profile_key`]).
    pub fn new(handle: impl Into<String>, app_password: impl Into<AppPassword>) -> Self {
        Self {
            profile_key: None,
            handle: handle.into(),
            app_password: app_password.into(),
        }
    }

    /// Connects to this existing profile instead of creating one.
    pub fn profile_key(mut self, profile_key: impl Into<String>) -> Self {
        self.profile_key = Some(profile_key.into());
        self
    }
}

impl Endpoint for ConnectBluesky {
    type Wire = Connection;
    type Output = Connection;
    const NAME: &'static str = "profiles.connect_bluesky";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/profiles/connect";
    const RETRY: Retry = Retry::SentOnce;
    const BUDGETS: Budgets = Budgets::Connect;
    const KEYED: bool = true;

    fn validate(&self, names: Names) -> Result<()> {
        if let Some(key) = &self.profile_key {
            validate::id(names, "profileKey", key)?;
        }
        validate::handle(names, &self.handle)?;
        validate::app_password(names, self.app_password.expose())
    }

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed(Self::PATH)
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        let mut body = serde_json::json!({
            "platform": "bluesky",
            "credentials": {
                "handle": self.handle.trim_start_matches('@'),
                "appPassword": self.app_password.expose(),
            },
        });
        if let (Some(key), Some(object)) = (&self.profile_key, body.as_object_mut()) {
            object.insert("profileKey".to_owned(), key.clone().into());
        }
        json_body(&body)
    }

    fn output(&self, wire: Connection) -> Connection {
        wire
    }

    fn secret(&self) -> Option<&str> {
        Some(self.app_password.expose())
    }

    /// The profile and the handle: never the app password (a retry with a corrected password
    /// is the same connection).
    fn fingerprint(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({
            "profileKey": self.profile_key,
            "handle": reconcile::normalized_handle(&self.handle),
        }))
    }

    fn find_created<'a>(
        &'a self,
        client: &'a Client,
        since_ms: i64,
        claims: &'a Claims<'a>,
    ) -> BoxFuture<'a, Found<Connection>> {
        Box::pin(reconcile::created_connection(
            self, client, since_ms, claims,
        ))
    }

    fn created_ids(&self, output: &Connection) -> Vec<String> {
        output
            .profile_key
            .iter()
            .map(|key| format!("{key}:bluesky"))
            .collect()
    }
}

impl Client {
    /// Creates a profile (`POST /profiles/create`).
    ///
    /// Never resent after the server may have processed it, so a profile is never created
    /// twice by the client's own retries.
    pub async fn create_profile(&self, params: CreateProfile) -> Result<Profile> {
        self.create_profile_with(params, &RequestOptions::default())
            .await
            .map(Response::into_data)
    }

    /// [`Client::create_profile`] with per-call options, returning the response metadata
    /// (status, headers, rate limit, attempts) alongside the profile.
    pub async fn create_profile_with(
        &self,
        params: CreateProfile,
        options: &RequestOptions,
    ) -> Result<Response<Profile>> {
        self.send(&params, options).await
    }

    /// Lists every profile of the account (`GET /profiles`), with their connected accounts.
    /// Bodies up to [`MAX_LIST_RESPONSE_BYTES`](crate::MAX_LIST_RESPONSE_BYTES) are read.
    pub async fn list_profiles(&self) -> Result<Vec<Profile>> {
        self.list_profiles_with(&RequestOptions::default())
            .await
            .map(Response::into_data)
    }

    /// [`Client::list_profiles`] with per-call options and the response metadata.
    pub async fn list_profiles_with(
        &self,
        options: &RequestOptions,
    ) -> Result<Response<Vec<Profile>>> {
        self.send(&ListProfiles {}, options).await
    }

    /// Deletes a profile with its connections, stored credentials and pending posts
    /// (`DELETE /profiles/:profileKey`); this cannot be undone. An unknown key is a
    /// `NotFound` error (`PROFILE_NOT_FOUND`), except when a retry finds the profile already
    /// gone after an earlier attempt may have deleted it.
    pub async fn delete_profile(&self, profile_key: &str) -> Result<()> {
        self.delete_profile_with(profile_key, &RequestOptions::default())
            .await
            .map(Response::into_data)
    }

    /// [`Client::delete_profile`] with per-call options and the response metadata.
    pub async fn delete_profile_with(
        &self,
        profile_key: &str,
        options: &RequestOptions,
    ) -> Result<Response<()>> {
        let params = DeleteProfile {
            profile_key: profile_key.to_owned(),
        };
        self.send(&params, options).await
    }

    /// Connects a Bluesky account with an app password (`POST /profiles/connect`), to the given
    /// profile or, without one, to a new profile. Refusals: `InvalidCredentials`,
    /// `BadRequest` `PROFILE_ALREADY_EXISTS`, `NotFound` `PROFILE_NOT_FOUND`.
    pub async fn connect_bluesky(&self, params: ConnectBluesky) -> Result<Connection> {
        self.connect_bluesky_with(params, &RequestOptions::default())
            .await
            .map(Response::into_data)
    }

    /// [`Client::connect_bluesky`] with per-call options and the response metadata.
    pub async fn connect_bluesky_with(
        &self,
        params: ConnectBluesky,
        options: &RequestOptions,
    ) -> Result<Response<Connection>> {
        self.send(&params, options).await
    }

    /// The URL that connects a LinkedIn account: open it in the end-user's browser; after they
    /// authorise, postcore sends the browser to `return_url` with the `profileKey`. Without a
    /// `profile_key`, a new profile is created.
    ///
    /// Built locally (`GET /profiles/connect`, every parameter percent-encoded), no request is
    /// made. **It contains your API key**: build it on your server and redirect the browser
    /// to it; never embed it in a page or an app. `return_url` must be an absolute `https://`
    /// URL (`http://` only for loopback hosts).
    pub fn linkedin_connect_url(
        &self,
        return_url: &str,
        profile_key: Option<&str>,
    ) -> Result<String> {
        self.linkedin_connect_url_for(return_url, profile_key, Names::SnakeCase)
    }

    pub(crate) fn linkedin_connect_url_for(
        &self,
        return_url: &str,
        profile_key: Option<&str>,
        names: Names,
    ) -> Result<String> {
        let field = names.spell("returnUrl");
        let parsed = Url::parse(return_url).map_err(|e| {
            Error::invalid_argument(format!(
                "{field} must be an absolute URL such as \"https://app.example.com/connected\": {e}"
            ))
        })?;
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(&parsed) => {}
            _ => {
                return Err(Error::invalid_argument(format!(
                    "{field} must be an https:// URL (http:// only for loopback hosts), got {:?}",
                    parsed.scheme()
                )));
            }
        }
        if let Some(key) = profile_key {
            validate::id(names, "profileKey", key)?;
        }
        let mut url = Url::parse(&format!("{}/profiles/connect", self.base_url()))
            .map_err(|e| Error::config(format!("cannot build the connect URL: {e}")))?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("apiKey", self.api_key_str());
            query.append_pair("platform", "linkedin");
            if let Some(key) = profile_key {
                query.append_pair("profileKey", key);
            }
            query.append_pair("returnUrl", return_url);
        }
        Ok(url.into())
    }
}
