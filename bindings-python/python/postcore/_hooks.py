"""Hooks: callbacks on every attempt, response, retry and wait of a client's calls
(:class:`Hooks`, given as ``Postcore(hooks=...)``), and what they receive (:class:`HookEvent`).

The native layer calls :meth:`Hooks._fire` for each event, on the caller's thread (a blocking
``Postcore`` call) or on the event loop (an ``AsyncPostcore`` call), in order. A hook that
raises is logged on the ``postcore`` logger and ignored: it never breaks the call.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, Callable, Union

__all__ = ["HookEvent", "Hooks"]

_log = logging.getLogger("postcore")

#: A hook: a callable taking the event (or, on :class:`AsyncPostcore`, an ``async`` one).
Hook = Callable[["HookEvent"], Union[Awaitable[None], None]]

_NAMES = ("on_request", "on_response", "on_retry", "on_rate_limit_wait")


class HookEvent:
    """What a hook is told about a call. Built from the request's method and path, never from
    headers or bodies: it holds no API key and no app password."""

    __slots__ = (
        "attempt",
        "budget",
        "delay",
        "elapsed",
        "method",
        "operation",
        "path",
        "reason",
        "seconds",
        "status",
    )

    operation: str
    """The operation, as every language names it: ``"posts.create"``, ``"posts.wait"``."""
    method: str
    """The request's HTTP method: ``"GET"``."""
    path: str
    """The request's path, ids included: ``"/posts/post_123"``."""
    attempt: int
    """Which attempt of this request, from 1."""
    status: int | None
    """The response's status (``on_response``)."""
    elapsed: float
    """Seconds since the call started."""
    delay: float | None
    """Seconds the call waits before the retry (``on_retry``) or for the rate budget
    (``on_rate_limit_wait``)."""
    reason: str | None
    """Why the call retries (``on_retry``): the failed status (``"503"``), or ``"timeout"``,
    ``"connect_failed"``, ``"connection_failed"``, ``"no_free_connection"``."""
    budget: str | None
    """The rate budget the call waits for (``on_rate_limit_wait``): ``"general"``, or
    ``"connect"`` / ``"posting"`` for the calls that also spend one of those."""
    seconds: float | None
    """The wait for the rate budget, in seconds (``on_rate_limit_wait``; the same as
    ``delay``)."""

    def __init__(
        self,
        operation: str,
        method: str,
        path: str,
        attempt: int,
        status: int | None = None,
        elapsed: float = 0.0,
        delay: float | None = None,
        reason: str | None = None,
        budget: str | None = None,
        seconds: float | None = None,
    ) -> None:
        self.operation = operation
        self.method = method
        self.path = path
        self.attempt = attempt
        self.status = status
        self.elapsed = elapsed
        self.delay = delay
        self.reason = reason
        self.budget = budget
        self.seconds = seconds

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in ("operation", "method", "path", "attempt", "status", "elapsed")
        )
        extra = "".join(
            f", {name}={getattr(self, name)!r}"
            for name in ("delay", "reason", "budget", "seconds")
            if getattr(self, name) is not None
        )
        return f"HookEvent({fields}{extra})"


class Hooks:
    """Callbacks on every call of a client: ``Postcore(hooks=postcore.Hooks(...))``.

    Example::

        def log_retry(event: postcore.HookEvent) -> None:
            print(f"retrying {event.operation} in {event.delay:.1f}s ({event.reason})")

        client = postcore.Postcore(hooks=postcore.Hooks(on_retry=log_retry))

    Args:
        on_request: Before each attempt is sent (after it got its slot of the rate budget).
        on_response: After each attempt that got a response (``status``).
        on_retry: Before the wait that precedes a retry (``delay``, ``reason``).
        on_rate_limit_wait: Before a wait for a slot of the shared rate budget (``budget``,
            ``seconds``).

    Each gets one :class:`HookEvent`. On :class:`Postcore` hooks run on the thread making the
    call, before it returns; on :class:`AsyncPostcore` they run on the event loop, in order,
    before the call's result is delivered, and an ``async def`` hook is scheduled as a task
    on the loop (the call does not wait for it). A hook that raises is logged on the
    ``postcore`` logger and ignored.
    """

    __slots__ = (*_NAMES, "_tasks")

    on_request: Hook | None
    on_response: Hook | None
    on_retry: Hook | None
    on_rate_limit_wait: Hook | None

    def __init__(
        self,
        *,
        on_request: Hook | None = None,
        on_response: Hook | None = None,
        on_retry: Hook | None = None,
        on_rate_limit_wait: Hook | None = None,
    ) -> None:
        for name, hook in zip(_NAMES, (on_request, on_response, on_retry, on_rate_limit_wait)):
            if hook is not None and not callable(hook):
                raise TypeError(f"{name} must be callable or None, not {type(hook).__name__}")
        self.on_request = on_request
        self.on_response = on_response
        self.on_retry = on_retry
        self.on_rate_limit_wait = on_rate_limit_wait
        self._tasks: set[Any] = set()

    def __repr__(self) -> str:
        given = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in _NAMES if getattr(self, name)
        )
        return f"Hooks({given})"

    def _check(self, asynchronous: bool) -> None:
        """Refuses ``async def`` hooks on a blocking client, which could not run them."""
        if asynchronous:
            return
        import inspect

        for name in _NAMES:
            hook = getattr(self, name)
            if hook is not None and inspect.iscoroutinefunction(hook):
                raise TypeError(f"{name} is an async function: async hooks need AsyncPostcore")

    def _fire(
        self,
        name: str,
        operation: str,
        method: str,
        path: str,
        attempt: int,
        status: int | None,
        elapsed: float,
        delay: float | None,
        reason: str | None,
        budget: str | None,
    ) -> None:
        """Runs hook ``name`` with the event (called by the native layer)."""
        hook = getattr(self, name)
        if hook is None:
            return
        seconds = delay if name == "on_rate_limit_wait" else None
        event = HookEvent(
            operation, method, path, attempt, status, elapsed, delay, reason, budget, seconds
        )
        try:
            result = hook(event)
        except Exception:
            _log.exception("postcore: the %s hook raised (ignored; the call goes on)", name)
            return
        if result is not None and hasattr(result, "__await__"):
            self._schedule(name, result)

    def _schedule(self, name: str, awaitable: Any) -> None:
        import asyncio

        try:
            task = asyncio.ensure_future(awaitable)
        except RuntimeError:  # no running loop: a blocking client given an async hook
            if hasattr(awaitable, "close"):
                awaitable.close()
            _log.warning("postcore: the %s hook is async; async hooks need AsyncPostcore", name)
            return
        self._tasks.add(task)

        def done(task: asyncio.Future[Any]) -> None:
            self._tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                _log.error(
                    "postcore: the %s hook raised (ignored; the call goes on)",
                    name,
                    exc_info=task.exception(),
                )

        task.add_done_callback(done)
