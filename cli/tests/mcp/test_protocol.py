"""`postcore mcp` as an MCP server: the session, the tool list (names, schemas, annotations),
--read-only, arguments refused as tool errors, and malformed messages that do not stop it."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from helpers import BIN, KEY, Mock, mcp_server

ALL_TOOLS = [
    "list_profiles",
    "create_profile",
    "delete_profile",
    "schedule_post",
    "list_posts",
    "get_post",
    "cancel_post",
    "wait_for_post",
    "connection_health",
]
READ_ONLY_TOOLS = ["list_profiles", "list_posts", "get_post", "wait_for_post", "connection_health"]


async def test_initialize_names_the_server_and_offers_tools(mock: Mock) -> None:
    async with mcp_server(mock) as server:
        info = await server.session.initialize()
        assert info.server_info.name == "postcore"
        assert info.capabilities.tools is not None
        assert info.instructions and "never guess" in info.instructions


async def test_tools_have_schemas_annotations_and_say_how_accounts_are_connected(
    mock: Mock,
) -> None:
    async with mcp_server(mock) as server:
        tools = {tool.name: tool for tool in (await server.session.list_tools()).tools}
    assert list(tools) == ALL_TOOLS
    for tool in tools.values():
        schema = tool.input_schema
        assert schema["type"] == "object", tool.name
        assert schema["additionalProperties"] is False, tool.name
        assert "properties" in schema, tool.name
        assert tool.description and len(tool.description) > 60, tool.name
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is (tool.name in READ_ONLY_TOOLS), tool.name

    post = tools["schedule_post"].input_schema
    assert post["required"] == ["profile_key", "platforms", "scheduled_for", "content"]
    assert post["properties"]["platforms"]["items"]["enum"] == ["linkedin", "bluesky"]
    assert post["properties"]["scheduled_for"]["format"] == "date-time"
    assert post["properties"]["content"]["maxLength"] == 3000
    assert post["properties"]["dry_run"]["type"] == "boolean"
    assert "never be" in (tools["schedule_post"].description or "")
    assert tools["get_post"].input_schema["required"] == ["post_id"]
    assert tools["delete_profile"].input_schema["required"] == ["profile_key"]
    status = tools["list_posts"].input_schema["properties"]["status"]
    assert [s for s in status["enum"] if s] == ["pending", "published", "failed"]

    # Destructive tools say so; the others say they are not.
    for name in ("delete_profile", "cancel_post"):
        annotations = tools[name].annotations
        assert annotations is not None and annotations.destructive_hint is True, name
    for name in ("create_profile", "schedule_post"):
        annotations = tools[name].annotations
        assert annotations is not None and annotations.destructive_hint is False, name
        assert annotations.idempotent_hint is True, name

    # No tool handles an app password or the API key, and the descriptions say who connects.
    assert not [name for name in tools if "connect" in name and name != "connection_health"]
    text = json.dumps([t.model_dump() for t in tools.values()])
    assert "app_password" not in text and "api_key" not in text.lower().replace("-", "_")
    assert "connected by a person" in (tools["create_profile"].description or "")


async def test_read_only_offers_only_the_tools_that_change_nothing(mock: Mock) -> None:
    async with mcp_server(mock, "--read-only") as server:
        names = [tool.name for tool in (await server.session.list_tools()).tools]
        assert names == READ_ONLY_TOOLS
        refused = await server.error("create_profile", {"profile_name": "Ann"})
        assert refused.code == "UNKNOWN_TOOL"
        assert "--read-only" in refused.text
        refused = await server.error("delete_profile", {"profile_key": "prof_a"})
        assert refused.code == "UNKNOWN_TOOL"
        listed = await server.ok("list_profiles")
        assert listed == {"profiles": []}
    assert mock.sent("POST") == [] and mock.sent("DELETE") == []


async def test_arguments_the_schema_refuses_are_tool_errors(mock: Mock) -> None:
    bad: list[tuple[str, dict[str, Any], str]] = [
        ("create_profile", {"profile_name": 5}, "profile_name: invalid type"),
        ("create_profile", {"name": "Ann"}, "unknown field `name`"),
        ("delete_profile", {}, "missing field `profile_key`"),
        ("schedule_post", {"profile_key": "prof_a"}, "missing field"),
        (
            "schedule_post",
            {
                "profile_key": "prof_a",
                "platforms": ["myspace"],
                "scheduled_for": "2030-01-01T00:00:00Z",
                "content": "hi",
            },
            "platforms[0]: unknown variant `myspace`",
        ),
        (
            "schedule_post",
            {
                "profile_key": "prof_a",
                "platforms": "linkedin",
                "scheduled_for": "2030-01-01T00:00:00Z",
                "content": "hi",
            },
            "platforms: invalid type",
        ),
        ("list_posts", {"status": "gone"}, "status: unknown variant"),
        ("list_posts", {"profile": "prof_a"}, "unknown field `profile`"),
        ("get_post", {"post_id": ["post_a"]}, "post_id: invalid type"),
        ("cancel_post", {}, "missing field `post_id`"),
        ("wait_for_post", {"post_id": "post_a", "timeout_seconds": "soon"}, "timeout_seconds"),
        ("connection_health", {"within_days": -1}, "within_days"),
        ("list_profiles", {"x": 1}, "unknown field `x`"),
    ]
    async with mcp_server(mock) as server:
        for name, arguments, expected in bad:
            result = await server.error(name, arguments)
            assert result.code == "INVALID_ARGUMENT", (name, result)
            assert expected in result.text, (name, result.text)
        # A tool that does not exist is a tool error too, naming the ones that do.
        result = await server.error("post_now", {})
        assert result.code == "UNKNOWN_TOOL" and "schedule_post" in result.text
        result = await server.error("connect_bluesky", {"handle": "a.bsky.social"})
        assert result.code == "UNKNOWN_TOOL" and "connected by a person" in result.text
        # Still serving.
        assert await server.ok("list_profiles") == {"profiles": []}
    assert mock.requests()[-1]["path"] == "/profiles"
    assert len(mock.requests()) == 1


async def _exchange(lines: list[bytes], env: dict[str, str] | None = None) -> tuple[Any, ...]:
    """Writes raw lines to `postcore mcp`, closes stdin, and returns (exit code, the JSON
    messages it wrote, its stderr)."""
    process = await asyncio.create_subprocess_exec(
        BIN,
        "mcp",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={"PATH": os.environ.get("PATH", ""), **(env or {})},
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(b"".join(lines)), 30)
    messages = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    return process.returncode, messages, stderr.decode()


def _message(value: Any) -> bytes:
    return json.dumps(value).encode() + b"\n"


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    },
}


async def test_malformed_messages_do_not_stop_the_server(mock: Mock) -> None:
    lines = [
        _message(INITIALIZE),
        _message({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        b"this is not json\n",
        b'{"jsonrpc": "2.0", "id": 2, "method": \n',
        b"\xff\xfe\x00 not utf-8\n",
        _message({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": "nope"}),
        _message({"jsonrpc": "2.0", "id": 4, "method": "no/such/method"}),
        _message([1, 2, 3]),
        _message({"jsonrpc": "2.0", "id": 5, "method": "tools/list"}),
        _message(
            {
                "jsonrpc": "2.0",
                "id": 6,
                "method": "tools/call",
                "params": {"name": "list_profiles", "arguments": {}},
            }
        ),
    ]
    code, messages, _ = await _exchange(
        lines, {"POSTCORE_API_KEY": KEY, "POSTCORE_BASE_URL": mock.url}
    )
    assert code == 0
    by_id = {m.get("id"): m for m in messages if isinstance(m, dict)}
    # Lines that are not JSON are dropped (rmcp answers nothing, to avoid error storms);
    # JSON that is no valid request gets "Invalid request" (it has no usable id); an unknown
    # method gets "method not found".
    invalid = [m for m in messages if "id" not in m]
    assert [m["error"]["code"] for m in invalid] == [-32600, -32600], messages
    assert by_id[4]["error"]["code"] == -32601
    assert [t["name"] for t in by_id[5]["result"]["tools"]] == ALL_TOOLS
    assert by_id[6]["result"]["structuredContent"] == {"profiles": []}


async def test_without_an_api_key_the_server_does_not_start() -> None:
    code, messages, stderr = await _exchange([_message(INITIALIZE)])
    assert code == 2
    assert messages == []
    assert "POSTCORE_API_KEY" in stderr
