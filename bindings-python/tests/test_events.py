"""Many posts on one list call, events, and webhook signatures, against the mock with its
clock moved rather than real waits (the Python face of ``core/tests/events.rs``): the blocking
and the asyncio client, watcher processes killed with ``kill -9`` and restarted (``sqlite://``),
two watchers sharing one consumer (``redis://``), and the verification helpers."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import postcore
import postcore.webhooks
from postcore import _postcore
from postcore.testing import MockServer as KitServer

from .conftest import BOTH, MockServer, aclient, client, close, done, make

# ------------------------------------------------------------------------ wait_many


@BOTH
async def test_wait_many_follows_a_thousand_posts_with_one_listing_per_poll(kind: str) -> None:
    # The documented limit, enforced: the wait must stay inside it.
    with KitServer(rate_limit=100, posts_per_month=100_000) as server:
        profiles = server.seed({"profiles": [{"connect": ["linkedin", "bluesky"], "count": 50}]})
        keys = profiles["profiles"]
        posts = [
            {
                "profileKey": keys[i % 50],
                "platform": "linkedin" if i % 2 == 0 else "bluesky",
                "content": f"post {i}",
                "scheduledFor": f"$NOW+{60 + i * 3}",  # due over the next hour
            }
            for i in range(1000)
        ]
        ids = server.seed({"posts": posts})["posts"]
        c = server.client() if kind == "sync" else server.async_client()
        with ThreadPoolExecutor(1) as pool:
            if isinstance(c, postcore.Postcore):
                waiting: asyncio.Future[list[postcore.Post]] = asyncio.wrap_future(
                    pool.submit(c.posts.wait_many, ids, timeout=60, interval=0.1)
                )
            else:
                waiting = asyncio.ensure_future(c.posts.wait_many(ids, timeout=60, interval=0.1))
            # The hour goes by in ten-minute steps.
            for _ in range(7):
                await asyncio.sleep(0.4)
                server.advance(600)
            finished = await asyncio.wait_for(waiting, 30)
        await close(c)
        requests = server.requests
    assert [p.post_id for p in finished] == ids, "in the given order"
    assert all(p.status in ("published", "failed") for p in finished)
    assert all(isinstance(p, postcore.Post) for p in finished)
    assert {(r.method, r.path) for r in requests} == {("GET", "/posts")}, "only listings"
    assert all(r.status != 429 for r in requests), "no 429"
    # One listing per poll, a few polls per ten minutes of the server's clock.
    assert len(requests) <= 40, f"{len(requests)} listings"


def _seed_soon_and_later(server: MockServer) -> list[str]:
    server.seed({"profiles": [{"profileKey": "prof_many", "connect": ["bluesky"]}]})
    seeded = server.seed(
        {
            "posts": [
                {
                    "profileKey": "prof_many",
                    "platform": "bluesky",
                    "content": "soon",
                    "scheduledFor": "$NOW-1",
                },
                {
                    "profileKey": "prof_many",
                    "platform": "bluesky",
                    "content": "later",
                    "scheduledFor": "$NOW+3600",
                },
            ]
        }
    )
    ids: list[str] = seeded["posts"]
    return ids


@BOTH
async def test_wait_many_timeout_carries_every_post_as_last_seen(
    kind: str, server: MockServer
) -> None:
    ids = _seed_soon_and_later(server)
    c = make(kind, server)
    started = time.monotonic()
    with pytest.raises(postcore.WaitTimeoutError) as info:
        await done(c.posts.wait_many(ids, timeout=0.4, interval=0.05))
    assert time.monotonic() - started < 5
    error = info.value
    assert [(p.post_id, p.status) for p in error.posts] == [
        (ids[0], "published"),
        (ids[1], "pending"),
    ]
    assert error.post is not None and error.post.post_id == ids[1]
    assert "1 of 2 posts were still pending" in str(error)
    # Deleted, or never created: not a timeout, an error at once.
    with pytest.raises(postcore.NotFoundError, match="post_nosuchpost1"):
        await done(c.posts.wait_many(["post_nosuchpost1"], timeout=5))
    await close(c)


@BOTH
async def test_wait_many_returns_posts_in_order_with_raw_response(
    kind: str, server: MockServer
) -> None:
    ids = _seed_soon_and_later(server)
    server.advance(3601)
    c = make(kind, server)
    posts = await done(c.posts.wait_many(list(reversed(ids)), timeout=10))
    assert [p.post_id for p in posts] == list(reversed(ids))
    assert [p.status for p in posts] == ["published", "published"]
    response = await done(c.with_raw_response.posts.wait_many(tuple(ids), timeout=10))
    assert isinstance(response, postcore.APIResponse)
    assert response.status_code == 200 and response.attempts == 1
    assert [p.post_id for p in response.parse()] == ids
    assert response.rate_limit is not None
    # A single wait's timeout carries its one post in `posts` too; other errors none.
    assert postcore.APIError("x").posts == []
    assert [r["path"] for r in server.requests()] == ["/posts", "/posts"]
    await close(c)


# --------------------------------------------------------------------------- events


def about(event: postcore.Event) -> str:
    """What an event is about: the post id, the profile key, or ``key:platform``."""
    data = event.data
    if isinstance(data, postcore.Post):
        return data.post_id
    if isinstance(data, postcore.Profile):
        return data.profile_key
    assert isinstance(data, postcore.ConnectedPlatform), data
    return f"{event.profile_key}:{data.platform}"


class Collector:
    """A consumer's events, gathered in the background from either client."""

    def __init__(self, kind: str, server: MockServer, consumer: str) -> None:
        self.client = make(kind, server)
        self.events: queue.Queue[postcore.Event | BaseException] = queue.Queue()
        self.seen: list[postcore.Event] = []
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        iterator = self.client.events(consumer=consumer, interval=0.1)
        if isinstance(iterator, postcore.Events):
            self._thread = threading.Thread(target=self._run, args=(iterator,), daemon=True)
            self._thread.start()
        else:
            self._task = asyncio.ensure_future(self._run_async(iterator))

    def _run(self, events: postcore.Events) -> None:
        try:
            for event in events:
                self.events.put(event)
        except postcore.PostcoreError as error:  # the client closed at the end
            self.events.put(error)

    async def _run_async(self, events: postcore.AsyncEvents) -> None:
        async for event in events:
            self.events.put(event)

    async def expect(self, *wanted: tuple[str, str], deadline: float = 10.0) -> None:
        """Waits until every (type, about) of ``wanted`` was seen."""
        end = time.monotonic() + deadline
        while True:
            missing = [w for w in wanted if not any((e.type, about(e)) == w for e in self.seen)]
            if not missing:
                return
            assert time.monotonic() < end, f"no {missing} within {deadline} s; seen {self}"
            self.drain()
            await asyncio.sleep(0.02)

    def drain(self) -> None:
        while True:
            try:
                item = self.events.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, BaseException):
                raise item
            self.seen.append(item)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await self._task
        await close(self.client)
        if self._thread is not None:
            self._thread.join(10)
            assert not self._thread.is_alive()

    def __repr__(self) -> str:
        return repr([f"{e.type} {about(e)}" for e in self.seen])


async def first_poll(server: MockServer, deadline: float = 10.0) -> None:
    """Waits for a consumer's first poll (its starting point: no events for what exists)."""
    end = time.monotonic() + deadline
    while not any(r["path"] == "/profiles" for r in server.requests()):
        assert time.monotonic() < end, "no first poll"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.05)


@BOTH
async def test_every_event_type_comes_exactly_once(kind: str, server: MockServer) -> None:
    before = server.seed({"profiles": [{"connect": ["bluesky"]}]})["profiles"][0]
    watcher = Collector(kind, server, "all-types")
    await first_poll(server)
    # A profile with both platforms, a post due in a minute, one in two hours, one too long
    # for Bluesky (it fails when due).
    key = server.seed({"profiles": [{"connect": ["linkedin", "bluesky"]}]})["profiles"][0]
    posts = server.seed(
        {
            "posts": [
                {
                    "profileKey": key,
                    "platform": "linkedin",
                    "content": "soon",
                    "scheduledFor": "$NOW+60",
                },
                {
                    "profileKey": key,
                    "platform": "linkedin",
                    "content": "later",
                    "scheduledFor": "$NOW+7200",
                },
                {
                    "profileKey": key,
                    "platform": "bluesky",
                    "content": "x" * 301,
                    "scheduledFor": "$NOW+60",
                },
            ]
        }
    )["posts"]
    li, bs = f"{key}:linkedin", f"{key}:bluesky"
    await watcher.expect(
        ("profile.created", key), ("connection.connected", li), ("connection.connected", bs)
    )
    server.advance(120)
    await watcher.expect(("post.published", posts[0]), ("post.failed", posts[2]))
    c = make(kind, server)
    await done(c.posts.delete(posts[1]))
    await watcher.expect(("post.deleted", posts[1]))
    # LinkedIn's token: 53 days on, 7 days left; 59 days on, 1 day left; then flagged.
    server.advance(53 * 86_400)
    await watcher.expect(("connection.expiring", li))
    server.advance(6 * 86_400)
    end = time.monotonic() + 10
    while sum(e.type == "connection.expiring" for e in watcher.seen) < 2:
        assert time.monotonic() < end, f"no second expiring event; seen {watcher}"
        watcher.drain()
        await asyncio.sleep(0.02)
    server.linkedin(key, needsReconnect=True)
    await watcher.expect(("connection.needs_reconnect", li))
    await done(c.profiles.delete(key))
    await watcher.expect(
        ("profile.deleted", key), ("connection.disconnected", li), ("connection.disconnected", bs)
    )
    # Nothing more, nothing twice, nothing about what existed before the consumer started.
    await asyncio.sleep(0.4)
    watcher.drain()
    await watcher.stop()
    await close(c)
    seen = watcher.seen
    assert sorted((e.type, about(e)) for e in seen) == sorted(
        [
            ("profile.created", key),
            ("connection.connected", li),
            ("connection.connected", bs),
            ("post.published", posts[0]),
            ("post.failed", posts[2]),
            ("post.deleted", posts[1]),
            ("connection.expiring", li),
            ("connection.expiring", li),
            ("connection.needs_reconnect", li),
            ("profile.deleted", key),
            ("connection.disconnected", li),
            ("connection.disconnected", bs),
        ]
    ), watcher
    assert set(Counter(e.type for e in seen)) == set(_postcore.EVENT_TYPES)
    assert len({e.id for e in seen}) == len(seen), "an event came twice"
    assert not any(before in about(e) for e in seen)
    # The models, and the JSON `postcore listen` sends.
    by_type = {e.type: e for e in seen}
    published = by_type["post.published"].data
    assert isinstance(published, postcore.Post) and published.platform_url
    created = by_type["profile.created"].data
    assert isinstance(created, postcore.Profile) and len(created.connected_platforms) == 2
    expiring = by_type["connection.needs_reconnect"]
    assert isinstance(expiring.data, postcore.ConnectedPlatform)
    assert expiring.data.needs_reconnect and expiring.profile_key == key
    assert by_type["post.deleted"].profile_key == key
    clock = server.clock()
    for event in seen:
        assert event.id.startswith("evt_")
        assert event.created_at.tzinfo is not None and event.created_at <= clock
        as_json = event.to_dict()
        assert list(as_json) == ["id", "type", "createdAt", "data"]
        assert as_json["createdAt"].endswith("Z")
        assert postcore.Event.from_dict(json.loads(json.dumps(as_json))) == event
    assert by_type["connection.connected"].to_dict()["data"]["profileKey"] == key


async def test_cancelling_an_async_wait_for_the_next_event(server: MockServer) -> None:
    async with aclient(server) as c:
        events = c.events(consumer="cancelled", interval=0.1)
        task = asyncio.ensure_future(events.__anext__())
        await first_poll(server)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        polls = len(server.requests())
        await asyncio.sleep(0.3)
        assert len(server.requests()) == polls, "the wait stopped"
        # The iterator is still usable: the next event comes.
        waiting = asyncio.ensure_future(events.__anext__())
        key = server.seed({"profiles": [{}]})["profiles"][0]
        event = await asyncio.wait_for(waiting, 10)
        assert (event.type, about(event)) == ("profile.created", key)
        # One wait at a time per iterator.
        second = asyncio.ensure_future(events.__anext__())
        await asyncio.sleep(0)
        with pytest.raises(RuntimeError, match="already waiting"):
            await events.__anext__()
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second


def test_events_arguments_are_checked_at_once(server: MockServer) -> None:
    with client(server) as c:
        for bad, error in [
            ({"consumer": ""}, ValueError),
            ({"consumer": "x" * 201}, ValueError),
            ({"consumer": "a\nb"}, ValueError),
            ({"consumer": 5}, TypeError),
            ({"interval": 0}, ValueError),
            ({"interval": "fast"}, TypeError),
        ]:
            with pytest.raises(error, match=next(iter(bad))):
                c.events(**bad)
        events = c.events()
        assert (events.consumer, events.interval) == ("default", None)
        assert repr(events) == "Events(consumer='default', interval=None)"
        assert iter(events) is events
    assert server.requests() == [], "nothing is sent before the first next()"


# ----------------------------------------------------------------- watcher processes

WATCHER = textwrap.dedent(
    """
    import sys, time
    import postcore

    # argv: store, consumer, log file, seconds of "work" per event, watcher name
    store, consumer, log, work, name = sys.argv[1:6]
    client = postcore.Postcore(store=store, default_headers={"x-watcher": name})
    print("ready", flush=True)
    with open(log, "a", buffering=1) as out:
        for event in client.events(consumer=consumer, interval=0.2):
            out.write(f"{name} {event.id} {event.type} {event.profile_key}\\n")
            time.sleep(float(work))
    """
)


class Watcher:
    """A watcher in a process of its own (``tests/test_events.py``'s ``WATCHER`` script)."""

    def __init__(
        self, server: MockServer, store: str, consumer: str, log: Path, name: str, work: float
    ) -> None:
        env = {**os.environ, "POSTCORE_API_KEY": server.api_key, "POSTCORE_BASE_URL": server.url}
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, "-c", WATCHER, store, consumer, str(log), str(work), name],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        assert line == "ready", f"the watcher did not start: {line} {self.stderr()}"

    def stderr(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        return self.process.stderr.read()

    def kill(self) -> None:
        """``kill -9``: no cleanup of any kind."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def lines(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


def wait_until(condition: Any, what: str, deadline: float = 15.0) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def scratch() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="postcore-events-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_watcher_killed_and_restarted_misses_and_repeats_nothing(
    server: MockServer, scratch: Path
) -> None:
    store = f"sqlite://{scratch / 'store.db'}"
    log = scratch / "events.log"
    first = Watcher(server, store, "crash", log, "first", work=0.3)
    try:
        wait_until(lambda: any(r["path"] == "/profiles" for r in server.requests()), "first poll")
        time.sleep(0.05)
        created = server.seed({"profiles": [{"count": 6}]})["profiles"]
        wait_until(lambda: len(lines(log)) >= 2, "two events")
        first.kill()  # while it works on an event it has not acknowledged
    finally:
        first.close()
    seen_first = lines(log)
    # While no watcher runs, more happens: the next one finds it.
    created += server.seed({"profiles": [{"count": 2}]})["profiles"]
    second = Watcher(server, store, "crash", log, "second", work=0)
    try:
        wait_until(lambda: {line[3] for line in lines(log)} >= set(created), "every event")
        time.sleep(0.6)  # and nothing more comes
    finally:
        second.close()
    seen = lines(log)
    assert all(line[2] == "profile.created" for line in seen), seen
    # Every profile once, except the event the first watcher was killed on (delivered, not
    # acknowledged): that one comes again, with the same id, first.
    keys = [line[3] for line in seen]
    assert sorted(set(keys)) == sorted(created), seen
    repeated = [k for k, n in Counter(keys).items() if n > 1]
    assert len(repeated) <= 1, seen
    if repeated:
        again = [line for line in seen if line[3] == repeated[0]]
        assert [line[0] for line in again] == ["first", "second"]
        assert again[0][1] == again[1][1], "the same event id"
        assert seen[len(seen_first)] == ["second", *again[0][1:]], "given again first"
        assert seen_first[-1][3] == repeated[0], "only the last unfinished one"


def redis_server(scratch: Path) -> Iterator[str]:
    """A ``redis-server`` of this test's own on a free port, keeping nothing on disk."""
    if shutil.which("redis-server") is None:
        pytest.fail(
            "redis-server is missing: install it with `apt-get install redis-server`, or run "
            "`make test`, which installs it (scripts/ensure-redis.sh)"
        )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [
            *("redis-server", "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(scratch)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        end = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert time.monotonic() < end, "redis-server did not start"
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait(10)


@pytest.fixture
def redis_url(scratch: Path) -> Iterator[str]:
    yield from redis_server(scratch)


def test_two_watchers_on_one_consumer_poll_one_at_a_time(
    server: MockServer, scratch: Path, redis_url: str
) -> None:
    log = scratch / "events.log"
    watchers = [Watcher(server, redis_url, "shared", log, name, work=0) for name in ("a", "b")]
    try:

        def pollers(since: int = 0) -> set[str]:
            return {
                r["headers"].get("x-watcher", "?")
                for r in server.requests()[since:]
                if r["path"] == "/posts"
            }

        wait_until(lambda: len(pollers()) >= 1, "a first poll")
        time.sleep(1.5)  # several intervals: still one poller
        assert len(pollers()) == 1, pollers()
        holder = next(iter(pollers()))
        other = next(w for w in watchers if w.name != holder)
        key = server.seed({"profiles": [{}]})["profiles"][0]
        wait_until(lambda: any(line[3] == key for line in lines(log)), "the first event")
        # The holder acknowledges that event when it asks for the next one, before it polls
        # again. Killed between the delivery and that acknowledgement it would have the event
        # given again by the other (at least once, as the test above checks): so it is killed
        # once it polls again, after acknowledging.
        delivered_at = len(server.requests())
        wait_until(lambda: holder in pollers(delivered_at), "the holder polling again")
        next(w for w in watchers if w.name == holder).kill()
        # The other takes over within an interval of the lease running out (its ttl is one
        # interval plus a second), and from then on it alone polls.
        killed_at = len(server.requests())
        wait_until(lambda: other.name in pollers(killed_at), "the other watcher polling", 10)
        took_over = len(server.requests())
        later = server.seed({"profiles": [{}]})["profiles"][0]
        wait_until(lambda: any(line[3] == later for line in lines(log)), "an event after")
        time.sleep(0.5)
        assert pollers(took_over) == {other.name}
    finally:
        for watcher in watchers:
            watcher.close()
    seen = lines(log)
    assert [line[0] for line in seen if line[3] == later] == [other.name]
    assert len([line for line in seen if line[3] == key]) == 1, seen


# -------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_stops_a_blocking_watcher(server: MockServer) -> None:
    code = (
        "import postcore\n"
        "print('ready', flush=True)\n"
        "for event in postcore.Postcore().events(interval=30):\n"
        "    pass\n"
    )
    env = {**os.environ, "POSTCORE_API_KEY": server.api_key, "POSTCORE_BASE_URL": server.url}
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        wait_until(lambda: any(r["path"] == "/profiles" for r in server.requests()), "a poll")
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert time.monotonic() - started < 5
    assert "KeyboardInterrupt" in err and process.returncode != 0, err


# ---------------------------------------------------------------------- webhooks

SECRET = "whsec_python_test"
BODY = json.dumps(
    {
        "id": "evt_0123456789abcdef01234567",
        "type": "post.published",
        "createdAt": "2030-01-01T00:00:00Z",
        "data": {
            "postId": "post_abc123",
            "profileKey": "prof_abc123",
            "platform": "bluesky",
            "content": "hi",
            "scheduledFor": "2030-01-01T00:00:00Z",
            "createdAt": "2029-12-31T00:00:00Z",
            "publishedAt": "2030-01-01T00:00:00Z",
            "status": "published",
            "platformUrl": "https://bsky.app/profile/a/post/b",
        },
    }
)


def now() -> int:
    return int(time.time())


def test_a_signed_delivery_verifies() -> None:
    header = postcore.webhooks.sign(BODY, SECRET)
    stamp, signature = header.split(",")
    assert abs(int(stamp.removeprefix("t=")) - now()) <= 2
    assert signature.startswith("v1=") and len(signature) == 3 + 64
    for payload in (BODY, BODY.encode(), bytearray(BODY.encode()), memoryview(BODY.encode())):
        event = postcore.webhooks.verify(payload, header, SECRET)
        assert isinstance(event, postcore.Event)
        assert (event.id, event.type) == ("evt_0123456789abcdef01234567", "post.published")
        assert event.created_at == datetime(2030, 1, 1, tzinfo=timezone.utc)
        assert isinstance(event.data, postcore.Post) and event.data.post_id == "post_abc123"
        assert event.to_dict() == json.loads(BODY)
        assert pickle.loads(pickle.dumps(event)) == event and hash(event) == hash(event)
        assert event.profile_key == "prof_abc123"
    assert postcore.webhooks.SIGNATURE_HEADER == "Postcore-Signature"
    assert postcore.webhooks.DEFAULT_TOLERANCE == 300
    # Reachable after a plain `import postcore`, too.
    code = "import postcore; print(postcore.webhooks.SIGNATURE_HEADER)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Postcore-Signature"


def test_rotated_secrets_any_v1_matches() -> None:
    t = now()
    new = postcore.webhooks.sign(BODY, "whsec_new", t).split("v1=")[1]
    old = postcore.webhooks.sign(BODY, SECRET, t).split("v1=")[1]
    for header in (
        f"t={t},v1={new},v1={old}",
        f"t={t},v1={old},v1={new}",
        f"v1={old}, t={t}, v1={new}",
    ):
        assert postcore.webhooks.verify(BODY, header, SECRET).type == "post.published"
        assert postcore.webhooks.verify(BODY, header, "whsec_new").type == "post.published"
    with pytest.raises(postcore.WebhookSignatureError, match="does not match"):
        postcore.webhooks.verify(BODY, f"t={t},v1={new}", SECRET)


def test_tampered_replayed_and_malformed_deliveries_are_refused() -> None:
    t = now()
    header = postcore.webhooks.sign(BODY, SECRET, t)
    refused: list[tuple[Any, str | None, str, float, str]] = [
        (BODY.replace("post_abc123", "post_evil00"), header, SECRET, 300, "does not match"),
        (BODY + " ", header, SECRET, 300, "does not match"),
        (BODY, header, "whsec_other", 300, "does not match"),
        (BODY, postcore.webhooks.sign(BODY, SECRET, t - 301), SECRET, 300, "s old"),
        (BODY, postcore.webhooks.sign(BODY, SECRET, t - 3600), SECRET, 300, "replayed"),
        (BODY, postcore.webhooks.sign(BODY, SECRET, t + 301), SECRET, 300, "in the future"),
        (BODY, postcore.webhooks.sign(BODY, SECRET, t - 20), SECRET, 10, "tolerance of 10 s"),
        (BODY, None, SECRET, 300, "no Postcore-Signature header"),
        (BODY, "", SECRET, 300, "no Postcore-Signature header"),
        (BODY, "nonsense", SECRET, 300, "malformed"),
        (BODY, "t=abc,v1=00", SECRET, 300, "not a Unix time"),
        (BODY, "v1=00", SECRET, 300, "no t="),
        (BODY, f"t={t}", SECRET, 300, "no v1"),
        (BODY, f"t={t},t={t},{header.split(',')[1]}", SECRET, 300, "more than one t"),
        (BODY, f"t={t},v1=zz", SECRET, 300, "does not match"),
        (BODY, header, "", 300, "secret is empty"),
        ("{}", postcore.webhooks.sign("{}", SECRET, t), SECRET, 300, "not a postcore event"),
    ]
    for payload, signature, secret, tolerance, words in refused:
        with pytest.raises(postcore.WebhookSignatureError, match=words) as info:
            postcore.webhooks.verify(payload, signature, secret, tolerance=tolerance)
        assert isinstance(info.value, postcore.PostcoreError)
        assert SECRET not in str(info.value)
    # Within a wider tolerance, an older delivery is fine.
    old = postcore.webhooks.sign(BODY, SECRET, t - 301)
    assert postcore.webhooks.verify(BODY, old, SECRET, tolerance=400).id.startswith("evt_")


def test_webhook_arguments_of_the_wrong_type() -> None:
    header = postcore.webhooks.sign(BODY, SECRET)
    verify: Any = postcore.webhooks.verify  # called with what the types refuse
    with pytest.raises(TypeError, match="payload must be bytes or str"):
        verify(json.loads(BODY), header, SECRET)  # a parsed body cannot be checked
    with pytest.raises(TypeError, match="signature_header"):
        verify(BODY, 5, SECRET)
    with pytest.raises(TypeError, match="secret"):
        verify(BODY, header, b"whsec")
    with pytest.raises(TypeError, match="tolerance"):
        verify(BODY, header, SECRET, "5")
    with pytest.raises(ValueError, match="tolerance"):
        verify(BODY, header, SECRET, -1)
    sign: Any = postcore.webhooks.sign
    with pytest.raises(ValueError, match="secret"):
        sign(BODY, "")
    with pytest.raises(TypeError, match="timestamp"):
        sign(BODY, SECRET, 1.5)


async def test_a_real_event_signed_and_verified_round_trips(server: MockServer) -> None:
    async with aclient(server) as c:
        events = c.events(consumer="signed", interval=0.1)
        waiting = asyncio.ensure_future(events.__anext__())
        await first_poll(server)
        server.seed({"profiles": [{"connect": ["linkedin"]}]})
        event = await asyncio.wait_for(waiting, 10)
    body = json.dumps(event.to_dict()).encode()
    verified = postcore.webhooks.verify(body, postcore.webhooks.sign(body, SECRET), SECRET)
    assert verified == event and verified.to_dict() == event.to_dict()
