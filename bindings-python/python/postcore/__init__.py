"""postcore: the Python SDK for the postcore API.

postcore lets your app post to its users' LinkedIn and Bluesky accounts. Each end-user of your
app is a *profile*; creating one is the first thing every integration does::

    import postcore

    profile = postcore.create_profile(profile_name="User: john@example.com")  # POSTCORE_API_KEY
    print(profile.profile_key)

Main names:

* :class:`Postcore` — blocking client; :class:`AsyncPostcore` — asyncio client.
* :func:`create_profile` — one-off call with a client from the environment.
* :class:`Profile` — the returned value (``profile_key``, ``profile_name``, ``to_dict()``).
* :class:`PostcoreError` and its subclasses — every error raised.

The client logic (requests, retries, timeouts, errors) lives in a Rust core shared with the
Rust and Node packages, so all three behave the same.
"""

from ._client import AsyncPostcore, Postcore, create_profile
from ._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    PostcoreError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._postcore import DEFAULT_BASE_URL, Profile
from ._postcore import __version__ as __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APITimeoutError",
    "AsyncPostcore",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "Postcore",
    "PostcoreError",
    "Profile",
    "RateLimitError",
    "UnprocessableEntityError",
    "__version__",
    "create_profile",
]

# Public classes report the package as their home (tracebacks, reprs and pickles say
# `postcore.NotFoundError`, not the private module that defines them).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("postcore._") and _name != "Profile":
        _obj.__module__ = __name__
del _name, _obj
