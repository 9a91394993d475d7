"""Helpers for the tests of `postcore mcp`: the local server (`postcore mock` in a child
process), and `postcore mcp` run as MCP clients run it, a child process spoken to over stdio by
the official MCP client (`mcp.ClientSession`)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parents[3]
BIN = os.environ.get("POSTCORE_BIN", str(ROOT / "target" / "debug" / "postcore"))
KEY = "pc_mcp_test_key_0123456789"


class Mock:
    """`postcore mock` in a child process, driven through its control endpoints."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [BIN, "mock", "--api-key", KEY, "--rate-window", "30"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        assert self.url.startswith("http://"), self.url

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def seed(self, seed: dict[str, Any]) -> Any:
        return self.request("POST", "/__mock/seed", seed)

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.request("GET", "/__mock/requests")["requests"]
        return result

    def sent(self, method: str) -> list[str]:
        """The paths of the API requests made with `method`."""
        return [r["path"] for r in self.requests() if r["method"] == method]

    def posts(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.request("GET", "/__mock/posts")["posts"]
        return result

    def profiles(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.request("GET", "/__mock/profiles")["profiles"]
        return result

    def fault(self, fault: dict[str, Any]) -> None:
        self.request("POST", "/__mock/faults", fault)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@dataclass
class Server:
    """A running `postcore mcp` with its session, and where its stderr goes."""

    session: ClientSession
    log: Path

    async def call(self, name: str, arguments: dict[str, Any] | None = None) -> Result:
        result = await self.session.call_tool(name, arguments)
        assert result.content, result
        text = "".join(getattr(block, "text", "") for block in result.content)
        return Result(bool(result.is_error), result.structured_content, text)

    async def ok(self, name: str, arguments: dict[str, Any] | None = None) -> Any:
        """Calls a tool that must succeed; its structured result."""
        result = await self.call(name, arguments)
        assert not result.is_error, result.text
        return result.data

    async def error(self, name: str, arguments: dict[str, Any] | None = None) -> Result:
        """Calls a tool that must answer with a tool error (not a protocol error)."""
        result = await self.call(name, arguments)
        assert result.is_error, result.text
        assert isinstance(result.data, dict) and "error" in result.data, result
        return result


@dataclass
class Result:
    is_error: bool
    data: Any
    text: str

    @property
    def code(self) -> str:
        code: str = self.data["error"]
        return code


@asynccontextmanager
async def mcp_server(
    mock: Mock, *args: str, env: dict[str, str] | None = None
) -> AsyncIterator[Server]:
    """`postcore mcp ARGS` against `mock` (the test key, unless `env` says otherwise), with an
    initialized MCP session."""
    server_env = {"POSTCORE_API_KEY": KEY, "POSTCORE_BASE_URL": mock.url, "POSTCORE_LOG": "debug"}
    server_env.update(env or {})
    params = StdioServerParameters(command=BIN, args=["mcp", *args], env=server_env)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp, "stderr.log")
        with log.open("w") as errlog:
            async with (
                stdio_client(params, errlog=errlog) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                yield Server(session, log)


def at(seconds: float) -> str:
    """Mock-now (real time: the clock is reset) plus `seconds`, as ISO 8601 UTC."""
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def seed_profile(mock: Mock, key: str, connect: list[str], name: str = "Ann") -> None:
    mock.seed(
        {
            "profiles": [
                {
                    "profileKey": key,
                    "profileName": name,
                    "connect": connect,
                    "blueskyHandle": "ann.bsky.social",
                }
            ]
        }
    )


def seed_post(
    mock: Mock, post_id: str, profile: str, platform: str, when: str, status: str
) -> None:
    mock.seed(
        {
            "posts": [
                {
                    "postId": post_id,
                    "profileKey": profile,
                    "platform": platform,
                    "content": f"post {post_id}",
                    "scheduledFor": when,
                    "status": status,
                }
            ]
        }
    )
