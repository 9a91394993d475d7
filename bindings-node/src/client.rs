//! The native client: configuration in, one `postcore::Client` per instance, calls out as
//! promises. `lib/index.js` wraps it as the public `Postcore` class.

use napi::Result;
use napi::bindgen_prelude::{Env, PromiseRaw};
use napi_derive::napi;

use crate::cancel::CancelToken;
use crate::errors::{throw_core_error, to_js_error};

/// Options for `new Postcore(options)`. Unset values fall back to `POSTCORE_API_KEY` /
/// `POSTCORE_BASE_URL`, then to the defaults.
#[napi(object)]
#[derive(Default)]
pub struct ClientOptions {
    /// The API key sent as `x-api-key` (default: `process.env.POSTCORE_API_KEY`).
    pub api_key: Option<String>,
    /// The API root (default: `process.env.POSTCORE_BASE_URL`, else `https://api.postcore.dev`).
    pub base_url: Option<String>,
    /// Per-attempt timeout in milliseconds (default 60000).
    pub timeout: Option<f64>,
    /// Retries after the first attempt, where retrying is safe (default 2).
    pub max_retries: Option<f64>,
}

/// Parameters of `createProfile`.
#[napi(object)]
#[derive(Default)]
pub struct CreateProfileParams {
    /// A label for the end-user this profile stands for, e.g. `"User: john@example.com"`.
    /// Omitted: an unnamed profile is created.
    pub profile_name: Option<String>,
}

/// Per-call options overriding the client's settings.
#[napi(object)]
#[derive(Default)]
pub struct RequestOptions {
    /// Per-attempt timeout for this call, in milliseconds.
    pub timeout: Option<f64>,
    /// Retries for this call.
    pub max_retries: Option<f64>,
}

/// A postcore profile: one end-user of your app. Store `profileKey` with that user.
#[napi(object, use_nullable = true)]
pub struct Profile {
    /// The profile's key, e.g. `"prof_abc123def456"`.
    pub profile_key: String,
    /// The name given at creation, or `null`.
    pub profile_name: Option<String>,
}

impl From<postcore::Profile> for Profile {
    fn from(profile: postcore::Profile) -> Self {
        Self {
            profile_key: profile.profile_key,
            profile_name: profile.profile_name,
        }
    }
}

/// The native client behind the public `Postcore` class. Holds one `postcore::Client` (one
/// connection pool); each JavaScript environment (main thread, worker) creates its own.
#[napi]
pub struct NativeClient {
    inner: postcore::Client,
}

#[napi]
impl NativeClient {
    /// Validates the options and builds the client. Throws `RangeError` for a bad timeout or
    /// retry count, and an error with `postcoreClass: "ConfigurationError"` for a missing key
    /// or a bad base URL.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, options: Option<ClientOptions>) -> Result<Self> {
        let options = options.unwrap_or_default();
        let mut builder = postcore::Client::builder().user_agent(crate::USER_AGENT);
        if let Some(key) = options.api_key {
            builder = builder.api_key(key);
        }
        if let Some(url) = options.base_url {
            builder = builder.base_url(url);
        }
        if let Some(ms) = options.timeout {
            let timeout =
                postcore::timeout_from_millis(ms).map_err(|e| throw_core_error(&env, &e))?;
            builder = builder.timeout(timeout);
        }
        if let Some(n) = options.max_retries {
            builder = builder.max_retries(retries(&env, n)?);
        }
        let inner = builder.build().map_err(|e| throw_core_error(&env, &e))?;
        Ok(Self { inner })
    }

    /// `POST /profiles/create`. Resolves to `{ profileKey, profileName }`; rejects with an
    /// error object carrying the core error's fields (see `errors.rs`). When `cancel` is
    /// cancelled, the request is dropped and the promise rejects with `postcoreClass:
    /// "AbortError"`.
    #[napi(ts_return_type = "Promise<Profile>", catch_unwind)]
    pub fn create_profile<'env>(
        &self,
        env: &'env Env,
        params: Option<CreateProfileParams>,
        options: Option<RequestOptions>,
        cancel: Option<&CancelToken>,
    ) -> Result<PromiseRaw<'env, Profile>> {
        let params = postcore::CreateProfile {
            profile_name: params.unwrap_or_default().profile_name,
        };
        let options = request_options(env, options.unwrap_or_default())?;
        let cancelled = cancel.map(CancelToken::cancelled_future);
        let client = self.inner.clone();
        let call = async move {
            let request = client.create_profile_with(params, &options);
            let outcome = match cancelled {
                Some(cancelled) => tokio::select! {
                    outcome = request => Some(outcome),
                    () = cancelled => None,
                },
                None => Some(request.await),
            };
            Ok(outcome)
        };
        env.spawn_future_with_callback(call, |env, outcome| match outcome {
            Some(Ok(response)) => Ok(Profile::from(response.into_data())),
            Some(Err(error)) => Err(to_js_error(env, &error)),
            None => Err(aborted(env)),
        })
    }

    /// The API root this client sends to, without trailing slash.
    #[napi(getter, catch_unwind)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    /// The client's per-attempt timeout in milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn timeout(&self) -> f64 {
        self.inner.timeout().as_secs_f64() * 1000.0
    }

    /// The client's default number of retries.
    #[napi(getter, catch_unwind)]
    pub fn max_retries(&self) -> u32 {
        self.inner.max_retries()
    }
}

/// The `User-Agent` this package sends (`postcore-node/<version>`).
#[napi(catch_unwind)]
pub fn user_agent() -> String {
    crate::USER_AGENT.to_owned()
}

fn request_options(env: &Env, options: RequestOptions) -> Result<postcore::RequestOptions> {
    let mut out = postcore::RequestOptions::new();
    if let Some(ms) = options.timeout {
        out =
            out.timeout(postcore::timeout_from_millis(ms).map_err(|e| throw_core_error(env, &e))?);
    }
    if let Some(n) = options.max_retries {
        out = out.max_retries(retries(env, n)?);
    }
    Ok(out)
}

/// A retry count from JavaScript, validated by the core (`RangeError` when refused).
fn retries(env: &Env, n: f64) -> Result<u32> {
    postcore::max_retries_from(n, "maxRetries").map_err(|e| throw_core_error(env, &e))
}

/// The rejection of a cancelled call; the JavaScript wrapper has already rejected with the
/// signal's reason, so this only has to be recognisable.
fn aborted(env: &Env) -> napi::Error {
    let message = "the call was aborted";
    match env.create_error(napi::Error::new(napi::Status::Cancelled, message)) {
        Ok(mut object) => {
            let _ = object.set("name", "AbortError");
            let _ = object.set("postcoreClass", "AbortError");
            napi::Error::from(napi::bindgen_prelude::JsValue::to_unknown(&object))
        }
        Err(e) => e,
    }
}
