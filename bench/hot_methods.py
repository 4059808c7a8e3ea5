#!/usr/bin/env python3
"""Where a JFR recording's CPU samples fall: the top methods by self time (the sampled frame)
and by total time (anywhere on the stack), over jdk.ExecutionSample events, as Markdown.

    jfr print --json --events jdk.ExecutionSample rec.jfr > samples.json
    python3 bench/hot_methods.py samples.json [TOP] [PREFIX]

PREFIX (default io.parley.) also lists, for each sample, the innermost frame of our own code,
which says which of Parley's steps the time was spent under.
"""
import json
import sys
from collections import Counter

events = json.load(open(sys.argv[1]))["recording"]["events"]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
prefix = sys.argv[3] if len(sys.argv) > 3 else "io.parley."


def name(frame):
    m = frame["method"]
    return f'{m["type"]["name"]}.{m["name"]}'


self_time, total, ours = Counter(), Counter(), Counter()
for e in events:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    if not frames:
        continue
    names = [name(f) for f in frames]
    self_time[names[0]] += 1
    for n in set(names):
        total[n] += 1
    own = next((n for n in names if n.startswith(prefix)), "(no Parley frame)")
    ours[own] += 1

n = sum(self_time.values())
for title, counter in (("self", self_time), ("total", total), (f"innermost {prefix} frame", ours)):
    print(f"\n| {title} | samples | share |\n| --- | --- | --- |")
    for method, count in counter.most_common(top):
        print(f"| `{method}` | {count} | {100 * count / n:.1f} % |")
print(f"\n{n} samples")
