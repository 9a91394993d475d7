"""Each tool of `postcore mcp` against the local server: what it answers, and the errors it
answers with (the API's code and message, as tool errors). Arguments the SDK refuses are
never sent."""

from __future__ import annotations

import asyncio
from typing import Any

from helpers import Mock, at, mcp_server, seed_post, seed_profile


async def test_profiles_create_list_delete(mock: Mock) -> None:
    async with mcp_server(mock) as server:
        named = await server.ok("create_profile", {"profile_name": "User: ann@example.com"})
        assert named["profileKey"].startswith("prof_")
        assert named["profileName"] == "User: ann@example.com"
        unnamed = await server.ok("create_profile")
        assert unnamed["profileName"] is None

        listed = await server.ok("list_profiles")
        keys = [p["profileKey"] for p in listed["profiles"]]
        assert keys == [named["profileKey"], unnamed["profileKey"]]
        assert listed["profiles"][0]["connectedPlatforms"] == []

        deleted = await server.ok("delete_profile", {"profile_key": unnamed["profileKey"]})
        assert deleted == {"deleted": True, "profileKey": unnamed["profileKey"]}
        assert [p["profileKey"] for p in mock.profiles()] == [named["profileKey"]]

        again = await server.error("delete_profile", {"profile_key": unnamed["profileKey"]})
        assert again.code == "PROFILE_NOT_FOUND"
        assert again.data["status"] == 404
        assert "Profile not found" in again.data["message"]
        assert "never guess" in again.data["hint"]

        # The SDK's own checks: nothing is sent.
        blank = await server.error("delete_profile", {"profile_key": "  "})
        assert blank.code == "INVALID_ARGUMENT" and "must not be empty" in blank.text
    assert mock.sent("DELETE") == [
        f"/profiles/{unnamed['profileKey']}",
        f"/profiles/{unnamed['profileKey']}",
    ]


async def test_schedule_then_list_get_and_cancel_posts(mock: Mock) -> None:
    seed_profile(mock, "prof_ann", ["linkedin", "bluesky"])
    seed_post(mock, "post_done", "prof_ann", "bluesky", "$NOW-60", "published")
    when = at(3600)
    async with mcp_server(mock) as server:
        scheduled = await server.ok(
            "schedule_post",
            {
                "profile_key": "prof_ann",
                "platforms": ["linkedin", "bluesky"],
                "scheduled_for": when,
                "content": "Hello from an agent",
            },
        )
        assert [p["platform"] for p in scheduled["posts"]] == ["linkedin", "bluesky"]
        assert {p["status"] for p in scheduled["posts"]} == {"pending"}
        assert scheduled["usage"]["used"] == 3
        post_id = scheduled["posts"][0]["postId"]

        everything = await server.ok("list_posts")
        assert everything["count"] == 3
        pending = await server.ok("list_posts", {"profile_key": "prof_ann", "status": "pending"})
        assert sorted(p["postId"] for p in pending["posts"]) == sorted(
            p["postId"] for p in scheduled["posts"]
        )
        published = await server.ok("list_posts", {"status": "published"})
        assert [p["postId"] for p in published["posts"]] == ["post_done"]
        assert (await server.ok("list_posts", {"profile_key": "prof_bob"}))["count"] == 0

        got = await server.ok("get_post", {"post_id": post_id})
        assert got["post"]["content"] == "Hello from an agent"
        assert got["post"]["platform"] == "linkedin"

        cancelled = await server.ok("cancel_post", {"post_id": post_id})
        assert cancelled == {"cancelled": True, "postId": post_id}
        gone = await server.error("get_post", {"post_id": post_id})
        assert gone.code == "POST_NOT_FOUND" and gone.data["status"] == 404
        gone = await server.error("cancel_post", {"post_id": post_id})
        assert gone.code == "POST_NOT_FOUND"
        not_pending = await server.error("cancel_post", {"post_id": "post_done"})
        assert not_pending.code == "POST_NOT_PENDING"
        assert "Only pending posts" in not_pending.text


async def test_schedule_post_refusals(mock: Mock) -> None:
    seed_profile(mock, "prof_ann", ["linkedin", "bluesky"])
    seed_profile(mock, "prof_bob", ["bluesky"], name="Bob")
    when = at(3600)

    def post(**changes: Any) -> dict[str, Any]:
        args = {
            "profile_key": "prof_ann",
            "platforms": ["linkedin"],
            "scheduled_for": when,
            "content": "Hello",
        }
        args.update(changes)
        return args

    async with mcp_server(mock) as server:
        # Refused by the SDK before anything is sent.
        local = [
            (post(content="x" * 301, platforms=["bluesky"]), "Bluesky allows at most 300"),
            (post(content="x" * 3001), "at most 3000"),
            (post(content="   "), "must not be empty"),
            (post(platforms=["linkedin", "linkedin"]), "listed twice"),
            (post(platforms=[]), "at least one platform"),
            (post(scheduled_for="2030-01-01T00:00:00"), "with a time zone"),
            (post(scheduled_for="tomorrow"), "scheduled_for"),
            (post(profile_key=""), "must not be empty"),
        ]
        for args, expected in local:
            refused = await server.error("schedule_post", args)
            assert refused.code == "INVALID_ARGUMENT", (args, refused)
            assert expected in refused.text, (args, refused.text)
        assert mock.sent("POST") == []

        # Refused by the API: its code, message and extra fields, with a hint.
        missing = await server.error("schedule_post", post(profile_key="prof_bob"))
        assert missing.code == "PLATFORMS_NOT_CONNECTED"
        assert missing.data["missing_platforms"] == ["linkedin"]
        assert "connected by a person" in missing.data["hint"]

        unknown = await server.error("schedule_post", post(profile_key="prof_nobody"))
        assert unknown.code == "PROFILE_NOT_FOUND"

        past = await server.error("schedule_post", post(scheduled_for=at(-60)))
        assert past.data["status"] == 400
        assert past.code == "VALIDATION_ERROR"

        await server.ok("schedule_post", post())
        spacing = await server.error("schedule_post", post(content="Again", scheduled_for=at(3630)))
        assert spacing.code == "RATE_LIMIT_EXCEEDED"
        assert spacing.data["platform"] == "linkedin"
        assert spacing.data["next_available"]
        assert "at or after" in spacing.data["hint"]

        mock.fault({"status": 422, "body": {"error": "SOMETHING_NEW", "message": "odd", "x": 1}})
        odd = await server.error("schedule_post", post(scheduled_for=at(7200)))
        assert odd.code == "SOMETHING_NEW"
        assert odd.data["status"] == 422 and odd.data["x"] == 1
        assert "odd" in odd.text
        # A 500 that created nothing: the idempotency key's reconciliation finds no post and
        # sends it again, once.
        posts_before = len(mock.sent("POST"))
        mock.fault({"status": 500, "body": {"error": "BOOM", "message": "down"}})
        resent = await server.ok("schedule_post", post(scheduled_for=at(10800)))
        assert len(resent["posts"]) == 1
        assert len(mock.sent("POST")) == posts_before + 2  # the 500, then the one resend
        # Still serving after every error.
        assert (await server.ok("list_posts"))["count"] == 2


async def test_wait_for_post(mock: Mock) -> None:
    seed_profile(mock, "prof_ann", ["linkedin", "bluesky"])
    seed_post(mock, "post_published", "prof_ann", "bluesky", "$NOW-5", "published")
    seed_post(mock, "post_failed", "prof_ann", "bluesky", "$NOW-5", "failed")
    seed_post(mock, "post_due", "prof_ann", "linkedin", "$NOW+1", "pending")
    seed_post(mock, "post_later", "prof_ann", "linkedin", "$NOW+3600", "pending")
    async with mcp_server(mock) as server:
        published = await server.ok("wait_for_post", {"post_id": "post_published"})
        assert published["post"]["status"] == "published"
        assert published["post"]["platformUrl"].startswith("https://bsky.app/")

        # A failed post is an answer, not an error: its status says so.
        failed = await server.ok("wait_for_post", {"post_id": "post_failed"})
        assert failed["post"]["status"] == "failed"
        assert failed["post"]["failureReason"]

        # Due in a second: waited for, then published.
        due = await server.ok(
            "wait_for_post",
            {"post_id": "post_due", "interval_seconds": 0.2, "timeout_seconds": 30},
        )
        assert due["post"]["status"] == "published"

        later = await server.error(
            "wait_for_post", {"post_id": "post_later", "timeout_seconds": 0.5}
        )
        assert later.code == "WAIT_TIMEOUT"
        assert later.data["post"]["postId"] == "post_later"
        assert later.data["post"]["status"] == "pending"
        assert "again later" in later.data["hint"]

        unknown = await server.error("wait_for_post", {"post_id": "post_nope"})
        assert unknown.code == "POST_NOT_FOUND"
        for args in (
            {"post_id": "post_later", "timeout_seconds": 0},
            {"post_id": "post_later", "timeout_seconds": 7200},
            {"post_id": "post_later", "interval_seconds": 0},
            {"post_id": ""},
        ):
            refused = await server.error("wait_for_post", args)
            assert refused.code == "INVALID_ARGUMENT", (args, refused)


async def test_connection_health(mock: Mock) -> None:
    seed_profile(mock, "prof_ann", ["linkedin", "bluesky"])
    seed_profile(mock, "prof_bob", ["linkedin"], name="Bob")
    seed_profile(mock, "prof_cy", ["bluesky"], name="Cy")
    async with mcp_server(mock) as server:
        # Fresh LinkedIn connections last 60 days; Bluesky ones never expire.
        healthy = await server.ok("connection_health")
        assert healthy["ok"] is True and healthy["connections"] == []
        assert healthy["withinDays"] == 7 and healthy["profilesChecked"] == 3

        soon = await server.ok("connection_health", {"within_days": 60})
        assert [(c["profileKey"], c["problem"]) for c in soon["connections"]] == [
            ("prof_ann", "expires_soon"),
            ("prof_bob", "expires_soon"),
        ]
        assert soon["connections"][0]["daysUntilExpiry"] == 60

        mock.request("POST", "/__mock/linkedin", {"profileKey": "prof_bob", "needsReconnect": True})
        mock.request("POST", "/__mock/linkedin", {"profileKey": "prof_ann", "expired": True})
        broken = await server.ok("connection_health")
        assert broken["ok"] is False
        assert {(c["profileKey"], c["platform"], c["problem"]) for c in broken["connections"]} == {
            ("prof_ann", "linkedin", "needs_reconnect"),
            ("prof_bob", "linkedin", "needs_reconnect"),
        }
        assert "connect link" in broken["howToReconnect"]

        only_cy = await server.ok("connection_health", {"profile_key": "prof_cy"})
        assert only_cy["ok"] is True and only_cy["profilesChecked"] == 1
        nobody = await server.error("connection_health", {"profile_key": "prof_nobody"})
        assert nobody.code == "PROFILE_NOT_FOUND" and "list_profiles" in nobody.text
        too_far = await server.error("connection_health", {"within_days": 366})
        assert too_far.code == "INVALID_ARGUMENT"


async def test_network_and_configuration_errors_are_tool_errors(mock: Mock) -> None:
    async with mcp_server(mock, env={"POSTCORE_API_KEY": "pc_wrong_key_abcdef"}) as server:
        refused = await server.error("list_profiles")
        assert refused.code == "INVALID_API_KEY" and refused.data["status"] == 401
        assert "configuration" in refused.data["hint"]
        assert "pc_wrong_key_abcdef" not in refused.text + str(refused.data)

    # Nothing listens on port 9 of loopback (discard: refused at once).
    unreachable = {"POSTCORE_BASE_URL": "http://127.0.0.1:9"}
    async with mcp_server(mock, "--request-timeout", "2", env=unreachable) as server:
        down = await server.error("get_post", {"post_id": "post_a"})
        assert down.code == "CONNECTION_ERROR", down
        assert down.data["status"] is None
        # Still serving.
        assert (await server.call("list_posts")).is_error


async def test_a_long_wait_does_not_hold_up_other_calls(mock: Mock) -> None:
    seed_profile(mock, "prof_ann", ["linkedin"])
    seed_post(mock, "post_later", "prof_ann", "linkedin", "$NOW+3600", "pending")
    async with mcp_server(mock) as server:
        waiting = asyncio.create_task(
            server.call("wait_for_post", {"post_id": "post_later", "timeout_seconds": 1.5})
        )
        await asyncio.sleep(0.2)
        listed = await asyncio.wait_for(server.ok("list_profiles"), 1)
        assert [p["profileKey"] for p in listed["profiles"]] == ["prof_ann"]
        assert not waiting.done()
        timed_out = await waiting
        assert timed_out.is_error and timed_out.data["error"] == "WAIT_TIMEOUT"
