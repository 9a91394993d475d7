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
