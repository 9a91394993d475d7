"""The exceptions raised by postcore.

Every one derives from :class:`PostcoreError`. The native module raises them by name (the
name the Rust core gives each kind of error), so the Python, Node and Rust packages agree::

    PostcoreError
    ├── APIError                      the server answered with an error status
    │   ├── BadRequestError           400
    │   ├── AuthenticationError       401
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── UnprocessableEntityError  422
    │   ├── RateLimitError            429 (see ``retry_after``)
    │   ├── InternalServerError       500 and above
    │   └── APIResponseValidationError  a success status with a body that cannot be used
    ├── APIConnectionError            no usable answer (refused, reset, DNS, TLS)
    │   └── APITimeoutError           an attempt took longer than the timeout
    └── ConfigurationError            no API key, a bad base URL (also a ``ValueError``)

All of them are picklable and carry the same attributes (``None`` / empty when not applicable).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "PostcoreError",
    "RateLimitError",
    "UnprocessableEntityError",
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

    ``str(error)`` is the full description (for API errors: status, code and message).
    """

    message: str
    status_code: int | None
    code: str | None
    body: Any
    body_text: str | None
    headers: dict[str, str]
    retry_after: float | None

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
    ) -> None:
        super().__init__(text)
        self.message = text if message is None else message
        self.status_code = status_code
        self.code = code
        self.body = body
        self.body_text = body_text
        self.headers = {} if headers is None else dict(headers)
        self.retry_after = retry_after

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


class BadRequestError(APIError):
    """HTTP 400: the request was refused, e.g. ``PLATFORMS_NOT_CONNECTED``."""


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
    wait, when the server said so."""


class InternalServerError(APIError):
    """HTTP 500 and above: the server failed. A ``create_profile`` is not retried on these, as
    the profile may have been created."""


class APIResponseValidationError(APIError):
    """The server answered with a success status, but the body could not be used (not JSON,
    wrong content type, a required field missing). ``body`` keeps what it sent."""


class APIConnectionError(PostcoreError):
    """No usable answer came back: connection refused or reset, DNS or TLS failure."""


class APITimeoutError(APIConnectionError):
    """An attempt took longer than the timeout (``timeout=``, in seconds)."""


class ConfigurationError(PostcoreError, ValueError):
    """The client could not be built: no API key (pass ``api_key`` or set
    ``POSTCORE_API_KEY``), a malformed or unsafe base URL. Raised before any request."""
