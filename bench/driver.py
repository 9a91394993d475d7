"""Runs every benchmark of `make bench` against the postcore-mock started by bench/run.sh,
then prints the Markdown tables and writes bench/results.json.

Standard library only. Every figure is the median of BENCH_REPS (>= 5) repetitions. Each
repetition is a fresh process (so no client inherits another's warm state), the mock is reset
before each (it records every request and scans its profiles on every create, so it would
slow down as it fills), and repetitions are interleaved: rep 1 of every client of a group,
then rep 2, ... so slow drift on a shared machine hits every client alike.

Environment: POSTCORE_BASE_URL, POSTCORE_API_KEY (the mock), BENCH_REPS (default 5),
BENCH_SEQ_CALLS (5000), BENCH_CONC_CALLS (20000), BENCH_CONCURRENCY (64), BENCH_THREADS (16),
BENCH_ONLY (comma-separated group ids, to run a subset while working on one).
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable  # the repo's .venv python, which has postcore and the comparison libs
RUST_BIN = str(ROOT / "target" / "release" / "postcore-bench")
NODE = "node"

BASE_URL = os.environ["POSTCORE_BASE_URL"]
REPS = max(5, int(os.environ.get("BENCH_REPS", "5")))
SEQ_CALLS = int(os.environ.get("BENCH_SEQ_CALLS", "5000"))
CONC_CALLS = int(os.environ.get("BENCH_CONC_CALLS", "20000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "64"))
THREADS = int(os.environ.get("BENCH_THREADS", "16"))
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))

SEQ = {"BENCH_CALLS": str(SEQ_CALLS), "BENCH_WARMUP": "300"}
CONC = {"BENCH_CALLS": str(CONC_CALLS), "BENCH_WARMUP": "1000",
        "BENCH_CONCURRENCY": str(CONCURRENCY), "BENCH_THREADS": str(THREADS)}


def py(*args):
    return [PYTHON, str(BENCH / "python" / args[0]), *args[1:]]


def node(*args):
    return [NODE, str(BENCH / "node" / args[0]), *args[1:]]


# Throughput groups: (id, title, settings, [(client, argv[, settings override])]). The first
# client is ours. Two competitors are ~20x slower than the rest under concurrency (httpx's async
# pool: ~370 calls/s; requests from 16 threads: ~1,200 calls/s): 20,000 calls each would take
# most of the 10-minute budget, so they run fewer calls (named in their row). Calls/s is a
# rate, and their p50/p99 are steady well before that many calls.
SLOW = {"BENCH_CALLS": "4000", "BENCH_WARMUP": "200"}
GROUPS = [
    ("py-seq", f"Python, sync, sequential ({SEQ_CALLS:,} calls)", SEQ, [
        ("postcore.Postcore", py("worker.py", "seq", "postcore")),
        ("requests.post (docs' snippet)", py("worker.py", "seq", "requests.post")),
        ("requests.Session", py("worker.py", "seq", "requests.Session")),
        ("httpx.Client", py("worker.py", "seq", "httpx.Client")),
    ]),
    # Issue 24: what watching the calls costs (ratio = plain ÷ watched: 1.00x is free).
    ("py-seq-watched", f"Python, sync, sequential, watched ({SEQ_CALLS:,} calls)", SEQ, [
        ("postcore.Postcore (no hooks, no OpenTelemetry)", py("worker.py", "seq", "postcore")),
        ("postcore.Postcore, a no-op hook", py("worker.py", "seq", "postcore+hook")),
        ("postcore.Postcore, OpenTelemetry on", py("worker.py", "seq", "postcore+otel")),
    ]),
    ("py-async", f"Python, asyncio ({CONC_CALLS:,} calls, {CONCURRENCY} in flight)", CONC, [
        ("postcore.AsyncPostcore", py("worker.py", "async", "AsyncPostcore")),
        ("httpx.AsyncClient (4,000 calls)", py("worker.py", "async", "httpx.AsyncClient"), SLOW),
        ("aiohttp", py("worker.py", "async", "aiohttp")),
    ]),
    ("py-async-watched", f"Python, asyncio, watched ({CONC_CALLS:,} calls, {CONCURRENCY} in flight)", CONC, [
        ("postcore.AsyncPostcore (no hooks, no OpenTelemetry)", py("worker.py", "async", "AsyncPostcore")),
        ("postcore.AsyncPostcore, a no-op hook", py("worker.py", "async", "AsyncPostcore+hook")),
        ("postcore.AsyncPostcore, OpenTelemetry on", py("worker.py", "async", "AsyncPostcore+otel")),
    ]),
    ("py-threads", f"Python, sync client from {THREADS} threads ({CONC_CALLS:,} calls)", CONC, [
        ("postcore.Postcore", py("worker.py", "threads", "postcore")),
        ("requests.Session (4,000 calls)", py("worker.py", "threads", "requests.Session"), SLOW),
    ]),
    # undici.Pool bound to the origin: what a performance-minded Node user would pick.
    ("node-seq", f"Node, sequential ({SEQ_CALLS:,} calls)", SEQ, [
        ("postcore (Node)", node("worker.mjs", "seq", "postcore")),
        ("fetch (docs' snippet)", node("worker.mjs", "seq", "fetch")),
        ("undici.request", node("worker.mjs", "seq", "undici")),
        ("undici.Pool (origin-bound)", node("worker.mjs", "seq", "undiciPool")),
    ]),
    ("node-seq-watched", f"Node, sequential, watched ({SEQ_CALLS:,} calls)", SEQ, [
        ("postcore (Node; no hooks, no OpenTelemetry)", node("worker.mjs", "seq", "postcore")),
        ("postcore (Node), a no-op hook", node("worker.mjs", "seq", "postcoreHook")),
        ("postcore (Node), OpenTelemetry on", node("worker.mjs", "seq", "postcoreOtel")),
    ]),
    ("node-conc", f"Node, concurrent ({CONC_CALLS:,} calls, {CONCURRENCY} in flight)", CONC, [
        ("postcore (Node)", node("worker.mjs", "conc", "postcore")),
        ("fetch (docs' snippet)", node("worker.mjs", "conc", "fetch")),
        ("undici.request", node("worker.mjs", "conc", "undici")),
        ("undici.Pool (origin-bound)", node("worker.mjs", "conc", "undiciPool")),
    ]),
    ("rust-seq", f"Rust, sequential ({SEQ_CALLS:,} calls)", SEQ, [
        ("postcore::Client", [RUST_BIN, "postcore", "seq"]),
        ("bare reqwest (floor)", [RUST_BIN, "reqwest", "seq"]),
        # No cross-thread wake-ups: shows what the multi-thread runtime's hand-offs cost.
        ("postcore::Client, current-thread runtime", [RUST_BIN, "postcore", "seq-ct"]),
        ("bare reqwest, current-thread runtime", [RUST_BIN, "reqwest", "seq-ct"]),
    ]),
    ("rust-seq-watched", f"Rust, sequential, watched ({SEQ_CALLS:,} calls)", SEQ, [
        ("postcore::Client (no hooks, no subscriber)", [RUST_BIN, "postcore", "seq"]),
        ("postcore::Client, no-op Hooks", [RUST_BIN, "postcore-hook", "seq"]),
        ("postcore::Client, a subscriber taking its spans", [RUST_BIN, "postcore-spans", "seq"]),
    ]),
    ("rust-conc", f"Rust, concurrent ({CONC_CALLS:,} calls, {CONCURRENCY} in flight)", CONC, [
        ("postcore::Client", [RUST_BIN, "postcore", "conc"]),
        ("bare reqwest (floor)", [RUST_BIN, "reqwest", "conc"]),
    ]),
]

# Cold start: a fresh process that imports the client and makes one call. The bare runtimes
# come first: the floor under every other row of their language.
COLD = [
    ("python (interpreter only)", py("cold.py", "python")),
    ("postcore.Postcore", py("cold.py", "postcore")),
    ("postcore.AsyncPostcore", py("cold.py", "AsyncPostcore")),
    ("requests.post", py("cold.py", "requests.post")),
    ("httpx.Client", py("cold.py", "httpx.Client")),
    ("httpx.AsyncClient", py("cold.py", "httpx.AsyncClient")),
    ("aiohttp", py("cold.py", "aiohttp")),
    ("node (runtime only)", [NODE, "-e", "console.log(require('fs').readFileSync("
                             "'/proc/self/status', 'utf8').match(/VmHWM:\\s+(\\d+)/)[1])"]),
    ("postcore (Node)", node("worker.mjs", "cold", "postcore")),
    ("fetch", node("worker.mjs", "cold", "fetch")),
    ("undici.request", node("worker.mjs", "cold", "undici")),
    ("postcore::Client (Rust)", [RUST_BIN, "postcore", "cold"]),
    ("bare reqwest (Rust)", [RUST_BIN, "reqwest", "cold"]),
]
IMPORT_REPS = max(REPS, 10)
IMPORTS = ["postcore", "requests", "httpx", "aiohttp"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def reset_mock():
    request = urllib.request.Request(BASE_URL + "/__mock/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


# Processes that crashed *after* printing their result (e.g. at interpreter shutdown): their
# figures are kept, and the crash is reported with the tables rather than hidden.
EXIT_PROBLEMS = []


def run_json(argv, env_extra):
    reset_mock()
    env = {**os.environ, **env_extra}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, ValueError):
        result = None
    if done.returncode != 0:
        problem = f"{' '.join(argv[1:])} exited with {done.returncode}"
        if result is None:
            raise RuntimeError(f"{problem} before reporting:\n{done.stderr[-3000:]}")
        tail = done.stderr.strip().splitlines()[:2]
        EXIT_PROBLEMS.append(f"{problem} after reporting: {' / '.join(tail)}")
        log(f"  warning: {EXIT_PROBLEMS[-1]}")
    return result


def timed_process(argv):
    """Wall time (s) of one fresh process and its peak RSS (MiB), which it prints last as
    VmHWM in KiB (wait4's ru_maxrss would include the driver's own memory at fork/exec)."""
    reset_mock()
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    lines = done.stdout.split()
    return elapsed, (int(lines[-1]) / 1024 if lines else None)


def median_of(reps, key):
    return statistics.median(r[key] for r in reps)


def measure_groups():
    results = {}
    for gid, title, settings, clients in GROUPS:
        if ONLY and gid not in ONLY:
            continue
        started = time.monotonic()
        reps = {name: [] for name, *_ in clients}
        for rep in range(REPS):
            for name, argv, *override in clients:
                reps[name].append(run_json(argv, {**settings, **(override[0] if override else {})}))
        rows = [{"client": name,
                 "calls_per_s": median_of(reps[name], "calls_per_s"),
                 "p50_ms": median_of(reps[name], "p50_ms"),
                 "p99_ms": median_of(reps[name], "p99_ms"),
                 "reps": reps[name]} for name, *_ in clients]
        results[gid] = {"title": title, "rows": rows}
        log(f"  {gid}: {time.monotonic() - started:.0f} s")
    return results


def measure_cold():
    if ONLY and "cold" not in ONLY:
        return None
    started = time.monotonic()
    samples = {name: [] for name, _ in COLD}
    for rep in range(REPS):
        for name, argv in COLD:
            samples[name].append(timed_process(argv))
    rows = [{"client": name,
             "wall_ms": statistics.median(s[0] for s in samples[name]) * 1e3,
             "peak_rss_mib": statistics.median(s[1] for s in samples[name]),
             "reps": samples[name]} for name, _ in COLD]
    log(f"  cold: {time.monotonic() - started:.0f} s")
    return rows


def measure_imports():
    """`import X` timed inside a fresh interpreter (excludes interpreter start), and the
    whole `python -c "import X"` process, each the median of IMPORT_REPS runs."""
    if ONLY and "import" not in ONLY:
        return None
    code = "import time; t = time.perf_counter(); import {0}; print(time.perf_counter() - t)"
    samples = {m: {"import": [], "process": []} for m in IMPORTS}
    for _ in range(IMPORT_REPS):
        for module in IMPORTS:
            out = subprocess.run([PYTHON, "-c", code.format(module)], capture_output=True,
                                 text=True, check=True).stdout
            samples[module]["import"].append(float(out))
            samples[module]["process"].append(
                timed_process([PYTHON, "-c", f"import {module}"])[0])
    return [{"module": m,
             "import_ms": statistics.median(s["import"]) * 1e3,
             "process_ms": statistics.median(s["process"]) * 1e3,
             "reps": s} for m, s in samples.items()]


# ---------------------------------------------------------------------------- report

def row_of(results, gid, client_prefix):
    for row in results.get(gid, {}).get("rows", []):
        if row["client"].startswith(client_prefix):
            return row
    return None


def verdicts(results, imports):
    """Each target of issues 6 and 13: (target, measured, met). A ratio is ours ÷ theirs in
    calls/s (equivalently their per-call time ÷ ours); "x of Rust" is per-call time ÷ the Rust
    client's per-call time (1 / calls/s), so <= 1.25 (issue 6; 1.1 for issue 13's Node
    sequential target) meets that target."""
    out = []

    def faster(gid, ours, theirs, at_least=1.0, label=None):
        a, b = row_of(results, gid, ours), row_of(results, gid, theirs)
        if a and b:
            ratio = a["calls_per_s"] / b["calls_per_s"]
            need = f">= {at_least:g}x" if at_least != 1.0 else "> 1x"
            met = ratio >= at_least if at_least != 1.0 else ratio > 1.0
            out.append((label or f"{ours} vs {theirs} ({gid}): {need}", f"{ratio:.2f}x", met))

    def near_rust(gid, ours, rust_gid, at_most=1.25, label=None):
        a, r = row_of(results, gid, ours), row_of(results, rust_gid, "postcore::Client")
        if a and r:
            slower = r["calls_per_s"] / a["calls_per_s"]
            out.append((label or f"{ours} ({gid}) per-call time <= {at_most:g}x Rust client ({rust_gid})",
                        f"{slower:.2f}x", slower <= at_most))

    faster("py-seq", "postcore.Postcore", "requests.post", 3.0)
    faster("py-seq", "postcore.Postcore", "requests.Session")
    faster("py-seq", "postcore.Postcore", "httpx.Client")
    faster("py-async", "postcore.AsyncPostcore", "httpx.AsyncClient")
    faster("py-async", "postcore.AsyncPostcore", "aiohttp")
    faster("py-threads", "postcore.Postcore", "requests.Session")
    for gid in ("node-seq", "node-conc"):
        faster(gid, "postcore (Node)", "fetch")
        faster(gid, "postcore (Node)", "undici.request")
    near_rust("py-seq", "postcore.Postcore", "rust-seq")
    near_rust("py-async", "postcore.AsyncPostcore", "rust-conc")
    near_rust("node-seq", "postcore (Node)", "rust-seq")
    near_rust("node-conc", "postcore (Node)", "rust-conc")
    # Issue 13 (Node): against an origin-bound undici.Pool, and closer to the Rust client.
    for gid in ("node-seq", "node-conc"):
        faster(gid, "postcore (Node)", "undici.Pool", 1.1,
               f"postcore (Node) vs undici.Pool ({gid}): >= 1.1x (issue 13)")
    near_rust("node-seq", "postcore (Node)", "rust-seq", 1.1,
              "postcore (Node) (node-seq) per-call time <= 1.1x Rust client (rust-seq) (issue 13)")
    if imports:
        ours = next(i for i in imports if i["module"] == "postcore")
        req = next(i for i in imports if i["module"] == "requests")
        out.append(("import postcore <= import requests",
                    f"{ours['import_ms']:.1f} ms vs {req['import_ms']:.1f} ms",
                    ours["import_ms"] <= req["import_ms"]))
    return out


def markdown(results, cold, imports, checks, wall_s):
    lines = [f"Median of {REPS} runs per figure; ratio = our calls/s ÷ theirs (> 1: ours is faster;"
             " = their per-call time ÷ ours).", ""]
    for gid, group in results.items():
        rows = group["rows"]
        ours = rows[0]["calls_per_s"]
        lines += [f"### {group['title']}", "",
                  "| client | calls/s | p50 ms | p99 ms | ratio (ours ÷ theirs) |",
                  "|---|---:|---:|---:|---:|"]
        for row in rows:
            ratio = "—" if row is rows[0] else f"{ours / row['calls_per_s']:.2f}x"
            lines.append(f"| {row['client']} | {row['calls_per_s']:,.0f} | {row['p50_ms']:.3f} "
                         f"| {row['p99_ms']:.3f} | {ratio} |")
        lines.append("")
    if cold:
        lines += ["### Cold start: process start + import + one call", "",
                  "| client | wall ms | peak RSS MiB |", "|---|---:|---:|"]
        lines += [f"| {r['client']} | {r['wall_ms']:.0f} | {r['peak_rss_mib']:.1f} |" for r in cold]
        lines.append("")
    if imports:
        lines += [f"### Import time (median of {IMPORT_REPS} fresh interpreters)", "",
                  "| module | `import` alone ms | `python -c 'import …'` process ms |",
                  "|---|---:|---:|"]
        lines += [f"| {i['module']} | {i['import_ms']:.1f} | {i['process_ms']:.0f} |"
                  for i in imports]
        lines.append("")
    if checks:
        lines += ["### Targets (issues 6 and 13)", "", "| target | measured | met |", "|---|---:|:---:|"]
        lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in checks]
        lines.append("")
    if EXIT_PROBLEMS:
        lines += ["### Processes that crashed after reporting their figures", ""]
        lines += [f"- {p}" for p in EXIT_PROBLEMS]
        lines.append("")
    lines.append(f"Measured in {wall_s:.0f} s.")
    return "\n".join(lines)


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    mem_kib = next(int(line.split()[1]) for line in open("/proc/meminfo")
                   if line.startswith("MemTotal"))

    def version(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True).stdout.strip()
        except OSError:
            return None

    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem_kib / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version(),
            "node": version([NODE, "--version"]), "rustc": version(["rustc", "--version"]),
            "loadavg_at_start": os.getloadavg()}


def main():
    started = time.monotonic()
    info = machine()
    log(f"bench: {info['cpu']}, {info['cores']} cores, load {info['loadavg_at_start']}")
    results = measure_groups()
    cold = measure_cold()
    imports = measure_imports()
    wall = time.monotonic() - started
    checks = verdicts(results, imports)
    print(markdown(results, cold, imports, checks, wall))
    (BENCH / "results.json").write_text(json.dumps({
        "machine": info, "reps": REPS, "seq_calls": SEQ_CALLS, "conc_calls": CONC_CALLS,
        "concurrency": CONCURRENCY, "threads": THREADS, "groups": results, "cold": cold,
        "imports": imports, "exit_problems": EXIT_PROBLEMS, "targets": [{"target": t, "measured": m, "met": ok}
                                         for t, m, ok in checks],
        "measure_s": wall, "loadavg_at_end": os.getloadavg()}, indent=1) + "\n")


if __name__ == "__main__":
    main()
