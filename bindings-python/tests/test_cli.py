"""The ``postcore`` console script: the Rust command line built into the extension, installed
by the package (``pip install postcore`` gives ``postcore``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import MockServer

SCRIPT = Path(sys.executable).parent / "postcore"


def run(
    server: MockServer, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POSTCORE_API_KEY": server.api_key, "POSTCORE_BASE_URL": server.url}
    return subprocess.run(
        [str(SCRIPT), *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_the_script_is_installed() -> None:
    assert SCRIPT.exists() or shutil.which("postcore") is not None


def test_profiles_from_the_console_script(server: MockServer) -> None:
    created = run(server, "--json", "profiles", "create", "--name", "User: cli@example.com")
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)["profileKey"]
    assert [p["profileKey"] for p in server.profiles()] == [key]
    listed = run(server, "profiles", "list")
    assert listed.returncode == 0 and key in listed.stdout
    assert server.api_key not in listed.stdout + listed.stderr


def test_errors_and_usage_exit_codes(server: MockServer) -> None:
    missing = run(server, "profiles", "delete", "prof_nobody")
    assert missing.returncode == 1
    assert "PROFILE_NOT_FOUND" in missing.stderr
    usage = run(server, "profiles", "frobnicate")
    assert usage.returncode == 2


def test_bluesky_password_from_stdin(server: MockServer) -> None:
    done = run(
        server,
        "--json",
        "profiles",
        "connect-bluesky",
        "--handle",
        "ann.bsky.social",
        stdin="abcd-efgh-ijkl-mnop\n",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["username"] == "ann.bsky.social"
    assert "abcd-efgh-ijkl-mnop" not in done.stdout + done.stderr


def test_python_dash_m_is_not_needed_but_main_works(server: MockServer) -> None:
    code = (
        "import sys; sys.argv = ['postcore', '--version']; from postcore._cli import main; main()"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and "postcore" in out.stdout


def test_python_dash_m_postcore_runs_the_command_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "postcore", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("postcore ")
    usage = subprocess.run(
        [sys.executable, "-m", "postcore", "nope"], capture_output=True, text=True
    )
    assert usage.returncode == 2
    assert "Usage: postcore" in usage.stderr


def test_python_dash_m_postcore_mcp_serves_the_tools(server: MockServer) -> None:
    """`python -m postcore mcp`, as an MCP client configuration runs it: newline-delimited
    JSON-RPC on stdin/stdout (the protocol itself is tested in cli/tests/mcp)."""
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "test", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "create_profile", "arguments": {"profile_name": "Ann"}},
        },
    ]
    env = {**os.environ, "POSTCORE_API_KEY": server.api_key, "POSTCORE_BASE_URL": server.url}
    out = subprocess.run(
        [sys.executable, "-m", "postcore", "mcp"],
        input="".join(json.dumps(m) + "\n" for m in messages),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    answers = {m["id"]: m for m in map(json.loads, out.stdout.splitlines())}
    assert answers[1]["result"]["serverInfo"]["name"] == "postcore"
    assert "schedule_post" in [t["name"] for t in answers[2]["result"]["tools"]]
    created = answers[3]["result"]["structuredContent"]
    assert [p["profileKey"] for p in server.profiles()] == [created["profileKey"]]
    assert server.api_key not in out.stdout + out.stderr
