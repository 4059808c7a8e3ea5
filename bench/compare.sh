#!/usr/bin/env bash
# Compares two server builds on the send path: the fan-out and one-to-one workloads, run
# alternately (A, B, A, B, …) so that both builds see the same machine state, servers pinned to
# CPU 0 and the load generator to CPU 1, as bench/run.sh does (PLACEMENT=one-core: PostgreSQL and
# Redis on CPU 0 too; bench/lib.sh). Appends one JSON line per measurement, with the server
# side's CPU time and allocations, to target/bench/compare.jsonl, labelled with the build's name.
#
#   RUNS=3 bench/compare.sh before=/path/to/old/parley.jar after=target/parley.jar
#
# ENV_<name>='PARLEY_…=… …' adds settings to build <name>'s environment (e.g. another
# persistence.send_queue_max_wait_ms). JAVA_OPTS_<name>='…' are the JVM options of build <name> (the same jar may run under several
# names, e.g. to compare collectors). BASELINE=1 also runs the raw WebSocket baseline
# (BaselineServer, no storage) once per run, at FANOUT_RATES, so both are measured in the same hour.
# WARMUP (seconds, default 10) is each workload's warm-up; on one CPU the JIT compiler is busy for
# 30-40 s after start under load, so WARMUP=30 measures a warm JVM (docs/benchmarks.md).
#
# PGCONF_<name>='setting=value …' sets PostgreSQL settings (ALTER SYSTEM, reloaded) for build <name>'s
# runs and resets them after, e.g. PGCONF_av='autovacuum=on' where the machine turns autovacuum off.
#
# SQL_<name>='…' runs that SQL against the benchmark database once build <name> is up, e.g. to
# give every user an unlimited or a limited plan (the builds with billing enforce daily quotas):
#
#   SQL_unlimited="UPDATE plans SET daily_message_limit = NULL WHERE code = 'free'" \
#   SQL_limited="UPDATE plans SET daily_message_limit = 100000000 WHERE code = 'free'" \
#   RUNS=3 bench/compare.sh before=/tmp/before.jar unlimited=target/parley.jar limited=target/parley.jar
#
# ROLES (default api,gateway,persistence,presence) are the server's roles: add mail to have the
# registration mails of the benchmark's users sent (to port 1 of this machine, where nothing
# listens: the SMTP server is down). IDLE_SETTLE (10) is the wait, in seconds, between opening the
# idle sockets and measuring the idle CPU.
#
# PROFILE_DIR=DIR records each step with JFR's profile settings into DIR/<name>-run<n>-<workload>-<step>.jfr
# (step 1 is the warm-up); bench/hot_methods.py summarises one.
#
# WORKLOADS (default fanout,one-to-one) may also name idle: IDLE_SOCKETS (10000) sockets of
# IDLE_USERS (10000) users, IDLE_CONNECT_PARALLEL (256) upgrades at once, each user registered just before (so as many mails wait in the outbox,
# the SMTP server being down), then held; it reports the connection storm's cost, the idle
# server side's CPU, and the blocked-thread warnings in the server's log.
#
# The load generator comes from target/parley-bench.jar (mvn -B -Pbench package), the same for both.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
WORKLOADS=${WORKLOADS:-fanout,one-to-one}
BENCH_JAR=target/parley-bench.jar
OUT=$(pwd)/target/bench
mkdir -p "$OUT" "$OUT/cwd"
. bench/lib.sh
[ -f "$BENCH_JAR" ] || mvn -B -q -Pbench package
ulimit -n "$(ulimit -Hn)"

# Each server runs in an empty directory, so it reads its own openapi.yaml from its jar (Vert.x
# looks in the working directory first), not the checkout's.
start_server() { # JAR JAVA_OPTS EXTRA_ENV (NAME=value words, after the defaults so they win) -> pid once ready
  env PARLEY_PERSISTENCE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/parley_bench \
      PARLEY_PRESENCE_REDIS_URL=redis://127.0.0.1:6379/2 \
      PARLEY_AUTH_BCRYPT_COST=4 PARLEY_AUTH_REQUIRE_VERIFIED_EMAIL=false \
      PARLEY_MAIL_SMTP_HOST=127.0.0.1 PARLEY_MAIL_SMTP_PORT=1 \
      PARLEY_JWT_SECRET=benchmark-secret-not-for-production \
      PARLEY_LIMITS_ANONYMOUS_PER_HOUR=100000000 PARLEY_LIMITS_USER_PER_HOUR=100000000 \
      PARLEY_LIMITS_SENDS_PER_MINUTE=100000000 PARLEY_LIMITS_SENDS_BURST=1000000 \
      PARLEY_NODE_ROLES="${ROLES:-api,gateway,persistence,presence}" PARLEY_CLUSTER_ENABLED=false \
      PARLEY_API_PORT=18080 PARLEY_GATEWAY_PORT=18081 ${3:-} \
      bash -c 'cd "$1" && exec taskset -c 0 java $3 -jar "$2"' _ "$OUT/cwd" "$(realpath "$1")" "$2" >"$OUT/compare-server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:18080/health/ready" >/dev/null 2>&1 && { echo "$pid"; return; }
    sleep 0.5
  done
  echo "server $1 did not start" >&2; exit 1
}

RESULTS=$OUT/compare.jsonl

pgconf() { # VAR SET|RESET: applies (or resets) the settings named in $VAR, then reloads PostgreSQL's configuration
  local kv settings=${!1:-}
  [ -n "$settings" ] || return 0
  for kv in $settings; do
    if [ "$2" = SET ]; then
      psql -h 127.0.0.1 -U postgres -qc "ALTER SYSTEM SET ${kv%%=*} = '${kv#*=}'" >/dev/null
    else
      psql -h 127.0.0.1 -U postgres -qc "ALTER SYSTEM RESET ${kv%%=*}" >/dev/null
    fi
  done
  psql -h 127.0.0.1 -U postgres -qAtc "SELECT pg_reload_conf()" >/dev/null
}

for run in $(seq 1 "$RUNS"); do
  for build in "$@"; do
    name=${build%%=*}
    jar=${build#*=}
    echo "== run $run: $name ($jar)"
    pgconf "PGCONF_$name" SET
    reset_stores
    opts_var="JAVA_OPTS_$name"
    env_var="ENV_$name"
    pid=$(start_server "$jar" "${!opts_var:-}" "${!env_var:-}")
    sql_var="SQL_$name"
    if [ -n "${!sql_var:-}" ]; then
      psql -h 127.0.0.1 -U postgres -d parley_bench -qc "${!sql_var}" >/dev/null
    fi
    if [[ ,$WORKLOADS, == *,fanout,* ]]; then
      lg "$RESULTS" --workload fanout --api http://127.0.0.1:18080 --ws ws://127.0.0.1:18081/ws --rooms 10 --members 100 \
         --rates ${FANOUT_RATES:-500,1000,1500,2000} --duration 10 --warmup ${WARMUP:-10} --server-pid "$pid" --label "$name-run$run" \
         ${PROFILE_DIR:+--profile "$PROFILE_DIR/$name-run$run-fanout"}
    fi
    if [[ ,$WORKLOADS, == *,one-to-one,* ]]; then
      lg "$RESULTS" --workload one-to-one --api http://127.0.0.1:18080 --ws ws://127.0.0.1:18081/ws --rooms 500 \
         --rates ${ONE_TO_ONE_RATES:-1000,3000,5000} --duration 10 --warmup ${WARMUP:-10} --server-pid "$pid" --label "$name-run$run" \
         ${PROFILE_DIR:+--profile "$PROFILE_DIR/$name-run$run-one-to-one"}
    fi
    if [[ ,$WORKLOADS, == *,idle,* ]]; then
      lg "$RESULTS" --workload idle --api http://127.0.0.1:18080 --ws ws://127.0.0.1:18081/ws --sockets "${IDLE_SOCKETS:-10000}" \
         --users "${IDLE_USERS:-10000}" --connect-parallel "${IDLE_CONNECT_PARALLEL:-256}" --settle "${IDLE_SETTLE:-10}" --idle-measure 20 \
         --server-pid "$pid" --label "$name-run$run" ${PROFILE_DIR:+--profile "$PROFILE_DIR/$name-run$run-idle"}
      blocked_report "$OUT/compare-server.log" "$name-run$run" "$RESULTS"
    fi
    kill "$pid"; wait "$pid" 2>/dev/null || true
    pgconf "PGCONF_$name" RESET
  done
  if [ "${BASELINE:-0}" = 1 ]; then
    echo "== run $run: baseline (raw WebSocket, no storage)"
    taskset -c 0 java -cp "$BENCH_JAR" io.parley.bench.BaselineServer 19081 >"$OUT/baseline.log" 2>&1 &
    bpid=$!
    for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/19081) 2>/dev/null && break; sleep 0.5; done
    lg "$RESULTS" --workload baseline --ws ws://127.0.0.1:19081/ws --rooms 10 --members 100 \
       --rates ${FANOUT_RATES:-500,1000,1500,2000} --duration 10 --warmup ${WARMUP:-10} --server-pid "$bpid" --label "baseline-run$run"
    kill "$bpid"; wait "$bpid" 2>/dev/null || true
  fi
done
echo "results: $RESULTS"
