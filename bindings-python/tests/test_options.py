"""Response metadata and the options around calls (issue 14): ``with_raw_response``,
``with_options`` (one shared pool), ``default_headers`` / ``extra_headers``, and
``max_connections`` bounding the sockets however many calls are in flight."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

import postcore

from .conftest import BOTH, UNLIMITED, MockServer, aclient, client, close, done, make

RETRY_503 = {"status": 503, "body": {"error": "UNAVAILABLE", "message": "try again"}}


# ------------------------------------------------------------------- raw responses


@BOTH
async def test_raw_response_metadata_after_a_retried_get(kind: str, server: MockServer) -> None:
    server.faults([RETRY_503])
    c = make(kind, server)
    response = await done(c.with_raw_response.profiles.list())
    assert response.status_code == 200
    assert response.attempts == 2  # the 503, then the answer
    headers = response.headers
    assert headers["X-RateLimit-Limit"] == headers["x-ratelimit-limit"] == str(UNLIMITED)
    assert "Content-Type" in headers and headers["content-type"].startswith("application/json")
    limit = response.rate_limit
    assert isinstance(limit, postcore.RateLimit)
    assert limit.limit == UNLIMITED
    # Two requests so far.
    assert limit.remaining == int(headers["X-RATELIMIT-REMAINING"]) == UNLIMITED - 2
    assert limit.reset == datetime.fromtimestamp(int(headers["x-ratelimit-reset"]), timezone.utc)
    assert response.parse() == []

    created = await done(c.with_raw_response.create_profile(profile_name="meta"))
    assert (created.status_code, created.attempts) == (201, 1)
    assert created.rate_limit is not None and created.rate_limit.remaining == UNLIMITED - 3
    assert created.parse().profile_name == "meta"
    await close(c)


# --------------------------------------------------------------------- with_options


@BOTH
async def test_with_options_shares_the_pool(kind: str, server: MockServer) -> None:
    c = make(kind, server, timeout=30, max_retries=2)
    d = c.with_options(timeout=5, max_retries=0)
    assert type(d) is type(c)
    assert (d.timeout, d.max_retries, d.base_url) == (5.0, 0, c.base_url)
    assert (c.timeout, c.max_retries) == (30.0, 2)  # the original is unchanged
    e = d.with_options(max_retries=1)  # chained: keeps the timeout
    assert (e.timeout, e.max_retries) == (5.0, 1)

    await done(c.profiles.create(profile_name="warm"))  # opens one keep-alive connection
    before = server.stats()["total"]
    await done(d.profiles.create(profile_name="derived"))
    await done(e.profiles.list())
    # The derived clients share that pool: one new connection is this stats request's; a
    # second one may open when a call starts in the instant its predecessor's connection is
    # on its way back to the pool. Separate pools would open one per derived client.
    assert server.stats()["total"] <= before + 2

    server.faults([RETRY_503])
    with pytest.raises(postcore.InternalServerError) as info:
        await done(d.profiles.list())  # max_retries=0: no retry
    assert info.value.attempts == 1

    await close(c)  # one pool: closing the original closes the copies
    assert d.closed and e.closed
    with pytest.raises(postcore.PostcoreError, match="closed"):
        await done(d.profiles.list())


def test_with_options_checks_its_arguments(server: MockServer) -> None:
    with client(server) as c:
        with pytest.raises(ValueError, match="timeout"):
            c.with_options(timeout=-1)
        with pytest.raises(TypeError, match="max_retries"):
            c.with_options(max_retries="3")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="x-api-key"):
            c.with_options(default_headers={"X-Api-Key": "other"})
        with pytest.raises(TypeError, match="default_headers"):
            c.with_options(default_headers=[("a", "b")])  # type: ignore[arg-type]
    assert server.requests() == []


@BOTH
async def test_call_options_are_checked_by_the_core_before_anything_is_sent(
    kind: str, server: MockServer
) -> None:
    c = make(kind, server)
    with pytest.raises(TypeError, match="max_retries must be an int, not float"):
        await done(c.profiles.list(max_retries=1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timeout must be a number of seconds, not str"):
        await done(c.profiles.list(timeout="5"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        await done(c.profiles.list(timeout=0))
    with pytest.raises(ValueError, match="max_rate_limit_wait"):
        await done(c.profiles.list(max_rate_limit_wait=-1))
    with pytest.raises(TypeError, match="extra_headers"):
        await done(c.profiles.list(extra_headers={"x-a": 1}))  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="interval must be a number of seconds"):
        await done(c.posts.wait("post_1", interval="1s"))  # type: ignore[arg-type]
    await close(c)
    assert server.requests() == []


def test_the_native_client_has_one_entry(server: MockServer) -> None:
    with client(server) as c:
        native = c._native
        assert [name for name in dir(native) if name.startswith("call")] == ["call"]
        url = native.call(
            "profiles.linkedin_connect_url", {"return_url": "https://x.example/"}, str
        )
        assert url.startswith(server.url)
        with pytest.raises(TypeError, match="takes no options"):
            native.call(
                "profiles.linkedin_connect_url",
                {"return_url": "https://x.example/"},
                str,
                {"timeout": 1},
            )
        with pytest.raises(TypeError, match="options"):
            native.call("profiles.list", {}, str, [])  # type: ignore[arg-type]
    assert server.requests() == []


# ---------------------------------------------------------------------------- headers


@BOTH
async def test_default_and_extra_headers_are_sent(kind: str, server: MockServer) -> None:
    c = make(kind, server, default_headers={"X-Tenant": "acme", "User-Agent": "myapp/1.0"})
    await done(c.profiles.create(extra_headers={"X-Trace-Id": "t-1", "X-Tenant": "other"}))
    await done(c.posts.list())
    d = c.with_options(default_headers={"X-Team": "blue"})
    await done(d.profiles.list())
    first, second, third = (r["headers"] for r in server.requests())
    version = postcore.__version__
    assert first["x-trace-id"] == "t-1" and first["x-tenant"] == "other"  # per call wins
    assert first["user-agent"] == f"postcore-python/{version} myapp/1.0"  # appended to ours
    assert first["x-api-key"] == server.api_key and first["content-type"] == "application/json"
    assert second["x-tenant"] == "acme" and "x-trace-id" not in second  # one call only
    assert third["x-team"] == "blue" and "x-tenant" not in third  # replaced in the copy
    assert third["user-agent"] == f"postcore-python/{version}"
    await close(c)


@pytest.mark.parametrize(
    ("headers", "error", "words"),
    [
        ({"x-api-key": "pc_other"}, ValueError, "x-api-key"),
        ({"Content-Type": "text/plain"}, ValueError, "content-type"),
        ({"X-Ok": "a\nb"}, ValueError, "line break"),
        ({"X-Ok": "a\rb"}, ValueError, "line break"),
        ({"bad name": "v"}, ValueError, "header name"),
        ({"X-Ok": 5}, TypeError, "default_headers"),
        ("X-Ok: 5", TypeError, "default_headers"),
    ],
)
def test_refused_default_headers(
    server: MockServer, headers: object, error: type[Exception], words: str
) -> None:
    for cls in (postcore.Postcore, postcore.AsyncPostcore):
        with pytest.raises(error, match=words) as info:
            cls(api_key=server.api_key, base_url=server.url, default_headers=headers)  # type: ignore[arg-type]
        assert "pc_other" not in str(info.value)
    assert server.requests() == []


# -------------------------------------------------------------------- max_connections


def test_max_connections_option(server: MockServer) -> None:
    assert client(server, max_connections=7).max_connections == 7
    with pytest.raises(postcore.ConfigurationError, match="max_connections"):
        client(server, max_connections=0)
    with pytest.raises(ValueError, match="max_connections"):
        client(server, max_connections=-1)
    with pytest.raises(TypeError, match="max_connections"):
        client(server, max_connections=2.5)


async def test_five_thousand_calls_never_exceed_max_connections(server: MockServer) -> None:
    calls, bound = 5000, 50
    # Each answer takes 20 ms, so calls pile up: without the bound, thousands of sockets.
    server.faults([{"delay_ms": 20, "times": calls}])
    before = server.stats()  # its own connection is open while it is answered
    started = time.monotonic()
    async with aclient(server, max_connections=bound) as c:
        profiles = await asyncio.gather(*(c.create_profile(f"u{i}") for i in range(calls)))
    elapsed = time.monotonic() - started
    after = server.stats()
    assert len({p.profile_key for p in profiles}) == calls
    assert len(server.profiles()) == calls
    # At any moment: connections open before (minus the first stats request), the client's
    # (at most `bound`), and one stats request.
    assert after["max_open"] <= before["open"] + bound, (before, after)
    assert after["max_open"] >= bound // 2, after  # the bound was actually reached
    assert elapsed < 60, elapsed


def _settled_open(server: MockServer, at_most: int) -> int:
    """The connections open at the server, once they drop to ``at_most`` (or after 3 s)."""
    deadline = time.monotonic() + 3
    while True:
        open_now = server.stats()["open"] - 1  # less this stats request's own
        if open_now <= at_most or time.monotonic() > deadline:
            return open_now
        time.sleep(0.02)


@pytest.mark.parametrize("ending", ["close", "with", "del"])
def test_close_closes_every_pooled_connection_of_a_shared_sync_client(
    server: MockServer, ending: str
) -> None:
    # One client, 20 threads, 200 calls: 20 connections at the server. Then close() (or
    # leaving `with`, or dropping the client) must close every one of them, the derived
    # client's too (it shares the pool).
    before = _settled_open(server, 0)
    c = client(server, max_connections=20)
    patient = c.with_options(timeout=30.0)

    def work(i: int) -> None:
        for j in range(10):
            (c if j % 2 else patient).profiles.list()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert server.stats()["open"] - 1 > before, "the pool keeps its connections"
    if ending == "close":
        patient.close()
    elif ending == "with":
        with c:
            pass
    else:
        del c, patient
        gc.collect()
    assert _settled_open(server, before) <= before


async def test_async_close_closes_every_pooled_connection(server: MockServer) -> None:
    before = _settled_open(server, 0)
    c = aclient(server, max_connections=20)
    await asyncio.gather(*(c.profiles.list() for _ in range(200)))
    await c.close()
    assert _settled_open(server, before) <= before


# ----------------------------------------------------------------- proxy, certificates


def test_proxy_and_extra_ca_certs(server: MockServer, refused_url: str) -> None:
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if bundle.is_file():  # a PEM file: accepted as one path, a PathLike or a list of them
        for certs in (str(bundle), bundle, [bundle, str(bundle)]):
            with client(server, extra_ca_certs=certs) as c:
                assert c.profiles.list() == []
    with pytest.raises(postcore.ConfigurationError, match=r"no-such\.pem"):
        client(server, extra_ca_certs="/no-such.pem")
    with pytest.raises(TypeError, match="extra_ca_certs"):
        client(server, extra_ca_certs=5)
    with pytest.raises(postcore.ConfigurationError, match="proxy"):
        client(server, proxy="socks9://nowhere")
    # Every request goes through the proxy: here one that is not listening.
    before = len(server.requests())
    proxied = client(server, proxy=refused_url, max_retries=0)
    with proxied, pytest.raises(postcore.APIConnectionError):
        proxied.profiles.list()
    assert len(server.requests()) == before
