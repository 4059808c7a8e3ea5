package io.parley.persistence.readstate;

/** SQL of read markers ({@code room_members.last_read_seq}) and unread counts. Parameters are positional ($n). */
public final class ReadStateSql {
  private ReadStateSql() {}

  /** Unread messages of the member row {@code m}: live messages after the marker, not their own. */
  public static final String UNREAD_OF_MEMBER =
      "(SELECT count(*) FROM messages um WHERE um.room_id = m.room_id AND um.seq > m.last_read_seq "
          + "AND um.deleted_at IS NULL AND um.author_id IS DISTINCT FROM m.user_id)";

  /**
   * Moves the marker of member $2 in room $1 to $3 (capped at the room's head), never back.
   * No row when it would not move.
   */
  static final String READ_MARKER_MOVE =
      "UPDATE room_members m SET last_read_seq = LEAST($3, r.last_seq) FROM rooms r "
          + "WHERE m.room_id = $1 AND m.user_id = $2 AND r.id = m.room_id AND LEAST($3, r.last_seq) > m.last_read_seq "
          + "RETURNING m.last_read_seq";

  static final String UNREAD_OF = "SELECT m.last_read_seq, " + UNREAD_OF_MEMBER + " AS unread_count "
      + "FROM room_members m WHERE m.room_id = $1 AND m.user_id = $2";

  /** $1 user: every room of theirs with its unread count. */
  static final String UNREAD_BY_ROOM =
      "SELECT m.room_id, " + UNREAD_OF_MEMBER + " AS unread_count FROM room_members m WHERE m.user_id = $1 ORDER BY m.room_id";

  /** $1 room, $2 user ids (array): unread counts of those who are members. */
  static final String UNREAD_FOR_USERS =
      "SELECT m.user_id, " + UNREAD_OF_MEMBER + " AS unread_count FROM room_members m "
          + "WHERE m.room_id = $1 AND m.user_id = ANY($2)";
}
