"""Behaviour of the Python package beyond the shared scenarios: GIL, signals, fork,
cancellation, concurrency, argument validation, context managers, values and errors."""

from __future__ import annotations

import asyncio
import copy
import inspect
import logging
import multiprocessing
import os
import pickle
import pydoc
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import postcore
import postcore._client

from .conftest import MockServer, aclient, client

# A short 429 makes the client sleep 2 s and then send the request again: a call cut off
# during that sleep must leave exactly one request on the server, proving it was dropped.
RETRY_IN_2S: dict[str, Any] = {
    "status": 429,
    "body": {"error": "RATE_LIMIT_EXCEEDED", "message": "Try again in 2 seconds", "retry_after": 2},
}


# ---------------------------------------------------------------------------- sync calls


def test_sync_call_releases_the_gil(server: MockServer) -> None:
    server.faults([{"delay_ms": 1000}])
    ticks: list[float] = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    thread = threading.Thread(target=ticker)
    with client(server) as c:
        thread.start()
        time.sleep(0.05)
        before = len(ticks)
        profile = c.create_profile(profile_name="gil")
        during = len(ticks) - before
        stop.set()
        thread.join(5)
    assert profile.profile_name == "gil"
    # ~100 ticks of 10 ms fit in the 1 s wait; with the GIL held there would be none.
    assert during >= 30, during


def test_sync_calls_from_threads_run_in_parallel(server: MockServer) -> None:
    server.faults([{"delay_ms": 700, "times": 8}])
    results: list[postcore.Profile] = []
    with client(server) as c:
        threads = [
            threading.Thread(target=lambda i=i: results.append(c.create_profile(f"t{i}")))
            for i in range(8)
        ]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        elapsed = time.monotonic() - start
    assert sorted(p.profile_name or "" for p in results) == [f"t{i}" for i in range(8)]
    assert elapsed < 3.0, elapsed  # 8 x 0.7 s one after another would take 5.6 s


def test_ctrl_c_interrupts_a_sync_call_and_cancels_it(server: MockServer) -> None:
    server.faults([RETRY_IN_2S])
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    try:
        with client(server) as c:
            timer.start()
            with pytest.raises(KeyboardInterrupt):
                c.create_profile(profile_name="interrupted")
            elapsed = time.monotonic() - start
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert elapsed < 1.0, elapsed
    time.sleep(2.5)  # when the retry would have been sent
    assert len(server.requests()) == 1
    assert server.profiles() == []


def _runtime_threads() -> int:
    # Linux names threads in /proc; the runtime's are "postcore-runtime" (cut to 15 bytes).
    tasks = Path("/proc/self/task")
    return sum(1 for t in tasks.iterdir() if (t / "comm").read_text().startswith("postcore-runti"))


def test_one_runtime_per_process_not_per_client(server: MockServer) -> None:
    with client(server) as c:
        c.create_profile("first")
    before = _runtime_threads()  # workers, plus idle blocking-pool threads of earlier tests
    assert before >= 1
    for i in range(10):
        with client(server) as c:
            c.create_profile(f"client {i}")
    # A runtime per client (or per call) would have added threads; idle ones may only retire.
    assert _runtime_threads() <= before
    assert len(server.profiles()) == 11


# --------------------------------------------------------------------------- async calls


async def test_async_call_is_a_coroutine(server: MockServer) -> None:
    async with aclient(server) as c:
        coroutine = c.create_profile(profile_name="later")
        assert asyncio.iscoroutine(coroutine)  # so create_task, gather and TaskGroup take it
        assert server.requests() == []  # nothing is sent before it is awaited
        profile = await coroutine
        task = asyncio.create_task(c.profiles.create(profile_name="as a task"))
        assert (await task).profile_name == "as a task"
        # A refused argument is raised when awaited, as a coroutine's would be.
        bad = c.posts.retrieve("")
        with pytest.raises(ValueError):
            await bad
    assert profile.profile_name == "later"


async def test_thousand_concurrent_calls_on_one_loop(server: MockServer) -> None:
    server.faults([{"delay_ms": 1000, "times": 1000}])
    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    beat = asyncio.ensure_future(heartbeat())
    start = time.monotonic()
    # All 1,000 at once: above the default bound of 100 connections they would queue.
    async with aclient(server, max_connections=1000) as c:
        profiles = await asyncio.gather(*(c.create_profile(f"user {i}") for i in range(1000)))
    elapsed = time.monotonic() - start
    beat.cancel()
    assert len({p.profile_key for p in profiles}) == 1000
    assert [p.profile_name for p in profiles] == [f"user {i}" for i in range(1000)]
    assert len(server.profiles()) == 1000
    # One after another they would take 1,000 s; concurrently about one delay.
    assert elapsed < 20, elapsed
    assert ticks > 20, ticks  # the event loop kept running meanwhile


async def test_cancelling_the_task_cancels_the_request(server: MockServer) -> None:
    server.faults([RETRY_IN_2S])
    async with aclient(server) as c:
        task = asyncio.ensure_future(c.create_profile(profile_name="cancelled"))
        await asyncio.sleep(0.3)
        start = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - start < 0.5
        await asyncio.sleep(2.5)  # when the retry would have been sent
    assert len(server.requests()) == 1
    assert server.profiles() == []


async def test_wait_for_timeout_cancels_the_request(server: MockServer) -> None:
    server.faults([RETRY_IN_2S])
    async with aclient(server) as c:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(c.create_profile(profile_name="x"), timeout=0.3)
        await asyncio.sleep(2.5)
    assert len(server.requests()) == 1


async def test_async_errors_are_typed(server: MockServer) -> None:
    async with postcore.AsyncPostcore(api_key="pc_wrong_key", base_url=server.url) as c:
        with pytest.raises(postcore.AuthenticationError) as info:
            await c.create_profile(profile_name="x")
    assert info.value.status_code == 401
    assert info.value.code == "INVALID_API_KEY"


# -------------------------------------------------------------------------------- fork


def _create_in_child(name: str) -> str:
    profile = postcore.create_profile(profile_name=name)
    return profile.profile_key


def test_fork_child_keeps_working(server: MockServer) -> None:
    c = client(server)
    derived = c.with_options(timeout=20)  # shares c's pool
    c.create_profile("parent before fork")  # runtime and pool in use before the fork
    derived.profiles.list()
    postcore.create_profile(profile_name="default before fork")
    pid = os.fork()
    if pid == 0:  # child: must not hang or crash
        code = 1
        try:
            c.create_profile("child explicit")
            derived.create_profile("child derived")
            postcore.create_profile(profile_name="child default")
            asyncio.run(_async_in_child(server))
            code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung")
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    c.create_profile("parent after fork")
    names = sorted(p["profileName"] for p in server.profiles())
    assert names == sorted(
        [
            "parent before fork",
            "default before fork",
            "child explicit",
            "child derived",
            "child default",
            "child async",
            "parent after fork",
        ]
    )


async def _async_in_child(server: MockServer) -> None:
    async with aclient(server) as c:
        await c.create_profile("child async")


def test_multiprocessing_with_fork(server: MockServer) -> None:
    postcore.create_profile(profile_name="parent")
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        keys = pool.map_async(_create_in_child, [f"worker {i}" for i in range(6)]).get(timeout=60)
    assert len(set(keys)) == 6
    assert len(server.profiles()) == 7


# ------------------------------------------------------------------ argument validation


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"profile_name": 123}, TypeError, "profile_name"),
        ({"profile_name": b"bytes"}, TypeError, "profile_name"),
        ({"timeout": -1}, ValueError, "timeout"),
        ({"timeout": 0}, ValueError, "timeout"),
        ({"timeout": float("nan")}, ValueError, "timeout"),
        ({"timeout": 10**30}, ValueError, "timeout"),
        ({"timeout": "5"}, TypeError, "timeout"),
        ({"timeout": True}, TypeError, "timeout"),
        ({"max_retries": "2"}, TypeError, "max_retries"),
        ({"max_retries": -1}, ValueError, "max_retries"),
        ({"max_retries": 2.0}, TypeError, "max_retries"),
        ({"max_retries": False}, TypeError, "max_retries"),
        ({"max_retries": 10**40}, ValueError, "max_retries"),
    ],
)
async def test_bad_call_arguments_fail_before_any_request(
    server: MockServer, kwargs: dict[str, Any], error: type, words: str
) -> None:
    with client(server) as c, pytest.raises(error, match=words):
        c.create_profile(**kwargs)
    async with aclient(server) as a:
        with pytest.raises(error, match=words):
            await a.create_profile(**kwargs)
    assert server.requests() == []


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"api_key": 123}, TypeError, "api_key"),
        ({"base_url": 5}, TypeError, "base_url"),
        ({"timeout": -1}, ValueError, "timeout"),
        ({"timeout": "60"}, TypeError, "timeout"),
        ({"max_retries": "2"}, TypeError, "max_retries"),
        ({"max_retries": -3}, ValueError, "max_retries"),
    ],
)
def test_bad_client_arguments(
    server: MockServer, kwargs: dict[str, Any], error: type, words: str
) -> None:
    with pytest.raises(error, match=words):
        postcore.Postcore(**kwargs)
    with pytest.raises(error, match=words):
        postcore.AsyncPostcore(**kwargs)


def test_configuration_errors(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POSTCORE_API_KEY")
    with pytest.raises(postcore.ConfigurationError, match="POSTCORE_API_KEY"):
        postcore.Postcore()
    with pytest.raises(postcore.ConfigurationError, match="POSTCORE_API_KEY"):
        postcore.create_profile(profile_name="x")
    with pytest.raises(postcore.ConfigurationError, match="unencrypted"):
        postcore.Postcore(api_key="k", base_url="http://api.example.com")
    with pytest.raises(ValueError):  # ConfigurationError is also a ValueError
        postcore.Postcore(api_key="k", base_url="not a url")
    with pytest.raises(postcore.ConfigurationError) as info:
        postcore.Postcore(api_key="pc_secret_value\n")
    assert "pc_secret_value" not in str(info.value)
    assert server.requests() == []


def test_per_call_options(server: MockServer) -> None:
    server.faults([{"status": 503, "body": {"error": "X", "message": "down"}}])
    with client(server, timeout=5, max_retries=0) as c:
        assert (c.timeout, c.max_retries) == (5.0, 0)
        with pytest.raises(postcore.InternalServerError):
            c.create_profile("x", timeout=1.5, max_retries=3)  # a POST 503 is never retried
    assert len(server.requests()) == 1


# ---------------------------------------------------------------------- context managers


def test_sync_context_manager_and_close(server: MockServer) -> None:
    with client(server) as c:
        assert not c.closed
        assert c.create_profile("inside").profile_name == "inside"
    assert c.closed
    with pytest.raises(postcore.PostcoreError, match="closed"):
        c.create_profile("after")
    c.close()  # closing twice is harmless
    other = client(server)
    other.close()
    assert other.closed


async def test_async_context_manager_and_close(server: MockServer) -> None:
    async with aclient(server) as c:
        assert (await c.create_profile("inside")).profile_name == "inside"
    assert c.closed
    with pytest.raises(postcore.PostcoreError, match="closed"):
        await c.create_profile("after")
    assert len(server.requests()) == 1


def test_closing_ends_calls_in_flight(server: MockServer) -> None:
    server.faults([{"delay_ms": 5000}])
    c = client(server)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            c.create_profile("slow")
        except BaseException as e:  # the test inspects whatever was raised
            errors.append(e)

    worker = threading.Thread(target=call)
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    c.close()
    worker.join(timeout=3)
    assert not worker.is_alive()
    assert time.monotonic() - started < 1.0
    assert len(errors) == 1 and isinstance(errors[0], postcore.APIConnectionError)
    assert "closed" in str(errors[0])


async def test_closing_ends_async_calls_in_flight(server: MockServer) -> None:
    server.faults([{"delay_ms": 5000}])
    c = aclient(server)
    task = asyncio.ensure_future(c.create_profile("slow"))
    await asyncio.sleep(0.2)
    await c.close()
    with pytest.raises(postcore.APIConnectionError, match="closed"):
        await asyncio.wait_for(task, timeout=1.0)


def test_debug_lines_reach_the_logging_module(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="postcore")
    server.faults(
        [
            {
                "status": 429,
                "body": {"error": "RATE_LIMIT_EXCEEDED", "message": "x", "retry_after": 0},
            }
        ]
    )
    client(server).create_profile("logged")
    lines = [r.getMessage() for r in caplog.records if r.name == "postcore"]
    text = "\n".join(lines)
    assert "POST /profiles/create attempt=1/3 status=429" in text
    assert "retrying in 0.000s" in text
    assert "POST /profiles/create attempt=2/3 status=201" in text
    assert server.api_key not in text


def test_postcore_log_env_prints_attempts_without_the_key(server: MockServer) -> None:
    script = "import postcore; postcore.Postcore().create_profile('env-logged')"
    env = dict(
        os.environ,
        POSTCORE_LOG="debug",
        POSTCORE_API_KEY=server.api_key,
        POSTCORE_BASE_URL=server.url,
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert "[postcore] POST /profiles/create attempt=1/3 status=201" in done.stderr
    assert server.api_key not in done.stderr + done.stdout


EXIT_SCRIPT = """
import asyncio, postcore
async def main():
    async with postcore.AsyncPostcore() as c:
        await asyncio.gather(*(c.create_profile(profile_name=f"x{i}") for i in range(500)))
asyncio.run(main())
"""


def test_interpreter_exit_after_many_async_calls_is_clean(server: MockServer) -> None:
    # Regression: a runtime thread handing back a result while the interpreter finalized
    # crashed the process at exit (about 1 run in 4 before the atexit shutdown).
    env = dict(os.environ, POSTCORE_API_KEY=server.api_key, POSTCORE_BASE_URL=server.url)
    for _ in range(8):
        done = subprocess.run(
            [sys.executable, "-c", EXIT_SCRIPT], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr[-2000:]


FIRST_IMPORT_ON_A_THREAD_SCRIPT = """
import threading
def call():
    import postcore  # the first thread loads the extension, and ends
    postcore.Postcore().profiles.list()
for _ in range(8):
    thread = threading.Thread(target=call)
    thread.start()
    thread.join()
print("ok")
"""


def test_first_import_on_a_thread_that_ends(server: MockServer) -> None:
    # Regression: the extension's allocator (mimalloc 3) took the thread that first loaded it
    # for the main thread; a later thread given that ended thread's control block (glibc
    # reuses its stack) crashed with SIGSEGV at its first allocation, every run.
    env = dict(os.environ, POSTCORE_API_KEY=server.api_key, POSTCORE_BASE_URL=server.url)
    done = subprocess.run(
        [sys.executable, "-c", FIRST_IMPORT_ON_A_THREAD_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip() == "ok"


def test_module_level_create_profile_reuses_one_client(server: MockServer) -> None:
    first = postcore.create_profile(profile_name="User: john@example.com")
    default = postcore._client._default_client
    second = postcore.create_profile()
    assert postcore._client._default_client is default is not None
    assert first.profile_name == "User: john@example.com"
    assert second.profile_name is None
    assert first.profile_key != second.profile_key
    requests = server.requests()
    assert [r["body"] for r in requests] == ['{"profileName":"User: john@example.com"}', "{}"]


# ------------------------------------------------------------------------------ values


def test_profile_value(server: MockServer) -> None:
    with client(server) as c:
        profile = c.create_profile("User: john@example.com")
    assert profile.profile_key.startswith("prof_")
    # The create call's answer has no createdAt / connectedPlatforms: to_dict() is exactly
    # what the server sent (nothing invented); the attributes read as None / empty.
    assert profile.to_dict() == {
        "profileKey": profile.profile_key,
        "profileName": "User: john@example.com",
    }
    assert (profile.created_at, profile.connected_platforms) == (None, ())
    assert pickle.loads(pickle.dumps(profile)).to_dict() == profile.to_dict()
    assert copy.deepcopy(profile).to_dict() == profile.to_dict()
    assert repr(profile) == (
        f"Profile(profile_key='{profile.profile_key}', profile_name='User: john@example.com', "
        "created_at=None, connected_platforms=())"
    )
    same = postcore.Profile(profile.profile_key, "User: john@example.com")
    assert profile == same and hash(profile) == hash(same)
    assert profile != postcore.Profile(profile.profile_key, None)
    assert pickle.loads(pickle.dumps(profile)) == profile
    assert repr(postcore.Profile("prof_1")).startswith(
        "Profile(profile_key='prof_1', profile_name=None,"
    )
    with pytest.raises(AttributeError):
        profile.profile_key = "other"  # type: ignore[misc]


def test_to_dict_is_what_the_server_sent(server: MockServer) -> None:
    server.faults(
        [
            {
                "status": 201,
                "body": {
                    "profileKey": "prof_abc123def456",
                    "profileName": None,
                    "plan": {"tier": "pro"},
                },
            }
        ]
    )
    with client(server) as c:
        profile = c.create_profile()
        # Null and unknown fields are kept, absent ones left out.
        assert profile.to_dict() == {
            "profileKey": "prof_abc123def456",
            "profileName": None,
            "plan": {"tier": "pro"},
        }
        key = c.profiles.connect_bluesky("ann.bsky.social", "abcd-efgh-ijkl-mnop").profile_key
        assert key is not None
        at = datetime.now(timezone.utc) + timedelta(hours=1)
        scheduled = c.posts.create(key, "Hello!", ["bluesky"], at)
    # The server does not send the posts' profileKey / content back: the attributes hold
    # the call's arguments, to_dict() what the server sent.
    post = scheduled.posts[0]
    assert (post.profile_key, post.content) == (key, "Hello!")
    assert set(post.to_dict()) == {"postId", "platform", "scheduledFor", "createdAt", "status"}
    assert set(scheduled.to_dict()) == {"posts", "usage"}
    assert scheduled.usage.remaining == 9


def test_a_documented_field_left_out_reads_as_an_attribute_error(server: MockServer) -> None:
    at = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    post = {"postId": "post_1", "platform": "bluesky", "scheduledFor": at, "status": "pending"}
    server.faults([{"status": 201, "body": {"posts": [post]}}])
    with client(server) as c:
        scheduled = c.posts.create(
            "prof_1", "Hi", ["bluesky"], datetime.fromisoformat(at[:-1] + "+00:00")
        )
    assert scheduled.to_dict() == {"posts": [post]}
    with pytest.raises(AttributeError, match="the server's answer had no 'usage'"):
        scheduled.usage  # noqa: B018
    assert not hasattr(scheduled, "usage")
    assert "usage=<absent>" in repr(scheduled)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        scheduled.nope  # type: ignore[attr-defined]  # noqa: B018


def test_reprs_never_show_the_key(server: MockServer) -> None:
    c = client(server, timeout=30, max_retries=1)
    assert repr(c) == f"Postcore(base_url='{server.url}', timeout=30.0, max_retries=1)"
    a = aclient(server)
    assert repr(a) == f"AsyncPostcore(base_url='{server.url}', timeout=60.0, max_retries=2)"
    for text in (repr(c), str(c), repr(a), repr(c._native)):
        assert server.api_key not in text


# ------------------------------------------------------------------------------ errors


ERROR_CLASSES = [
    postcore.PostcoreError,
    postcore.APIError,
    postcore.BadRequestError,
    postcore.AuthenticationError,
    postcore.PermissionDeniedError,
    postcore.NotFoundError,
    postcore.ConflictError,
    postcore.UnprocessableEntityError,
    postcore.RateLimitError,
    postcore.InternalServerError,
    postcore.APIResponseValidationError,
    postcore.APIConnectionError,
    postcore.APITimeoutError,
    postcore.ConfigurationError,
]


def test_error_hierarchy() -> None:
    for cls in ERROR_CLASSES:
        assert issubclass(cls, postcore.PostcoreError) and issubclass(cls, Exception)
        assert cls.__module__ == "postcore" and cls.__doc__
    for cls in ERROR_CLASSES[2:11]:
        assert issubclass(cls, postcore.APIError)
    assert issubclass(postcore.APITimeoutError, postcore.APIConnectionError)
    assert issubclass(postcore.ConfigurationError, ValueError)


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_errors_pickle(cls: type) -> None:
    error = cls(
        "429 RATE_LIMIT_EXCEEDED: wait",
        message="wait",
        status_code=429,
        code="RATE_LIMIT_EXCEEDED",
        body={"retry_after": 3},
        body_text='{"retry_after":3}',
        headers={"retry-after": "3"},
        retry_after=3.0,
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert str(copy) == str(error) == "429 RATE_LIMIT_EXCEEDED: wait"
    for attr in ("message", "status_code", "code", "body", "body_text", "headers", "retry_after"):
        assert getattr(copy, attr) == getattr(error, attr), attr
    plain = cls("just text")
    assert plain.message == "just text" and plain.status_code is None and plain.headers == {}
    assert pickle.loads(pickle.dumps(plain)).message == "just text"


def test_raised_error_carries_everything_and_pickles(server: MockServer) -> None:
    server.faults(
        [
            {
                "status": 429,
                "body": {
                    "error": "RATE_LIMIT_EXCEEDED",
                    "message": "Try in 243 s",
                    "retry_after": 243,
                },
                "headers": {"X-Request-Id": "req_1"},
            }
        ]
    )
    with client(server) as c, pytest.raises(postcore.RateLimitError) as info:
        c.create_profile("x")
    error = info.value
    assert error.status_code == 429 and error.code == "RATE_LIMIT_EXCEEDED"
    assert error.message == "Try in 243 s"
    assert str(error) == "429 RATE_LIMIT_EXCEEDED: Try in 243 s"
    assert error.body == {
        "error": "RATE_LIMIT_EXCEEDED",
        "message": "Try in 243 s",
        "retry_after": 243,
    }
    assert error.retry_after == 243.0
    assert error.headers["x-request-id"] == "req_1"
    assert all(name == name.lower() for name in error.headers)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is postcore.RateLimitError
    assert (copy.status_code, copy.code, copy.body, copy.headers, copy.retry_after) == (
        429,
        "RATE_LIMIT_EXCEEDED",
        error.body,
        error.headers,
        243.0,
    )


def test_timeout_is_api_timeout_error(server: MockServer) -> None:
    server.faults([{"delay_ms": 2000}])
    with client(server) as c, pytest.raises(postcore.APITimeoutError) as info:
        c.create_profile("slow", timeout=0.2)
    assert isinstance(info.value, postcore.APIConnectionError)
    assert info.value.status_code is None and info.value.body is None


def test_connection_error_has_no_response(refused_url: str) -> None:
    c = postcore.Postcore(api_key="k", base_url=refused_url, max_retries=0)
    with c, pytest.raises(postcore.APIConnectionError) as info:
        c.create_profile("x")
    error = info.value
    assert type(error) is postcore.APIConnectionError
    assert (error.status_code, error.code, error.body, error.headers) == (None, None, None, {})


# ----------------------------------------------------------------------- docs and types


def test_version_and_user_agent(server: MockServer) -> None:
    assert postcore.__version__ == "0.1.0"
    with client(server) as c:
        c.create_profile()
    assert (
        server.requests()[0]["headers"]["user-agent"] == f"postcore-python/{postcore.__version__}"
    )


def test_every_public_name_is_documented() -> None:
    for name in postcore.__all__:
        obj = getattr(postcore, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
    classes: tuple[type, ...] = (postcore.Postcore, postcore.AsyncPostcore, postcore.Profile)
    classes += (postcore.Profiles, postcore.Posts, postcore.AsyncProfiles, postcore.AsyncPosts)
    for cls in classes:
        for attr in dir(cls):
            value = inspect.getattr_static(cls, attr)
            if not attr.startswith("_") and (callable(value) or isinstance(value, property)):
                assert getattr(value, "__doc__", None), f"{cls.__name__}.{attr}"
    text = pydoc.render_doc(postcore.Postcore, renderer=pydoc.plaintext)
    assert "create_profile" in text and "POSTCORE_API_KEY" in text and "max_retries" in text


def test_type_information_ships() -> None:
    package = Path(postcore.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_postcore.pyi").is_file()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads Linux's /proc")
def test_runtime_threads_leave_ctrl_c_to_the_main_thread(server: MockServer) -> None:
    # A SIGINT delivered to a runtime thread would not wake the main thread from time.sleep():
    # the runtime's threads block it, so the kernel picks the main thread.
    with client(server) as c:
        c.profiles.list()
    masks = {}
    for task in Path("/proc/self/task").iterdir():
        name = (task / "comm").read_text().strip()
        if name.startswith("postcore-runtim"):
            status = (task / "status").read_text()
            blocked = int(
                next(line.split()[1] for line in status.splitlines() if line.startswith("SigBlk")),
                16,
            )
            masks[task.name] = blocked
    assert masks, "no runtime thread found"
    for blocked in masks.values():
        assert blocked & (1 << (signal.SIGINT - 1)) and blocked & (1 << (signal.SIGTERM - 1))
