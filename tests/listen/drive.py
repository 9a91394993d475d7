"""`postcore listen --forward-to` into a receiver in Python and one in Node, each verifying every
delivery with its package's helper (`postcore.webhooks.verify`, `verifyWebhook`) and failing
some attempts (500s, a connection closed unanswered): every event must be delivered once it
succeeds, in order, every attempt verified, and a forged delivery refused.

Run by tests/listen/run.sh under scripts/with-mock.sh (POSTCORE_BASE_URL, POSTCORE_API_KEY);
stdlib only, the SDK is exercised by the receivers. Prints `N passed, N failed` at the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
BASE = os.environ["POSTCORE_BASE_URL"]
KEY = os.environ["POSTCORE_API_KEY"]
SECRET = "whsec_listen_receivers_0c4e1a"
# The receiver's attempts: the 1st is the forged one, then postcore listen's: its 2nd and 3rd
# get a 500, its 5th sees the connection closed.
FAILURES = "3:500,4:500,6:close"
POSTCORE = os.environ.get("POSTCORE_BIN", str(ROOT / "target" / "debug" / "postcore"))
LIMIT = 60.0
RECEIVERS = {
    "python": [sys.executable, str(ROOT / "tests" / "listen" / "receiver.py")],
    "node": ["node", str(ROOT / "tests" / "listen" / "receiver.mjs")],
}


def call(method: str, path: str, body: Any = None, key: bool = True) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if key:
        request.add_header("x-api-key", KEY)
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


def wait_until(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + LIMIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def polls() -> int:
    requests = call("GET", "/__mock/requests", key=False)["requests"]
    return sum(1 for r in requests if r["path"] == "/profiles" and r["status"] == 200)


def wait_for_polls() -> None:
    """Two more polls: the second started after everything done before this call."""
    before = polls()
    wait_until("two more polls", lambda: polls() >= before + 2)


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def make_changes() -> list[str]:
    """profile.created, connection.connected, post.deleted, post.published twice."""
    profile = call("POST", "/profiles/create", {"profileName": "User: ann@example.com"})
    key = profile["profileKey"]
    wait_for_polls()
    call(
        "POST",
        "/profiles/connect",
        {
            "profileKey": key,
            "platform": "bluesky",
            "credentials": {
                "handle": "ann.bsky.social",
                "appPassword": "abcd-efgh-ijkl-mnop",
            },
        },
    )
    now = call("GET", "/__mock/clock", key=False)["now"]
    start = datetime.fromisoformat(now.replace("Z", "+00:00"))
    ids = []
    for i, delay in enumerate([60, 120, 180]):
        at = (start + timedelta(seconds=delay)).strftime("%Y-%m-%dT%H:%M:%SZ")
        answer = call(
            "POST",
            "/posts",
            {
                "profileKey": key,
                "content": f"post {i}",
                "platforms": ["bluesky"],
                "scheduledFor": at,
            },
        )
        ids.append(answer["posts"][0]["postId"])
    wait_for_polls()
    call("DELETE", f"/posts/{ids[2]}")
    call("POST", "/__mock/advance", {"seconds": 150}, key=False)
    return ids


def check(language: str, work: Path) -> None:
    call("POST", "/__mock/reset", key=False)
    log = work / f"{language}.jsonl"
    env = dict(os.environ, POSTCORE_WEBHOOK_SECRET=SECRET, RECEIVER_FAILURES=FAILURES)
    receiver = subprocess.Popen(
        [*RECEIVERS[language], str(log)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    listen: subprocess.Popen[str] | None = None
    try:
        assert receiver.stdout is not None
        url = receiver.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), f"receiver said {url!r}"
        # A forged delivery is refused by the helper.
        forged = urllib.request.Request(
            url,
            data=b'{"id":"evt_x","type":"post.published","createdAt":"2030-01-01T00:00:00Z","data":{}}',
            method="POST",
            headers={"postcore-signature": f"t={int(time.time())},v1={'0' * 64}"},
        )
        try:
            urllib.request.urlopen(forged, timeout=10)
            raise AssertionError("a forged delivery was accepted")
        except urllib.error.HTTPError as error:
            assert error.code == 400, error.code
        listen = subprocess.Popen(
            [POSTCORE, "listen", "--forward-to", url, "--interval", "0.2"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until("the first poll", lambda: polls() >= 1)
        posts = make_changes()
        expected = call("GET", "/__mock/events", key=False)["events"]
        assert len(expected) == 5, expected

        def delivered() -> list[dict[str, Any]]:
            return [e for e in read_log(log) if e["answer"] == "200"]

        wait_until("every event delivered", lambda: len(delivered()) >= len(expected))
        listen.send_signal(signal.SIGINT)
        stdout, stderr = listen.communicate(timeout=LIMIT)
        assert listen.returncode == 130, (listen.returncode, stderr)

        attempts = read_log(log)
        forged_entry, attempts = attempts[0], attempts[1:]
        assert not forged_entry["verified"], forged_entry
        unverified = [a for a in attempts if not a["verified"]]
        assert not unverified, unverified
        ids = [a["id"] for a in delivered()]
        by_id = {e["id"]: e for e in expected}
        assert len(set(ids)) == len(ids), f"an event delivered twice: {ids}"
        assert set(ids) == set(by_id), (ids, list(by_id))
        for attempt in attempts:
            event = json.loads(attempt["body"])
            mine = by_id[attempt["id"]]
            assert event["type"] == attempt["type"] == mine["type"], attempt
            assert event["data"] == mine["data"], (event, mine)
        # In order: attempted until it succeeded, then the next one.
        order: list[str] = []
        for attempt in attempts:
            if not order or order[-1] != attempt["id"]:
                assert attempt["id"] not in order, f"{attempt['id']} again after another"
                order.append(attempt["id"])
        assert order == ids, (order, ids)
        # Its attempts 2, 3 (500) and 5 (closed) failed and were retried.
        assert len(attempts) == len(expected) + 3, attempts
        answers = [a["answer"] for a in attempts]
        assert answers[1:3] == ["500", "500"] and answers[4] == "close", answers
        assert attempts[1]["id"] == attempts[3]["id"], attempts
        published = [
            by_id[i]["data"]["postId"] for i in ids if by_id[i]["type"] == "post.published"
        ]
        assert published == posts[:2], (published, posts)
        lines = stdout.splitlines()
        assert len(lines) == len(attempts), stdout
        assert sum(1 for line in lines if line.startswith("delivered evt_")) == len(expected)
        assert SECRET not in stdout + stderr, "the secret was printed"
        print(
            f"listen: {language} receiver: {len(expected)} events delivered in order in "
            f"{len(attempts)} attempts, every one verified; a forged delivery refused"
        )
    finally:
        if listen is not None and listen.poll() is None:
            listen.kill()
            listen.wait()
        receiver.terminate()
        receiver.wait()


def main() -> int:
    passed = failed = 0
    with tempfile.TemporaryDirectory() as work:
        for language in RECEIVERS:
            try:
                check(language, Path(work))
                passed += 1
            except Exception as error:
                failed += 1
                print(f"listen: {language} receiver FAILED: {error!r}", file=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
