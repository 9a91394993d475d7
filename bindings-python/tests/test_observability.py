"""Seeing what the SDK does (issue 24): ``postcore.Hooks`` on every attempt, response, retry
and wait; OpenTelemetry spans through the application's own API (one INTERNAL span per call,
one CLIENT span per attempt, ``traceparent`` on the wire); nothing of it without
OpenTelemetry or with ``tracing=False``."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from opentelemetry.util._once import Once

import postcore

from .conftest import BOTH, MockServer, aclient, client, close, done, make

RETRY_503 = {"status": 503, "body": {"error": "UNAVAILABLE", "message": "try again"}}
# A creation is resent after a 429 (never after a 503: it may have been processed).
RETRY_429 = {
    "status": 429,
    "body": {"error": "RATE_LIMIT_EXCEEDED", "message": "x", "retry_after": 0},
}
APP_PASSWORD = "abcd-efgh-ijkl-mnop"


class Seen:
    """Every hook call: ``(hook, event)``, and the thread it ran on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, postcore.HookEvent]] = []
        self.threads: set[int] = set()

    def hooks(self, **extra: Any) -> postcore.Hooks:
        def record(name: str) -> Any:
            def hook(event: postcore.HookEvent) -> None:
                self.calls.append((name, event))
                self.threads.add(threading.get_ident())

            return hook

        names = ("on_request", "on_response", "on_retry", "on_rate_limit_wait")
        return postcore.Hooks(**{name: record(name) for name in names} | extra)

    def names(self) -> list[tuple[str, int, int | None]]:
        return [(name, e.attempt, e.status) for name, e in self.calls]


# ----------------------------------------------------------------------------- hooks


@BOTH
async def test_hooks_see_every_attempt_of_a_retried_call(kind: str, server: MockServer) -> None:
    seen = Seen()
    server.faults([RETRY_503])
    c = make(kind, server, hooks=seen.hooks())
    assert await done(c.posts.list()) == []
    assert seen.names() == [
        ("on_request", 1, None),
        ("on_response", 1, 503),
        ("on_retry", 1, None),
        ("on_request", 2, None),
        ("on_response", 2, 200),
    ]
    for _, event in seen.calls:
        assert (event.operation, event.method, event.path) == ("posts.list", "GET", "/posts")
        assert event.elapsed >= 0
    retry = seen.calls[2][1]
    assert retry.reason == "503" and retry.delay is not None and 0 < retry.delay <= 1
    # On the caller's thread, or on the event loop's (this test's thread either way).
    assert seen.threads == {threading.get_ident()}
    await close(c)


@BOTH
async def test_a_raising_hook_is_logged_and_ignored(
    kind: str, server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: postcore.HookEvent) -> None:
        raise RuntimeError("hook bug")

    seen = Seen()
    server.faults([RETRY_429])
    c = make(kind, server, hooks=seen.hooks(on_request=broken))
    with caplog.at_level(logging.ERROR, logger="postcore"):
        profile = await done(c.profiles.create(profile_name="still created"))
    assert profile.profile_name == "still created"
    assert seen.names() == [("on_response", 1, 429), ("on_retry", 1, None), ("on_response", 2, 201)]
    errors = [r for r in caplog.records if r.name == "postcore" and r.levelno >= logging.ERROR]
    assert len(errors) == 2 and "on_request" in errors[0].getMessage()
    assert errors[0].exc_info is not None and "hook bug" in str(errors[0].exc_info[1])
    await close(c)


async def test_async_hooks_are_scheduled_on_the_loop(server: MockServer) -> None:
    events: list[tuple[str, int]] = []

    async def on_request(event: postcore.HookEvent) -> None:
        await asyncio.sleep(0)
        events.append(("request", event.attempt))

    async def on_response(event: postcore.HookEvent) -> None:
        events.append(("response", event.attempt))
        raise ValueError("async hook bug")  # logged, ignored

    server.faults([RETRY_503])
    c = aclient(server, hooks=postcore.Hooks(on_request=on_request, on_response=on_response))
    await c.profiles.list()
    for _ in range(5):
        await asyncio.sleep(0)
    assert sorted(events) == [("request", 1), ("request", 2), ("response", 1), ("response", 2)]
    await c.close()


def test_a_blocking_client_refuses_async_hooks(server: MockServer) -> None:
    async def hook(event: postcore.HookEvent) -> None:
        pass

    with pytest.raises(TypeError, match="async hooks need AsyncPostcore"):
        client(server, hooks=postcore.Hooks(on_retry=hook))
    with pytest.raises(TypeError, match="callable"):
        postcore.Hooks(on_retry=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"hooks must be a postcore\.Hooks"):
        client(server, hooks=print)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tracing must be True or False"):
        client(server, tracing="yes")  # type: ignore[arg-type]


def test_hooks_see_waits_for_the_rate_budget() -> None:
    from postcore.testing import MockServer as KitServer

    # Two requests per second: the third call waits for the next window.
    with KitServer(rate_limit=2, rate_window=1) as kit:
        seen = Seen()
        c = postcore.Postcore(
            api_key=kit.api_key,
            base_url=kit.base_url,
            store="memory://hooks-rate-budget",
            hooks=seen.hooks(),
        )
        for _ in range(3):
            c.profiles.list()
        waits = [e for name, e in seen.calls if name == "on_rate_limit_wait"]
        assert waits, seen.names()
        for wait in waits:
            assert (wait.budget, wait.method, wait.path) == ("general", "GET", "/profiles")
            assert wait.seconds == wait.delay and wait.delay is not None and 0 < wait.delay <= 2
        c.close()


def test_hooks_hold_no_secrets(server: MockServer) -> None:
    seen = Seen()
    c = client(server, hooks=seen.hooks())
    c.profiles.connect_bluesky("ann.bsky.social", APP_PASSWORD)
    text = repr(seen.calls)
    assert seen.calls and APP_PASSWORD not in text and server.api_key not in text
    assert [e.path for _, e in seen.calls] == ["/profiles/connect", "/profiles/connect"]


# ------------------------------------------------------------------------ OpenTelemetry


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """A configured tracer provider that keeps every span (the global one, for this test)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    # The API sets the global provider once per process; the SDK's own tests reset it so.
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None
    trace.set_tracer_provider(provider)
    yield exporter
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None
    provider.shutdown()


def named(spans: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.name == name]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def traceparents(server: MockServer) -> list[str]:
    return [r["headers"].get("traceparent", "") for r in server.requests()]


@BOTH
async def test_a_call_is_a_span_under_the_callers_with_a_client_span_per_attempt(
    kind: str, server: MockServer, spans: InMemorySpanExporter
) -> None:
    c = make(kind, server)
    tracer = trace.get_tracer("app")
    with tracer.start_as_current_span("handle signup") as parent:
        profile = await done(c.profiles.create(profile_name="traced"))
    assert profile.profile_name == "traced"
    [call] = named(spans, "profiles.create")
    [attempt] = named(spans, "POST /profiles/create")
    assert call.kind == SpanKind.INTERNAL and attempt.kind == SpanKind.CLIENT
    assert parent_of(call) == parent.get_span_context().span_id
    assert parent_of(attempt) == call.context.span_id
    assert call.attributes == {"postcore.operation": "profiles.create", "postcore.attempts": 1}
    host, port = server.url.removeprefix("http://").split(":")
    assert dict(attempt.attributes or {}) == {
        "http.request.method": "POST",
        "server.address": host,
        "server.port": int(port),
        "url.full": f"{server.url}/profiles/create",
        "url.template": "/profiles/create",
        "http.response.status_code": 201,
    }
    assert call.status.status_code == attempt.status.status_code == StatusCode.UNSET
    # The request carried the CLIENT span's context.
    [sent] = traceparents(server)
    version, trace_id, span_id, flags = sent.split("-")
    assert version == "00" and int(flags, 16) & 1 == 1  # sampled
    assert int(trace_id, 16) == attempt.context.trace_id == parent.get_span_context().trace_id
    assert int(span_id, 16) == attempt.context.span_id
    await close(c)


@BOTH
async def test_a_retried_get_has_a_client_span_per_attempt(
    kind: str, server: MockServer, spans: InMemorySpanExporter
) -> None:
    server.faults([RETRY_503])
    c = make(kind, server)
    await done(c.posts.list())
    [call] = named(spans, "posts.list")
    first, second = sorted(named(spans, "GET /posts"), key=lambda s: s.start_time or 0)
    assert call.attributes is not None and call.attributes["postcore.attempts"] == 2
    assert parent_of(first) == parent_of(second) == call.context.span_id
    assert first.attributes is not None and second.attributes is not None
    assert first.attributes["http.response.status_code"] == 503
    assert first.attributes["error.type"] == "503"
    assert first.status.status_code == StatusCode.ERROR
    assert "http.request.resend_count" not in first.attributes
    assert second.attributes["http.request.resend_count"] == 1
    assert second.status.status_code == StatusCode.UNSET
    [retry] = [e for e in call.events if e.name == "postcore.retry"]
    assert retry.attributes is not None and retry.attributes["postcore.reason"] == "503"
    # Each attempt carried its own CLIENT span's id.
    sent = [int(t.split("-")[2], 16) for t in traceparents(server)]
    assert sent == [first.context.span_id, second.context.span_id]
    await close(c)


@BOTH
async def test_a_404_fails_both_spans(
    kind: str, server: MockServer, spans: InMemorySpanExporter
) -> None:
    c = make(kind, server)
    with pytest.raises(postcore.NotFoundError):
        await done(c.posts.retrieve("post_missing"))
    [call] = named(spans, "posts.retrieve")
    [attempt] = named(spans, "GET /posts/{postId}")
    assert call.attributes is not None and attempt.attributes is not None
    assert call.attributes["error.type"] == "NotFoundError"
    assert call.status.status_code == StatusCode.ERROR
    assert attempt.attributes["error.type"] == "404"
    assert attempt.attributes["url.full"] == f"{server.url}/posts/post_missing"
    await close(c)


@BOTH
async def test_a_timeout_is_the_attempts_error_type(
    kind: str, server: MockServer, spans: InMemorySpanExporter
) -> None:
    server.faults([{"delay_ms": 2000}])
    c = make(kind, server, timeout=0.3, max_retries=0)
    with pytest.raises(postcore.APITimeoutError):
        await done(c.profiles.list())
    [call] = named(spans, "profiles.list")
    [attempt] = named(spans, "GET /profiles")
    assert attempt.attributes is not None and attempt.attributes["error.type"] == "timeout"
    assert "http.response.status_code" not in attempt.attributes
    assert attempt.status.status_code == StatusCode.ERROR
    assert call.attributes is not None and call.attributes["error.type"] == "APITimeoutError"
    await close(c)


@BOTH
async def test_a_wait_is_one_span_with_its_polls_and_pauses(
    kind: str, server: MockServer, spans: InMemorySpanExporter
) -> None:
    server.seed(
        {
            "profiles": [{"profileKey": "prof_t", "connect": ["bluesky"]}],
            "posts": [
                {
                    "postId": "post_t",
                    "profileKey": "prof_t",
                    "platform": "bluesky",
                    "content": "soon",
                    "scheduledFor": "$NOW+2",  # a whole second ahead at least: one pause
                }
            ],
        }
    )
    c = make(kind, server)
    post = await done(c.posts.wait("post_t", timeout=10, interval=0.2))
    assert post.status == "published"
    [call] = named(spans, "posts.wait")
    polls = named(spans, "GET /posts/{postId}")
    assert len(polls) >= 2 and {parent_of(p) for p in polls} == {call.context.span_id}
    assert call.attributes is not None and call.attributes["postcore.attempts"] == len(polls)
    pauses = [e for e in call.events if e.name == "postcore.poll_wait"]
    assert len(pauses) == len(polls) - 1
    assert not named(spans, "posts.retrieve")  # the polls are part of the wait
    await close(c)


def test_no_spans_with_tracing_off(server: MockServer, spans: InMemorySpanExporter) -> None:
    c = client(server, tracing=False)
    c.profiles.list()
    assert spans.get_finished_spans() == ()
    assert traceparents(server) == [""]
    c.close()


def test_spans_hold_no_secrets(server: MockServer, spans: InMemorySpanExporter) -> None:
    c = client(server)
    c.profiles.connect_bluesky("ann.bsky.social", APP_PASSWORD)
    text = repr([(s.name, s.attributes, s.events) for s in spans.get_finished_spans()])
    assert "profiles.connect_bluesky" in text
    assert APP_PASSWORD not in text and server.api_key not in text


ABSENT = """
import sys
if sys.argv[1] == "blocked":
    sys.modules["opentelemetry"] = None  # as if not installed: importing it fails
import postcore
c = postcore.Postcore(hooks=postcore.Hooks(on_response=lambda e: None))
c.profiles.list()
loaded = [m for m, module in sys.modules.items() if module is not None]
print(sorted(m for m in loaded if m.startswith(("opentelemetry", "postcore._otel"))))
"""


@pytest.mark.parametrize("how", ["installed", "blocked"])
def test_without_opentelemetry_in_use_nothing_of_it_loads(how: str, server: MockServer) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ABSENT, how], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
