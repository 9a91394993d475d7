"""The cross-process idempotency test (issue 22): one key, several processes, one creation.

Worker processes in Python (sync and asyncio, ``worker.py``), Node (``worker.mjs``) and the CLI
call ``posts.create`` with the same idempotency key against ``postcore-mock``, sharing the key
records through a ``sqlite://`` store (a temporary file) and through ``redis://`` (a
redis-server of the test's own). The two stores run side by side, each with a mock of its own;
for each:

* **race**: two processes (Python and Node; Python sync and asyncio) released together while
  the server holds ``POST /posts`` for 1.5 s: one ``POST /posts`` at the server, one post, and
  both processes return its id;
* **killed while sending**: a process is ``kill -9``-ed once the server has its (delayed)
  ``POST /posts``; another process (other language) with the key waits for the dead one's
  lease (its timeout + 5 s), looks, sends only if nothing was created: one post, and it
  returns that post. The mock drops a request whose client has gone, so nothing was created
  and the post is sent again; in a second run the post is seeded after the kill, as a server
  that went on with the request would have created it, and it is found, not sent again;
* **killed after the server created it**: the ``POST /posts`` is processed and its answer
  lost, the process is killed while it looks for the post (its ``GET /posts`` held by the
  server); the next process with the key finds the post without sending again;
* **other arguments**: the key with other content from another process (Node, the CLI):
  ``IdempotencyKeyReusedError``, no request at all; the CLI with the same arguments prints the
  same post without a request;
* **outlived lease** (``profiles.create``): a call whose look for its lost profile outlasts its
  lease (call timeout 3 s on a client with 60 s: its ``GET /profiles`` held 7.5 s) must not
  send again once another process has taken the key over: one profile, both return it. (This
  one fails as the core stands: the lease does not cover the look, which runs on the client's
  timeout, and a call does not check that it still holds the key before sending again.)

    python tests/idempotency/race.py [--only sqlite|redis]

Prints one line per case, then ``N passed, M failed``; exits 1 if any failed. Needs the built
packages (``make test-python test-node``), ``target/debug/postcore-mock``,
``target/debug/postcore`` and ``redis-server`` (``tests/idempotency/run.sh`` sees to them).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
KEY = "pc_idempotency_test_key"
PROFILE = "prof_idem_ann"
#: The killed worker's client: a short timeout and no rate-limit wait make a short lease
#: (timeout + max_rate_limit_wait + 5 s).
SHORT = {"timeout": 1.0, "max_rate_limit_wait": 0.0}
#: The other workers': long enough to wait out a lease, or a delayed racer.
LONG = {"timeout": 15.0, "max_rate_limit_wait": 5.0}


def load_fleet() -> ModuleType:
    """tests/fleet/fleet.py, for its ``Redis`` (a redis-server of the test's own on a free
    port, in a temporary folder)."""
    spec = importlib.util.spec_from_file_location("fleet", ROOT / "tests" / "fleet" / "fleet.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fleet"] = module
    spec.loader.exec_module(module)
    return module


class Failed(Exception):
    """A case's check failed (the message says which)."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


class Mock:
    """``postcore-mock`` with a large monthly quota, controlled over HTTP."""

    def __init__(self) -> None:
        binary = ROOT / "target" / "debug" / "postcore-mock"
        args = [str(binary), "--port", "0", "--api-key", KEY, "--posts-per-month", "100000"]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().decode().strip()
        assert self.url.startswith("http://127.0.0.1:"), self.url

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body if body is not None else {}).encode() if method == "POST" else None
        request = urllib.request.Request(
            f"{self.url}/__mock/{path}",
            method=method,
            data=data,
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def prepare(self, faults: list[dict[str, Any]]) -> str:
        """A fresh server: one profile with Bluesky connected, these faults queued. Returns
        when to schedule the post (an hour from the server's now, as the API writes it)."""
        self.control("POST", "reset")
        self.control(
            "POST", "seed", {"profiles": [{"profileKey": PROFILE, "connect": ["bluesky"]}]}
        )
        if faults:
            self.control("POST", "faults", faults)
        now = datetime.strptime(self.control("GET", "clock")["now"][:19], "%Y-%m-%dT%H:%M:%S")
        at = now.replace(tzinfo=timezone.utc) + timedelta(hours=1)
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")

    def requests(self) -> list[dict[str, Any]]:
        requests: list[dict[str, Any]] = self.control("GET", "requests")["requests"]
        return requests

    def sent(self, method: str, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests() if r["method"] == method and r["path"] == path]

    def posts(self) -> list[dict[str, Any]]:
        posts: list[dict[str, Any]] = self.control("GET", "posts")["posts"]
        return posts

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Run:
    """The cases of one store."""

    def __init__(self, mock: Mock, store: str) -> None:
        self.mock = mock
        self.store = store
        self.env = dict(os.environ)
        self.env.update(
            {
                "POSTCORE_API_KEY": KEY,
                "POSTCORE_BASE_URL": mock.url,
                "POSTCORE_STORE": store,
                "NODE_PATH": "",
            }
        )
        self.env.pop("POSTCORE_LOG", None)

    def spec(self, at: str, key: str, client: dict[str, float], **changes: Any) -> dict[str, Any]:
        spec = {
            "profile_key": PROFILE,
            "content": "Hello, exactly once",
            "platforms": ["bluesky"],
            "scheduled_for": at,
            "key": key,
            "barrier": False,
            **client,
        }
        spec.update(changes)
        return spec

    def start(self, who: str, spec: dict[str, Any]) -> subprocess.Popen[str]:
        if who == "node":
            command = [shutil.which("node") or "node", str(HERE / "worker.mjs")]
        else:
            command = [sys.executable, str(HERE / "worker.py"), who.removeprefix("python-")]
        return subprocess.Popen(
            [*command, json.dumps(spec)],
            env=self.env,
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def cli(self, spec: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        command = [str(ROOT / "target" / "debug" / "postcore"), "--json", "posts", "create"]
        command += ["--profile", spec["profile_key"], "--at", spec["scheduled_for"]]
        command += ["--content", spec["content"], "--idempotency-key", spec["key"]]
        command += [arg for p in spec["platforms"] for arg in ("--platform", p)]
        command += ["--store", self.store, "--request-timeout", str(spec["timeout"])]
        return subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=30, check=False
        )


def ready(process: subprocess.Popen[str], who: str) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    if json.loads(line or "null") != {"ready": True}:
        _, err = process.communicate(timeout=10)
        raise Failed(f"{who} did not get ready: {line!r} {err[-500:]}")


def outcome(process: subprocess.Popen[str], who: str, timeout: float = 40) -> dict[str, Any]:
    """The worker's report (its last line on stdout)."""
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise Failed(f"{who} did not finish within {timeout:.0f} s") from None
    lines = [line for line in out.splitlines() if line.strip()]
    check(
        process.returncode == 0 and bool(lines), f"{who} exited {process.returncode}: {err[-500:]}"
    )
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def created(report: dict[str, Any]) -> list[str]:
    """The ids a worker returned, post ids or a profile key (failing the case if it did not
    succeed)."""
    if not report.get("ok"):
        raise Failed(f"{report['who']} failed: {report.get('error')}: {report.get('message')}")
    ids: list[str] = report["ids"]
    return ids


def wait_for(what: str, seen: Callable[[], bool], timeout: float = 10) -> float:
    """Polls until ``seen()``; returns how long it took."""
    started = time.monotonic()
    while not seen():
        check(time.monotonic() - started < timeout, f"no {what} within {timeout:.0f} s")
        time.sleep(0.02)
    return time.monotonic() - started


def kill(process: subprocess.Popen[str], who: str) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    check(process.returncode == -signal.SIGKILL, f"{who} exited {process.returncode}, not killed")


# --------------------------------------------------------------------------- the cases


def race(run: Run, first: str, second: str) -> str:
    """Two processes released together with one key while the server holds the POST."""
    at = run.mock.prepare([{"method": "POST", "path": "/posts", "delay_ms": 1500}])
    key = f"race-{secrets.token_hex(6)}"
    spec = run.spec(at, key, LONG, barrier=True)
    workers = {who: run.start(who, spec) for who in (first, second)}
    for who, process in workers.items():
        ready(process, who)
    for process in workers.values():
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    reports = {who: outcome(process, who) for who, process in workers.items()}
    ids = {who: created(report) for who, report in reports.items()}
    posts = run.mock.posts()
    sent = run.mock.sent("POST", "/posts")
    overlap = min(r["ended"] for r in reports.values()) - max(
        r["started"] for r in reports.values()
    )
    check(len(sent) == 1, f"the server saw {len(sent)} POST /posts, expected 1")
    check(len(posts) == 1, f"the server stores {len(posts)} posts, expected 1")
    check(ids[first] == ids[second] == [posts[0]["postId"]], f"ids {ids}, stored {posts}")
    check(overlap > 0, f"the calls did not overlap ({overlap:.2f} s)")
    agent = sent[0]["headers"].get("user-agent", "?").split("/")[0]
    return (
        f"race {first} vs {second}: 1 POST /posts (from {agent}), 1 post, both returned "
        f"{posts[0]['postId']}; calls overlapped {overlap:.2f} s"
    )


def killed_while_sending(run: Run, first: str, second: str, created_late: bool = False) -> str:
    """Killed once the server has its POST (held 3 s). The mock forgets a request whose client
    has gone; a real server may go on and create the post: ``created_late`` seeds it then."""
    at = run.mock.prepare([{"method": "POST", "path": "/posts", "delay_ms": 3000, "process": True}])
    key = f"kill-send-{secrets.token_hex(6)}"
    spec = run.spec(at, key, SHORT)
    victim = run.start(first, spec)
    waited = wait_for("POST /posts at the server", lambda: bool(run.mock.sent("POST", "/posts")))
    kill(victim, first)
    late = "post_created_late"
    if created_late:
        post = {"postId": late, "profileKey": PROFILE, "platform": "bluesky"}
        post.update({"content": spec["content"], "scheduledFor": at})
        run.mock.control("POST", "seed", {"posts": [post]})
    after_kill = len(run.mock.posts())
    started = time.monotonic()
    report = outcome(run.start(second, run.spec(at, key, LONG)), second)
    took = time.monotonic() - started
    ids = created(report)
    posts = run.mock.posts()
    sent = run.mock.sent("POST", "/posts")
    check(len(posts) == 1, f"the server stores {len(posts)} posts, expected 1")
    check(ids == [posts[0]["postId"]], f"{second} returned {ids}, the server stores {posts}")
    check(sent[0]["status"] is None, f"the killed process's POST was answered: {sent[0]}")
    # The dead process's lease (1 s + 5 s from its intent) is waited out before looking.
    check(took > 3, f"{second} took {took:.1f} s: it did not wait for the dead one's lease")
    if created_late:
        check(ids == [late], f"{second} returned {ids}, not the post created late")
        check(len(sent) == 1, f"the server saw {len(sent)} POST /posts, expected 1 (no resend)")
        then = "then the post seeded, as a server going on would create it"
    else:
        check(len(sent) == 2, f"the server saw {len(sent)} POST /posts, expected 2")
        then = f"{after_kill} posts after the kill"
    return (
        f"{first} killed {waited:.2f} s in, while its POST /posts was held; {then}; {second} "
        f"returned {ids[0]} after {took:.1f} s (the lease); 1 post, {len(sent)} POST /posts "
        "in all"
    )


def killed_while_sending_created_late(run: Run, first: str, second: str) -> str:
    return killed_while_sending(run, first, second, created_late=True)


def killed_after_creation(run: Run, first: str, second: str) -> str:
    """The POST processed and its answer lost; killed while looking for the post."""
    at = run.mock.prepare(
        [
            {"method": "POST", "path": "/posts", "action": "drop", "process": True},
            {"method": "GET", "path": "/posts", "delay_ms": 3000},
        ]
    )
    key = f"kill-look-{secrets.token_hex(6)}"
    victim = run.start(first, run.spec(at, key, SHORT))
    waited = wait_for("GET /posts at the server", lambda: bool(run.mock.sent("GET", "/posts")))
    kill(victim, first)
    after_kill = run.mock.posts()
    check(len(after_kill) == 1, f"{len(after_kill)} posts after the dropped POST, expected 1")
    started = time.monotonic()
    report = outcome(run.start(second, run.spec(at, key, LONG)), second)
    took = time.monotonic() - started
    ids = created(report)
    posts = run.mock.posts()
    sent = run.mock.sent("POST", "/posts")
    looks = run.mock.sent("GET", "/posts")
    check(len(posts) == 1, f"the server stores {len(posts)} posts, expected 1")
    check(ids == [after_kill[0]["postId"]], f"{second} returned {ids}, created {after_kill}")
    check(len(sent) == 1, f"the server saw {len(sent)} POST /posts, expected 1 (no resend)")
    return (
        f"{first} killed {waited:.2f} s in, while looking for its post (created, answer lost); "
        f"{second} found {ids[0]} after {took:.1f} s with {len(looks) - 1} GET /posts, "
        f"1 post, 1 POST /posts in all"
    )


def outlived_lease(run: Run, first: str, second: str) -> str:
    """A keyed call that outlives its lease must not send once another process holds the key.

    ``first`` creates a profile with a 3 s call timeout (lease 3 + 0 + 5 = 8 s) on a client
    whose timeout is 60 s. Its POST is lost (nothing created), its look (``GET /profiles``, on
    the client's timeout) takes 7.5 s and finds nothing, so it sends again (held 2 s).
    ``second``, started meanwhile with the key, waits out the lease (8 s), looks, finds nothing
    yet and sends too. One key, so one profile, and both should return it."""
    name = f"User: lease-{secrets.token_hex(4)}@example.com"
    run.mock.prepare(
        [
            {"method": "POST", "path": "/profiles/create", "action": "drop"},
            {"method": "GET", "path": "/profiles", "delay_ms": 7500},
            {"method": "POST", "path": "/profiles/create", "delay_ms": 2000, "process": True},
        ]
    )
    key = f"lease-{secrets.token_hex(6)}"
    spec = {"op": "profiles.create", "profile_name": name, "key": key, "barrier": False}
    holder = run.start(
        first, {**spec, "timeout": 60.0, "max_rate_limit_wait": 0.0, "call_timeout": 3.0}
    )
    wait_for("POST /profiles/create", lambda: bool(run.mock.sent("POST", "/profiles/create")))
    other = run.start(second, {**spec, **LONG})
    reports = {first: outcome(holder, first), second: outcome(other, second)}
    ids = {who: created(report) for who, report in reports.items()}
    named = [
        p["profileKey"]
        for p in run.mock.control("GET", "profiles")["profiles"]
        if p["profileName"] == name
    ]
    sent = run.mock.sent("POST", "/profiles/create")
    check(
        len(named) == 1,
        f"{len(named)} profiles for one key ({len(sent)} POST /profiles/create): {first} "
        f"returned {ids[first]}, {second} {ids[second]}",
    )
    check(ids[first] == ids[second] == named, f"ids {ids}, stored {named}")
    return (
        f"{first} outlived its lease looking for its profile; {second} took the key over: "
        f"1 profile ({named[0]}), both returned it, {len(sent)} POST /profiles/create"
    )


def other_arguments(run: Run, first: str, second: str) -> str:
    """The key again from other processes: other content refused, same arguments replayed."""
    at = run.mock.prepare([])
    key = f"reuse-{secrets.token_hex(6)}"
    spec = run.spec(at, key, LONG)
    ids = created(outcome(run.start(first, spec), first))
    before = len(run.mock.requests())
    other = run.spec(at, key, LONG, content="Hello, twice")
    report = outcome(run.start(second, other), second)
    check(not report.get("ok"), f"{second} with other content succeeded: {report}")
    check(
        report.get("error") == "IdempotencyKeyReusedError",
        f"{second}: {report.get('error')}: {report.get('message')}",
    )
    check(len(run.mock.requests()) == before, f"{second} sent a request")
    replayed = run.cli(spec)
    check(replayed.returncode == 0, f"the CLI exited {replayed.returncode}: {replayed.stderr}")
    cli_ids = [p["postId"] for p in json.loads(replayed.stdout)["posts"]]
    check(cli_ids == ids, f"the CLI returned {cli_ids}, {first} {ids}")
    refused = run.cli(other)
    check(refused.returncode == 1, f"the CLI with other content exited {refused.returncode}")
    check("already used" in refused.stderr, f"the CLI's refusal: {refused.stderr}")
    code = json.loads(refused.stderr or "{}").get("error")
    after = len(run.mock.requests())
    check(after == before, f"{after - before} requests after the first call, expected none")
    posts = run.mock.posts()
    check(len(posts) == 1, f"the server stores {len(posts)} posts, expected 1")
    return (
        f"{first} created {ids[0]}; {second} with other content: IdempotencyKeyReusedError; "
        f"the CLI: same arguments replayed {cli_ids[0]}, other content refused ({code}, exit "
        f"1); {after - before} requests after the first call, 1 post"
    )


CASES: list[tuple[Callable[[Run, str, str], str], str, str]] = [
    (race, "python-sync", "node"),
    (race, "python-sync", "python-async"),
    (killed_while_sending, "python-sync", "node"),
    (killed_while_sending_created_late, "node", "python-sync"),
    (killed_after_creation, "node", "python-async"),
    (other_arguments, "python-sync", "node"),
    (outlived_lease, "python-sync", "node"),
]


class Tally:
    """Passed and failed cases, printed as they end (the stores run side by side)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.passed = 0
        self.failed = 0

    def case(self, label: str, run: Run, case: Callable[[Run, str, str], str], *who: str) -> None:
        started = time.monotonic()
        try:
            line = case(run, *who)
        except Exception as e:  # a failed check, or anything else that went wrong
            with self.lock:
                self.failed += 1
                problem = str(e) if isinstance(e, Failed) else repr(e)
                print(f"FAIL {label}: {case.__name__} {' vs '.join(who)}: {problem}", flush=True)
            return
        with self.lock:
            self.passed += 1
            print(f"ok   {label}: {line} [{time.monotonic() - started:.1f} s]", flush=True)


def run_store(label: str, store: str, tally: Tally) -> None:
    """Every case through one store, against a mock of its own."""
    mock = Mock()
    try:
        run = Run(mock, store)
        for case, first, second in CASES:
            tally.case(label, run, case, first, second)
    finally:
        mock.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sqlite", "redis"], help="one store only")
    args = parser.parse_args()
    fleet = load_fleet()
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="postcore-idempotency-") as tmp:
        folder = Path(tmp)
        redis = fleet.Redis(folder) if args.only != "sqlite" else None
        try:
            stores = {"sqlite": f"sqlite://{folder / 'keys.db'}"}
            if redis is not None:
                stores["redis"] = redis.url
            threads = [
                threading.Thread(target=run_store, args=(label, store, tally))
                for label, store in stores.items()
                if args.only in (None, label)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            if redis is not None:
                redis.kill()
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed or not tally.passed else 0


if __name__ == "__main__":
    sys.exit(main())
