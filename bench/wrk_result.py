#!/usr/bin/env python3
"""Turns `wrk --latency` output (stdin) into one JSON line like the load generator's history result.

    wrk -t1 -c64 -d10s --latency -H "Authorization: Bearer …" URL | python3 bench/wrk_result.py LABEL
"""
import json
import re
import sys

text = sys.stdin.read()
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def millis(value):
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", value)
    return float(m.group(1)) * UNITS[m.group(2)]


latency = {}
for pct, value in re.findall(r"^\s+(50|75|90|99)(?:\.000)?%\s+(\S+)$", text, re.M):
    latency["p" + pct] = millis(value)
requests = int(re.search(r"(\d+) requests in", text).group(1))
duration = float(re.search(r"requests in ([\d.]+)s", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket.groups())) if socket else 0)
connections = int(re.search(r"(\d+) connections", text).group(1))
print(json.dumps({
    "workload": "history", "tool": "wrk", "label": sys.argv[1] if len(sys.argv) > 1 else "",
    "clients": connections, "duration_s": duration, "requests": requests, "errors": errors,
    "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), "latency_ms": latency,
}))
