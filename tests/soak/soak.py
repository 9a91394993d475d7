"""Soak test of the Python package: N create_profile calls through the sync or async client.

Checks that memory stays flat, no file descriptor leaks and no call exceeds its timeout.
Usage: soak.py sync|async CALLS  (POSTCORE_BASE_URL / POSTCORE_API_KEY point at postcore-mock)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import postcore

TIMEOUT = 5.0
WARMUP = 2_000
CONCURRENCY = 64


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def run_sync(calls: int) -> float:
    worst = 0.0
    with postcore.Postcore(timeout=TIMEOUT) as client:
        for i in range(calls):
            started = time.perf_counter()
            client.create_profile(profile_name=f"soak {i}")
            worst = max(worst, time.perf_counter() - started)
    return worst


def run_async(calls: int) -> float:
    async def main() -> float:
        worst = 0.0
        async with postcore.AsyncPostcore(timeout=TIMEOUT) as client:

            async def one(i: int) -> None:
                nonlocal worst
                started = time.perf_counter()
                await client.create_profile(profile_name=f"soak {i}")
                worst = max(worst, time.perf_counter() - started)

            for start in range(0, calls, CONCURRENCY):
                await asyncio.gather(*(one(i) for i in range(start, min(calls, start + CONCURRENCY))))
        return worst

    return asyncio.run(main())


def main() -> int:
    mode, calls = sys.argv[1], int(sys.argv[2])
    run = run_sync if mode == "sync" else run_async
    run(WARMUP)  # let pools, runtime threads and allocator arenas reach their steady size
    rss_start, fds_start = rss_mib(), open_fds()
    started = time.perf_counter()
    worst = run(calls)
    elapsed = time.perf_counter() - started
    rss_end, fds_end = rss_mib(), open_fds()
    report = {
        "language": f"python-{mode}",
        "calls": calls,
        "seconds": round(elapsed, 2),
        "calls_per_second": round(calls / elapsed),
        "rss_start_mib": round(rss_start, 1),
        "rss_end_mib": round(rss_end, 1),
        "fds_start": fds_start,
        "fds_end": fds_end,
        "slowest_call_s": round(worst, 3),
    }
    print(json.dumps(report))
    problems = []
    if rss_end - rss_start > max(16.0, rss_start * 0.25):
        problems.append(f"RSS grew from {rss_start:.1f} to {rss_end:.1f} MiB")
    if fds_end > fds_start + 2:
        problems.append(f"file descriptors grew from {fds_start} to {fds_end}")
    if worst >= TIMEOUT:
        problems.append(f"a call took {worst:.2f} s, over the {TIMEOUT} s timeout")
    for problem in problems:
        print(f"soak python-{mode}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
