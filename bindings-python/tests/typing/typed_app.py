"""A user's app, type-checked as a user would check it (`mypy --strict`, `pyright --strict`, in
bindings-python/test.sh): the package's types must let ordinary code through without casts,
`assert x is not None` or `# type: ignore`. Not run (it would need a server); the behaviour is
tested elsewhere."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import postcore


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


def main() -> None:
    with postcore.Postcore(max_retries=1, timeout=30.0) as client:
        print(remaining_posts(client, "prof_abc123def456"))
        print(status_of_a_missing_post(client, "post_nope"))
        print(raw_listing(client))
        data: dict[str, object] = client.profiles.create(profile_name="x").to_dict()
        print(data)
    print(asyncio.run(listing(postcore.AsyncPostcore())))


if __name__ == "__main__":
    main()
