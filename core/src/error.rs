//! The one error type every call returns, and the kinds the bindings map to their own classes.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::rate_limit::RateLimit;

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
    /// A call argument was rejected before any request was sent.
    #[error("{message}")]
    InvalidArgument {
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
    Connection {
        /// What failed, with the underlying cause.
        message: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// An attempt took longer than the timeout.
    #[error("{message}")]
    Timeout {
        /// Says which timeout elapsed.
        message: String,
        /// The per-attempt timeout that elapsed.
        timeout: Duration,
        /// How many attempts were made.
        attempts: u32,
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
    /// HTTP 400.
    BadRequest,
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
}

impl ErrorKind {
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

    /// The exception class the Python and Node packages raise for this kind.
    pub fn class_name(self) -> &'static str {
        match self {
            Self::Configuration => "ConfigurationError",
            Self::InvalidArgument => "InvalidArgumentError",
            Self::BadRequest => "BadRequestError",
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
        }
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
                        *value = reqwest::header::HeaderValue::from_static(MASK);
                    }
                }
            }
            Self::Connection { message, .. }
            | Self::Timeout { message, .. }
            | Self::Configuration { message }
            | Self::InvalidArgument { message } => *message = message.replace(secret, MASK),
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

    /// The category of this error; stable across versions.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Configuration { .. } => ErrorKind::Configuration,
            Self::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            Self::Api(e) => ErrorKind::from_status(e.status),
            Self::ResponseValidation(_) => ErrorKind::ResponseValidation,
            Self::Connection { .. } => ErrorKind::Connection,
            Self::Timeout { .. } => ErrorKind::Timeout,
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
            | Self::Connection { message, .. }
            | Self::Timeout { message, .. } => message,
            Self::Api(e) | Self::ResponseValidation(e) => &e.message,
        }
    }

    /// The raw response body, when the server answered.
    pub fn body(&self) -> Option<&str> {
        self.api_error().map(|e| e.body.as_str())
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
            Self::Configuration { .. } | Self::InvalidArgument { .. } => 0,
            Self::Connection { attempts, .. } | Self::Timeout { attempts, .. } => *attempts,
            Self::Api(e) | Self::ResponseValidation(e) => e.attempts,
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
