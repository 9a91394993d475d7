"""The exceptions raised by postcore.

Every one derives from :class:`PostcoreError`. The native module raises them by name (the
name the Rust core gives each kind of error, ``postcore._postcore.ERROR_KINDS``; a test checks
that the classes here match it), so the Python, Node and Rust packages agree::

    PostcoreError
    ├── APIError                      the server answered with an error status
    │   ├── BadRequestError           400
    │   │   ├── PlatformsNotConnectedError  400 PLATFORMS_NOT_CONNECTED (``missing_platforms``)
    │   │   └── InvalidCredentialsError     400 INVALID_CREDENTIALS (Bluesky refused the login)
    │   ├── AuthenticationError       401
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── UnprocessableEntityError  422
    │   ├── RateLimitError            429 (``retry_after``, or ``platform`` + ``next_available``)
    │   ├── InternalServerError       500 and above
    │   └── APIResponseValidationError  a success status with a body that cannot be used
    ├── APIConnectionError            no usable answer (refused, reset, DNS, TLS)
    │   └── APITimeoutError           an attempt took longer than the timeout
    ├── WaitTimeoutError              ``posts.wait`` / ``wait_many`` gave up (``post``, ``posts``)
    ├── IdempotencyKeyReusedError     an idempotency key used again with other arguments
    ├── WebhookSignatureError         a webhook's ``Postcore-Signature`` does not verify
    └── ConfigurationError            no API key, a bad base URL (also a ``ValueError``)

Arguments the SDK refuses before sending anything raise the built-in ``ValueError`` (a bad
value) or ``TypeError`` (a wrong type), not one of these.

All of them are picklable and carry the same attributes (``None`` / empty when not applicable).
"""

from __future__ import annotations

# Annotations only: `import postcore` loads this module eagerly and must stay cheap, so no
# `typing` (a few milliseconds) at run time; type checkers treat TYPE_CHECKING as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from typing import Any

    from ._models import Post
    from ._response import RateLimit

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "IdempotencyKeyReusedError",
    "InternalServerError",
    "InvalidCredentialsError",
    "NotFoundError",
    "PermissionDeniedError",
    "PlatformsNotConnectedError",
    "PostcoreError",
    "RateLimitError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "WebhookSignatureError",
]


class PostcoreError(Exception):
    """Base class of every error raised by postcore.

    Attributes:
        message: The server's human-readable message, or a description of the problem.
        status_code: The HTTP status, when the server answered (else ``None``).
        code: postcore's error code, e.g. ``"INVALID_API_KEY"``, when the server gave one.
        body: The response body: decoded JSON when it was JSON, else the raw text;
            ``None`` when there was no response.
        body_text: The raw response body as text (``None`` when there was no response).
        headers: The response headers (lowercase names); empty when there was no response.
        retry_after: Seconds the server asked to wait before retrying, when it said so.
        rate_limit: The response's ``X-RateLimit-*`` values (:class:`RateLimit`), when sent.
        attempts: How many attempts were made (retries + 1; 0 when nothing was sent).
        may_have_been_processed: ``True`` when the request may have reached the server and
            been processed although no answer came back (a connection broken, or a timeout,
            after it was sent). For a ``POST`` (creating a profile, scheduling a post), look
            (``profiles.list()``, ``posts.list()``) before trying again: it was not resent,
            as that could create a duplicate.
        platform: The platform a per-profile spacing refusal (429) is about.
        next_available: When a post can next be scheduled on ``platform`` (aware UTC
            ``datetime``), for spacing refusals.
        missing_platforms: The platforms a ``PLATFORMS_NOT_CONNECTED`` refusal names.
        post: The post as last seen, for :class:`WaitTimeoutError` (with ``wait_many``: the
            first one still pending).
        posts: Every post waited for, as last seen, in the order asked for, for
            :class:`WaitTimeoutError` (``posts.wait_many``; ``[post]`` for ``posts.wait``);
            empty for other errors.

    ``str(error)`` is the full description (for API errors: status, code and message).
    """

    message: str
    status_code: int | None
    code: str | None
    body: Any
    body_text: str | None
    headers: dict[str, str]
    retry_after: float | None
    rate_limit: RateLimit | None
    attempts: int
    may_have_been_processed: bool
    platform: str | None
    next_available: datetime | None
    missing_platforms: list[str]
    post: Post | None
    posts: list[Post]

    def __init__(
        self,
        text: str,
        *,
        message: str | None = None,
        status_code: int | None = None,
        code: str | None = None,
        body: Any = None,
        body_text: str | None = None,
        headers: dict[str, str] | None = None,
        retry_after: float | None = None,
        rate_limit: RateLimit | None = None,
        attempts: int = 0,
        may_have_been_processed: bool = False,
        platform: str | None = None,
        next_available: datetime | None = None,
        missing_platforms: Sequence[str] | None = None,
        post: Post | None = None,
        posts: Sequence[Post] | None = None,
    ) -> None:
        super().__init__(text)
        self.message = text if message is None else message
        self.status_code = status_code
        self.code = code
        self.body = body
        self.body_text = body_text
        self.headers = {} if headers is None else dict(headers)
        self.retry_after = retry_after
        self.rate_limit = rate_limit
        self.attempts = attempts
        self.may_have_been_processed = may_have_been_processed
        self.platform = platform
        self.next_available = next_available
        self.missing_platforms = [] if missing_platforms is None else list(missing_platforms)
        self.post = post
        self.posts = [] if posts is None else list(posts)

    def __reduce__(self) -> tuple[Any, ...]:
        # The text goes through the constructor, the attributes through __dict__.
        return (type(self), self.args, dict(self.__dict__))

    def __repr__(self) -> str:
        fields = [repr(str(self))]
        if self.status_code is not None:
            fields.append(f"status_code={self.status_code!r}")
        if self.code is not None:
            fields.append(f"code={self.code!r}")
        return f"{type(self).__name__}({', '.join(fields)})"


class APIError(PostcoreError):
    """The server answered with a status that is not a success (any status without a more
    specific class, e.g. 418)."""

    status_code: int
    """The HTTP status: an API error always has one (as openai's ``APIStatusError``)."""


class BadRequestError(APIError):
    """HTTP 400: the request was refused, e.g. ``PROFILE_ALREADY_EXISTS``."""


class PlatformsNotConnectedError(BadRequestError):
    """HTTP 400 ``PLATFORMS_NOT_CONNECTED``: a post names a platform the profile has not
    connected. ``missing_platforms`` lists them; connect them (LinkedIn:
    ``profiles.linkedin_connect_url``, Bluesky: ``profiles.connect_bluesky``) and try again."""


class InvalidCredentialsError(BadRequestError):
    """HTTP 400 ``INVALID_CREDENTIALS``: Bluesky refused the handle or app password. The
    password is never part of the error."""


class AuthenticationError(APIError):
    """HTTP 401: the API key is missing or invalid (``MISSING_API_KEY``, ``INVALID_API_KEY``)."""


class PermissionDeniedError(APIError):
    """HTTP 403: the key may not do this."""


class NotFoundError(APIError):
    """HTTP 404: e.g. ``PROFILE_NOT_FOUND``."""


class ConflictError(APIError):
    """HTTP 409: the request conflicts with the current state."""


class UnprocessableEntityError(APIError):
    """HTTP 422: the request was understood but its content was refused."""


class RateLimitError(APIError):
    """HTTP 429 ``RATE_LIMIT_EXCEEDED``. Short waits are retried by the client itself; this is
    raised when the wait is long or retries ran out. ``retry_after`` says how many seconds to
    wait, when the server said so. A refusal because posts of one profile on one platform are
    too close together (LinkedIn: 60 s, Bluesky: 1 s) has ``platform`` and ``next_available``
    (the earliest time allowed) instead."""


class InternalServerError(APIError):
    """HTTP 500 and above: the server failed. A ``POST`` (creating a profile, connecting an
    account, scheduling a post) is not retried on these, as it may have been processed."""


class APIResponseValidationError(APIError):
    """The server answered with a success status, but the body could not be used (not JSON,
    wrong content type, a required field missing). ``body`` keeps what it sent."""


class APIConnectionError(PostcoreError):
    """No usable answer came back: connection refused or reset, DNS or TLS failure."""


class APITimeoutError(APIConnectionError):
    """An attempt took longer than the timeout (``timeout=``, in seconds)."""


class WaitTimeoutError(PostcoreError):
    """``posts.wait`` or ``posts.wait_many`` gave up after its ``timeout``: a post was still
    pending. ``post`` is the (first) pending post as last seen, ``posts`` every post waited
    for as last seen, in the order asked for; waiting again later is fine."""


class IdempotencyKeyReusedError(PostcoreError):
    """An ``idempotency_key`` was used again for another operation or with other arguments.
    Nothing was sent: a key stands for one operation with one set of arguments."""


class WebhookSignatureError(PostcoreError):
    """A webhook's ``Postcore-Signature`` header does not verify
    (:func:`postcore.webhooks.verify`): a tampered or replayed body, a wrong secret, a
    timestamp outside the tolerance, or a missing or malformed header."""


class ConfigurationError(PostcoreError, ValueError):
    """The client could not be built: no API key (pass ``api_key`` or set
    ``POSTCORE_API_KEY``), a malformed or unsafe base URL. Raised before any request."""
