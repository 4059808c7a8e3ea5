# Shared by bench/run.sh and bench/compare.sh (sourced, not run).
#
# PLACEMENT says where the server side runs; the load generator always has CPU 1 to itself:
#   split    (default) Parley on CPU 0; PostgreSQL and Redis wherever the system puts them
#            (in practice they share CPU 1 with the load generator): the placement of every
#            figure in docs/benchmarks.md before issue 19.
#   one-core Parley, PostgreSQL and Redis all on CPU 0, as on a one-CPU machine or container.
# Each load generator run reports the server side's CPU time and allocations (ServerCost).

PLACEMENT=${PLACEMENT:-split}
case "$PLACEMENT" in split|one-core) ;; *) echo "PLACEMENT is split or one-core, not $PLACEMENT" >&2; exit 1 ;; esac

# Pins every PostgreSQL and Redis process (new PostgreSQL backends inherit the postmaster's
# affinity) to CPU 0 for one-core, or lets them run anywhere for split.
place_stores() {
  local cpus=0
  [ "$PLACEMENT" = one-core ] || cpus="0-$(($(nproc) - 1))"
  for p in $(pgrep -x postgres) $(pgrep -x redis-server); do
    taskset -a -p -c "$cpus" "$p" >/dev/null
  done
}

reset_stores() {
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS parley_bench" -c "CREATE DATABASE parley_bench" >/dev/null
  redis-cli -n 2 flushdb >/dev/null
  place_stores
}

# Before each workload: write out PostgreSQL's dirty pages and flush the OS's writeback, so that
# a checkpoint left by the previous workload does not run during this one. (No ANALYZE here: on
# the still empty tables of a fresh run it misled the planner. Where autovacuum is on it keeps
# the statistics; compare.sh's PGCONF_<name> turns it on where a machine has it off.)
settle() {
  psql -h 127.0.0.1 -U postgres -qc "CHECKPOINT" >/dev/null 2>&1 || true
  sync
}

# lg OUTFILE ARGS… runs the load generator on CPU 1 and appends its result lines, each tagged
# with the placement, to OUTFILE.
lg() {
  local out=$1
  shift
  settle
  taskset -c 1 java -cp "$BENCH_JAR" io.parley.bench.LoadGenerator "$@" 2>>"$OUT/loadgen.err" | tee -a "$OUT/run.log" \
    | tee >(grep -v '^RESULT ') | grep '^RESULT ' | sed 's/^RESULT //' \
    | python3 -c 'import json,sys; [print(json.dumps({**json.loads(l), "placement": sys.argv[1]})) for l in sys.stdin]' "$PLACEMENT" \
    >>"$out"
}

# blocked_report LOG LABEL OUTFILE: how often and how long Vert.x reported a blocked thread in a
# server's log ("Thread … has been blocked for N ms"), as one JSON line.
blocked_report() {
  python3 - "$1" "$2" "$PLACEMENT" >>"$3" <<'PY'
import json, re, sys
ms = [int(m) for m in re.findall(r"has been blocked for (\d+) ms", open(sys.argv[1], errors="replace").read())]
print(json.dumps({"workload": "blocked-threads", "label": sys.argv[2], "placement": sys.argv[3],
                  "warnings": len(ms), "max_ms": max(ms, default=0)}))
PY
}
