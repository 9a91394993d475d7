"""The safety rules of `postcore mcp`: a dry run sends nothing and reports every check; the API
key never appears in a result or the log; a repeated create creates nothing twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from helpers import KEY, Mock, at, mcp_server, seed_post, seed_profile


def post_args(**changes: object) -> dict[str, object]:
    args: dict[str, object] = {
        "profile_key": "prof_ann",
        "platforms": ["linkedin", "bluesky"],
        "scheduled_for": at(3600),
        "content": "Hello",
        "dry_run": True,
    }
    args.update(changes)
    return args


async def test_dry_run_returns_the_request_and_the_checks_and_sends_nothing(mock: Mock) -> None:
    seed_profile(mock, "prof_ann", ["linkedin", "bluesky"])
    when = at(3600)
    async with mcp_server(mock) as server:
        report = await server.ok("schedule_post", post_args(scheduled_for=when))
        assert report["dryRun"] is True and report["sent"] is False
        assert report["ok"] is True, report["problems"]
        assert report["problems"] == []
        assert report["request"] == {
            "method": "POST",
            "path": "/posts",
            "body": {
                "profileKey": "prof_ann",
                "content": "Hello",
                "platforms": ["linkedin", "bluesky"],
                "scheduledFor": when,
            },
        }
        assert report["idempotencyKey"].startswith("mcp-")
        assert report["checks"]["content"] == [
            {"rule": "characters", "count": 5, "limit": 3000, "ok": True},
            {"rule": "bluesky_graphemes", "count": 5, "limit": 300, "ok": True},
        ]
        assert [
            (s["platform"], s["spacingSeconds"], s["ok"]) for s in report["checks"]["spacing"]
        ] == [
            ("linkedin", 60, True),
            ("bluesky", 1, True),
        ]
        assert report["checks"]["scheduledFor"]["inFuture"] is True
        assert report["checks"]["connections"]["profileFound"] is True

        # The same post written with another offset is the same call: the same key.
        plus_two = when.replace("Z", "+00:00")
        again = await server.ok("schedule_post", post_args(scheduled_for=plus_two))
        assert again["idempotencyKey"] == report["idempotencyKey"]
        other = await server.ok("schedule_post", post_args(content="Hello!"))
        assert other["idempotencyKey"] != report["idempotencyKey"]
    assert mock.sent("POST") == []
    assert mock.posts() == []


async def test_dry_run_reports_every_problem(mock: Mock) -> None:
    seed_profile(mock, "prof_ann", ["linkedin", "bluesky"])
    seed_profile(mock, "prof_bob", ["bluesky"], name="Bob")
    seed_post(mock, "post_li", "prof_ann", "linkedin", "$NOW+3600", "pending")
    seed_post(mock, "post_sky", "prof_ann", "bluesky", "$NOW+3600", "pending")
    seed_post(mock, "post_old", "prof_ann", "linkedin", "$NOW+3620", "failed")
    async with mcp_server(mock) as server:
        # 30 s after a pending LinkedIn post (60 s needed), 30 s after a Bluesky one (1 s: fine).
        close = await server.ok("schedule_post", post_args(scheduled_for=at(3630)))
        assert close["ok"] is False
        linkedin, bluesky = close["checks"]["spacing"]
        assert linkedin["ok"] is False
        assert [c["postId"] for c in linkedin["conflicts"]] == ["post_li"]
        seeded = next(p for p in mock.posts() if p["postId"] == "post_li")["scheduledFor"]
        next_free = datetime.fromisoformat(seeded.replace("Z", "+00:00")) + timedelta(seconds=60)
        assert linkedin["nextAvailable"] == next_free.isoformat().replace("+00:00", "Z")
        assert bluesky["ok"] is True
        assert len(close["problems"]) == 1
        assert "LinkedIn requires 60 s" in close["problems"][0]
        assert "post_li" in close["problems"][0]

        # Too long for Bluesky, another profile's post does not count, a platform not
        # connected, a time in the past: all reported at once.
        long = await server.ok(
            "schedule_post",
            post_args(profile_key="prof_bob", content="x" * 301, scheduled_for=at(-10)),
        )
        assert long["ok"] is False
        assert long["checks"]["content"][1] == {
            "rule": "bluesky_graphemes",
            "count": 301,
            "limit": 300,
            "ok": False,
        }
        assert all(check["ok"] for check in long["checks"]["spacing"])
        connections = long["checks"]["connections"]["platforms"]
        assert connections[0] == {"platform": "linkedin", "connected": False, "ok": False}
        assert long["checks"]["scheduledFor"]["inFuture"] is False
        problems = "\n".join(long["problems"])
        assert "Bluesky allows at most 300" in problems
        assert "LinkedIn is not connected" in problems
        assert "not in the future" in problems
        assert len(long["problems"]) == 3

        # 300 graphemes of family emoji (1,500 characters) are fine for Bluesky.
        family = await server.ok(
            "schedule_post", post_args(content="👨‍👩‍👧" * 300, scheduled_for=at(7200))
        )
        assert family["ok"] is True, family["problems"]
        assert family["checks"]["content"][1]["count"] == 300

        nobody = await server.ok("schedule_post", post_args(profile_key="prof_nobody"))
        assert nobody["ok"] is False
        assert nobody["checks"]["connections"] == {"profileFound": False}

        # Schema refusals stay tool errors, dry run or not.
        refused = await server.error("schedule_post", post_args(platforms=["myspace"]))
        assert refused.code == "INVALID_ARGUMENT"
    assert mock.sent("POST") == []


async def test_the_api_key_never_appears_in_results_or_the_log(mock: Mock) -> None:
    seed_profile(mock, "prof_ann", ["linkedin", "bluesky"])
    texts: list[str] = []
    async with mcp_server(mock) as server:
        tools = await server.session.list_tools()
        texts.append(tools.model_dump_json())
        calls: list[tuple[str, dict[str, object]]] = [
            ("list_profiles", {}),
            ("create_profile", {"profile_name": "Ann"}),
            ("schedule_post", post_args()),
            ("schedule_post", post_args(dry_run=False)),
            ("schedule_post", post_args(dry_run=False, profile_key="prof_nobody")),
            ("list_posts", {}),
            ("get_post", {"post_id": "post_nope"}),
            ("connection_health", {"within_days": 60}),
            ("delete_profile", {"profile_key": "prof_nobody"}),
        ]
        for name, arguments in calls:
            result = await server.call(name, arguments)
            texts.append(result.text + repr(result.data))
        mock.fault({"status": 401, "body": {"error": "INVALID_API_KEY", "message": KEY}})
        texts.append((await server.call("list_profiles")).text)
        log = server.log.read_text()
    # POSTCORE_LOG=debug: one line per request went to stderr, none with the key.
    assert log.count("[postcore]") >= len(calls)
    assert KEY not in log
    for text in texts[:-1]:
        assert KEY not in text
    # Even when the server echoes it back, the SDK's redaction keeps it out.
    assert KEY not in texts[-1]


async def test_repeated_schedule_post_creates_one_post(mock: Mock) -> None:
    seed_profile(mock, "prof_ann", ["linkedin", "bluesky"])
    args = post_args(dry_run=False)
    async with mcp_server(mock) as server:
        first = await server.ok("schedule_post", args)
        second = await server.ok("schedule_post", args)
        assert second["posts"] == first["posts"]
    assert len(mock.posts()) == 2


async def test_repeated_create_profile_creates_one_profile(mock: Mock) -> None:
    async with mcp_server(mock) as server:
        first = await server.ok("create_profile", {"profile_name": "User: ann@example.com"})
        second = await server.ok("create_profile", {"profile_name": "User: ann@example.com"})
        assert second == first
    assert len(mock.profiles()) == 1
