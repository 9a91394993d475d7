# Testing code that uses postcore, with pytest: `pip install postcore pytest`, then `pytest`.
# The `postcore_mock` fixture comes with the package: a local postcore server, fresh for each
# test, running inside the test process. Nothing reaches the real API.
from datetime import datetime, timedelta, timezone

import pytest

import postcore
from postcore.testing import MockServer


# The code under test: your app's own functions around postcore.
def onboard(client: postcore.Postcore, email: str) -> str:
    """Creates the postcore profile of a new user of your app; returns its key."""
    profile = client.profiles.create(profile_name=f"User: {email}")
    return profile.profile_key


def schedule_welcome(client: postcore.Postcore, profile_key: str, in_minutes: int) -> str:
    """Schedules a welcome post on Bluesky; returns the post's id."""
    when = datetime.now(timezone.utc) + timedelta(minutes=in_minutes)
    scheduled = client.posts.create(profile_key, "Hello from my app!", ["bluesky"], when)
    return scheduled.posts[0].post_id


# The tests.
def test_onboarding_creates_a_profile(postcore_mock: MockServer) -> None:
    key = onboard(postcore_mock.client(), "ann@example.com")

    assert [p.profile_key for p in postcore_mock.profiles] == [key]
    request = postcore_mock.requests[0]  # what your code sent
    assert (request.method, request.path) == ("POST", "/profiles/create")
    assert request.body == {"profileName": "User: ann@example.com"}


def test_onboarding_reports_an_outage(postcore_mock: MockServer) -> None:
    postcore_mock.fail_next(status=503)  # also body=, headers=, delay=, action="drop"

    with pytest.raises(postcore.InternalServerError):
        onboard(postcore_mock.client(), "ann@example.com")
    assert postcore_mock.profiles == []


def test_the_welcome_post_goes_out(postcore_mock: MockServer) -> None:
    client = postcore_mock.client()
    connection = client.profiles.connect_bluesky("ann.bsky.social", "abcd-efgh-ijkl-mnop")
    assert connection.profile_key is not None
    post_id = schedule_welcome(client, connection.profile_key, in_minutes=5)
    assert client.posts.retrieve(post_id).status == "pending"

    postcore_mock.advance(seconds=600)  # the server's clock: the post is due, so it goes out

    assert client.posts.retrieve(post_id).status == "published"


def test_code_that_reads_the_environment(postcore_mock: MockServer) -> None:
    # During the test, POSTCORE_API_KEY and POSTCORE_BASE_URL point at the local server.
    profile = postcore.create_profile(profile_name="from the environment")

    assert postcore_mock.profiles[0].profile_key == profile.profile_key
