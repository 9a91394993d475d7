"""AsyncPostcore on every kind of event loop: calls complete through a per-loop bridge (see
``src/asyncio.rs``), so each loop gets its own, in any thread, and uvloop works like asyncio."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import uvloop

import postcore

from .conftest import MockServer, aclient


async def many_calls(server: MockServer, n: int = 200) -> list[str]:
    async with aclient(server) as client:
        profiles = await asyncio.gather(
            *(client.profiles.create(profile_name=f"u{i}") for i in range(n))
        )
        task = asyncio.create_task(client.profiles.list())  # a native coroutine as a task
        listed = await task
    assert len(listed) >= n
    return [p.profile_key for p in profiles]


async def cancelled_call_sends_nothing_more(server: MockServer) -> None:
    server.faults([{"delay_ms": 2000}])
    async with aclient(server, max_retries=0) as client:
        task = asyncio.ensure_future(client.profiles.list())
        await asyncio.sleep(0.2)
        task.cancel()
        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 1.0  # the request was dropped, not awaited


def run_with(loop_factory: Callable[[], asyncio.AbstractEventLoop], main: Awaitable[Any]) -> Any:
    loop = loop_factory()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()


def test_uvloop(server: MockServer) -> None:
    keys = run_with(uvloop.new_event_loop, many_calls(server))
    assert len(set(keys)) == 200
    run_with(uvloop.new_event_loop, cancelled_call_sends_nothing_more(server))

    # Errors arrive with their attributes on uvloop too.
    async def refused() -> None:
        async with aclient(server) as client:
            with pytest.raises(postcore.NotFoundError) as info:
                await client.posts.retrieve("post_nothing")
            assert info.value.code == "POST_NOT_FOUND"

    run_with(uvloop.new_event_loop, refused())


def test_several_loops_in_several_threads(server: MockServer) -> None:
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            factory = uvloop.new_event_loop if n % 2 else asyncio.new_event_loop
            results[n] = run_with(factory, many_calls(server, 100))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    keys = [k for ks in results.values() for k in ks]
    assert len(keys) == len(set(keys)) == 400


def test_one_thread_running_loops_one_after_another(server: MockServer) -> None:
    # A new loop in the same thread (asyncio.run twice) gets a new bridge; the old loop's is
    # forgotten once it is closed.
    for _ in range(3):
        assert len(asyncio.run(many_calls(server, 20))) == 20
