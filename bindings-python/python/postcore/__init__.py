"""postcore: the Python SDK for the postcore API.

postcore lets your app post to its users' LinkedIn and Bluesky accounts. Each end-user of your
app is a *profile*; creating one is the first thing every integration does::

    import postcore

    profile = postcore.create_profile(profile_name="User: john@example.com")  # POSTCORE_API_KEY
    print(profile.profile_key)

Main names:

* :class:`Postcore` — blocking client; :class:`AsyncPostcore` — asyncio client. Both have
  ``profiles`` (create, list, delete, linkedin_connect_url, connect_bluesky), ``posts``
  (create, list, retrieve, delete, wait, wait_many), ``events()`` (an iterator of
  :class:`Event`), ``with_raw_response`` and ``with_options()``.
* :func:`create_profile` — one-off call with a client from the environment.
* :class:`Profile`, :class:`ConnectedPlatform`, :class:`Connection`, :class:`Post`,
  :class:`Usage`, :class:`ScheduledPosts` — the returned values (``to_dict()``: the API's JSON).
* :class:`Event` — what ``client.events()`` yields and ``postcore.webhooks.verify`` returns.
* :class:`APIResponse`, :class:`RateLimit` — response metadata.
* :class:`Hooks`, :class:`HookEvent` — callbacks on every attempt, response, retry and wait.
* :class:`PostcoreError` and its subclasses — every error raised.

The client logic (requests, retries, timeouts, errors) lives in a Rust core shared with the
Rust and Node packages, so all three behave the same.
"""

from __future__ import annotations

from . import _errors
from ._errors import *  # noqa: F403
from ._postcore import DEFAULT_BASE_URL
from ._postcore import __version__ as __version__

# Not `typing.TYPE_CHECKING`: importing typing would cost more than the rest of this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from . import webhooks as webhooks
    from ._client import *  # noqa: F403
    from ._events import *  # noqa: F403
    from ._hooks import *  # noqa: F403
    from ._models import *  # noqa: F403
    from ._resources import *  # noqa: F403
    from ._response import *  # noqa: F403

# The clients, models and response types load on first use (PEP 562): `import postcore` stays
# as cheap as the errors and the native module, and a process that only catches postcore's
# errors never pays for the rest. Each module's `__all__` lists its public names; a test
# checks this table against them.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        [
            "AsyncPostcore",
            "AsyncPostcoreWithRawResponse",
            "Postcore",
            "PostcoreWithRawResponse",
            "create_profile",
        ],
        "_client",
    ),
    **dict.fromkeys(["AsyncEvents", "Event", "Events"], "_events"),
    **dict.fromkeys(
        ["ConnectedPlatform", "Connection", "Post", "Profile", "ScheduledPosts", "Usage"],
        "_models",
    ),
    **dict.fromkeys(
        [
            "AsyncPosts",
            "AsyncPostsWithRawResponse",
            "AsyncProfiles",
            "AsyncProfilesWithRawResponse",
            "Posts",
            "PostsWithRawResponse",
            "Profiles",
            "ProfilesWithRawResponse",
        ],
        "_resources",
    ),
    **dict.fromkeys(["APIResponse", "Headers", "RateLimit"], "_response"),
    **dict.fromkeys(["HookEvent", "Hooks"], "_hooks"),
}

__all__ = ["DEFAULT_BASE_URL", "__version__", *_errors.__all__, *_LAZY]

# Public submodules reachable as attributes once `postcore` is imported (loaded on first use).
_SUBMODULES = ("webhooks",)


def _adopt(obj: Any) -> Any:
    """Public classes report the package as their home (tracebacks, reprs and pickles say
    ``postcore.NotFoundError``, not the private module that defines them)."""
    if isinstance(obj, type) and obj.__module__.startswith("postcore._"):
        obj.__module__ = __name__
    return obj


for _name in _errors.__all__:
    _adopt(globals()[_name])
del _name


def __getattr__(name: str) -> Any:
    import importlib

    if name in _SUBMODULES:
        # `postcore.webhooks.verify(...)` after a plain `import postcore`.
        return importlib.import_module(f"{__name__}.{name}")
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{module_name}")
    for public in module.__all__:
        globals()[public] = _adopt(getattr(module, public))
    return globals()[name]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_SUBMODULES))


# Module-level helpers of this file, not names of the package.
del annotations, TYPE_CHECKING
