package io.parley.persistence.stream;

/** SQL of each room's event stream ({@code room_events}, {@code rooms.last_seq}). Parameters are positional ($n). */
final class StreamSql {
  private StreamSql() {}

  /** Takes the next seq of a room's stream under the row lock; no row when the room is gone. */
  static final String NEXT_SEQ = "UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq";

  static final String EVENT_INSERT =
      "INSERT INTO room_events (room_id, seq, type, message_id, payload) VALUES ($1, $2, $3, $4, $5)";

  /** Deleting a message removes its body from the earlier events that carried it. */
  static final String EVENTS_REDACT =
      "UPDATE room_events SET payload = jsonb_set(jsonb_set(payload, '{message,body}', 'null'), "
          + "'{message,deleted}', 'true') WHERE room_id = $1 AND message_id = $2 AND seq < $3";

  /** $1 room ids (bigint[]): each existing room's id and last seq. */
  static final String HEADS = "SELECT id, last_seq FROM rooms WHERE id = ANY($1)";

  /** $1 room, $2 after seq (exclusive), $3 up to seq (inclusive), $4 limit. */
  static final String EVENTS_SINCE =
      "SELECT seq, payload::text AS payload, (payload #> '{message,attachments,0}') IS NOT NULL AS has_attachments FROM room_events WHERE room_id = $1 AND seq > $2 AND seq <= $3 "
          + "ORDER BY seq LIMIT $4";
}
