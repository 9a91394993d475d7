"""A user's app, type-checked as a user would check it (`mypy --strict`, `pyright --strict`, in
bindings-python/test.sh): the package's types must let ordinary code through without casts,
`assert x is not None` or `# type: ignore`. Not run (it would need a server); the behaviour is
tested elsewhere."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone

import postcore
import postcore.webhooks


def remaining_posts(client: postcore.Postcore, profile_key: str) -> int:
    when = datetime.now(timezone.utc) + timedelta(hours=1)
    scheduled = client.posts.create(profile_key, "Hello!", ["bluesky"], when)
    first: postcore.Post = scheduled.posts[0]
    print(first.post_id, first.profile_key, first.content, first.scheduled_for.isoformat())
    # The documented answer always has the quota: no None check needed.
    return scheduled.usage.remaining


def status_of_a_missing_post(client: postcore.Postcore, post_id: str) -> int:
    try:
        client.posts.retrieve(post_id)
    except postcore.NotFoundError as error:
        status: int = error.status_code  # an API error always has a status
        return status
    except postcore.APIError as error:
        return error.status_code + 0
    return 200


def describe(profile: postcore.Profile) -> str:
    accounts = ", ".join(f"{a.platform}:{a.needs_reconnect}" for a in profile.connected_platforms)
    created = profile.created_at.isoformat() if profile.created_at else "?"
    return f"{profile.profile_key} {profile.profile_name or ''} {created} [{accounts}]"


def raw_listing(client: postcore.Postcore) -> tuple[int, int | None, list[postcore.Profile]]:
    response = client.with_raw_response.profiles.list()
    remaining = response.rate_limit.remaining if response.rate_limit else None
    return response.status_code, remaining, list(response.parse())


async def listing(client: postcore.AsyncPostcore) -> list[str]:
    async with client.with_options(timeout=10.0, max_retries=0) as patient:
        profiles = await patient.profiles.list()
        posts = await patient.posts.list(extra_headers={"X-Trace-Id": "abc"})
        done = await patient.posts.wait(posts[0].post_id, timeout=60) if posts else None
    return [describe(p) for p in profiles] + ([done.status] if done else [])


def wait_for_all(client: postcore.Postcore, ids: Sequence[str]) -> list[str]:
    try:
        posts = client.posts.wait_many(ids, timeout=3600, interval=30)
    except postcore.WaitTimeoutError as error:
        return [p.status for p in error.posts]
    raw = client.with_raw_response.posts.wait_many(list(ids))
    return [p.platform_url or p.status for p in posts] + [str(raw.attempts)]


def on_event(event: postcore.Event) -> str:
    seen: datetime = event.created_at
    data = event.data
    if isinstance(data, postcore.Post):
        return f"{event.type} {data.post_id} {data.status} {seen.isoformat()}"
    if isinstance(data, postcore.ConnectedPlatform):
        return f"{event.type} {event.profile_key} {data.platform} {data.days_until_expiry}"
    if isinstance(data, postcore.Profile):
        return f"{event.type} {data.profile_key}"
    return f"{event.type} {sorted(data)} {event.to_dict()['id']}"


def watch(client: postcore.Postcore) -> None:
    for event in client.events(consumer="notifier", interval=60):
        print(on_event(event))


async def watch_async(client: postcore.AsyncPostcore) -> None:
    events: postcore.AsyncEvents = client.events()
    async for event in events:
        print(on_event(event), events.consumer)


def receive(body: bytes, headers: Mapping[str, str], secret: str) -> int:
    try:
        event = postcore.webhooks.verify(body, headers.get("Postcore-Signature"), secret)
    except postcore.WebhookSignatureError as error:
        print(error.message)
        return 400
    print(on_event(event), postcore.webhooks.sign(body, secret, timestamp=1_900_000_000))
    return 204


def main() -> None:
    with postcore.Postcore(max_retries=1, timeout=30.0) as client:
        print(remaining_posts(client, "prof_abc123def456"))
        print(status_of_a_missing_post(client, "post_nope"))
        print(raw_listing(client))
        data: dict[str, object] = client.profiles.create(profile_name="x").to_dict()
        print(data)
        print(wait_for_all(client, ["post_1", "post_2"]))
        watch(client)
    print(asyncio.run(listing(postcore.AsyncPostcore())))
    asyncio.run(watch_async(postcore.AsyncPostcore()))
    print(receive(b"{}", {}, "whsec"))


if __name__ == "__main__":
    main()
