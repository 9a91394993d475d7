"""One Python member of the fleet (tests/fleet/fleet.py): calls ``profiles.list`` as fast as
it can until its deadline, through the store in ``POSTCORE_STORE``, and prints what it got.

    python worker.py sync|async SECONDS [CONCURRENCY]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

import postcore

#: The longest a call waits for the shared budget: a little more than a window, so that calls
#: wait for their slot (as an app would) rather than being refused and retried at once.
MAX_WAIT = 5.0


def classify(error: postcore.PostcoreError) -> str:
    if isinstance(error, postcore.RateLimitError):
        # attempts == 0: the shared budget had no slot in time, nothing was sent.
        return "budget_wait" if error.attempts == 0 else "server_429"
    return type(error).__name__


def run_sync(seconds: float) -> Counter[str]:
    counts: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    with postcore.Postcore(max_rate_limit_wait=MAX_WAIT) as client:
        while time.monotonic() < deadline:
            try:
                client.profiles.list()
                counts["ok"] += 1
            except postcore.PostcoreError as e:
                counts[classify(e)] += 1
    return counts


async def run_async(seconds: float, concurrency: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    async with postcore.AsyncPostcore(max_rate_limit_wait=MAX_WAIT) as client:

        async def loop() -> None:
            while time.monotonic() < deadline:
                try:
                    await client.profiles.list()
                    counts["ok"] += 1
                except postcore.PostcoreError as e:
                    counts[classify(e)] += 1

        await asyncio.gather(*(loop() for _ in range(concurrency)))
    return counts


def main() -> None:
    kind, seconds = sys.argv[1], float(sys.argv[2])
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    global MAX_WAIT
    MAX_WAIT = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
    started = time.monotonic()
    counts = run_sync(seconds) if kind == "sync" else asyncio.run(run_async(seconds, concurrency))
    elapsed = time.monotonic() - started
    print(json.dumps({"kind": f"python-{kind}", "counts": dict(counts), "seconds": elapsed}))


if __name__ == "__main__":
    main()
