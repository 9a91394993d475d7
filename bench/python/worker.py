"""One measurement of one Python client, printed as one JSON line (run by bench/driver.py).

    python worker.py seq     CLIENT   # sync client, calls one after another
    python worker.py threads CLIENT   # sync client shared by BENCH_THREADS threads
    python worker.py async   CLIENT   # asyncio client, BENCH_CONCURRENCY calls in flight

Settings come from the environment: POSTCORE_BASE_URL, POSTCORE_API_KEY, BENCH_CALLS,
BENCH_WARMUP, BENCH_THREADS, BENCH_CONCURRENCY. Every call's latency is taken from just before
it is issued to just after its result is back, so for concurrent runs it includes any wait
inside the client for a connection.
"""

import asyncio
import itertools
import json
import os
import sys
import threading
import time

CALLS = int(os.environ.get("BENCH_CALLS", "5000"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "200"))
THREADS = int(os.environ.get("BENCH_THREADS", "16"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "64"))


def percentile(sorted_values, p):
    rank = -(-p * len(sorted_values) // 100)  # ceil: the nearest-rank percentile
    return sorted_values[max(1, min(len(sorted_values), int(rank))) - 1]


def report(latencies, elapsed):
    latencies.sort()
    print(
        json.dumps(
            {
                "calls": len(latencies),
                "elapsed_s": elapsed,
                "calls_per_s": len(latencies) / elapsed,
                "p50_ms": percentile(latencies, 50) * 1e3,
                "p99_ms": percentile(latencies, 99) * 1e3,
            }
        )
    )


def sequential(call, n):
    clock = time.perf_counter
    latencies = []
    append = latencies.append
    for _ in range(n):
        start = clock()
        call()
        append(clock() - start)
    return latencies


def threaded(call, n):
    # Threads take call numbers off one shared counter (next() on it is atomic under the GIL).
    counter = itertools.count()
    clock = time.perf_counter
    per_thread = [[] for _ in range(THREADS)]

    def work(latencies):
        while next(counter) < n:
            start = clock()
            call()
            latencies.append(clock() - start)

    threads = [threading.Thread(target=work, args=(lat,)) for lat in per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [x for lat in per_thread for x in lat]


async def in_flight(call, n):
    counter = itertools.count()
    clock = time.perf_counter
    latencies = []

    async def work():
        while next(counter) < n:
            start = clock()
            await call()
            latencies.append(clock() - start)

    await asyncio.gather(*(work() for _ in range(CONCURRENCY)))
    return latencies


def main():
    mode, name = sys.argv[1], sys.argv[2]
    if mode in ("seq", "threads"):
        import sync_clients

        factory = sync_clients.CLIENTS[name]
        call = factory(THREADS) if name == "requests.Session" and mode == "threads" else factory()
        run = sequential if mode == "seq" else threaded
        run(call, WARMUP)
        start = time.perf_counter()
        latencies = run(call, CALLS)
        report(latencies, time.perf_counter() - start)
    elif mode == "async":
        import async_clients

        async def measure():
            call, close = await async_clients.CLIENTS[name](CONCURRENCY)
            await in_flight(call, WARMUP)
            start = time.perf_counter()
            latencies = await in_flight(call, CALLS)
            elapsed = time.perf_counter() - start
            await close()
            return latencies, elapsed

        report(*asyncio.run(measure()))
    else:
        raise SystemExit(f"unknown mode {mode!r}: seq | threads | async")


if __name__ == "__main__":
    main()
