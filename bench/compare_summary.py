#!/usr/bin/env python3
"""Medians per build of bench/compare.sh's (or bench/run.sh's) JSON lines, side by side, as a
Markdown table, with the server side's cost where it was measured (ServerCost).

    python3 bench/compare_summary.py target/bench/compare.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
builds = []
groups = defaultdict(list)
seen = {}
for r in rows:
    if "rate" not in r:
        continue  # idle, history and blocked-thread lines have no rate
    build = r["label"].rsplit("-run", 1)[0] + ("" if r.get("placement", "split") == "split" else f" ({r['placement']})")
    if build not in builds:
        builds.append(build)
    # a rate repeated within one run (e.g. 2000,2000,2000 to see the JIT settle) is told apart by its ordinal
    nth = seen[(r["label"], r["workload"], r["rate"])] = seen.get((r["label"], r["workload"], r["rate"]), 0) + 1
    groups[(r["workload"], (r["rate"], nth), build)].append(r)

med = statistics.median


def cost(rs, key, scale=1.0, fmt="{:.0f}"):
    vals = [r["cost"][key] for r in rs if r.get("cost") and r["cost"].get(key) is not None]
    return fmt.format(med(vals) * scale) if vals else "-"


def per_message(rs, group):
    """Median CPU µs per stored message of one process group (parley, parley_jit, postgres)."""
    vals = [r["cost"]["cpu_ms"][group] * 1000 / r["acks"] for r in rs
            if r.get("cost") and group in r["cost"].get("cpu_ms", {}) and r.get("acks")]
    return f"{med(vals):.0f}" if vals else "-"


print("| workload | rate (msg/s) | build | runs | deliveries/s | p50 ms | p90 ms | p99 ms | lost | dup | refused | "
      "server CPU % | CPU µs/message | JVM | of it JIT | PostgreSQL | CPU µs/delivery | alloc kB/message |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for workload, (rate, nth) in sorted({(k[0], k[1]) for k in groups}):
    for build in builds:
        rs = groups.get((workload, (rate, nth), build))
        if not rs:
            continue
        lat = [r["latency_ms"] for r in rs]
        step = f"{rate:.0f}" + (f" (#{nth})" if nth > 1 else "")
        print(f"| {workload} | {step} | {build} | {len(rs)} | {med(r['deliveries_per_s'] for r in rs):.0f} | "
              f"{med(x['p50'] for x in lat):.1f} | {med(x['p90'] for x in lat):.1f} | {med(x['p99'] for x in lat):.1f} | "
              f"{sum(r['lost'] for r in rs)} | {sum(r['duplicates'] for r in rs)} | {sum(r.get('refused', 0) for r in rs)} | "
              f"{cost(rs, 'server_cpu_share', 100)} | {cost(rs, 'cpu_us_per_message')} | "
              f"{per_message(rs, 'parley')} | {per_message(rs, 'parley_jit')} | {per_message(rs, 'postgres')} | "
              f"{cost(rs, 'cpu_us_per_delivery', 1, '{:.1f}')} | {cost(rs, 'alloc_bytes_per_message', 1 / 1024, '{:.1f}')} |")
