#!/usr/bin/python3
"""Plots latency against send rate for the fan-out ramp (Parley and the baseline) from the load
generator's JSON lines: median over runs of p50 and p99 per rate.

    /usr/bin/python3 bench/plot.py target/bench/results.jsonl docs/images/fanout-latency.png
"""
import json
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

src, dst = sys.argv[1], sys.argv[2]
series = defaultdict(lambda: defaultdict(list))
for line in open(src):
    r = json.loads(line)
    if r["workload"] in ("fanout", "baseline", "cross-node") and r.get("members") == 100:
        series[r["workload"]][r["rate"]].append(r)

fig, ax = plt.subplots(figsize=(8, 4.5))
styles = {"fanout": ("Parley, one node", "tab:blue"), "cross-node": ("Parley, two nodes", "tab:green"),
          "baseline": ("bare Vert.x broadcast (baseline)", "tab:gray")}
for name, (label, color) in styles.items():
    if name not in series:
        continue
    rates = sorted(series[name])
    p99 = [statistics.median(r["latency_ms"]["p99"] for r in series[name][x]) for x in rates]
    p50 = [statistics.median(r["latency_ms"]["p50"] for r in series[name][x]) for x in rates]
    ax.plot(rates, p99, marker="o", color=color, label=f"{label}, p99")
    ax.plot(rates, p50, marker=".", linestyle="--", color=color, label=f"{label}, p50")
ax.axhline(50, color="tab:red", linewidth=0.8, linestyle=":", label="p99 target (50 ms)")
ax.set_yscale("log")
ax.set_xlabel("messages/s sent (10 rooms × 100 members: ×100 deliveries/s)")
ax.set_ylabel("end-to-end latency, ms (log)")
ax.set_title("Fan-out latency against send rate (median of runs), 2-core machine")
ax.grid(True, which="both", alpha=0.3)
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(dst, dpi=110)
print("wrote", dst)
