#!/usr/bin/env bash
# Events without webhooks: what following posts costs (part of `make bench`, after the import;
# runs alone too: `bash bench/events.sh`). Runs bench/rust/src/events.rs against a release
# postcore-mock: wait_many's requests per poll and per tracked post, the time from a post's
# publication to its event, and one events poll + diff with 1,000 / 10,000 / 100,000 posts in
# GET /posts (time, peak heap). Prints a summary, writes bench/events-results.json.
# Knob: BENCH_EVENTS_SIZES (default 1000,10000,100000).
set -euo pipefail
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench/.." && pwd)
cd "$root"
python=${PYTHON:-python3}
cargo build --quiet --release --locked -p postcore-mock -p postcore-bench
scripts/with-mock.sh --release --key pc_bench_events_key --mock-arg --posts-per-month --mock-arg 100000000 -- \
    target/release/postcore-bench-events >"$bench/events-results.json"
"$python" - "$bench/events-results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("wait_many (posts due over an hour, 100 ms interval):")
for row in r["wait_many"]:
    print(f"  {row['posts']:>6} posts: {row['requests']} requests, {row['requests_per_poll']} per poll, "
          f"{row['requests_per_post']} per post")
l = r["latency"]
print(f"publication to event ({l['interval_ms']} ms interval, {l['samples']} posts): "
      f"p50 {l['p50_ms']} ms, p95 {l['p95_ms']} ms, max {l['max_ms']} ms")
print(f"load average at the end: {r['loadavg']}")
print("one events poll + diff (1 % of the posts changed; no change and list_posts: medians of 5):")
for row in r["poll"]:
    c, s, lp = row["changed_poll"], row["steady_poll"], row["list_posts"]
    print(f"  {row['posts']:>6} posts ({row['body_mib']} MiB body): {c['ms']} ms, peak {c['peak_mib']} MiB "
          f"(no change: {s['ms']} ms, peak {s['peak_mib']} MiB); list_posts alone {lp['ms']} ms, "
          f"peak {lp['peak_mib']} MiB; snapshot {row['snapshot_mib']} MiB; "
          f"peak / (list + snapshot) = {row['peak_over_list_plus_snapshot']}")
PY
