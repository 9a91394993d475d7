"""The whole postcore flow with the Python SDK: a profile for one of your users, their LinkedIn
and Bluesky accounts, a post scheduled on both, waiting until it is published, listing, and
cancelling another post.

Reads ``POSTCORE_API_KEY`` and ``POSTCORE_BASE_URL`` (default: the real API), and the Bluesky
account to connect from ``BLUESKY_HANDLE`` / ``BLUESKY_APP_PASSWORD`` (defaults suit the local
mock)::

    POSTCORE_API_KEY=... python examples/python/whole_flow.py

Against a local ``postcore-mock`` (``make test`` runs it so), this script also plays the
end-user's browser for the LinkedIn step; against the real API it prints the URL instead and
posts to the platforms that are connected.
"""

from __future__ import annotations

import ipaddress
import os
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import postcore

# Close enough to watch it publish; far enough that it is still in the future when it
# reaches the server. In an app you would schedule hours ahead and check on the post later.
SCHEDULE_IN = timedelta(seconds=3)


def main() -> None:
    client = postcore.Postcore()  # POSTCORE_API_KEY, POSTCORE_BASE_URL

    # 1. One profile per end-user of your app: store its key with the user.
    profile = client.profiles.create(profile_name="User: john@example.com")
    key = profile.profile_key
    print(f"profile       {key}")

    # 2. LinkedIn: redirect the user's browser to this URL; postcore sends it back to your
    #    return URL with the profileKey. It contains your API key: build it server-side only.
    url = client.profiles.linkedin_connect_url("https://app.example.com/connected", key)
    print(f"linkedin url  {url.split('?')[0]}?apiKey=…")  # never print or log the key
    if is_local(client.base_url):
        print(f"              (browser back at {open_like_a_browser(url)})")

    # 3. Bluesky: with an app password the user created in Bluesky's settings (not their
    #    account password). The SDK never shows it in a repr, an error or a log line.
    connection = client.profiles.connect_bluesky(
        os.environ.get("BLUESKY_HANDLE", "john.bsky.social"),
        os.environ.get("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop"),
        profile_key=key,
    )
    print(f"bluesky       {connection.username}")

    # 4. Schedule one post on every connected platform: one Post per platform.
    [me] = [p for p in client.profiles.list() if p.profile_key == key]
    platforms = [c.platform for c in me.connected_platforms]
    at = datetime.now(timezone.utc) + SCHEDULE_IN  # timezone-aware, in the future
    scheduled = client.posts.create(key, "Hello from postcore!", platforms, at)
    for post in scheduled.posts:
        print(f"scheduled     {post.post_id} on {post.platform} for {post.scheduled_for}")
    usage = scheduled.usage
    print(f"usage         {usage.used}/{usage.limit} posts in {usage.month}")

    # 5. Wait until each is published (or failed: returned, not raised). `wait` sleeps until
    #    the post is due, then polls every `interval` seconds, slower if the rate limit
    #    (100 requests / 15 min) requires; past `timeout` it raises WaitTimeoutError.
    for post in scheduled.posts:
        try:
            done = client.posts.wait(post.post_id, timeout=120, interval=1)
        except postcore.WaitTimeoutError as e:
            print(f"still waiting {post.post_id}: {e.post.status if e.post else 'unknown'}")
            continue
        print(f"{done.status:<13} {done.platform}: {done.platform_url or ''}")

    # 6. List the posts, then cancel one that is still pending.
    later = client.posts.create(
        key, "See you tomorrow", ["bluesky"], datetime.now(timezone.utc) + timedelta(days=1)
    )
    print(f"posts         {len(client.posts.list())}")
    client.posts.delete(later.posts[0].post_id)
    print(f"cancelled     {later.posts[0].post_id}")

    # What the last call cost in rate limit, for an app that paces itself.
    limit = client.with_raw_response.posts.list().rate_limit
    if limit is not None:
        print(f"rate limit    {limit.remaining} requests left until {limit.reset}")
    client.close()


def is_local(base_url: str) -> bool:
    """Whether the client talks to a local server (the mock), not the real API."""
    host = urllib.parse.urlsplit(base_url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def open_like_a_browser(url: str) -> str:
    """What the user's browser does with the connect URL. The mock connects a test account at
    once and redirects to the return URL, which is returned here (not followed)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as redirect:  # the 302, not followed
        return redirect.headers.get("location", "")
    return ""


if __name__ == "__main__":
    main()
