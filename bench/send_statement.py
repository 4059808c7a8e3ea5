#!/usr/bin/env python3
"""Writes a pgbench script that runs the group-commit send statement (MessageSql.SEND_MESSAGES,
read from the Java source so it is always today's) with BATCH sends into random one-to-one rooms
of bench/send_statement.sh's scratch database: each send a new client_msg_id, a short body and a
frame like the gateway's.

    python3 bench/send_statement.py BATCH > send.sql

pgbench's own variables (:r0, :s0 ...) pick the rooms and authors; the JSON has a space after
each colon so that pgbench does not take a value for a variable.
"""
import re
import sys

batch = int(sys.argv[1]) if len(sys.argv) > 1 else 4
src = open("src/main/java/io/parley/persistence/messages/MessageSql.java").read()
body = re.search(r"static final String SEND_MESSAGES =(.*?);\n", src, re.S).group(1)
sql = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body)).replace('\\"', '"')


def frame(k):
    return ("'{\"type\": \"message.created\", \"room_id\": 1, \"seq\": 0, \"message\": {\"id\": 12345, \"room_id\": 1, "
            "\"seq\": 0, \"author_id\": 7, \"client_msg_id\": \"4c1e0f3a-9d7b-4f3e-8a1b-2f6c9e0d1a2b\", "
            "\"body\": \"t=' || clock_timestamp()::text || ';i=%d\", \"created_at\": \"2026-12-07T15:00:00.123456Z\", "
            "\"edited_at\": null, \"deleted\": false, \"attachments\": []}}'") % k


ks = range(batch)
params = {
    1: "ARRAY[%s]::bigint[]" % ",".join("(:r%d)::bigint" % k for k in ks),
    2: "ARRAY[%s]::bigint[]" % ",".join("2 * (:r%d)::bigint - (:s%d)::bigint" % (k, k) for k in ks),
    3: "ARRAY[%s]" % ",".join(["gen_random_uuid()::text"] * batch),
    4: "ARRAY[%s]" % ",".join("'t=' || clock_timestamp()::text || ';i=%d'" % k for k in ks),
    5: "ARRAY[%s]::bigint[]" % ",".join(["nextval(pg_get_serial_sequence('messages', 'id'))"] * batch),
    6: "ARRAY[%s]::timestamptz[]" % ",".join(["now()"] * batch),
    7: "ARRAY[%s]" % ",".join(frame(k) for k in ks),
    8: "false",
    9: "ARRAY[%s]::boolean[]" % ",".join(["false"] * batch),
}
for n in sorted(params, reverse=True):
    sql = re.sub(r"\$%d(?!\d)" % n, lambda _: "(" + params[n] + ")", sql)
print("".join("\\set r%d random(1, 500)\n\\set s%d random(0, 1)\n" % (k, k) for k in ks) + sql + ";")
