"""The clients: :class:`Postcore` (blocking) and :class:`AsyncPostcore` (asyncio)."""

from __future__ import annotations

import os
import threading
from types import TracebackType

from ._postcore import Client as _NativeClient
from ._postcore import Profile

__all__ = ["AsyncPostcore", "Postcore", "create_profile"]


def _repr(name: str, native: _NativeClient) -> str:
    # Never shows the API key.
    return (
        f"{name}(base_url={native.base_url!r}, timeout={native.timeout!r}, "
        f"max_retries={native.max_retries!r})"
    )


class Postcore:
    """A blocking client for the postcore API.

    Example::

        import postcore

        with postcore.Postcore() as client:  # key from POSTCORE_API_KEY
            profile = client.create_profile(profile_name="User: john@example.com")
            print(profile.profile_key)

    Args:
        api_key: The API key, sent as ``x-api-key``. Default: ``POSTCORE_API_KEY``.
        base_url: The API root. Default: ``POSTCORE_BASE_URL``, else
            ``https://api.postcore.dev``. Plain ``http://`` is accepted for loopback hosts only.
        timeout: Seconds allowed for each attempt (from connecting to the last byte).
        max_retries: Retries after the first attempt, made only when retrying is safe (a
            profile is never created twice by the client's own retries).

    Raises:
        ConfigurationError: No API key was given or found, or the base URL is unusable.
        TypeError, ValueError: An argument has the wrong type or value.

    One client holds one pool of keep-alive connections: create it once and share it (it is
    thread-safe). Calls release the GIL while they wait and can be interrupted with Ctrl-C.
    The client keeps working in a child process after ``os.fork()``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = 60.0,
        max_retries: int | None = 2,
    ) -> None:
        self._native = _NativeClient(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
        )

    @property
    def base_url(self) -> str:
        """The API root requests go to, without trailing slash."""
        return self._native.base_url

    @property
    def timeout(self) -> float:
        """The per-attempt timeout, in seconds."""
        return self._native.timeout

    @property
    def max_retries(self) -> int:
        """The number of retries after the first attempt."""
        return self._native.max_retries

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._native.closed

    def create_profile(
        self,
        profile_name: str | None = None,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Profile:
        """Create a profile (``POST /profiles/create``): one end-user of your app.

        Args:
            profile_name: A label for the end-user, e.g. ``"User: john@example.com"``.
                ``None`` creates an unnamed profile.
            timeout: Per-attempt timeout in seconds for this call (default: the client's).
            max_retries: Retries for this call (default: the client's).

        Returns:
            The new :class:`Profile`; store its ``profile_key`` with your user.

        Raises:
            APIError: The server refused the request (a subclass per status).
            APIConnectionError: No usable answer (``APITimeoutError`` for a timeout).
            TypeError, ValueError: An argument has the wrong type or value.
        """
        return self._native.create_profile(profile_name, timeout=timeout, max_retries=max_retries)

    def close(self) -> None:
        """Close the client: calls in flight raise :class:`APIConnectionError`, later calls
        raise :class:`PostcoreError`, and the connection pool is released."""
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

    def __repr__(self) -> str:
        return _repr(type(self).__name__, self._native)


class AsyncPostcore:
    """An asyncio client for the postcore API.

    Example::

        import asyncio
        import postcore

        async def main() -> None:
            async with postcore.AsyncPostcore() as client:  # key from POSTCORE_API_KEY
                profile = await client.create_profile(profile_name="User: john@example.com")
                print(profile.profile_key)

        asyncio.run(main())

    Takes the same arguments as :class:`Postcore`. Calls are coroutines that never block the
    event loop: many can run at once (e.g. under ``asyncio.gather``), and cancelling the task
    that awaits one cancels its request.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = 60.0,
        max_retries: int | None = 2,
    ) -> None:
        self._native = _NativeClient(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
        )

    @property
    def base_url(self) -> str:
        """The API root requests go to, without trailing slash."""
        return self._native.base_url

    @property
    def timeout(self) -> float:
        """The per-attempt timeout, in seconds."""
        return self._native.timeout

    @property
    def max_retries(self) -> int:
        """The number of retries after the first attempt."""
        return self._native.max_retries

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._native.closed

    async def create_profile(
        self,
        profile_name: str | None = None,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Profile:
        """Create a profile (``POST /profiles/create``): one end-user of your app.

        Args:
            profile_name: A label for the end-user, e.g. ``"User: john@example.com"``.
                ``None`` creates an unnamed profile.
            timeout: Per-attempt timeout in seconds for this call (default: the client's).
            max_retries: Retries for this call (default: the client's).

        Returns:
            The new :class:`Profile`; store its ``profile_key`` with your user.

        Raises:
            APIError: The server refused the request (a subclass per status).
            APIConnectionError: No usable answer (``APITimeoutError`` for a timeout).
            TypeError, ValueError: An argument has the wrong type or value.
        """
        return await self._native.create_profile_async(
            profile_name, timeout=timeout, max_retries=max_retries
        )

    async def close(self) -> None:
        """Close the client: calls in flight raise :class:`APIConnectionError`, later calls
        raise :class:`PostcoreError`, and the connection pool is released."""
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

    def __repr__(self) -> str:
        return _repr(type(self).__name__, self._native)


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
    timeout: float | None = None,
    max_retries: int | None = None,
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
    return _default().create_profile(profile_name, timeout=timeout, max_retries=max_retries)
