"""Shared fixtures: one local postcore server (``postcore-mock``) for the whole session.

The mock binary must be built beforehand (``cargo build -p postcore-mock``; ``test.sh`` does
it). Tests script it over HTTP with the standard library only.
"""

from __future__ import annotations

import hashlib
import http.client
import inspect
import json
import os
import resource
import socket
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import postcore
import postcore._client

REPO_ROOT = Path(__file__).resolve().parents[2]
MOCK_BINARY = REPO_ROOT / "target" / "debug" / "postcore-mock"
API_KEY = "pc_python_test_key_1234"


class MockServer:
    """The running mock and its ``/__mock/*`` control endpoints."""

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url
        self.api_key = api_key

    def _call(self, method: str, path: str, payload: Any | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body.strip() else None

    def reset(self) -> None:
        self._call("POST", "/__mock/reset", {})

    def faults(self, faults: list[dict[str, Any]]) -> None:
        if faults:
            self._call("POST", "/__mock/faults", faults)

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/__mock/requests")["requests"]
        return result

    def profiles(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/__mock/profiles")["profiles"]
        return result

    def posts(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/__mock/posts")["posts"]
        return result

    def seed(self, seed: dict[str, Any]) -> dict[str, Any]:
        """Stores profiles, connections and posts with fixed keys (``$NOW+n`` allowed)."""
        result: dict[str, Any] = self._call("POST", "/__mock/seed", seed)
        return result

    def advance(self, seconds: float) -> datetime:
        """Moves the server's clock forward; due posts are decided when next read."""
        return _parse_time(self._call("POST", "/__mock/advance", {"seconds": seconds})["now"])

    def linkedin(self, profile_key: str, **flags: bool) -> None:
        """Flags a profile's LinkedIn connection (``needsReconnect=True``, ``expired=True``)."""
        self._call("POST", "/__mock/linkedin", {"profileKey": profile_key, **flags})

    def clock(self) -> datetime:
        """The server's clock (real time plus every advance since the last reset)."""
        return _parse_time(self._call("GET", "/__mock/clock")["now"])

    def stats(self) -> dict[str, int]:
        """TCP connections: ``open`` now, ``max_open`` at once, ``total`` accepted."""
        result: dict[str, int] = self._call("GET", "/__mock/stats")["connections"]
        return result

    def open_in_browser(self, url: str) -> str:
        """What the end-user's browser does with a LinkedIn connect URL: the mock connects a
        fake account at once and redirects; returns where to (the ``Location``)."""
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.netloc, timeout=10)
        try:
            connection.request("GET", f"{parts.path}?{parts.query}")
            response = connection.getresponse()
            response.read()
            assert response.status == 302, response.status
            return response.getheader("location") or ""
        finally:
            connection.close()


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _raise_fd_limit() -> None:
    # 1,000 concurrent requests need 1,000 sockets on each side (the mock inherits this); the
    # max_connections test queues 5,000 calls, which must not need sockets beyond its bound.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@pytest.fixture(scope="session")
def mock_server() -> Iterator[MockServer]:
    if not MOCK_BINARY.exists():
        pytest.fail(f"{MOCK_BINARY} is missing: run `cargo build -p postcore-mock` first")
    _raise_fd_limit()
    process = subprocess.Popen(
        [str(MOCK_BINARY), "--port", "0", "--api-key", API_KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http://"):
            pytest.fail(f"postcore-mock did not print its URL (got {url!r})")
        yield MockServer(url, API_KEY)
    finally:
        process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def server(
    mock_server: MockServer, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> MockServer:
    """The mock, reset, with the environment pointing at it and no cached default client.
    Each test's clients share a rate budget of their own (``POSTCORE_STORE``), so that a 429
    one test provokes pauses nobody else."""
    mock_server.reset()
    monkeypatch.setenv("POSTCORE_API_KEY", mock_server.api_key)
    monkeypatch.setenv("POSTCORE_BASE_URL", mock_server.url)
    test_id = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
    monkeypatch.setenv("POSTCORE_STORE", f"memory://test-{test_id}")
    monkeypatch.setattr(postcore._client, "_default_client", None)
    return mock_server


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


#: The window the mock reports when it enforces no rate limit (`postcore_mock::UNLIMITED`).
UNLIMITED = 1_000_000_000


def pytest_report_header() -> str:
    return f"postcore {postcore.__version__}, mock {MOCK_BINARY} (pid {os.getpid()})"


def client(server: MockServer, **kwargs: Any) -> postcore.Postcore:
    """A blocking client for the mock."""
    return postcore.Postcore(api_key=server.api_key, base_url=server.url, **kwargs)


def aclient(server: MockServer, **kwargs: Any) -> postcore.AsyncPostcore:
    """An asyncio client for the mock."""
    return postcore.AsyncPostcore(api_key=server.api_key, base_url=server.url, **kwargs)


def make(kind: str, server: MockServer, **kwargs: Any) -> Any:
    """Either client, for tests that run the same steps through both (with :func:`done`)."""
    return (client if kind == "sync" else aclient)(server, **kwargs)


async def done(value: Any) -> Any:
    """The value of a call from either client: awaited when it is awaitable."""
    return await value if inspect.isawaitable(value) else value


async def close(any_client: Any) -> None:
    await done(any_client.close())


BOTH = pytest.mark.parametrize("kind", ["sync", "async"])
