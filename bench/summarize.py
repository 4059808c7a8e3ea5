#!/usr/bin/env python3
"""Medians over runs of the load generator's JSON lines, as Markdown tables.

    python3 bench/summarize.py target/bench/results.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
med = statistics.median


def ms(v):
    return f"{v:.1f}"


groups = defaultdict(list)
for r in rows:
    key = (r["workload"], r.get("rooms"), r.get("members"), r.get("rate"))
    groups[key].append(r)

print("| workload | rate (msg/s) | runs | deliveries/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | lost | dup | send errors |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for key in sorted(k for k in groups if k[0] in ("fanout", "cross-node", "baseline", "one-to-one")):
    rs = groups[key]
    l = [r["latency_ms"] for r in rs]
    print(f"| {key[0]} {key[1]}×{key[2]} | {key[3]:.0f} | {len(rs)} | {med(r['deliveries_per_s'] for r in rs):.0f} | "
          f"{ms(med(x['p50'] for x in l))} | {ms(med(x['p90'] for x in l))} | {ms(med(x['p99'] for x in l))} | "
          f"{ms(med(x['p999'] for x in l))} | {ms(med(x['max'] for x in l))} | {sum(r['lost'] for r in rs)} | "
          f"{sum(r['duplicates'] for r in rs)} | {sum(r['send_errors'] for r in rs)} |")
hist = [r for r in rows if r["workload"] == "history"]
if hist:
    print()
    print("| history | client | runs | requests/s | p50 ms | p99 ms | errors |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for tool in sorted({r.get("tool", "load generator") for r in hist}):
        hs = [r for r in hist if r.get("tool", "load generator") == tool]
        print(f"| {hs[0]['clients']} clients, 50 per page | {tool} | {len(hs)} | {med(r['requests_per_s'] for r in hs):.0f} | "
              f"{ms(med(r['latency_ms']['p50'] for r in hs))} | {ms(med(r['latency_ms']['p99'] for r in hs))} | "
              f"{sum(r['errors'] for r in hs)} |")
idle = [r for r in rows if r["workload"] == "idle"]
if idle:
    print()
    shares = [r["idle_cost"]["server_cpu_share"] * 100 for r in idle if r.get("idle_cost")]
    print("| idle | runs | sockets | connect all (s) | RSS kB per socket | idle server CPU % |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(f"| held open | {len(idle)} | {idle[0]['sockets']} | {med(r['connect_all_s'] for r in idle):.1f} | "
          f"{med(r['rss_kb_per_socket'] for r in idle):.2f} | {f'{med(shares):.1f}' if shares else '-'} |")
