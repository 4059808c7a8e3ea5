#!/usr/bin/env bash
# Runs Parley's benchmark workloads on this machine (loopback only) and appends one JSON line per
# measurement to target/bench/results.jsonl. Servers are pinned to CPU 0 and the load generator
# to CPU 1 (taskset); PLACEMENT=one-core puts PostgreSQL and Redis on CPU 0 as well (bench/lib.sh).
# Every line carries the server side's CPU time and allocations per message (ServerCost).
#
#   RUNS=3 bench/run.sh                       # needs PostgreSQL and Redis on 127.0.0.1 (as .ci/run
#   PLACEMENT=one-core RUNS=3 bench/run.sh    # sets up), wrk (apt-get install wrk) and jcmd
#
# JAVA_OPTS is passed to Parley's JVM (e.g. JAVA_OPTS=-XX:+UseSerialGC). IDLE_USERS (default
# 10000) is how many distinct users own the IDLE_SOCKETS (default 10000) idle sockets: each one
# registers, so that many verification mails wait in the outbox while the sockets are held.
#
# The servers run from the server jar (target/parley.jar, `mvn -B -DskipTests package`); the load
# generator and the baseline server from the benchmark jar (target/parley-bench.jar,
# `mvn -B -Pbench package`). Each is built when missing.
#
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
JAR=target/parley.jar
BENCH_JAR=target/parley-bench.jar
OUT=target/bench
mkdir -p "$OUT"
. bench/lib.sh
[ -f "$JAR" ] || mvn -B -q -DskipTests package
[ -f "$BENCH_JAR" ] || mvn -B -q -Pbench package
ulimit -n "$(ulimit -Hn)"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

# Rate limits stay on (one Redis check per request and per send, as in production) but are raised
# far above what the load generator's users do (docs/limits.md).
# start_node NAME API_PORT GATEWAY_PORT ROLES CLUSTER_ENABLED -> prints the pid once ready
start_node() {
  env PARLEY_PERSISTENCE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/parley_bench \
      PARLEY_PRESENCE_REDIS_URL=redis://127.0.0.1:6379/2 \
      PARLEY_AUTH_BCRYPT_COST=4 PARLEY_AUTH_REQUIRE_VERIFIED_EMAIL=false \
      PARLEY_MAIL_SMTP_HOST=127.0.0.1 PARLEY_MAIL_SMTP_PORT=1 \
      PARLEY_JWT_SECRET=benchmark-secret-not-for-production \
      PARLEY_LIMITS_ANONYMOUS_PER_HOUR=100000000 PARLEY_LIMITS_USER_PER_HOUR=100000000 \
      PARLEY_LIMITS_SENDS_PER_MINUTE=100000000 PARLEY_LIMITS_SENDS_BURST=1000000 \
      PARLEY_NODE_NAME="$1" PARLEY_API_PORT="$2" PARLEY_GATEWAY_PORT="$3" PARLEY_NODE_ROLES="$4" \
      PARLEY_CLUSTER_ENABLED="$5" PARLEY_CLUSTER_NAME=parley-bench \
      taskset -c 0 java ${JAVA_OPTS:-} -jar "$JAR" >"$OUT/$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$2/health/ready" >/dev/null 2>&1 && { echo "$pid"; return; }
    sleep 0.5
  done
  echo "node $1 did not start" >&2; exit 1
}

# Daily quotas stay enforced (billing.enforce_quotas, the default), with every benchmark user on an
# unlimited plan: the quota check runs on every send, as it does for a Pro user.
unlimited_plans() {
  psql -h 127.0.0.1 -U postgres -d parley_bench -qc "UPDATE plans SET daily_message_limit = NULL WHERE code = 'free'" >/dev/null
}

RESULTS=$OUT/results.jsonl

# History with wrk (C, 64 connections on one thread): the load generator seeds a room with 500
# messages and prints a token; 20 s of warm-up, then 10 s measured. (The load generator's own
# history workload spends more CPU per request than the server does, on a shared machine.)
history_wrk() {
  local seed token path
  settle
  seed=$(taskset -c 1 java -cp "$BENCH_JAR" io.parley.bench.LoadGenerator --workload history --api http://127.0.0.1:18080 \
    --seed-only true 2>>"$OUT/loadgen.err" | grep '^RESULT ' | sed 's/^RESULT //')
  token=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$seed")
  path=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["path"])' "$seed")
  taskset -c 1 wrk -t1 -c64 -d20s -H "Authorization: Bearer $token" "http://127.0.0.1:18080$path" >/dev/null
  taskset -c 1 wrk -t1 -c64 -d10s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:18080$path" \
    | tee -a "$OUT/run.log" | python3 bench/wrk_result.py "$1" >>"$RESULTS"
}

for run in $(seq 1 "$RUNS"); do
  echo "== run $run"
  reset_stores
  pid=$(start_node single 18080 18081 api,gateway,persistence,presence false)
  unlimited_plans
  lg "$RESULTS" --workload fanout --api http://127.0.0.1:18080 --ws ws://127.0.0.1:18081/ws --rooms 10 --members 100 \
     --rates 250,500,750,1000,1250,1500,2000,2500,3000 --duration 10 --warmup 10 --server-pid "$pid" --label "run$run"
  lg "$RESULTS" --workload one-to-one --api http://127.0.0.1:18080 --ws ws://127.0.0.1:18081/ws --rooms 500 \
     --rates 1000,3000,5000,6000 --duration 10 --warmup 10 --server-pid "$pid" --label "run$run"
  history_wrk "run$run"
  lg "$RESULTS" --workload idle --api http://127.0.0.1:18080 --ws ws://127.0.0.1:18081/ws --sockets "${IDLE_SOCKETS:-10000}" \
     --users "${IDLE_USERS:-10000}" --settle 10 --idle-measure 20 --server-pid "$pid" --label "run$run"
  blocked_report "$OUT/single.log" "run$run" "$RESULTS"
  kill "$pid"; wait "$pid" 2>/dev/null || true

  taskset -c 0 java -cp "$BENCH_JAR" io.parley.bench.BaselineServer 19081 >"$OUT/baseline.log" 2>&1 &
  bpid=$!
  sleep 2
  lg "$RESULTS" --workload baseline --ws ws://127.0.0.1:19081/ws --rooms 10 --members 100 \
     --rates 250,500,750,1000,1250,1500,2000,2500,3000 --duration 10 --warmup 10 --server-pid "$bpid" --label "run$run"
  kill "$bpid"; wait "$bpid" 2>/dev/null || true

  reset_stores
  p1=$(start_node node1 18080 18081 api,gateway,persistence,presence true)
  p2=$(start_node node2 18090 18091 api,gateway true)
  unlimited_plans
  lg "$RESULTS" --workload fanout --api http://127.0.0.1:18080 --ws ws://127.0.0.1:18081/ws,ws://127.0.0.1:18091/ws \
     --rooms 10 --members 100 --rates 250,500,750,1000,1500,2000 --duration 10 --warmup 10 --label "run$run"
  kill "$p2" "$p1"; wait "$p2" "$p1" 2>/dev/null || true
done
echo "results: $RESULTS"
