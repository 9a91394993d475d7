"""The whole API through both clients against the mock: the documented flow end to end, each
endpoint's errors as Python exceptions with their new attributes, waiting for posts, and every
argument the SDK refuses before sending anything."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import postcore

from .conftest import BOTH, UNLIMITED, MockServer, aclient, client, close, done, make

PASSWORD = "abcd-efgh-ijkl-mnop"


# --------------------------------------------------------------------------- the flow


@BOTH
async def test_whole_flow(kind: str, server: MockServer) -> None:
    c = make(kind, server)
    # 1. A profile for the end-user.
    profile = await done(c.profiles.create(profile_name="User: ann@example.com"))
    key = profile.profile_key
    assert key.startswith("prof_") and profile.profile_name == "User: ann@example.com"

    # 2. LinkedIn: the end-user's browser follows the URL (the mock connects at once).
    url = c.profiles.linkedin_connect_url("https://app.example.com/connected?x=1", key)
    assert url.startswith(server.url + "/profiles/connect?") and "platform=linkedin" in url
    location = server.open_in_browser(url)
    assert location.startswith("https://app.example.com/connected?x=1&profileKey=" + key)

    # 3. Bluesky with an app password.
    connection = await done(c.profiles.connect_bluesky("ann.bsky.social", PASSWORD, key))
    assert isinstance(connection, postcore.Connection)
    assert (connection.profile_key, connection.platform, connection.username) == (
        key,
        "bluesky",
        "ann.bsky.social",
    )
    assert connection.connected_at is not None and connection.connected_at.tzinfo is not None
    [listed] = await done(c.profiles.list())
    platforms = {p.platform: p for p in listed.connected_platforms}
    assert set(platforms) == {"linkedin", "bluesky"}
    assert platforms["linkedin"].days_until_expiry == 60
    assert platforms["linkedin"].expires_at is not None

    # 4. Schedule on both, and another one for later.
    now = server.clock()
    scheduled = await done(
        c.posts.create(
            key, "Hello from postcore!", ["linkedin", "bluesky"], now + timedelta(seconds=30)
        )
    )
    assert [p.platform for p in scheduled.posts] == ["linkedin", "bluesky"]
    assert {p.status for p in scheduled.posts} == {"pending"}
    assert all(
        p.profile_key == key and p.content == "Hello from postcore!" for p in scheduled.posts
    )
    assert scheduled.posts[0].scheduled_for == now + timedelta(seconds=30)
    assert scheduled.usage is not None and (scheduled.usage.used, scheduled.usage.limit) == (2, 10)
    later = await done(c.posts.create(key, "Later", ["bluesky"], now + timedelta(hours=1)))
    assert later.usage is not None and later.usage.remaining == 7

    # 5. Wait: the mock's clock moves past the time, so the first poll sees it published.
    server.advance(60)
    started = time.monotonic()
    post = await done(c.posts.wait(scheduled.posts[0].post_id, timeout=30, interval=0.5))
    assert time.monotonic() - started < 5
    assert post.status == "published" and post.post_id == scheduled.posts[0].post_id
    assert post.platform_url and post.platform_url.startswith("https://www.linkedin.com/")
    assert post.published_at is not None and post.published_at.tzinfo is not None
    bluesky = await done(c.posts.retrieve(scheduled.posts[1].post_id))
    assert bluesky.status == "published" and bluesky.platform_url.startswith("https://bsky.app/")

    # 6. List, cancel the later one.
    assert len(await done(c.posts.list())) == 3
    assert await done(c.posts.delete(later.posts[0].post_id)) is None
    with pytest.raises(postcore.NotFoundError) as info:
        await done(c.posts.retrieve(later.posts[0].post_id))
    assert info.value.code == "POST_NOT_FOUND"
    assert [p.post_id for p in await done(c.posts.list())] == [p.post_id for p in scheduled.posts]

    # 7. The profile goes, with its connections.
    assert await done(c.profiles.delete(key)) is None
    with pytest.raises(postcore.NotFoundError) as info:
        await done(c.profiles.delete(key))
    assert info.value.code == "PROFILE_NOT_FOUND"
    await close(c)


@BOTH
async def test_with_raw_response_of_every_kind_of_call(kind: str, server: MockServer) -> None:
    c = make(kind, server)
    raw = c.with_raw_response
    created = await done(raw.create_profile(profile_name="raw"))
    assert isinstance(created, postcore.APIResponse) and created.status_code == 201
    profile = created.parse()
    assert isinstance(profile, postcore.Profile) and profile.profile_name == "raw"
    key = profile.profile_key
    connected = await done(raw.profiles.connect_bluesky("raw.bsky.social", PASSWORD, key))
    assert connected.parse().profile_key == key
    at = server.clock() + timedelta(hours=1)
    scheduled = await done(raw.posts.create(key, "hi", ["bluesky"], at))
    assert scheduled.status_code == 201 and scheduled.parse().posts[0].status == "pending"
    post_id = scheduled.parse().posts[0].post_id
    assert (await done(raw.posts.retrieve(post_id))).parse().post_id == post_id
    assert len((await done(raw.posts.list())).parse()) == 1
    deleted = await done(raw.posts.delete(post_id))
    assert deleted.status_code == 200 and deleted.parse() is None
    assert raw.profiles.linkedin_connect_url("https://app.example.com/").startswith(server.url)
    await close(c)


# ----------------------------------------------------------------------------- errors


@BOTH
async def test_platforms_not_connected(kind: str, server: MockServer) -> None:
    c = make(kind, server)
    profile = await done(c.profiles.create())
    at = server.clock() + timedelta(hours=1)
    with pytest.raises(postcore.PlatformsNotConnectedError) as info:
        await done(c.posts.create(profile.profile_key, "hi", ["linkedin", "bluesky"], at))
    error = info.value
    assert isinstance(error, postcore.BadRequestError)
    assert error.missing_platforms == ["linkedin", "bluesky"]
    assert error.attempts == 1 and error.rate_limit is not None
    assert error.rate_limit.limit == UNLIMITED
    await close(c)


@BOTH
async def test_spacing_refusal_has_platform_and_next_available(
    kind: str, server: MockServer
) -> None:
    server.seed(
        {
            "profiles": [{"profileKey": "prof_s", "connect": ["linkedin"]}],
            "posts": [
                {
                    "postId": "post_s",
                    "profileKey": "prof_s",
                    "platform": "linkedin",
                    "content": "first",
                    "scheduledFor": "$NOW+3600",
                }
            ],
        }
    )
    c = make(kind, server)
    now = server.clock()
    with pytest.raises(postcore.RateLimitError) as info:
        await done(c.posts.create("prof_s", "second", ["linkedin"], now + timedelta(seconds=3630)))
    error = info.value
    assert error.platform == "linkedin" and error.retry_after is None
    # The seeded post's time plus LinkedIn's 60 s (the clock may have ticked since seeding).
    assert error.next_available is not None and error.next_available.tzinfo is not None
    assert abs(error.next_available - (now + timedelta(seconds=3660))) <= timedelta(seconds=2)
    assert len(server.requests()) == 1  # 60 s away: raised at once, never retried blindly
    await close(c)


@BOTH
async def test_invalid_credentials_never_show_the_password(
    kind: str, server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="postcore")
    c = make(kind, server)
    rejected = "0000-0000-0000-0000"  # the mock's documented bad password
    with pytest.raises(postcore.InvalidCredentialsError) as info:
        await done(c.profiles.connect_bluesky("ann.bsky.social", rejected))
    malformed = "hunter2-is-my-password"
    with pytest.raises(ValueError, match="app_password") as bad:
        await done(c.profiles.connect_bluesky("ann.bsky.social", malformed))
    texts = [str(info.value), repr(info.value), str(bad.value), repr(bad.value)]
    texts += [str(info.value.body), repr(c), caplog.text]
    for text in texts:
        assert rejected not in text and malformed not in text and server.api_key not in text
    await close(c)


@BOTH
async def test_errors_carry_rate_limit_and_attempts(
    kind: str, server: MockServer, refused_url: str
) -> None:
    server.faults([{"status": 500, "body": {"error": "BOOM", "message": "down"}, "times": 2}])
    c = make(kind, server, max_retries=1)
    with pytest.raises(postcore.InternalServerError) as info:
        await done(c.profiles.list())
    assert info.value.attempts == 2  # a GET is retried once on 500
    limit = info.value.rate_limit
    assert limit is not None and limit.limit == UNLIMITED and limit.remaining is not None
    assert limit.reset is not None and limit.reset > server.clock()
    with pytest.raises(postcore.NotFoundError) as missing:
        await done(c.posts.retrieve("post_missing"))
    assert missing.value.attempts == 1 and missing.value.rate_limit is not None
    await close(c)
    cls = postcore.Postcore if kind == "sync" else postcore.AsyncPostcore
    refused = cls(api_key="k", base_url=refused_url, max_retries=1)
    with pytest.raises(postcore.APIConnectionError) as failed:
        await done(refused.profiles.list())
    assert failed.value.attempts == 2 and failed.value.rate_limit is None
    assert failed.value.may_have_been_processed is False
    await close(refused)


@BOTH
async def test_a_post_that_may_have_been_processed_says_so(kind: str, server: MockServer) -> None:
    server.faults([{"action": "drop", "process": True}])
    c = make(kind, server)
    with pytest.raises(postcore.APIConnectionError) as info:
        await done(c.profiles.create(profile_name="maybe"))
    assert info.value.may_have_been_processed is True
    assert len(server.requests()) == 1  # not resent
    assert [p["profileName"] for p in server.profiles()] == ["maybe"]  # look before retrying
    await close(c)


# ------------------------------------------------------------------------------ waiting


@BOTH
async def test_wait_timeout_carries_the_post(kind: str, server: MockServer) -> None:
    c = make(kind, server)
    server.seed(
        {
            "profiles": [{"profileKey": "prof_w", "connect": ["bluesky"]}],
            "posts": [
                {
                    "postId": "post_w",
                    "profileKey": "prof_w",
                    "platform": "bluesky",
                    "content": "later",
                    "scheduledFor": "$NOW+3600",
                }
            ],
        }
    )
    started = time.monotonic()
    with pytest.raises(postcore.WaitTimeoutError) as info:
        await done(c.posts.wait("post_w", timeout=0.3, interval=0.1))
    assert time.monotonic() - started < 3
    post = info.value.post
    assert isinstance(post, postcore.Post) and (post.post_id, post.status) == ("post_w", "pending")
    assert isinstance(info.value, postcore.PostcoreError)
    await close(c)


@BOTH
async def test_wait_returns_a_failed_post(kind: str, server: MockServer) -> None:
    # A LinkedIn post for a profile without LinkedIn fails when due (the mock's rule).
    server.seed(
        {
            "profiles": [{"profileKey": "prof_f", "connect": ["bluesky"]}],
            "posts": [
                {
                    "postId": "post_f",
                    "profileKey": "prof_f",
                    "platform": "linkedin",
                    "content": "x",
                    "scheduledFor": "$NOW+10",
                }
            ],
        }
    )
    server.advance(20)
    c = make(kind, server)
    post = await done(c.posts.wait("post_f", timeout=10))
    assert post.status == "failed" and post.platform_url is None
    assert "failureReason" in post.to_dict()  # a field the SDK does not know, kept
    await close(c)


async def test_cancelling_a_wait_stops_it(server: MockServer) -> None:
    server.seed(
        {
            "profiles": [{"profileKey": "prof_c", "connect": ["bluesky"]}],
            "posts": [
                {
                    "postId": "post_c",
                    "profileKey": "prof_c",
                    "platform": "bluesky",
                    "content": "x",
                    "scheduledFor": "$NOW+3600",
                }
            ],
        }
    )
    async with aclient(server) as c:
        task = asyncio.ensure_future(c.posts.wait("post_c", interval=0.1))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        seen = len(server.requests())
        await asyncio.sleep(0.3)
    assert seen == len(server.requests()) >= 1


# ------------------------------------------------------- refused before any request


def future() -> datetime:
    return datetime.now(timezone.utc) + timedelta(hours=1)


BAD_CALLS: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    (
        "posts.create",
        {"scheduled_for": datetime.now() + timedelta(hours=1)},
        ValueError,
        "scheduled_for must be a timezone-aware",
    ),
    ("posts.create", {"scheduled_for": "tomorrow"}, ValueError, "scheduled_for"),
    ("posts.create", {"scheduled_for": 1_900_000_000}, TypeError, "scheduled_for"),
    ("posts.create", {"content": ""}, ValueError, "content"),
    ("posts.create", {"content": "   "}, ValueError, "content"),
    ("posts.create", {"content": "x" * 3001, "platforms": ["linkedin"]}, ValueError, "3000"),
    ("posts.create", {"content": "x" * 301, "platforms": ["bluesky"]}, ValueError, "Bluesky"),
    ("posts.create", {"content": 5}, TypeError, "content"),
    ("posts.create", {"platforms": []}, ValueError, "platforms"),
    ("posts.create", {"platforms": ["linkedin", "linkedin"]}, ValueError, "twice"),
    ("posts.create", {"platforms": ["myspace"]}, ValueError, "myspace"),
    ("posts.create", {"platforms": "linkedin"}, TypeError, "platforms"),
    ("posts.create", {"platforms": {"linkedin"}}, TypeError, "platforms"),
    ("posts.create", {"profile_key": ""}, ValueError, "profile_key"),
    ("posts.create", {"profile_key": None}, TypeError, "profile_key"),
    ("profiles.connect_bluesky", {"app_password": "hunter2"}, ValueError, "app_password"),
    (
        "profiles.connect_bluesky",
        {"app_password": b"abcd-efgh-ijkl-mnop"},
        TypeError,
        "app_password",
    ),
    ("profiles.connect_bluesky", {"handle": "not a handle"}, ValueError, "handle"),
    (
        "profiles.linkedin_connect_url",
        {"return_url": "http://app.example.com/cb"},
        ValueError,
        "https",
    ),
    ("profiles.linkedin_connect_url", {"return_url": "/relative"}, ValueError, "return_url"),
    ("profiles.linkedin_connect_url", {"return_url": 5}, TypeError, "return_url"),
    ("profiles.delete", {"profile_key": ""}, ValueError, "profile_key"),
    ("posts.retrieve", {"post_id": "a\nb"}, ValueError, "post_id"),
    ("posts.wait", {"interval": 0}, ValueError, "interval"),
    ("posts.wait", {"interval": -1}, ValueError, "interval"),
    ("posts.wait", {"timeout": "soon"}, TypeError, "timeout"),
    ("posts.wait", {"interval": True}, TypeError, "interval"),
    ("posts.wait_many", {"post_ids": "post_1"}, TypeError, "post_ids must be a list"),
    ("posts.wait_many", {"post_ids": ["post_1", ""]}, ValueError, "post_ids"),
    ("posts.wait_many", {"post_ids": [5]}, TypeError, "post_ids"),
    ("posts.wait_many", {"interval": 0}, ValueError, "interval"),
    ("posts.wait_many", {"timeout": -1}, ValueError, "timeout"),
    ("profiles.create", {"profile_name": 123}, TypeError, "profile_name"),
    (
        "profiles.create",
        {"profile_name": "x", "extra_headers": {"x-api-key": "k2"}},
        ValueError,
        "x-api-key",
    ),
    (
        "profiles.create",
        {"extra_headers": {"Content-Type": "text/plain"}},
        ValueError,
        "content-type",
    ),
    ("profiles.create", {"extra_headers": {"x-ok": "a\r\nx-evil: 1"}}, ValueError, "line break"),
    ("profiles.create", {"extra_headers": {"x-ok": 1}}, TypeError, "extra_headers"),
    ("profiles.create", {"extra_headers": "x-ok: 1"}, TypeError, "extra_headers"),
]

VALID: dict[str, dict[str, Any]] = {
    "posts.create": {"profile_key": "prof_1", "content": "hi", "platforms": ["linkedin"]},
    "profiles.connect_bluesky": {"handle": "ann.bsky.social", "app_password": PASSWORD},
    "profiles.linkedin_connect_url": {"return_url": "https://app.example.com/cb"},
    "profiles.delete": {"profile_key": "prof_1"},
    "posts.retrieve": {"post_id": "post_1"},
    "posts.wait": {"post_id": "post_1"},
    "posts.wait_many": {"post_ids": ["post_1"]},
    "profiles.create": {},
}


@BOTH
@pytest.mark.parametrize(
    ("operation", "arguments", "error", "words"),
    BAD_CALLS,
    ids=[f"{op}-{'-'.join(args)}-{i}" for i, (op, args, _, _) in enumerate(BAD_CALLS)],
)
async def test_refused_before_any_request(
    kind: str,
    server: MockServer,
    operation: str,
    arguments: dict[str, Any],
    error: type[Exception],
    words: str,
) -> None:
    c = make(kind, server)
    resource, name = operation.split(".")
    base = dict(VALID[operation])
    if operation == "posts.create":
        base["scheduled_for"] = future()
    with pytest.raises(error, match=words) as info:
        await done(getattr(getattr(c, resource), name)(**{**base, **arguments}))
    assert not isinstance(info.value, postcore.PostcoreError)
    assert server.requests() == []
    await close(c)


def test_nested_and_cyclic_arguments_do_not_crash(server: MockServer) -> None:
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with client(server) as c:
        with pytest.raises(ValueError, match="nested too deeply"):
            c.posts.create("prof_1", "hi", cyclic, future())
        with pytest.raises(ValueError, match="finite"):
            c.posts.wait("post_1", timeout=float("nan"))
        with pytest.raises(ValueError, match="out of range"):
            c.posts.wait("post_1", timeout=10**30)
        with pytest.raises(ValueError, match="surrogate"):
            c.profiles.create(profile_name="\ud800")
    assert server.requests() == []
