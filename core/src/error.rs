//! The one error type every call returns, and the kinds the bindings map to their own classes.

use std::time::Duration;

use http::header::HeaderMap;

use crate::models::Post;
use crate::rate_limit::RateLimit;
use crate::timestamp::Timestamp;

/// Shorthand for `std::result::Result<T, postcore::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call. Match on [`Error::kind`] (stable across versions)
/// rather than on the variants, and read details through the accessors, so that nothing ever
/// needs to parse a message string.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client could not be built: no API key, a malformed base URL, an unsafe header value.
    #[error("{message}")]
    Configuration {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A call argument has a valid type but a value that was rejected before any request was
    /// sent (an empty content, a naive datetime, a malformed app password…).
    #[error("{message}")]
    InvalidArgument {
        /// What is wrong with the argument.
        message: String,
    },
    /// A call argument (given through a binding) has the wrong type, or a required one is
    /// missing. Bindings raise their language's `TypeError`.
    #[error("{message}")]
    InvalidArgumentType {
        /// What is wrong with the argument.
        message: String,
    },
    /// The server answered with a status that is not a success.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The server answered with a success status but a body this client cannot use
    /// (not JSON, wrong content type, a required field missing). What it sent is kept.
    #[error("{0}")]
    ResponseValidation(Box<ApiError>),
    /// No usable answer came back: connection refused or reset, DNS failure, TLS failure,
    /// a body cut off mid-way.
    #[error("{message}")]
    #[non_exhaustive]
    Connection {
        /// What failed, with the underlying cause.
        message: String,
        /// How many attempts were made.
        attempts: u32,
        /// Whether the server may have received and processed the request (the connection
        /// broke after it was sent). For a `POST`, look before trying again (list the
        /// profiles or posts): it was not resent, as that could duplicate it.
        may_have_been_processed: bool,
    },
    /// An attempt took longer than the timeout.
    #[error("{message}")]
    #[non_exhaustive]
    Timeout {
        /// Says which timeout elapsed.
        message: String,
        /// The per-attempt timeout that elapsed.
        timeout: Duration,
        /// How many attempts were made.
        attempts: u32,
        /// Whether the server may have processed the request (see [`Error::Connection`]).
        may_have_been_processed: bool,
    },
    /// Waiting for a post ([`Client::wait_for_post`](crate::Client::wait_for_post)) took
    /// longer than its timeout; the post as last seen is attached.
    #[error("{message}")]
    #[non_exhaustive]
    WaitTimeout {
        /// Says how long was waited and the post's last status.
        message: String,
        /// The post as last seen (still pending); for a wait for several posts, the first
        /// still pending.
        post: Box<Post>,
        /// Every post waited for, as last seen (one for a single post's wait).
        posts: Vec<Post>,
    },
    /// An idempotency key was used again for another operation or other arguments: nothing
    /// was sent (a key stands for one operation with one set of arguments).
    #[error("{message}")]
    IdempotencyKeyReused {
        /// Says which operation the key was first used for.
        message: String,
    },
    /// A webhook's `Postcore-Signature` does not verify: a tampered or replayed body, a wrong
    /// secret, a timestamp outside the tolerance, a missing or malformed header.
    #[error("{message}")]
    WebhookSignature {
        /// Says what did not verify.
        message: String,
    },
}

/// What the server sent with a refused (or unusable) response: nothing is dropped.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// postcore's error code (`"INVALID_API_KEY"`, `"RATE_LIMIT_EXCEEDED"`, …) when the body had one.
    pub code: Option<String>,
    /// The server's human-readable message, or a description of the problem when it gave none.
    pub message: String,
    /// The raw body, decoded as UTF-8 (invalid sequences replaced).
    pub body: String,
    /// The body parsed as JSON, when it was JSON.
    pub json: Option<serde_json::Value>,
    /// The response headers.
    pub headers: HeaderMap,
    /// How long the server asked to wait (`retry_after` body field, else `Retry-After` header).
    pub retry_after: Option<Duration>,
    /// The `X-RateLimit-*` headers of the response.
    pub rate_limit: Option<RateLimit>,
    /// How many attempts were made.
    pub attempts: u32,
    /// The platform a per-profile spacing refusal (429) is about (`"linkedin"`, `"bluesky"`).
    pub platform: Option<String>,
    /// When a post can next be scheduled on that platform (429 spacing refusals).
    pub next_available: Option<Timestamp>,
    /// The platforms a `PLATFORMS_NOT_CONNECTED` refusal names (`missing_platforms`).
    pub missing_platforms: Vec<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{} {}: {}", self.status, code, self.message),
            None => write!(f, "{}: {}", self.status, self.message),
        }
    }
}

/// The category of an [`Error`]. The Python and Node packages raise one class per kind, named
/// by [`ErrorKind::class_name`], so the three languages always agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::Configuration`].
    Configuration,
    /// See [`Error::InvalidArgument`]; bindings raise their language's own argument error.
    InvalidArgument,
    /// See [`Error::InvalidArgumentType`]; bindings raise their language's `TypeError`.
    InvalidArgumentType,
    /// HTTP 400.
    BadRequest,
    /// HTTP 400 `PLATFORMS_NOT_CONNECTED`: see [`Error::missing_platforms`].
    PlatformsNotConnected,
    /// HTTP 400 `INVALID_CREDENTIALS`: Bluesky refused the handle or app password.
    InvalidCredentials,
    /// HTTP 401.
    Authentication,
    /// HTTP 403.
    PermissionDenied,
    /// HTTP 404.
    NotFound,
    /// HTTP 409.
    Conflict,
    /// HTTP 422.
    UnprocessableEntity,
    /// HTTP 429.
    RateLimit,
    /// HTTP 500 and above.
    InternalServer,
    /// Any other non-success status.
    Api,
    /// See [`Error::ResponseValidation`].
    ResponseValidation,
    /// See [`Error::Connection`].
    Connection,
    /// See [`Error::Timeout`].
    Timeout,
    /// See [`Error::WaitTimeout`].
    WaitTimeout,
    /// See [`Error::IdempotencyKeyReused`].
    IdempotencyKeyReused,
    /// See [`Error::WebhookSignature`].
    WebhookSignature,
}

impl ErrorKind {
    /// Every kind, parents before children: the one list the Python and Node packages' error
    /// classes are checked against.
    pub const ALL: &'static [ErrorKind] = &[
        Self::Configuration,
        Self::InvalidArgument,
        Self::InvalidArgumentType,
        Self::Api,
        Self::BadRequest,
        Self::PlatformsNotConnected,
        Self::InvalidCredentials,
        Self::Authentication,
        Self::PermissionDenied,
        Self::NotFound,
        Self::Conflict,
        Self::UnprocessableEntity,
        Self::RateLimit,
        Self::InternalServer,
        Self::ResponseValidation,
        Self::Connection,
        Self::Timeout,
        Self::WaitTimeout,
        Self::IdempotencyKeyReused,
        Self::WebhookSignature,
    ];

    /// The kind of an error response with this status and postcore error code.
    pub fn from_response(status: u16, code: Option<&str>) -> Self {
        match (status, code) {
            (400, Some("PLATFORMS_NOT_CONNECTED")) => Self::PlatformsNotConnected,
            (400, Some("INVALID_CREDENTIALS")) => Self::InvalidCredentials,
            _ => Self::from_status(status),
        }
    }

    /// The kind of an error response with this status.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::Authentication,
            403 => Self::PermissionDenied,
            404 => Self::NotFound,
            409 => Self::Conflict,
            422 => Self::UnprocessableEntity,
            429 => Self::RateLimit,
            500.. => Self::InternalServer,
            _ => Self::Api,
        }
    }

    /// The exception class the Python and Node packages raise for this kind. The two argument
    /// kinds are raised as the languages' own `ValueError`/`RangeError` and `TypeError`.
    pub fn class_name(self) -> &'static str {
        match self {
            Self::Configuration => "ConfigurationError",
            Self::InvalidArgument => "InvalidArgumentError",
            Self::InvalidArgumentType => "InvalidArgumentTypeError",
            Self::BadRequest => "BadRequestError",
            Self::PlatformsNotConnected => "PlatformsNotConnectedError",
            Self::InvalidCredentials => "InvalidCredentialsError",
            Self::Authentication => "AuthenticationError",
            Self::PermissionDenied => "PermissionDeniedError",
            Self::NotFound => "NotFoundError",
            Self::Conflict => "ConflictError",
            Self::UnprocessableEntity => "UnprocessableEntityError",
            Self::RateLimit => "RateLimitError",
            Self::InternalServer => "InternalServerError",
            Self::Api => "APIError",
            Self::ResponseValidation => "APIResponseValidationError",
            Self::Connection => "APIConnectionError",
            Self::Timeout => "APITimeoutError",
            Self::WaitTimeout => "WaitTimeoutError",
            Self::IdempotencyKeyReused => "IdempotencyKeyReusedError",
            Self::WebhookSignature => "WebhookSignatureError",
        }
    }

    /// The kind whose class this kind's class derives from; `None` for direct subclasses of
    /// the packages' base class `PostcoreError`.
    pub fn parent(self) -> Option<ErrorKind> {
        match self {
            Self::PlatformsNotConnected | Self::InvalidCredentials => Some(Self::BadRequest),
            Self::BadRequest
            | Self::Authentication
            | Self::PermissionDenied
            | Self::NotFound
            | Self::Conflict
            | Self::UnprocessableEntity
            | Self::RateLimit
            | Self::InternalServer
            | Self::ResponseValidation => Some(Self::Api),
            Self::Timeout => Some(Self::Connection),
            Self::Configuration
            | Self::InvalidArgument
            | Self::InvalidArgumentType
            | Self::Api
            | Self::Connection
            | Self::WaitTimeout
            | Self::IdempotencyKeyReused
            | Self::WebhookSignature => None,
        }
    }

    /// Whether bindings raise the language's own argument error rather than a postcore class.
    pub fn is_argument_error(self) -> bool {
        matches!(self, Self::InvalidArgument | Self::InvalidArgumentType)
    }
}

impl Error {
    /// Removes `secret` from everything the error carries, in case a server or proxy echoed
    /// the API key back: it must never reach a message, a log or a traceback.
    pub(crate) fn redact(mut self, secret: &str) -> Self {
        const MASK: &str = "<redacted>";
        if secret.is_empty() {
            return self;
        }
        match &mut self {
            Self::Api(e) | Self::ResponseValidation(e) => {
                if e.body.contains(secret) {
                    e.body = e.body.replace(secret, MASK);
                    e.json = serde_json::from_str(&e.body).ok();
                }
                e.message = e.message.replace(secret, MASK);
                if let Some(code) = &mut e.code {
                    *code = code.replace(secret, MASK);
                }
                for value in e.headers.values_mut() {
                    if value.to_str().is_ok_and(|v| v.contains(secret)) {
                        *value = http::header::HeaderValue::from_static(MASK);
                    }
                }
            }
            Self::Connection { message, .. }
            | Self::Timeout { message, .. }
            | Self::WaitTimeout { message, .. }
            | Self::IdempotencyKeyReused { message }
            | Self::WebhookSignature { message }
            | Self::Configuration { message }
            | Self::InvalidArgument { message }
            | Self::InvalidArgumentType { message } => *message = message.replace(secret, MASK),
        }
        self
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Configuration {
            message: message.into(),
        }
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::InvalidArgument {
            message: message.into(),
        }
    }

    pub(crate) fn invalid_argument_type(message: impl Into<String>) -> Self {
        Self::InvalidArgumentType {
            message: message.into(),
        }
    }

    /// The category of this error; stable across versions.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Configuration { .. } => ErrorKind::Configuration,
            Self::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            Self::InvalidArgumentType { .. } => ErrorKind::InvalidArgumentType,
            Self::Api(e) => ErrorKind::from_response(e.status, e.code.as_deref()),
            Self::ResponseValidation(_) => ErrorKind::ResponseValidation,
            Self::Connection { .. } => ErrorKind::Connection,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::WaitTimeout { .. } => ErrorKind::WaitTimeout,
            Self::IdempotencyKeyReused { .. } => ErrorKind::IdempotencyKeyReused,
            Self::WebhookSignature { .. } => ErrorKind::WebhookSignature,
        }
    }

    /// The server's response details, for errors that carry a response.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) | Self::ResponseValidation(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.api_error().map(|e| e.status)
    }

    /// postcore's error code (e.g. `"INVALID_API_KEY"`), when the server gave one.
    pub fn code(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.code.as_deref())
    }

    /// A human-readable message: the server's when it gave one.
    pub fn message(&self) -> &str {
        match self {
            Self::Configuration { message }
            | Self::InvalidArgument { message }
            | Self::InvalidArgumentType { message }
            | Self::Connection { message, .. }
            | Self::Timeout { message, .. }
            | Self::WaitTimeout { message, .. }
            | Self::IdempotencyKeyReused { message }
            | Self::WebhookSignature { message } => message,
            Self::Api(e) | Self::ResponseValidation(e) => &e.message,
        }
    }

    /// The raw response body as text, when the server answered (`body_text` in Python and
    /// Node too).
    pub fn body_text(&self) -> Option<&str> {
        self.api_error().map(|e| e.body.as_str())
    }

    /// The raw response body as text. Prefer [`Error::body_text`]: in the Python and Node
    /// packages `body` is the parsed body, as [`Error::body_json`] is here.
    #[deprecated(
        since = "0.1.0",
        note = "use body_text() (raw) or body_json() (parsed)"
    )]
    pub fn body(&self) -> Option<&str> {
        self.body_text()
    }

    /// The response body parsed as JSON, when it was JSON.
    pub fn body_json(&self) -> Option<&serde_json::Value> {
        self.api_error().and_then(|e| e.json.as_ref())
    }

    /// The response headers, when the server answered.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.api_error().map(|e| &e.headers)
    }

    /// How long the server asked the caller to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    /// The rate-limit headers of the response, when the server answered.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.api_error().and_then(|e| e.rate_limit.as_ref())
    }

    /// How many attempts were made before giving up (0 when no request was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Self::Configuration { .. }
            | Self::InvalidArgument { .. }
            | Self::InvalidArgumentType { .. }
            | Self::WaitTimeout { .. }
            | Self::IdempotencyKeyReused { .. }
            | Self::WebhookSignature { .. } => 0,
            Self::Connection { attempts, .. } | Self::Timeout { attempts, .. } => *attempts,
            Self::Api(e) | Self::ResponseValidation(e) => e.attempts,
        }
    }

    /// The same error, counting `attempts` requests made before it (a rate budget found spent
    /// before a retry).
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        match &mut self {
            Self::Connection { attempts: a, .. } | Self::Timeout { attempts: a, .. } => {
                *a = attempts;
            }
            Self::Api(e) | Self::ResponseValidation(e) => e.attempts = attempts,
            _ => {}
        }
        self
    }

    /// Whether the request may have reached the server and been processed although no answer
    /// came back (a connection broken, or a timeout, after it was sent). Only then can a `POST`
    /// that failed have created something: check before trying again.
    pub fn may_have_been_processed(&self) -> bool {
        match self {
            Self::Connection {
                may_have_been_processed,
                ..
            }
            | Self::Timeout {
                may_have_been_processed,
                ..
            } => *may_have_been_processed,
            _ => false,
        }
    }

    /// The platform of a per-profile spacing refusal (429 with `platform`).
    pub fn platform(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.platform.as_deref())
    }

    /// When a post can next be scheduled on [`Error::platform`] (429 spacing refusals).
    pub fn next_available(&self) -> Option<Timestamp> {
        self.api_error().and_then(|e| e.next_available)
    }

    /// The platforms a `PLATFORMS_NOT_CONNECTED` refusal names (empty otherwise).
    pub fn missing_platforms(&self) -> &[String] {
        self.api_error()
            .map_or(&[][..], |e| e.missing_platforms.as_slice())
    }

    /// Every post waited for, as last seen, for [`Error::WaitTimeout`] (empty otherwise).
    pub fn posts(&self) -> &[Post] {
        match self {
            Self::WaitTimeout { posts, .. } => posts,
            _ => &[],
        }
    }

    /// The post as last seen, for [`Error::WaitTimeout`].
    pub fn post(&self) -> Option<&Post> {
        match self {
            Self::WaitTimeout { post, .. } => Some(post),
            _ => None,
        }
    }

    /// Whether the same call may succeed if made again later: connection failures, timeouts,
    /// 408, 429 and 5xx. (Whether resending a `POST` is *safe* is a separate question: the
    /// client only does it itself when the server provably did not process the request.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Connection { .. } | Self::Timeout { .. } => true,
            Self::Api(e) => matches!(e.status, 408 | 429 | 500..),
            _ => false,
        }
    }
}
