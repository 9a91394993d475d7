"""postcore: the Python SDK for the postcore API.

postcore lets your app post to its users' LinkedIn and Bluesky accounts. Each end-user of your
app is a *profile*; creating one is the first thing every integration does::

    import postcore

    profile = postcore.create_profile(profile_name="User: john@example.com")  # POSTCORE_API_KEY
    print(profile.profile_key)

Main names:

* :class:`Postcore` — blocking client; :class:`AsyncPostcore` — asyncio client. Both have
  ``profiles`` (create, list, delete, linkedin_connect_url, connect_bluesky), ``posts``
  (create, list, retrieve, delete, wait), ``with_raw_response`` and ``with_options()``.
* :func:`create_profile` — one-off call with a client from the environment.
* :class:`Profile`, :class:`ConnectedPlatform`, :class:`Connection`, :class:`Post`,
  :class:`Usage`, :class:`ScheduledPosts` — the returned values (``to_dict()``: the API's JSON).
* :class:`APIResponse`, :class:`RateLimit` — response metadata.
* :class:`PostcoreError` and its subclasses — every error raised.

The client logic (requests, retries, timeouts, errors) lives in a Rust core shared with the
Rust and Node packages, so all three behave the same.
"""

from . import _client, _errors, _models, _resources, _response
from ._client import *  # noqa: F403
from ._errors import *  # noqa: F403
from ._models import *  # noqa: F403
from ._postcore import DEFAULT_BASE_URL
from ._postcore import __version__ as __version__
from ._resources import *  # noqa: F403
from ._response import *  # noqa: F403

__all__ = ["DEFAULT_BASE_URL", "__version__"]
__all__ += _client.__all__
__all__ += _errors.__all__
__all__ += _models.__all__
__all__ += _resources.__all__
__all__ += _response.__all__

# Public classes report the package as their home (tracebacks, reprs and pickles say
# `postcore.NotFoundError`, not the private module that defines them).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("postcore._"):
        _obj.__module__ = __name__
del _name, _obj
