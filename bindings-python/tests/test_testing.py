"""The testing kit, ``postcore.testing``: the mock server compiled into the package, its
controls, the ``postcore_mock`` pytest fixture (through the ``pytest11`` entry point) and
``python -m postcore.testing``. These tests use no external server (``conftest.py``'s
``server`` fixture is not involved)."""

from __future__ import annotations

import ast
import gc
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import requests

import postcore
from postcore import _postcore
from postcore.testing import DEFAULT_API_KEY, MockServer, RecordedRequest

from .conftest import UNLIMITED

APP_PASSWORD = "abcd-efgh-ijkl-mnop"


def refuses_connections(port: int, within: float = 2.0) -> bool:
    """Whether 127.0.0.1:port refuses connections (polling: a stop is asynchronous)."""
    deadline = time.monotonic() + within
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except ConnectionRefusedError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


# ------------------------------------------------------------------------- the API


def test_sync_client_whole_flow() -> None:
    with MockServer() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.api_key == DEFAULT_API_KEY == "pc_test_key"
        client = server.client()
        assert client.base_url == server.base_url
        profile = client.create_profile(profile_name="User: a@example.com")
        client.profiles.connect_bluesky("ann.bsky.social", APP_PASSWORD, profile.profile_key)
        due = server.now() + timedelta(seconds=60)
        scheduled = client.posts.create(profile.profile_key, "Hello", ["bluesky"], due)
        post_id = scheduled.posts[0].post_id

        assert [p.profile_key for p in server.profiles] == [profile.profile_key]
        assert isinstance(server.profiles[0], postcore.Profile)
        assert server.profiles[0].connected_platforms[0].username == "ann.bsky.social"
        [post] = server.posts
        assert isinstance(post, postcore.Post)
        assert (post.post_id, post.status, post.content) == (post_id, "pending", "Hello")

        before = server.now()
        after = server.advance(seconds=120)
        assert after - before >= timedelta(seconds=119)
        assert server.posts[0].status == "published"
        assert server.posts[0].platform_url is not None
        assert client.posts.retrieve(post_id).status == "published"

        first = server.requests[0]
        assert isinstance(first, RecordedRequest)
        assert (first.method, first.path, first.status) == ("POST", "/profiles/create", 201)
        assert first.body == {"profileName": "User: a@example.com"}
        assert first.headers["x-api-key"] == server.api_key
        assert first.headers["content-type"] == "application/json"
        assert first.headers["user-agent"].startswith("postcore-python/")
        assert first.time.tzinfo is not None
        assert [r.path for r in server.requests][-1] == f"/posts/{post_id}"
        assert server.requests[-1].body is None and server.requests[-1].body_text == ""

        server.reset()
        assert server.requests == [] and server.profiles == [] and server.posts == []
        assert abs((server.now() - before).total_seconds()) < 60  # the clock is back
        client.close()
    assert not server.running
    assert refuses_connections(server.port)


async def test_async_client() -> None:
    with MockServer(api_key="pc_async_key_123") as server:
        async with server.async_client() as client:
            profile = await client.profiles.create(profile_name="async")
            listed = await client.profiles.list()
        assert [p.profile_key for p in listed] == [profile.profile_key]
        assert server.requests[0].headers["x-api-key"] == "pc_async_key_123"
        server.fail_next(404, body={"error": "PROFILE_NOT_FOUND", "message": "Profile not found"})
        async with server.async_client() as client:
            with pytest.raises(postcore.NotFoundError):
                await client.profiles.delete(profile.profile_key)


def test_the_docs_requests_snippet() -> None:
    """The API docs' Python example, with ``requests``, against the kit."""
    with MockServer() as server:
        response = requests.post(
            f"{server.base_url}/profiles/create",
            headers={"x-api-key": server.api_key, "Content-Type": "application/json"},
            json={"profileName": "User: john@example.com"},
            timeout=10,
        )
        assert response.status_code == 201
        profile_key = response.json()["profileKey"]
        assert profile_key.startswith("prof_")
        assert int(response.headers["X-RateLimit-Limit"]) == UNLIMITED
        assert server.profiles[0].profile_key == profile_key
        assert server.requests[0].body == {"profileName": "User: john@example.com"}
        wrong = requests.get(
            f"{server.base_url}/profiles", headers={"x-api-key": "nope"}, timeout=10
        )
        assert wrong.status_code == 401 and wrong.json()["error"] == "INVALID_API_KEY"


# ----------------------------------------------------------------------------- fail_next


def test_fail_next_status_body_and_times() -> None:
    with MockServer() as server:
        client = server.client(max_retries=0)
        server.fail_next(status=503)
        with pytest.raises(postcore.InternalServerError) as info:
            client.profiles.list()
        assert info.value.status_code == 503
        assert server.requests[-1].status == 503
        client.profiles.list()  # once only

        server.fail_next()  # nothing said: a 500
        with pytest.raises(postcore.InternalServerError) as info:
            client.profiles.list()
        assert info.value.status_code == 500

        server.fail_next(
            429,
            body={"error": "RATE_LIMIT_EXCEEDED", "message": "Slow down", "retry_after": 600},
            headers={"Retry-After": "600"},
        )
        with pytest.raises(postcore.RateLimitError) as limited:
            client.profiles.create(profile_name="x")
        assert limited.value.retry_after == 600 and limited.value.code == "RATE_LIMIT_EXCEEDED"
        # The client now keeps to that pause by itself: nothing more reaches the server.
        seen = len(server.requests)
        with pytest.raises(postcore.RateLimitError) as paused:
            client.profiles.list()
        assert paused.value.attempts == 0 and paused.value.retry_after is not None
        assert 590 < paused.value.retry_after <= 600 and len(server.requests) == seen
        # A reset gives the clients made afterwards a fresh budget.
        server.reset()
        client = server.client(max_retries=0)

        server.fail_next(502, times=2)
        for _ in range(2):
            with pytest.raises(postcore.InternalServerError):
                client.profiles.list()
        assert client.profiles.list() == []

        # The client retries a GET after a 503 by itself (default max_retries=2).
        server.fail_next(503)
        assert server.client().profiles.list() == []
        assert [r.status for r in server.requests[-2:]] == [503, 200]

        server.fail_next(500, body="plain text")
        with pytest.raises(postcore.InternalServerError) as text:
            client.profiles.list()
        assert text.value.body == "plain text"
        server.fail_next(500, body=b"\xff\xfe")
        with pytest.raises(postcore.InternalServerError):
            client.profiles.list()


def test_fail_next_headers_delay_drop_process() -> None:
    with MockServer() as server:
        client = server.client(max_retries=0)
        # Headers only: the real answer, with the header added.
        server.fail_next(headers={"x-extra": "yes"})
        raw = client.with_raw_response.profiles.list()
        assert raw.status_code == 200 and raw.headers["x-extra"] == "yes"

        # A delay: the real answer, late (here: later than the client waits).
        server.fail_next(delay=1.5)
        started = time.monotonic()
        with pytest.raises(postcore.APITimeoutError):
            client.profiles.list(timeout=0.3)
        assert time.monotonic() - started < 1.4
        server.fail_next(delay=0.2)
        started = time.monotonic()
        client.profiles.list()
        assert time.monotonic() - started >= 0.2

        server.fail_next(action="drop")
        with pytest.raises(postcore.APIConnectionError):
            client.profiles.list()
        assert server.requests[-1].status is None

        # Processed, then the answer is lost: the profile exists although the call failed.
        server.fail_next(action="drop", process=True)
        with pytest.raises(postcore.APIConnectionError) as lost:
            client.profiles.create(profile_name="ghost")
        assert lost.value.may_have_been_processed
        assert [p.profile_name for p in server.profiles] == ["ghost"]

        server.fail_next(action="truncate")
        with pytest.raises(postcore.APIConnectionError):
            client.profiles.list()


def test_fail_next_refuses_nonsense() -> None:
    with MockServer() as server:
        with pytest.raises(ValueError, match="action"):
            server.fail_next(action="explode")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="status"):
            server.fail_next(status=42)
        with pytest.raises(ValueError, match="drop"):
            server.fail_next(503, action="drop")
        with pytest.raises(ValueError, match="delay"):
            server.fail_next(delay=-1)
        with pytest.raises(ValueError, match="times"):
            server.fail_next(times=0)
        with pytest.raises(TypeError):
            server.fail_next(delay="1")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="invalid fault"):
            server.fail_next(headers={"x": 1})  # type: ignore[dict-item]
        with pytest.raises(ValueError):
            server.advance(seconds=-5)
        with pytest.raises(ValueError):
            server.advance(seconds=float("nan"))
        assert server.requests == []  # nothing was queued: the next request is answered
        assert server.client().profiles.list() == []


# ------------------------------------------------------------------- options and life cycle


def test_options() -> None:
    with MockServer(rate_limit=2, rate_window=30, posts_per_month=1) as server:
        client = server.client(max_retries=0)
        raw = client.with_raw_response.profiles.list()
        assert raw.rate_limit is not None and raw.rate_limit.limit == 2
        client.profiles.list()
        # The window is spent: the client would wait for it, up to max_rate_limit_wait.
        with pytest.raises(postcore.RateLimitError) as limited:
            client.with_options(max_rate_limit_wait=0).profiles.list()
        assert limited.value.retry_after is not None and limited.value.retry_after <= 30
        assert limited.value.attempts == 0 and len(server.requests) == 2
        # Without the client's pacing, the server refuses the third request itself.
        server.advance(seconds=31)  # a new window
        statuses = [
            requests.get(
                f"{server.base_url}/profiles", headers={"x-api-key": server.api_key}, timeout=10
            ).status_code
            for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        server.reset()  # a new window, and a fresh budget for the clients made from now on
        client = server.client(max_retries=0)
        key = server.seed({"profiles": [{"connect": ["bluesky"]}]})["profiles"][0]
        due = server.now() + timedelta(minutes=5)
        client.posts.create(key, "one", ["bluesky"], due)
        with pytest.raises(postcore.APIError) as quota:
            client.posts.create(key, "two", ["bluesky"], due + timedelta(minutes=5))
        assert quota.value.code == "MONTHLY_LIMIT_EXCEEDED"

    for bad in ({"port": -1}, {"rate_window": 0}, {"api_key": ""}, {"posts_per_month": -1}):
        with pytest.raises(ValueError):
            MockServer(**bad)
    with pytest.raises(TypeError):
        MockServer(port="4010")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid seed"), MockServer() as server:
        server.seed({"profiles": [{"nope": 1}]})


def test_loopback_only_and_dashboard() -> None:
    assert "host" not in MockServer.__init__.__code__.co_varnames
    with MockServer() as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert server.dashboard_url == f"http://127.0.0.1:{server.port}/"
        with urllib.request.urlopen(server.dashboard_url, timeout=10) as page:
            assert page.status == 200 and "text/html" in page.headers["content-type"]
        assert server.env == {
            "POSTCORE_API_KEY": server.api_key,
            "POSTCORE_BASE_URL": server.base_url,
            "POSTCORE_STORE": server.store,
        }
        assert server.store.startswith("memory://postcore-mock-")
        # 127.0.0.1 only: not even the IPv6 loopback.
        if socket.has_ipv6:
            with socket.socket(socket.AF_INET6) as probe:
                probe.settimeout(1)
                assert probe.connect_ex(("::1", server.port)) != 0


def test_life_cycle() -> None:
    server = MockServer()
    assert "not started" in repr(server) and not server.running
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.base_url
    server.start()
    assert server.start() is server  # already running: the same server
    port = server.port
    server.client().create_profile()
    server.stop()
    assert refuses_connections(port)
    assert "stopped" in repr(server) and "pc_test_key" not in repr(server)
    with pytest.raises(RuntimeError, match="stopped"):
        _ = server.requests
    with pytest.raises(RuntimeError, match="stopped"):
        server.fail_next(503)
    server.close()  # twice: harmless

    # The port is free again at once; a restart is a fresh server.
    with MockServer(port=port) as again:
        assert again.port == port and again.profiles == []
        with pytest.raises(OSError) as busy:
            MockServer(port=port).start()
        assert busy.value.errno is not None
    server.start()
    assert server.profiles == []
    server.stop()


def test_garbage_collected_server_stops() -> None:
    server = MockServer().start()
    port = server.port
    del server
    gc.collect()
    assert refuses_connections(port)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_fork_child_uses_the_parents_server() -> None:
    with MockServer() as server:
        server.client().create_profile(profile_name="parent")
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through its exit code
            code = 1
            try:
                try:
                    _ = server.requests
                except RuntimeError as e:
                    assert "belongs to process" in str(e)
                    # The parent serves; the child can still talk to it.
                    server.client().create_profile(profile_name="child")
                    server.stop()  # lets go of the copy only
                    # A server of its own works in the child.
                    with MockServer() as own:
                        own.client().create_profile(profile_name="own")
                        assert [p.profile_name for p in own.profiles] == ["own"]
                    code = 0
            finally:
                os._exit(code)
        deadline = time.monotonic() + 30
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                pytest.fail("the forked child hung")
            time.sleep(0.02)
        assert os.waitstatus_to_exitcode(status) == 0
        assert server.running
        assert [p.profile_name for p in server.profiles] == ["parent", "child"]


def test_the_native_stub_matches_the_class() -> None:
    tree = ast.parse((Path(postcore.__file__).parent / "_postcore.pyi").read_text())
    [stub] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "MockServer"]
    declared = {n.name for n in stub.body if isinstance(n, ast.FunctionDef)}
    native = {n for n in dir(_postcore.MockServer) if not n.startswith("_")} | {"__new__"}
    assert declared == native, declared ^ native


# ----------------------------------------------------------------------- the pytest fixture


def test_fixture_through_the_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app=textwrap.dedent(
            """
            import os

            import pytest

            import postcore


            def test_fixture(postcore_mock):
                client = postcore_mock.client()
                profile = client.create_profile(profile_name="from the fixture")
                assert postcore_mock.profiles[0].profile_key == profile.profile_key
                # Code that builds its client from the environment talks to it too.
                assert os.environ["POSTCORE_BASE_URL"] == postcore_mock.base_url
                assert postcore.create_profile(profile_name="env").profile_name == "env"
                assert len(postcore_mock.profiles) == 2


            def test_fresh_per_test(postcore_mock):
                assert postcore_mock.profiles == [] and postcore_mock.requests == []


            @pytest.mark.postcore_mock(rate_limit=1, api_key="pc_marked_key")
            def test_marker(postcore_mock):
                client = postcore_mock.client(max_retries=0)
                assert client.profiles.list() == []
                with pytest.raises(postcore.RateLimitError):
                    client.profiles.list()
                assert postcore_mock.api_key == "pc_marked_key"


            def test_without_the_fixture():
                assert "POSTCORE_BASE_URL" not in os.environ
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=4)
    # Disabled by name, the plugin is gone (and nothing else breaks).
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    plain = pytester.runpytest_subprocess("-p", "no:postcore", "test_plain.py")
    plain.assert_outcomes(passed=1)


# --------------------------------------------------------------- python -m postcore.testing


def thread_states(pid: int) -> list[str]:
    """Name, state and signal masks of each thread of ``pid`` (for a failure message)."""
    states = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            status = dict(
                line.split(":\t", 1) for line in (task / "status").read_text().splitlines()
            )
            wchan = (task / "wchan").read_text()
        except OSError:
            continue
        states.append(
            f"{status.get('Name', '?').strip()} {status.get('State', '?').strip()} "
            f"blk={status.get('SigBlk', '?').strip()} ign={status.get('SigIgn', '?').strip()} "
            f"cgt={status.get('SigCgt', '?').strip()} wchan={wchan}"
        )
    return states


def test_python_m_postcore_testing() -> None:
    env = {k: v for k, v in os.environ.items() if k != "POSTCORE_API_KEY"}
    process = subprocess.Popen(
        [sys.executable, "-m", "postcore.testing", "--port", "0", "--rate-limit", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        headers = {"x-api-key": DEFAULT_API_KEY}
        statuses = [
            requests.get(f"{url}/profiles", headers=headers, timeout=10).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"no exit 10 s after SIGINT; the child's threads: {thread_states(process.pid)}"
            )
        assert code == 0
        stderr = process.stderr.read()
        assert "dashboard at http://127.0.0.1:" in stderr and "stopped" in stderr
        assert "accepts x-api-key pc_t…_key (the default test key)" in stderr
        assert refuses_connections(int(url.rsplit(":", 1)[1]))
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)

    # A key from the environment (perhaps a real one) is shown masked, with its origin.
    secret = "pc_live_SUPERSECRET_123"
    process = subprocess.Popen(
        [sys.executable, "-m", "postcore.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "POSTCORE_API_KEY": secret},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        headers = {"x-api-key": secret}
        assert requests.get(f"{url}/profiles", headers=headers, timeout=10).status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        _, stderr = process.communicate(timeout=10)
    assert "accepts x-api-key pc_l…_123 (from $POSTCORE_API_KEY)" in stderr, stderr
    assert "SUPERSECRET" not in stderr

    # SIGTERM stops it as well; a port in use is an error.
    with MockServer() as busy:
        taken = subprocess.run(
            [sys.executable, "-m", "postcore.testing", "--port", str(busy.port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert taken.returncode == 2 and "in use" in taken.stderr
    term = subprocess.Popen(
        [sys.executable, "-m", "postcore.testing", "--api-key", "pc_cli_key"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert term.stdout is not None
        url = term.stdout.readline().strip()
        response = requests.get(f"{url}/profiles", headers={"x-api-key": "pc_cli_key"}, timeout=10)
        assert response.json() == {"profiles": []}
        term.terminate()
        assert term.wait(timeout=10) == 0
    finally:
        if term.poll() is None:
            term.kill()
        term.communicate(timeout=10)
