#!/usr/bin/env bash
# PostgreSQL's CPU per stored message for the send statement alone, without Parley: copies the
# schema of a migrated database (SCHEMA_DB, default parley_bench, which bench/compare.sh leaves
# behind) into a scratch one per variant, seeds 1,000 users in 500 one-to-one rooms, and runs
# the group-commit statement (bench/send_statement.py) with pgbench, 2 clients, BATCH sends per
# statement (default 4), DURATION seconds per run (default 20), RUNS alternating runs (default 3).
# A variant is NAME=SQL (run on its scratch database first; empty SQL: the schema as it is):
#
#   bench/send_statement.sh now= no_search="DROP INDEX messages_search"
#
# Prints one line per run: transactions, PostgreSQL CPU ms (all its processes, /proc) and µs
# per message. Needs pgbench (postgresql-client) and the superuser postgres on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMA_DB=${SCHEMA_DB:-parley_bench} BATCH=${BATCH:-4} DURATION=${DURATION:-20} RUNS=${RUNS:-3}
PSQL="psql -q -h 127.0.0.1 -U postgres"
work=$(mktemp -d)
python3 bench/send_statement.py "$BATCH" > "$work/send.sql"
pg_dump -h 127.0.0.1 -U postgres --schema-only --no-owner "$SCHEMA_DB" > "$work/schema.sql"
for variant in "$@"; do
  name=${variant%%=*}
  db="send_cost_$name"
  $PSQL -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
  $PSQL -d "$db" -f "$work/schema.sql" >/dev/null 2>&1
  $PSQL -d "$db" -c "INSERT INTO users (username, email, password_hash, email_verified_at)
      SELECT 'u' || g, 'u' || g || '@x.test', 'x', now() FROM generate_series(1, 1000) g" \
    -c "INSERT INTO rooms (kind, direct_key, last_seq) SELECT 'direct', 'd' || g, 0 FROM generate_series(1, 500) g" \
    -c "INSERT INTO room_members (room_id, user_id) SELECT r.id, u.id FROM rooms r JOIN users u ON u.id IN (2 * r.id - 1, 2 * r.id)"
  [ -n "${variant#*=}" ] && $PSQL -d "$db" -c "${variant#*=}"
done
cpu() { # ticks of every process of the user postgres, children included
  local t=0 s v
  for p in $(pgrep -u postgres); do
    s=$(cut -d' ' -f14-17 "/proc/$p/stat" 2>/dev/null) || continue
    for v in $s; do t=$((t + v)); done
  done
  echo "$t"
}
for run in $(seq 1 "$RUNS"); do
  for variant in "$@"; do
    name=${variant%%=*}
    db="send_cost_$name"
    $PSQL -d "$db" -c "DELETE FROM room_events" -c "DELETE FROM messages" -c "UPDATE rooms SET last_seq = 0" \
      -c "VACUUM ANALYZE messages" -c "VACUUM ANALYZE room_events" -c "VACUUM rooms" -c CHECKPOINT
    pgbench -n -h 127.0.0.1 -U postgres -M prepared -c 2 -j 1 -T 5 -f "$work/send.sql" "$db" >/dev/null 2>&1 # warm-up
    n0=$(pgrep -u postgres | wc -l)
    c0=$(cpu)
    out=$(pgbench -n -h 127.0.0.1 -U postgres -M prepared -c 2 -j 1 -T "$DURATION" -f "$work/send.sql" "$db" 2>&1)
    # a backend's CPU moves to the postmaster's children's time once it has exited and been reaped
    for _ in $(seq 1 50); do [ "$(pgrep -u postgres | wc -l)" -le "$n0" ] && break; sleep 0.1; done
    sleep 0.2
    c1=$(cpu)
    tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    echo "run $run $name: $tx statements of $BATCH sends, PostgreSQL CPU $(( (c1 - c0) * 10 )) ms," \
      "$(( (c1 - c0) * 10000 / (tx * BATCH) )) µs per message"
  done
done
rm -rf "$work"
