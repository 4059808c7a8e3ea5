#!/usr/bin/env bash
# Compares two server builds on the send path: the fan-out and one-to-one workloads, run
# alternately (A, B, A, B, …) so that both builds see the same machine state, servers pinned to
# CPU 0 and the load generator to CPU 1, as bench/run.sh does. Appends one JSON line per
# measurement to target/bench/compare.jsonl, labelled with the build's name.
#
#   RUNS=3 bench/compare.sh before=/path/to/old/parley.jar after=target/parley.jar
#
# SQL_<name>='…' runs that SQL against the benchmark database once build <name> is up, e.g. to
# give every user an unlimited or a limited plan (the builds with billing enforce daily quotas):
#
#   SQL_unlimited="UPDATE plans SET daily_message_limit = NULL WHERE code = 'free'" \
#   SQL_limited="UPDATE plans SET daily_message_limit = 100000000 WHERE code = 'free'" \
#   RUNS=3 bench/compare.sh before=/tmp/before.jar unlimited=target/parley.jar limited=target/parley.jar
#
# The load generator comes from target/parley-bench.jar (mvn -B -Pbench package), the same for both.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BENCH_JAR=target/parley-bench.jar
OUT=$(pwd)/target/bench
mkdir -p "$OUT" "$OUT/cwd"
[ -f "$BENCH_JAR" ] || mvn -B -q -Pbench package
ulimit -n "$(ulimit -Hn)"

reset_stores() {
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS parley_bench" -c "CREATE DATABASE parley_bench" >/dev/null
  redis-cli -n 2 flushdb >/dev/null
}

# Each server runs in an empty directory, so it reads its own openapi.yaml from its jar (Vert.x
# looks in the working directory first), not the checkout's.
start_server() { # JAR -> pid once ready
  env PARLEY_PERSISTENCE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/parley_bench \
      PARLEY_PRESENCE_REDIS_URL=redis://127.0.0.1:6379/2 \
      PARLEY_AUTH_BCRYPT_COST=4 PARLEY_AUTH_REQUIRE_VERIFIED_EMAIL=false \
      PARLEY_MAIL_SMTP_HOST=127.0.0.1 PARLEY_MAIL_SMTP_PORT=1 \
      PARLEY_JWT_SECRET=benchmark-secret-not-for-production \
      PARLEY_LIMITS_ANONYMOUS_PER_HOUR=100000000 PARLEY_LIMITS_USER_PER_HOUR=100000000 \
      PARLEY_LIMITS_SENDS_PER_MINUTE=100000000 PARLEY_LIMITS_SENDS_BURST=1000000 \
      PARLEY_NODE_ROLES=api,gateway,persistence,presence PARLEY_CLUSTER_ENABLED=false \
      PARLEY_API_PORT=18080 PARLEY_GATEWAY_PORT=18081 \
      bash -c 'cd "$1" && exec taskset -c 0 java -jar "$2"' _ "$OUT/cwd" "$(realpath "$1")" >"$OUT/compare-server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:18080/health/ready" >/dev/null 2>&1 && { echo "$pid"; return; }
    sleep 0.5
  done
  echo "server $1 did not start" >&2; exit 1
}

lg() {
  psql -h 127.0.0.1 -U postgres -qc "CHECKPOINT" >/dev/null 2>&1 || true
  sync
  taskset -c 1 java -cp "$BENCH_JAR" io.parley.bench.LoadGenerator "$@" 2>>"$OUT/loadgen.err" | tee -a "$OUT/compare.log" \
    | grep '^RESULT ' | sed 's/^RESULT //' >>"$OUT/compare.jsonl"
}

for run in $(seq 1 "$RUNS"); do
  for build in "$@"; do
    name=${build%%=*}
    jar=${build#*=}
    echo "== run $run: $name ($jar)"
    reset_stores
    pid=$(start_server "$jar")
    sql_var="SQL_$name"
    if [ -n "${!sql_var:-}" ]; then
      psql -h 127.0.0.1 -U postgres -d parley_bench -qc "${!sql_var}" >/dev/null
    fi
    lg --workload fanout --api http://127.0.0.1:18080 --ws ws://127.0.0.1:18081/ws --rooms 10 --members 100 \
       --rates ${FANOUT_RATES:-500,1000,1500,2000} --duration 10 --warmup 10 --server-pid "$pid" --label "$name-run$run"
    lg --workload one-to-one --api http://127.0.0.1:18080 --ws ws://127.0.0.1:18081/ws --rooms 500 \
       --rates ${ONE_TO_ONE_RATES:-1000,3000,5000} --duration 10 --warmup 10 --server-pid "$pid" --label "$name-run$run"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
echo "results: $OUT/compare.jsonl"
