#!/usr/bin/env python3
"""Medians per build of bench/compare.sh's JSON lines, side by side, as a Markdown table.

    python3 bench/compare_summary.py target/bench/compare.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
builds = []
groups = defaultdict(list)
for r in rows:
    build = r["label"].rsplit("-run", 1)[0]
    if build not in builds:
        builds.append(build)
    groups[(r["workload"], r["rate"], build)].append(r)

med = statistics.median
print("| workload | rate (msg/s) | build | runs | deliveries/s | p50 ms | p90 ms | p99 ms | lost | dup | send errors |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for workload, rate in sorted({(k[0], k[1]) for k in groups}):
    for build in builds:
        rs = groups.get((workload, rate, build))
        if not rs:
            continue
        lat = [r["latency_ms"] for r in rs]
        print(f"| {workload} | {rate:.0f} | {build} | {len(rs)} | {med(r['deliveries_per_s'] for r in rs):.0f} | "
              f"{med(x['p50'] for x in lat):.1f} | {med(x['p90'] for x in lat):.1f} | {med(x['p99'] for x in lat):.1f} | "
              f"{sum(r['lost'] for r in rs)} | {sum(r['duplicates'] for r in rs)} | {sum(r['send_errors'] for r in rs)} |")
