"""One Python process of the idempotency test (tests/idempotency/race.py): one keyed
``posts.create`` (or ``profiles.create``) through the store in ``POSTCORE_STORE`` (key and base
URL from the environment), reported as one JSON line on stdout: ``ok``, and the ``ids`` created
(the post ids, or the profile key) or the ``error``.

    python worker.py sync|async SPEC

``SPEC`` is JSON: ``op`` (``"posts.create"``, the default, or ``"profiles.create"``), its
arguments (``profile_key``, ``content``, ``platforms``, ``scheduled_for`` as ISO with ``Z``; or
``profile_name``), ``key`` (the idempotency key), ``timeout`` and ``max_rate_limit_wait`` (the
client's, seconds), ``call_timeout`` (the call's own, if any: with ``max_rate_limit_wait`` it
makes the key's lease) and ``barrier`` (``true``: print ``{"ready": true}`` once the client is
built, then wait for a line on stdin before calling, so that racers start together).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime, timezone
from typing import Any

import postcore


def scheduled_for(text: str) -> datetime:
    at = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    return at.replace(tzinfo=timezone.utc)


def barrier(spec: dict[str, Any]) -> None:
    if spec.get("barrier"):
        print(json.dumps({"ready": True}), flush=True)
        sys.stdin.readline()


def report(who: str, started: float, result: Any = None, error: Any = None) -> None:
    out: dict[str, Any] = {"who": who, "started": started, "ended": time.time()}
    if error is None:
        ids = (
            [p.post_id for p in result.posts] if hasattr(result, "posts") else [result.profile_key]
        )
        out.update(ok=True, ids=ids)
    else:
        out.update(
            ok=False,
            error=type(error).__name__,
            message=str(error),
            mayHaveBeenProcessed=getattr(error, "may_have_been_processed", None),
        )
    print(json.dumps(out), flush=True)


def client_options(spec: dict[str, Any]) -> dict[str, Any]:
    return {"timeout": spec["timeout"], "max_rate_limit_wait": spec["max_rate_limit_wait"]}


def call_arguments(spec: dict[str, Any]) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    """The method (``resource.method``), its positional and keyword arguments."""
    op = spec.get("op", "posts.create")
    kwargs: dict[str, Any] = {"idempotency_key": spec["key"]}
    if spec.get("call_timeout") is not None:
        kwargs["timeout"] = spec["call_timeout"]
    if op == "profiles.create":
        return op, (), {"profile_name": spec["profile_name"], **kwargs}
    args = (
        spec["profile_key"],
        spec["content"],
        spec["platforms"],
        scheduled_for(spec["scheduled_for"]),
    )
    return op, args, kwargs


def method(client: Any, op: str) -> Any:
    resource, name = op.split(".")
    return getattr(getattr(client, resource), name)


def run_sync(spec: dict[str, Any]) -> None:
    op, args, kwargs = call_arguments(spec)
    with postcore.Postcore(**client_options(spec)) as client:
        barrier(spec)
        started = time.time()
        try:
            result = method(client, op)(*args, **kwargs)
        except postcore.PostcoreError as e:
            report("python-sync", started, error=e)
        else:
            report("python-sync", started, result)


async def run_async(spec: dict[str, Any]) -> None:
    op, args, kwargs = call_arguments(spec)
    async with postcore.AsyncPostcore(**client_options(spec)) as client:
        barrier(spec)  # blocks the loop, which has nothing else to do yet
        started = time.time()
        try:
            result = await method(client, op)(*args, **kwargs)
        except postcore.PostcoreError as e:
            report("python-async", started, error=e)
        else:
            report("python-async", started, result)


def main() -> None:
    kind, spec = sys.argv[1], json.loads(sys.argv[2])
    if kind == "sync":
        run_sync(spec)
    else:
        asyncio.run(run_async(spec))


if __name__ == "__main__":
    main()
