"""The shared stores' cost (issue 21), run by bench/run.sh after the main tables.

* Per call: `create_profile` from the Rust client (release), sequentially and with 64 in
  flight, through `memory://`, `sqlite://` and `redis://` (a redis-server of its own on
  loopback); medians of BENCH_REPS runs. Goal: Redis adds one round trip per call.
* The fleet: tests/fleet/fleet.py's eight processes through sqlite:// and redis:// with 40
  requests per 10 s, for 5 windows: the fraction of what the windows allowed that was used,
  and the 429s. Goal: >= 95 % with 0 429s.

Writes bench/stores-results.json and prints the tables.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fleet"))

import fleet  # noqa: E402

REPS = max(5, int(os.environ.get("BENCH_REPS", "5")))
SEQ_CALLS = int(os.environ.get("BENCH_STORE_SEQ_CALLS", "3000"))
CONC_CALLS = int(os.environ.get("BENCH_STORE_CONC_CALLS", "20000"))
BENCH = ROOT / "target" / "release" / "postcore-bench"
MOCK = ROOT / "target" / "release" / "postcore-mock"
KEY = "pc_bench_key"


def measure(mock_url: str, store: str, mode: str, calls: int) -> float:
    """Median calls per second of `postcore-bench postcore MODE` through `store`."""
    env = dict(os.environ)
    env.update(
        {
            "POSTCORE_BASE_URL": mock_url,
            "POSTCORE_API_KEY": KEY,
            "POSTCORE_STORE": store,
            "BENCH_CALLS": str(calls),
            "BENCH_CONCURRENCY": "64",
        }
    )
    rates = []
    for _ in range(REPS):
        out = subprocess.run(
            [str(BENCH), "postcore", mode], env=env, check=True, capture_output=True, text=True
        ).stdout
        rates.append(json.loads(out.strip().splitlines()[-1])["calls_per_s"])
    return statistics.median(rates)


def main() -> int:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="postcore-bench-stores-") as tmp:
        folder = Path(tmp)
        redis = fleet.Redis(folder)
        mock = subprocess.Popen(
            [str(MOCK), "--port", "0", "--api-key", KEY],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert mock.stdout is not None
            url = mock.stdout.readline().decode().strip()
            stores = {
                "memory://": "memory://",
                "sqlite://": f"sqlite://{folder / 'bench.db'}",
                "redis://": redis.url,
            }
            per_call: dict[str, dict[str, float]] = {}
            for label, store in stores.items():
                seq = measure(url, store, "seq", SEQ_CALLS)
                conc = measure(url, store, "conc", CONC_CALLS)
                per_call[label] = {"seq_calls_per_s": seq, "conc_calls_per_s": conc}
            results["per_call"] = per_call
        finally:
            mock.terminate()
            mock.wait(timeout=10)
            redis.kill()
    base = results["per_call"]["memory://"]  # type: ignore[index]
    print("\nStores: create_profile from the Rust client (release), medians of", REPS)
    print(f"{'store':<12} {'sequential':>14} {'µs/call':>9} {'+µs':>7} {'64 in flight':>14}")
    for label, row in results["per_call"].items():  # type: ignore[union-attr]
        us = 1e6 / row["seq_calls_per_s"]
        extra = us - 1e6 / base["seq_calls_per_s"]
        print(
            f"{label:<12} {row['seq_calls_per_s']:>12,.0f}/s {us:>9.1f} {extra:>+7.1f} "
            f"{row['conc_calls_per_s']:>12,.0f}/s"
        )

    # The fleet, with windows long enough that start-up is a small part of the run.
    shutil.which("redis-server") or sys.exit("redis-server missing: scripts/ensure-redis.sh")
    out = ROOT / "target" / "bench-fleet.json"
    subprocess.run(
        [sys.executable, str(ROOT / "tests" / "fleet" / "fleet.py"), "--window", "10"]
        + ["--limit", "40", "--windows", "5", "--json", str(out)],
        check=True,
    )
    runs = json.loads(out.read_text())
    fleet_rows = {}
    for label in ("sqlite", "redis", "memory"):
        run = runs[label]
        fleet_rows[label] = {
            "used": fleet.used_fraction(run),
            "refused_429": run["statuses"].get("429", 0),
            "served": {name: m["served"] for name, m in run["members"].items()},
        }
    results["fleet"] = fleet_rows
    print("\nThe fleet: 8 processes, 40 requests per 10 s, 5 windows")
    for label, row in fleet_rows.items():
        print(f"  {label:<7} {row['used']:.1%} of the windows used, {row['refused_429']} × 429")
    (ROOT / "bench" / "stores-results.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
