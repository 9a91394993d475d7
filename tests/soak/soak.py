"""Soak test of the Python package: N create_profile calls through the sync or async client.

Checks that memory stays flat, no file descriptor leaks and no call exceeds its timeout. The
figures are read with the client open, after a warm-up, so pools, runtime threads and allocator
arenas have reached their steady size at both ends of the measured run.
Usage: soak.py sync|async CALLS  (POSTCORE_BASE_URL / POSTCORE_API_KEY point at postcore-mock)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

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


class Probe:
    """RSS and descriptors at the start of the measured run; the report at its end."""

    def __init__(self) -> None:
        self.rss, self.fds, self.started = rss_mib(), open_fds(), time.perf_counter()

    def report(self, calls: int, worst: float) -> dict[str, Any]:
        elapsed = time.perf_counter() - self.started
        return {
            "calls": calls,
            "seconds": round(elapsed, 2),
            "calls_per_second": round(calls / elapsed),
            "rss_start_mib": round(self.rss, 1),
            "rss_end_mib": round(rss_mib(), 1),
            "fds_start": self.fds,
            "fds_end": open_fds(),
            "slowest_call_s": round(worst, 3),
        }


def run_sync(client: postcore.Postcore, calls: int) -> float:
    worst = 0.0
    for i in range(calls):
        started = time.perf_counter()
        client.create_profile(profile_name=f"soak {i}")
        worst = max(worst, time.perf_counter() - started)
    return worst


async def run_async(client: postcore.AsyncPostcore, calls: int) -> float:
    worst = 0.0

    async def one(i: int) -> None:
        nonlocal worst
        started = time.perf_counter()
        await client.create_profile(profile_name=f"soak {i}")
        worst = max(worst, time.perf_counter() - started)

    for start in range(0, calls, CONCURRENCY):
        await asyncio.gather(*(one(i) for i in range(start, min(calls, start + CONCURRENCY))))
    return worst


def soak_sync(calls: int) -> dict[str, Any]:
    with postcore.Postcore(timeout=TIMEOUT) as client:
        run_sync(client, WARMUP)
        probe = Probe()
        return probe.report(calls, run_sync(client, calls))


async def soak_async(calls: int) -> dict[str, Any]:
    async with postcore.AsyncPostcore(timeout=TIMEOUT) as client:
        await run_async(client, WARMUP)
        probe = Probe()
        return probe.report(calls, await run_async(client, calls))


def main() -> int:
    mode, calls = sys.argv[1], int(sys.argv[2])
    report = soak_sync(calls) if mode == "sync" else asyncio.run(soak_async(calls))
    print(json.dumps({"language": f"python-{mode}", **report}))
    problems = []
    rss_start, rss_end = report["rss_start_mib"], report["rss_end_mib"]
    if rss_end - rss_start > max(16.0, rss_start * 0.25):
        problems.append(f"RSS grew from {rss_start} to {rss_end} MiB")
    if report["fds_end"] > report["fds_start"] + 2:
        problems.append(f"file descriptors grew from {report['fds_start']} to {report['fds_end']}")
    if report["slowest_call_s"] >= TIMEOUT:
        problems.append(f"a call took {report['slowest_call_s']} s, over the {TIMEOUT} s timeout")
    for problem in problems:
        print(f"soak python-{mode}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
