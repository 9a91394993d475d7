"""The fleet test (issue 21): many processes, one API key, one rate limit.

Eight processes (Python sync, Python asyncio, Node and a ``postcore profiles import``) call the
local server as fast as they can for several rate-limit windows, sharing one store:

* through ``sqlite://`` and through ``redis://``: no response with status 429 at the server,
  at least 90 % of what the windows allowed used, every process served;
* through ``memory://`` (each process alone): the server refuses requests with 429 (this is
  why the store exists);
* through ``redis://`` with the Redis server killed mid-run and started again: no call hangs or
  crashes, and once it is back the fleet keeps to the limit together again.

    python tests/fleet/fleet.py [--window SECONDS] [--limit N] [--windows N] [--json OUT]

Needs the built packages (``make test-python test-node``), ``target/debug/postcore-mock``,
``target/debug/postcore`` and ``redis-server`` (``scripts/ensure-redis.sh`` installs it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
KEY = "pc_fleet_test_key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Mock:
    """``postcore-mock`` with a small enforced window, controlled over HTTP."""

    def __init__(self, limit: int, window: int) -> None:
        binary = ROOT / "target" / "debug" / "postcore-mock"
        args = [str(binary), "--port", "0", "--api-key", KEY]
        args += ["--rate-limit", str(limit), "--rate-window", str(window)]
        self.process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().decode().strip()
        assert self.url.startswith("http://127.0.0.1:"), self.url

    def control(self, method: str, path: str) -> Any:
        request = urllib.request.Request(
            f"{self.url}/__mock/{path}",
            method=method,
            data=b"{}" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Redis:
    """A ``redis-server`` of the test's own, on a free port in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit(
                "redis-server is not installed: run scripts/ensure-redis.sh "
                "(Debian package redis-server)"
            )
        self.binary = binary
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ]
        args += ["--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(
                    ("127.0.0.1", self.port), timeout=0.2
                ) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None


@dataclass
class Member:
    """One process of the fleet."""

    name: str
    process: subprocess.Popen[bytes]
    summary: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None


def start_fleet(
    mock: Mock, store: str, seconds: float, folder: Path, window: int
) -> list[Member]:
    env = dict(os.environ)
    env.update(
        {
            "POSTCORE_API_KEY": KEY,
            "POSTCORE_BASE_URL": mock.url,
            "POSTCORE_STORE": store,
            "NODE_PATH": "",
        }
    )
    env.pop("POSTCORE_LOG", None)
    python = sys.executable
    node = shutil.which("node") or "node"
    cli = str(ROOT / "target" / "debug" / "postcore")
    rows = folder / "rows.csv"
    rows.write_text("name\n" + "".join(f"fleet user {i}\n" for i in range(5000)))
    wait = str(window + 1)
    py = [python, str(HERE / "worker.py")]
    js = [node, str(HERE / "worker.mjs")]
    commands = {
        "python-sync-1": [*py, "sync", str(seconds), "1", wait],
        "python-sync-2": [*py, "sync", str(seconds), "1", wait],
        "python-sync-3": [*py, "sync", str(seconds), "1", wait],
        "python-async-1": [*py, "async", str(seconds), "8", wait],
        "python-async-2": [*py, "async", str(seconds), "8", wait],
        "node-1": [*js, str(seconds), "8", wait],
        "node-2": [*js, str(seconds), "8", wait],
        "cli-import": [
            cli,
            "--json",
            "profiles",
            "import",
            str(rows),
            "--name-column",
            "name",
        ]
        + ["--state", str(folder / f"import-{time.monotonic_ns()}.db")],
    }
    return [
        Member(
            name, subprocess.Popen(command, env=env, stdout=subprocess.PIPE, cwd=HERE)
        )
        for name, command in commands.items()
    ]


def finish_fleet(members: list[Member], seconds: float) -> None:
    """Stops the import at the deadline (Ctrl-C), then waits for everyone, within a grace."""
    time.sleep(max(0.0, seconds))
    for member in members:
        if member.name == "cli-import":
            member.process.send_signal(signal.SIGINT)
    grace = time.monotonic() + 20
    for member in members:
        try:
            out, _ = member.process.communicate(
                timeout=max(0.1, grace - time.monotonic())
            )
        except subprocess.TimeoutExpired:
            member.process.kill()
            out, _ = member.process.communicate()
            member.exit_code = None
            member.summary = {"hung": True}
            continue
        member.exit_code = member.process.returncode
        # Every member prints one JSON document on stdout (the import with --json: its summary).
        try:
            member.summary = json.loads(out.decode())
        except ValueError:
            member.summary = {"output": out.decode()[-500:]}


def served(member: Member) -> int:
    """Successful calls of a member (the import: its requests that got an answer)."""
    if member.name == "cli-import":
        return int(member.summary.get("requests", 0)) - int(
            member.summary.get("rateLimited", 0)
        )
    return int(member.summary.get("counts", {}).get("ok", 0))


def run(
    mock: Mock,
    store: str,
    seconds: float,
    folder: Path,
    window: int,
    during: Any = None,
) -> dict[str, Any]:
    """One fleet run through `store`; `during(elapsed)` is called every 100 ms while it runs."""
    mock.control("POST", "reset")
    started = time.monotonic()
    members = start_fleet(mock, store, seconds, folder, window)
    if during is not None:
        while time.monotonic() - started < seconds:
            during(time.monotonic() - started)
            time.sleep(0.1)
    finish_fleet(members, seconds - (time.monotonic() - started))
    stats = mock.control("GET", "stats")
    statuses: dict[str, int] = {}
    for request in mock.control("GET", "requests")["requests"]:
        key = str(request["status"])
        statuses[key] = statuses.get(key, 0) + 1
    return {
        "store": store.split("@")[-1],
        "statuses": statuses,
        "windows": stats["windows"],
        "limit": stats["rateLimit"],
        "members": {
            m.name: {"exit": m.exit_code, "served": served(m), "summary": m.summary}
            for m in members
        },
    }


def used_fraction(
    result: dict[str, Any], windows: list[dict[str, Any]] | None = None
) -> float:
    """Requests answered in the complete windows (all but the last, which the deadline cut
    short) over what those windows allowed."""
    windows = result["windows"] if windows is None else windows
    complete = windows[:-1]
    if not complete:
        return 0.0
    answered = sum(w["requests"] - w["refused"] for w in complete)
    return answered / (result["limit"] * len(complete))


def check_members(
    result: dict[str, Any], problems: list[str], what: str, *, fair: bool = True
) -> None:
    """Every member finished as expected with no unexpected error; with `fair` (a shared
    store), each was served at least once. Processes pacing alone (memory://) promise no
    fairness: one that keeps drawing 429s while the others take the windows is what
    sharing the store prevents, not a failure of the SDK."""
    for name, member in result["members"].items():
        summary = member["summary"]
        if summary.get("hung"):
            problems.append(
                f"{what}: {name} did not finish within 20 s of the deadline"
            )
            continue
        expected_exit = 130 if name == "cli-import" else 0
        if member["exit"] != expected_exit:
            problems.append(f"{what}: {name} exited with {member['exit']}: {summary}")
        if fair and member["served"] < 1:
            problems.append(f"{what}: {name} was starved (no call served): {summary}")
        counts = summary.get("counts", {})
        unexpected = {
            k: v
            for k, v in counts.items()
            if k not in ("ok", "budget_wait", "server_429")
        }
        if unexpected:
            problems.append(f"{what}: {name} got errors {unexpected}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--window", type=int, default=4, help="rate-limit window, seconds"
    )
    parser.add_argument("--limit", type=int, default=30, help="requests per window")
    parser.add_argument("--windows", type=int, default=5, help="windows per run")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    seconds = float(args.window * args.windows)
    problems: list[str] = []
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="postcore-fleet-") as tmp:
        folder = Path(tmp)
        mock = Mock(args.limit, args.window)
        redis = Redis(folder)
        try:
            for label, store in (
                ("sqlite", f"sqlite://{folder / 'fleet.db'}"),
                ("redis", redis.url),
            ):
                result = run(mock, store, seconds, folder, args.window)
                results[label] = result
                refused = result["statuses"].get("429", 0)
                fraction = used_fraction(result)
                print(
                    f"fleet through {label}: {result['statuses']} at the server, "
                    f"{fraction:.1%} of {len(result['windows']) - 1} complete windows used; "
                    + ", ".join(
                        f"{n} {m['served']}" for n, m in result["members"].items()
                    )
                )
                if refused:
                    problems.append(f"{label}: the server answered 429 {refused} times")
                if fraction < 0.9:
                    problems.append(f"{label}: only {fraction:.1%} of the windows used")
                check_members(result, problems, label)

            result = run(mock, "memory://", seconds, folder, args.window)
            results["memory"] = result
            refused = result["statuses"].get("429", 0)
            print(f"fleet through memory:// (each process alone): {result['statuses']}")
            if refused == 0:
                problems.append("memory://: no 429 although every process paced alone")
            check_members(result, problems, "memory", fair=False)

            # Redis killed a third of the way in, started again (empty) at two thirds.
            kill_at, restart_at = seconds / 3, 2 * seconds / 3
            events: dict[str, float] = {}

            def outage(elapsed: float) -> None:
                if "killed" not in events and elapsed >= kill_at:
                    redis.kill()
                    events["killed"] = time.time()
                if "restarted" not in events and elapsed >= restart_at:
                    redis.start()
                    events["restarted"] = time.time()

            result = run(
                mock,
                redis.url,
                seconds + args.window * 2,
                folder,
                args.window,
                during=outage,
            )
            results["redis_outage"] = result
            # Windows that started once the fleet had a window's time to find Redis again.
            settled_at = events["restarted"] + args.window + 2
            after = [w for w in result["windows"] if w["start"] >= settled_at]
            refused_after = sum(w["refused"] for w in after)
            print(
                f"fleet through redis:// killed at {kill_at:.0f} s, back at {restart_at:.0f} s: "
                f"{result['statuses']}; {len(after)} windows after it was back, "
                f"{refused_after} refused in them"
            )
            check_members(result, problems, "redis outage")
            if len(after) < 2:
                problems.append(
                    "redis outage: too few windows after the restart to judge"
                )
            elif refused_after:
                problems.append(
                    f"redis outage: {refused_after} requests refused after Redis was back"
                )
        finally:
            redis.kill()
            mock.stop()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    if not problems:
        print("fleet: all checks passed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
