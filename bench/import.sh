#!/usr/bin/env bash
# The bulk import's pacing: how close `postcore profiles import` runs to the rate limit's
# theoretical minimum time. Part of `make bench` (bench/run.sh runs it after the driver);
# runs alone too: `bash bench/import.sh`.
#
# N rows are imported against a release postcore-mock that enforces L requests per W-second
# window. The import makes R = N + 1 requests (one GET /profiles first, to tell the account's
# existing profiles from the import's). At L per window, the last request cannot leave before
# ceil(R/L) - 1 full windows have passed; the rest (the requests of the last window) take what
# they take at full speed, measured here by a run with the limit out of reach. So:
#
#   minimum = (ceil(R/L) - 1) * W  +  (R - (ceil(R/L) - 1) * L) * t_request
#
# and the figure is minimum / measured (100 % = no time lost to pacing). The mock's first
# window starts at the whole second (on its clock, which is this machine's) of the first
# request, so it is up to 1 s short: the minimum is counted from that second, read from the
# mock's request log, not from the start of the process (`minimum_s`, as the formula above
# but aligned; `minimum_formula_s` is the plain formula, `minimum_for_rows_s` the same for N
# requests, without the initial GET).
#
# Knobs: BENCH_IMPORT_ROWS (default 550), BENCH_IMPORT_LIMIT (100), BENCH_IMPORT_WINDOW (2 s),
# BENCH_IMPORT_REPS (3). Writes bench/import-results.json.
set -euo pipefail
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench/.." && pwd)
cd "$root"
rows=${BENCH_IMPORT_ROWS:-550}
limit=${BENCH_IMPORT_LIMIT:-100}
window=${BENCH_IMPORT_WINDOW:-2}
reps=${BENCH_IMPORT_REPS:-3}
python=${PYTHON:-python3}
key=pc_bench_import_key

cargo build --quiet --release --locked -p postcore-cli -p postcore-mock
work=$(mktemp -d)
mock_pid=
cleanup() {
    [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$python" - "$work/users.csv" "$rows" <<'EOF'
import csv, sys
with open(sys.argv[1], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "email"])
    for i in range(int(sys.argv[2])):
        w.writerow([i, f"user{i}@example.com"])
EOF

# One import against a fresh mock allowing $1 requests per $2 s; prints
# "seconds requests rate_limited first_window_offset" on stdout (the last: when the mock's
# first window began, in seconds after the import started; <= 0).
one_run() {
    local run_limit=$1 run_window=$2
    rm -f "$work/state.db" "$work/keys.csv" "$work/url"
    ./target/release/postcore-mock --port 0 --api-key "$key" --rate-limit "$run_limit" \
        --rate-window "$run_window" >"$work/url" 2>/dev/null &
    mock_pid=$!
    for _ in $(seq 200); do [ -s "$work/url" ] && break; sleep 0.02; done
    local url
    url=$(head -n 1 "$work/url")
    [ -n "$url" ] || { echo "bench/import: postcore-mock did not start" >&2; exit 1; }
    local started ended
    started=$(date +%s.%N)
    POSTCORE_API_KEY=$key POSTCORE_BASE_URL=$url ./target/release/postcore profiles import \
        "$work/users.csv" --name-column email --state "$work/state.db" --out "$work/keys.csv" \
        --progress none >/dev/null 2>"$work/import.log" \
        || { cat "$work/import.log" >&2; exit 1; }
    ended=$(date +%s.%N)
    "$python" - "$url" "$started" "$ended" "$rows" "$work/keys.csv" <<'EOF'
import csv, datetime, json, sys, urllib.request
url, started, ended, rows, keys = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
log = json.load(urllib.request.urlopen(url + "/__mock/requests"))["requests"]
with open(keys) as f:
    assert sum(1 for _ in csv.reader(f)) - 1 == rows, "not every row has its key"
first = datetime.datetime.strptime(log[0]["time"], "%Y-%m-%dT%H:%M:%SZ")
first = first.replace(tzinfo=datetime.timezone.utc).timestamp()
print(f"{ended - started:.3f} {len(log)} {sum(1 for r in log if r['status'] == 429)} {first - started:.3f}")
EOF
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
    mock_pid=
}

echo "bench/import: $rows rows, unlimited (per-request time)" >&2
read -r free_s free_requests _ < <(one_run 1000000 1)
runs=()
for rep in $(seq "$reps"); do
    echo "bench/import: $rows rows at $limit requests / ${window} s (rep $rep of $reps)" >&2
    runs+=("$(one_run "$limit" "$window")")
done

"$python" - "$bench/import-results.json" "$rows" "$limit" "$window" "$free_s" "$free_requests" "${runs[@]}" <<'EOF'
import json, math, statistics, sys
out, rows, limit, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
free_s, free_requests = float(sys.argv[5]), int(sys.argv[6])
runs = [dict(zip(("seconds", "requests", "rate_limited", "offset"), map(float, r.split())))
        for r in sys.argv[7:]]
per_request = free_s / free_requests


def formula(n):
    full = math.ceil(n / limit) - 1
    return full, n - full * limit, full * window + (n - full * limit) * per_request


for r in runs:
    # Aligned: from the start of the mock's first window, which may precede the process start.
    r["minimum"] = r["offset"] + formula(int(r["requests"]))[2]
    r["of_minimum"] = r["minimum"] / r["seconds"]
requests = int(statistics.median(r["requests"] for r in runs))
full_windows, rest, plain = formula(requests)
median = sorted(runs, key=lambda r: r["of_minimum"])[len(runs) // 2]
result = {
    "rows": rows, "limit": limit, "window_s": window, "requests": requests,
    "rate_limited": int(sum(r["rate_limited"] for r in runs)),
    "unlimited_s": round(free_s, 3), "per_request_ms": round(per_request * 1000, 3),
    "minimum_s": round(median["minimum"], 3), "measured_s": round(median["seconds"], 3),
    "minimum_formula_s": round(plain, 3), "minimum_for_rows_s": round(formula(rows)[2], 3),
    "runs": [{k: round(v, 4) for k, v in r.items()} for r in runs],
    "overhead_s": round(median["seconds"] - median["minimum"], 3),
    "of_minimum_pct": round(100 * median["of_minimum"], 1),
}
measured, minimum = median["seconds"], median["minimum"]
with open(out, "w") as f:
    json.dump(result, f, indent=1)
    f.write("\n")
print(f"Import of {rows} rows at {limit} requests / {window:g} s ({requests} requests, "
      f"{result['rate_limited']} answered 429): {measured:.2f} s against a theoretical minimum "
      f"of {minimum:.2f} s ({full_windows} windows of {window:g} s + {rest} requests at "
      f"{per_request * 1000:.2f} ms, from the start of the first window): "
      f"{result['of_minimum_pct']} % of the ideal, {measured - minimum:+.2f} s "
      f"(median of {len(runs)} runs)")
EOF
