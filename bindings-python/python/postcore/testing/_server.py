"""The :class:`MockServer` of :mod:`postcore.testing` and what it records
(:class:`RecordedRequest`)."""

from __future__ import annotations

import dataclasses
import json
import math
import secrets
from collections.abc import Mapping
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Literal

from .._client import AsyncPostcore, Postcore
from .._model import _parse_time
from .._models import Post, Profile
from .._postcore import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MOCK_DEFAULT_API_KEY,
)
from .._postcore import MockServer as _NativeMockServer

__all__ = ["DEFAULT_API_KEY", "FaultAction", "MockServer", "RecordedRequest"]

DEFAULT_API_KEY: str = MOCK_DEFAULT_API_KEY
"""The key a :class:`MockServer` accepts when none is given (``"pc_test_key"``)."""

FaultAction = Literal["respond", "drop", "reset", "truncate"]
"""How a request hit by :meth:`MockServer.fail_next` ends: ``"respond"`` (send a response),
``"drop"`` (read the request, then close the connection without answering), ``"reset"`` (on
a new connection: reset it before reading the request, so nothing is processed or recorded)
or ``"truncate"`` (send the status and headers, then fewer body bytes than announced)."""

_ACTIONS = ("respond", "drop", "reset", "truncate")


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """One API request the server received (see :attr:`MockServer.requests`)."""

    method: str
    """``"GET"``, ``"POST"``, ``"DELETE"``…"""
    path: str
    """The path with the query string, e.g. ``"/posts/post_abc123"``."""
    headers: Mapping[str, str]
    """The request headers, names lowercase (``x-api-key``, ``content-type``, ``user-agent``…);
    a header sent twice has its values joined with ``", "``."""
    body: Any
    """The JSON body, parsed (``dict``, ``list``…), or ``None`` when the body is empty or not
    JSON."""
    body_text: str
    """The body as text (``""`` when empty)."""
    status: int | None
    """The status the server answered with; ``None`` when the connection was dropped."""
    time: datetime
    """When it arrived, on the server's clock (aware UTC ``datetime``, whole seconds)."""

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any]) -> RecordedRequest:
        text = str(data.get("body") or "")
        try:
            body = json.loads(text) if text.strip() else None
        except ValueError:
            body = None
        return cls(
            method=str(data["method"]),
            path=str(data["path"]),
            headers=dict(data.get("headers") or {}),
            body=body,
            body_text=text,
            status=data.get("status"),
            time=_parse_time(data["time"]) or datetime.now(timezone.utc),
        )


class MockServer:
    """A local postcore server for tests: the ``postcore-mock`` server compiled into this
    package, running in this process on its own threads (no subprocess, no Rust toolchain).

    It implements every endpoint of the postcore API with the documented bodies, status codes,
    errors and ``X-RateLimit-*`` headers, keeps its data in memory, runs on a clock that tests
    can move, and lets a test script failures for the next requests. It listens on
    ``127.0.0.1`` only.

    Example::

        from postcore.testing import MockServer

        with MockServer() as server:  # a free port on 127.0.0.1; stopped on exit
            client = server.client()  # a postcore.Postcore pointed at it
            profile = client.profiles.create(profile_name="User: a@example.com")
            assert server.profiles[0].profile_key == profile.profile_key
            assert server.requests[0].body == {"profileName": "User: a@example.com"}

    Args:
        api_key: The key it accepts in ``x-api-key`` (default :data:`DEFAULT_API_KEY`).
        port: The port on 127.0.0.1 (default 0: a free one; see :attr:`base_url`).
        rate_limit: Answer 429 ``RATE_LIMIT_EXCEEDED`` past this many requests per window
            (default ``None``: report the documented limit of 100 in the headers, never
            enforce it).
        rate_window: The rate-limit window in whole seconds on the server's clock (default
            900, the documented 15 minutes).
        posts_per_month: The monthly post quota (default 10, the Free plan).

    ``with MockServer() as server:`` starts it and stops it at the end; :meth:`start` and
    :meth:`stop` (or :meth:`close`) do the same by hand, and a server that is garbage-collected
    stops too. Starting again after a stop gives a fresh, empty server.

    **Processes**: a server belongs to the process that started it. After ``os.fork()`` (e.g.
    ``multiprocessing`` on Linux) the child inherits the object but not the server's threads:
    the server keeps running *in the parent*, and the child can still reach it through
    :attr:`base_url` / :meth:`client`, but the controls and the stored data
    (:meth:`fail_next`, :attr:`requests`, :attr:`profiles`, :attr:`posts`, :meth:`advance`,
    :meth:`reset`…) raise ``RuntimeError`` there, and :meth:`stop` in the child leaves the
    parent's server running. Start a new ``MockServer`` in the child to have one of its own.
    A child also inherits the listening socket: while one still runs, the port stays bound
    after the parent's :meth:`stop` (which then gives up waiting for it after 2 seconds).
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        port: int = 0,
        rate_limit: int | None = None,
        rate_window: int = 900,
        posts_per_month: int = 10,
    ) -> None:
        if not isinstance(api_key, str) or not api_key:
            raise ValueError("api_key must be a non-empty str")
        _check_int("port", port, 0, 65535)
        if rate_limit is not None:
            _check_int("rate_limit", rate_limit, 0, 2**32 - 1)
        _check_int("rate_window", rate_window, 1, 2**63 - 1)
        _check_int("posts_per_month", posts_per_month, 0, 2**32 - 1)
        self._options: dict[str, Any] = {
            "api_key": api_key,
            "port": port,
            "rate_limit": rate_limit,
            "rate_window": rate_window,
            "posts_per_month": posts_per_month,
        }
        self._native: _NativeMockServer | None = None
        self._store = _fresh_store()

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> MockServer:
        """Start serving (a no-op when already running) and return the server.

        Raises:
            OSError: The port cannot be bound (e.g. ``port=`` is in use).
        """
        if self._native is None or not self._native.running:
            self._native = _NativeMockServer(**self._options)
        return self

    def stop(self) -> None:
        """Stop serving: open connections close, and the port is free again when this
        returns. Requests, profiles and posts stay readable. Harmless when not running."""
        if self._native is not None:
            self._native.stop()

    def close(self) -> None:
        """The same as :meth:`stop`."""
        self.stop()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether it is serving (and belongs to this process)."""
        return self._native is not None and self._native.running

    def _server(self) -> _NativeMockServer:
        if self._native is None:
            raise RuntimeError(
                "the MockServer is not started: use `with MockServer() as server:` "
                "or call start() first"
            )
        return self._native

    # -- where it is --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: the base URL for any HTTP client (``POSTCORE_BASE_URL``)."""
        return self._server().url

    @property
    def api_key(self) -> str:
        """The key it accepts (send it as ``x-api-key``; ``POSTCORE_API_KEY``)."""
        return str(self._options["api_key"])

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._server().port

    @property
    def dashboard_url(self) -> str:
        """``http://127.0.0.1:<port>/``: a web page showing its profiles, a timeline of posts
        with previews, the request log (keys masked) and controls (clock, faults, reset)."""
        return self._server().dashboard_url

    @property
    def store(self) -> str:
        """A ``memory://`` store of this server's own (a new one after each :meth:`reset`):
        the clients made by :meth:`client` and from :attr:`env` share their rate budget in
        it, so a 429 a test provokes pauses only that test's clients."""
        return self._store

    @property
    def env(self) -> dict[str, str]:
        """``POSTCORE_API_KEY``, ``POSTCORE_BASE_URL`` and ``POSTCORE_STORE`` for it: for code
        (or a subprocess) that builds its client from the environment."""
        return {
            "POSTCORE_API_KEY": self.api_key,
            "POSTCORE_BASE_URL": self.base_url,
            "POSTCORE_STORE": self.store,
        }

    # -- clients --------------------------------------------------------------------------

    def client(
        self,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        max_retries: int | None = DEFAULT_MAX_RETRIES,
        max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
        default_headers: Mapping[str, str] | None = None,
    ) -> Postcore:
        """A blocking :class:`postcore.Postcore` with this server's URL and key (the other
        settings as for ``Postcore``; ``max_retries=0`` makes :meth:`fail_next` faults
        surface at once)."""
        return Postcore(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_connections=max_connections,
            default_headers=default_headers,
            store=self.store,
        )

    def async_client(
        self,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        max_retries: int | None = DEFAULT_MAX_RETRIES,
        max_connections: int | None = DEFAULT_MAX_CONNECTIONS,
        default_headers: Mapping[str, str] | None = None,
    ) -> AsyncPostcore:
        """An asyncio :class:`postcore.AsyncPostcore` with this server's URL and key."""
        return AsyncPostcore(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_connections=max_connections,
            default_headers=default_headers,
            store=self.store,
        )

    # -- controls -------------------------------------------------------------------------

    def fail_next(
        self,
        status: int | None = None,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        delay: float | None = None,
        action: FaultAction = "respond",
        times: int = 1,
        process: bool = False,
    ) -> None:
        """Make the next request(s) fail (or be slow), then answer normally again.

        Examples::

            server.fail_next(503)                                    # a bare 503
            server.fail_next(429, body={"error": "RATE_LIMIT_EXCEEDED",
                                        "message": "Slow down", "retry_after": 1})
            server.fail_next(delay=5.0)                              # a slow answer (timeouts)
            server.fail_next(action="drop")                          # connection closed
            server.fail_next(500, process=True)                      # done, but the answer lost
            server.fail_next(502, times=3)                           # the next three requests

        Args:
            status: Answer with this status instead of handling the request. Default 500,
                except when only ``delay`` and/or ``headers`` are given: then the real
                response is sent, late and/or with those headers.
            body: The response body: a ``str`` is sent as is (``text/plain``), ``bytes`` as
                is (``application/octet-stream``), anything else as JSON. In strings of the
                form ``"$NOW"`` / ``"$NOW+60"`` / ``"$NOW-60"`` (in ``body`` and ``headers``
                values) the server writes its current time ± seconds, ISO 8601.
            headers: Headers added to the response (replacing its own of the same name).
            delay: Seconds to wait before doing anything else.
            action: ``"respond"`` (default), ``"drop"``, ``"reset"`` or ``"truncate"`` (see
                :data:`FaultAction`).
            times: How many consecutive requests it applies to.
            process: Handle the request for real first (a profile or post is created), then
                answer with the fault: the "server did it but the answer was lost" case.

        Raises:
            ValueError: A value is out of range or the combination makes no sense.
        """
        if action not in _ACTIONS:
            raise ValueError(f"action must be one of {', '.join(_ACTIONS)}, not {action!r}")
        _check_int("times", times, 1, 2**32 - 1)
        # The rules (no status means 500, unless it only delays or adds headers; no response
        # for drop/reset) are the mock's: Fault::for_fail_next, shared with the Node kit.
        fault: dict[str, Any] = {"action": action, "times": times, "process": bool(process)}
        if status is not None:
            _check_int("status", status, 100, 999)
            fault["status"] = status
        if isinstance(body, (bytes, bytearray, memoryview)):
            fault["body_hex"] = bytes(body).hex()
        elif body is not None:
            fault["body"] = body
        if headers is not None:
            fault["headers"] = dict(headers)
        if delay is not None:
            if isinstance(delay, bool) or not isinstance(delay, (int, float)):
                raise TypeError(f"delay must be a number of seconds, not {type(delay).__name__}")
            if not math.isfinite(delay) or delay < 0:
                raise ValueError(f"delay must be a finite number of seconds >= 0, not {delay}")
            fault["delay_ms"] = round(delay * 1000)
        self._server().control("fail_next", fault)

    def advance(self, seconds: float) -> datetime:
        """Move the server's clock forward by ``seconds``: posts that become due are published
        (or failed) when next read, and the rate-limit window moves on. Returns the server's
        new time.

        Example::

            server.advance(seconds=120)
            assert server.posts[0].status == "published"
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"seconds must be a number, not {type(seconds).__name__}")
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"seconds must be a finite number >= 0, not {seconds}")
        clock = self._server().control("advance", {"seconds": float(seconds), "forward": True})
        return _utc(clock["unixMs"] / 1000)

    def now(self) -> datetime:
        """The server's clock: real time plus every :meth:`advance` since the start or the
        last :meth:`reset` (aware UTC ``datetime``)."""
        return _utc(self._server().control("clock")["unixMs"] / 1000)

    def reset(self) -> None:
        """Forget queued faults, recorded requests, profiles, posts, the monthly quota and the
        rate-limit window, and set the clock back to real time. Clients made afterwards get a
        fresh rate budget (:attr:`store`)."""
        self._server().control("reset")
        self._store = _fresh_store()

    def seed(self, data: Mapping[str, Any]) -> dict[str, list[str]]:
        """Store profiles (with connected platforms) and posts directly, e.g. to start a test
        from a profile that already has LinkedIn and Bluesky connected::

            keys = server.seed({"profiles": [{"profileKey": "prof_a",
                                              "connect": ["linkedin", "bluesky"]}]})

        The format is the mock's ``POST /__mock/seed`` (profiles: ``profileKey``,
        ``profileName``, ``connect``, ``blueskyHandle``, ``count``; posts: ``postId``,
        ``profileKey``, ``platform``, ``content``, ``scheduledFor`` (``"$NOW+60"`` allowed),
        ``status``). Returns ``{"profiles": [keys], "posts": [ids]}``.

        Raises:
            ValueError: A part of the seed is refused (then nothing is stored).
        """
        result: dict[str, list[str]] = self._server().control("seed", dict(data))
        return result

    # -- what it holds ----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request received since the start or the last :meth:`reset`, oldest
        first (a snapshot: read it again after more requests)."""
        requests = self._server().control("requests")["requests"]
        return [RecordedRequest._from_dict(item) for item in requests]

    @property
    def profiles(self) -> list[Profile]:
        """The stored profiles as :class:`postcore.Profile` (what ``profiles.list()`` would
        return), in creation order."""
        return [Profile.from_dict(item) for item in self._server().control("profiles")["profiles"]]

    @property
    def posts(self) -> list[Post]:
        """The stored posts as :class:`postcore.Post`, in creation order, due ones decided
        first (a failed post's reason is in ``post.extra["failureReason"]``)."""
        return [Post.from_dict(item) for item in self._server().control("posts")["posts"]]

    def __repr__(self) -> str:
        # Never shows the API key.
        if self._native is None:
            return "MockServer(not started)"
        state = "running" if self.running else "stopped"
        return f"MockServer(base_url={self._native.url!r}, {state})"


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {value}")


def _utc(unix_seconds: float) -> datetime:
    return datetime.fromtimestamp(unix_seconds, timezone.utc)


def _fresh_store() -> str:
    """A ``memory://`` store no other server or generation uses."""
    return f"memory://postcore-mock-{secrets.token_hex(8)}"
