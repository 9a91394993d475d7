"""The clients: :class:`Postcore` (blocking) and :class:`AsyncPostcore` (asyncio), their
``with_raw_response`` views, and the module-level :func:`create_profile`."""

from __future__ import annotations

import os
import threading
from collections.abc import Coroutine, Mapping
from types import TracebackType
from typing import Any

from ._base_client import BaseClient
from ._events import AsyncEvents, Events
from ._models import Profile
from ._postcore import Client as _NativeClient
from ._resource import _async_with_response, _with_response
from ._resources import (
    AsyncPosts,
    AsyncPostsWithRawResponse,
    AsyncProfiles,
    AsyncProfilesWithRawResponse,
    Posts,
    PostsWithRawResponse,
    Profiles,
    ProfilesWithRawResponse,
)

__all__ = [
    "AsyncPostcore",
    "AsyncPostcoreWithRawResponse",
    "Postcore",
    "PostcoreWithRawResponse",
    "create_profile",
]


class Postcore(BaseClient):
    """A blocking client for the postcore API.

    Example::

        import postcore

        with postcore.Postcore() as client:  # key from POSTCORE_API_KEY
            profile = client.profiles.create(profile_name="User: john@example.com")
            print(profile.profile_key)

    Args:
        api_key: The API key, sent as ``x-api-key``. Default: ``POSTCORE_API_KEY``.
        base_url: The API root. Default: ``POSTCORE_BASE_URL``, else
            ``https://api.postcore.dev``. Plain ``http://`` is accepted for loopback hosts only.
        timeout: Seconds allowed for each attempt (from connecting to the last byte).
        max_retries: Retries after the first attempt, made only when retrying is safe (a
            profile or post is never created twice by the client's own retries).
        max_connections: The most connections open to the API at once; calls beyond it
            wait for a free one (within their timeout) instead of opening more sockets.
        default_headers: Headers sent with every request. ``x-api-key`` and
            ``content-type`` cannot be set this way and a ``user-agent`` is appended to the
            SDK's (``ValueError`` otherwise, and for values with line breaks).
        proxy: An HTTP(S) proxy URL (default: ``HTTPS_PROXY`` and friends).
        extra_ca_certs: PEM file(s) of CA certificates to trust besides the system's (a
            TLS-inspecting corporate proxy).
        store: Where the rate budgets are shared with other clients: ``memory://`` (this
            process), ``sqlite:///absolute/path.db`` (the processes of one host) or
            ``redis://[:password@]host[:port][/db]`` / ``rediss://…`` (many hosts).
            Default: ``POSTCORE_STORE``, else ``memory://``.
        budget_group: The group whose per-IP budgets this client shares (default: one for
            the whole store); give hosts with their own IP addresses their own group.
        max_rate_limit_wait: The longest a call waits, in seconds, for a slot of the shared
            rate budget before raising ``RateLimitError`` without sending.
        idempotency_ttl: How long, in seconds, idempotency keys are remembered in the store
            (default a day).
        hooks: Callbacks on every attempt, response, retry and wait of the client's calls
            (:class:`Hooks`).
        tracing: Whether calls make OpenTelemetry spans when the application has a tracer
            provider configured (default ``True``; see the README's "Observability").

    Raises:
        ConfigurationError: No API key was given or found, or a setting is unusable.
        TypeError, ValueError: An argument has the wrong type or value.

    Resources: :attr:`profiles` and :attr:`posts`, and the iterator :meth:`events`;
    :attr:`with_raw_response` gives the same methods returning the response's metadata too.
    One client holds one pool of keep-alive
    connections: create it once and share it (it is thread-safe). Calls release the GIL while
    they wait and can be interrupted with Ctrl-C. The client keeps working in a child process
    after ``os.fork()``.
    """

    profiles: Profiles
    """Profiles: create, list, delete, connect LinkedIn and Bluesky accounts."""
    posts: Posts
    """Posts: schedule, list, retrieve, cancel, wait until published."""
    with_raw_response: PostcoreWithRawResponse
    """The same methods, returning an :class:`APIResponse` (status, headers, rate limit,
    attempts and ``parse()``)."""

    def _setup(self, native: _NativeClient) -> None:
        super()._setup(native)
        self.profiles = Profiles(native)
        self.posts = Posts(native)
        self.with_raw_response = PostcoreWithRawResponse(native)

    def create_profile(
        self,
        profile_name: str | None = None,
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Profile:
        """Create a profile (``POST /profiles/create``): the same as
        :meth:`profiles.create <Profiles.create>`.

        Args:
            profile_name: A label for the end-user, e.g. ``"User: john@example.com"``.
                ``None`` creates an unnamed profile.
            idempotency_key: Makes the creation happen once however often the call is made
                with this key (see :meth:`Profiles.create`).
            timeout: Per-attempt timeout in seconds for this call (default: the client's).
            max_retries: Retries for this call (default: the client's).
            extra_headers: Headers to add to this call's request.
            max_rate_limit_wait: The longest this call waits, in seconds, for a slot of the
                shared rate budget (default: the client's).

        Returns:
            The new :class:`Profile`; store its ``profile_key`` with your user.

        Raises:
            APIError: The server refused the request (a subclass per status).
            APIConnectionError: No usable answer (``APITimeoutError`` for a timeout).
            TypeError, ValueError: An argument has the wrong type or value.
        """
        return self.profiles.create(
            profile_name,
            idempotency_key=idempotency_key,
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            max_rate_limit_wait=max_rate_limit_wait,
        )

    def events(self, consumer: str = "default", interval: float | None = None) -> Events:
        """What happens to the account's posts, profiles and connections, as an endless
        iterator of :class:`Event`: no webhooks needed.

        Example::

            for event in client.events(consumer="notifier"):
                if event.type == "post.failed":
                    notify(event.profile_key, event.data)

        Each poll is one ``GET /posts`` and one ``GET /profiles`` (every ``interval``
        seconds, default 30, paced by the shared rate budget); the changes between polls are
        the events. The consumer's position is kept in the client's ``store``: a watcher
        restarted, or another process taking over, neither misses an event nor repeats one
        it acknowledged (an event counts as delivered once the iterator is advanced past
        it). A new consumer starts from now (no events for what already exists). With a
        ``sqlite://`` or ``redis://`` store, at most one process polls per consumer at a
        time; another takes over within one interval when it dies.

        Args:
            consumer: The consumer's name (1 to 200 characters): each consumer gets every
                event once, independently of the others.
            interval: Seconds between polls (default 30).

        Nothing is sent until the first ``next()``. Raises ``TypeError`` / ``ValueError`` for
        bad arguments at once.
        """
        return Events(self._native, consumer, interval)

    def close(self) -> None:
        """Close the client: calls in flight raise :class:`APIConnectionError`, later calls
        raise :class:`PostcoreError`, and the connection pool is released (for the clients
        made from this one with :meth:`with_options` too)."""
        self._native.close()

    def __enter__(self) -> Postcore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class PostcoreWithRawResponse:
    """``Postcore.with_raw_response``: every method returns an :class:`APIResponse` with
    ``status_code``, ``headers``, ``rate_limit``, ``attempts`` and ``parse()``."""

    def __init__(self, native: _NativeClient) -> None:
        self.profiles = ProfilesWithRawResponse(native)
        self.posts = PostsWithRawResponse(native)

    # Postcore.create_profile calls self.profiles.create: here, the raw one.
    create_profile = _with_response(Postcore.create_profile)


class AsyncPostcore(BaseClient):
    """An asyncio client for the postcore API.

    Example::

        import asyncio
        import postcore

        async def main() -> None:
            async with postcore.AsyncPostcore() as client:  # key from POSTCORE_API_KEY
                profile = await client.profiles.create(profile_name="User: john@example.com")
                print(profile.profile_key)

        asyncio.run(main())

    Takes the same arguments as :class:`Postcore`. Calls are coroutines that never block the
    event loop: many can run at once (e.g. under ``asyncio.gather``; beyond
    ``max_connections`` they queue for a connection), and cancelling the task that awaits one
    cancels its request. ``profiles.linkedin_connect_url`` makes no request and is a plain
    method.
    """

    _asynchronous = True

    profiles: AsyncProfiles
    """Profiles: create, list, delete, connect LinkedIn and Bluesky accounts."""
    posts: AsyncPosts
    """Posts: schedule, list, retrieve, cancel, wait until published."""
    with_raw_response: AsyncPostcoreWithRawResponse
    """The same methods, returning an :class:`APIResponse` (status, headers, rate limit,
    attempts and ``parse()``)."""

    def _setup(self, native: _NativeClient) -> None:
        super()._setup(native)
        self.profiles = AsyncProfiles(native)
        self.posts = AsyncPosts(native)
        self.with_raw_response = AsyncPostcoreWithRawResponse(native)

    def create_profile(
        self,
        profile_name: str | None = None,
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_rate_limit_wait: float | None = None,
    ) -> Coroutine[Any, Any, Profile]:
        return self.profiles.create(
            profile_name,
            idempotency_key=idempotency_key,
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            max_rate_limit_wait=max_rate_limit_wait,
        )

    create_profile.__doc__ = Postcore.create_profile.__doc__

    def events(self, consumer: str = "default", interval: float | None = None) -> AsyncEvents:
        """What happens to the account's posts, profiles and connections, as an endless
        async iterator of :class:`Event` (``async for event in client.events(): ...``),
        with the delivery rules of :meth:`Postcore.events`. Cancelling the task that waits
        in it stops the wait."""
        return AsyncEvents(self._native, consumer, interval)

    async def close(self) -> None:
        """Close the client: calls in flight raise :class:`APIConnectionError`, later calls
        raise :class:`PostcoreError`, and the connection pool is released (for the clients
        made from this one with :meth:`with_options` too)."""
        self._native.close()

    async def __aenter__(self) -> AsyncPostcore:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class AsyncPostcoreWithRawResponse:
    """``AsyncPostcore.with_raw_response``: every method returns (awaitably) an
    :class:`APIResponse`."""

    def __init__(self, native: _NativeClient) -> None:
        self.profiles = AsyncProfilesWithRawResponse(native)
        self.posts = AsyncPostsWithRawResponse(native)

    create_profile = _async_with_response(AsyncPostcore.create_profile)


_default_lock = threading.Lock()
_default_client: Postcore | None = None


def _reset_default_lock() -> None:
    # A lock held by another thread at fork time would stay held forever in the child.
    global _default_lock
    _default_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_default_lock)


def _default() -> Postcore:
    global _default_client
    with _default_lock:
        if _default_client is None:
            _default_client = Postcore()
        return _default_client


def create_profile(
    profile_name: str | None = None,
    *,
    idempotency_key: str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
    extra_headers: Mapping[str, str] | None = None,
    max_rate_limit_wait: float | None = None,
) -> Profile:
    """Create a profile with a client configured from the environment.

    ``POSTCORE_API_KEY`` (required) and ``POSTCORE_BASE_URL`` are read on the first call; the
    client is then reused by later calls in the process (one connection pool).

    Example::

        import postcore

        profile = postcore.create_profile(profile_name="User: john@example.com")
        print(profile.profile_key)

    Takes the same arguments as :meth:`Postcore.create_profile`. Raises
    :class:`ConfigurationError` when no API key is set.
    """
    return _default().create_profile(
        profile_name,
        idempotency_key=idempotency_key,
        timeout=timeout,
        max_retries=max_retries,
        extra_headers=extra_headers,
        max_rate_limit_wait=max_rate_limit_wait,
    )
