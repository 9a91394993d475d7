//! Profiles: `POST /profiles/create`.

use std::borrow::Cow;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::Client;
use crate::config::RequestOptions;
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::response::Response;

/// Parameters of `POST /profiles/create`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateProfile {
    /// A label for the end-user this profile stands for, e.g. `"User: john@example.com"`.
    /// `None` creates an unnamed profile (the request body is then `{}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
}

/// A postcore profile: one end-user of your app. Store `profile_key` with that user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Profile {
    /// The profile's key, e.g. `"prof_abc123def456"`.
    pub profile_key: String,
    /// The name given at creation, if any.
    #[serde(default)]
    pub profile_name: Option<String>,
}

impl Endpoint for CreateProfile {
    type Output = Profile;
    const METHOD: Method = Method::POST;

    fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed("/profiles/create")
    }

    fn body(&self) -> Result<Option<Vec<u8>>> {
        serde_json::to_vec(self)
            .map(Some)
            .map_err(|e| Error::invalid_argument(format!("cannot encode the profile: {e}")))
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
}
