package io.parley.persistence.rooms;

/** SQL of rooms, members and one-to-one conversations ({@code rooms}, {@code room_members}). Parameters are positional ($n). */
final class RoomSql {
  private RoomSql() {}

  private static final String ROOM_COLUMNS =
      "r.id, r.kind, r.name, r.description, r.is_private, r.owner_id, r.last_seq, r.created_at, r.updated_at, "
          + "(SELECT count(*) FROM room_members c WHERE c.room_id = r.id) AS member_count, "
          + "(SELECT e.created_at FROM room_events e WHERE e.room_id = r.id AND e.seq = r.last_seq) AS last_event_at";

  /** The room's newest message as JSON (body null once deleted), or null. */
  private static final String LAST_MESSAGE =
      "(SELECT json_build_object('id', lm.id, 'seq', lm.seq, 'author_id', lm.author_id, 'body', lm.body, "
          + "'created_at', to_char(lm.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
          + "'deleted', lm.deleted_at IS NOT NULL, 'attachments', COALESCE(lm.attachments, '[]'::jsonb)) FROM messages lm WHERE lm.room_id = r.id ORDER BY lm.seq DESC LIMIT 1)";

  /** The viewer's membership fields; content (last_message) only for members, as history is. */
  private static final String MEMBER_VIEW =
      "m.role, m.last_read_seq, CASE WHEN m.user_id IS NULL THEN NULL ELSE " + io.parley.persistence.readstate.ReadStateSql.UNREAD_OF_MEMBER + " END AS unread_count, "
          + "CASE WHEN m.user_id IS NULL THEN NULL ELSE " + LAST_MESSAGE + " END AS last_message";

  /** The other member of a direct room, as JSON; $2 is the viewing user. */
  private static final String PEER =
      "CASE WHEN r.kind = 'direct' THEN (SELECT json_build_object('id', u.id, 'username', u.username, 'avatar_attachment_id', u.avatar_attachment_id, 'is_bot', u.is_bot) "
          + "FROM room_members o JOIN users u ON u.id = o.user_id WHERE o.room_id = r.id AND o.user_id <> $2 LIMIT 1) "
          + "END AS peer";

  static final String ROOM_INSERT =
      "INSERT INTO rooms (kind, name, description, is_private, owner_id, direct_key) "
          + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

  /** $1 room, $2 viewing user: the room with the viewer's membership (role null when none). */
  static final String ROOM_FOR_USER =
      "SELECT " + ROOM_COLUMNS + ", " + PEER + ", " + MEMBER_VIEW + " FROM rooms r "
          + "LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1";

  /** $1 user, $2 cursor room id (exclusive), $3 limit. */
  static final String ROOMS_OF_USER =
      "SELECT " + ROOM_COLUMNS + ", " + PEER.replace("$2", "$1") + ", " + MEMBER_VIEW + " FROM room_members m "
          + "JOIN rooms r ON r.id = m.room_id WHERE m.user_id = $1 AND r.id > $2 ORDER BY r.id LIMIT $3";

  /** $1 lower-cased name pattern ('%' for all), $2 viewing user, $3 cursor, $4 limit. */
  static final String ROOMS_PUBLIC =
      "SELECT " + ROOM_COLUMNS + ", NULL::json AS peer, " + MEMBER_VIEW + " FROM rooms r "
          + "LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 "
          + "WHERE r.kind = 'group' AND NOT r.is_private AND lower(r.name) LIKE $1 AND r.id > $3 "
          + "ORDER BY r.id LIMIT $4";

  static final String ROOM_UPDATE =
      "UPDATE rooms SET name = COALESCE($2, name), description = CASE WHEN $3 THEN $4 ELSE description END, "
          + "is_private = COALESCE($5, is_private), updated_at = now() WHERE id = $1";

  static final String ROOM_DELETE = "DELETE FROM rooms WHERE id = $1 RETURNING last_seq";

  static final String DIRECT_ROOM_BY_KEY = "SELECT id FROM rooms WHERE direct_key = $1";

  /** $1 user: ids and sizes of their rooms. */
  static final String ROOM_IDS_OF_USER =
      "SELECT m.room_id, (SELECT count(*) FROM room_members c WHERE c.room_id = m.room_id) AS member_count "
          + "FROM room_members m WHERE m.user_id = $1";

  static final String MEMBER_INSERT =
      "INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING joined_at";

  static final String MEMBER_DELETE = "DELETE FROM room_members WHERE room_id = $1 AND user_id = $2 RETURNING role";

  /** $1 room, $2 user: whether they are a member, and a bot ({@code is_bot}); no row when not a member. */
  static final String MEMBER_IS_BOT =
      "SELECT u.is_bot FROM room_members m JOIN users u ON u.id = m.user_id WHERE m.room_id = $1 AND m.user_id = $2";

  /** $1 room, $2 new owner, $3 former owner: the roles swap (the room's owner_id follows, {@link #ROOM_OWNER_SET}). */
  static final String MEMBER_ROLES_SWAP =
      "UPDATE room_members SET role = CASE WHEN user_id = $2 THEN 'owner' ELSE 'member' END "
          + "WHERE room_id = $1 AND user_id IN ($2, $3)";

  static final String ROOM_OWNER_SET = "UPDATE rooms SET owner_id = $2, updated_at = now() WHERE id = $1";

  static final String MEMBER_GET =
      "SELECT m.user_id, u.username, u.first_name, u.last_name, u.avatar_attachment_id, u.is_bot, m.role, m.last_read_seq, m.joined_at "
          + "FROM room_members m JOIN users u ON u.id = m.user_id WHERE m.room_id = $1 AND m.user_id = $2";

  /** $1 room, $2 cursor user id (exclusive), $3 limit. */
  static final String MEMBERS_OF_ROOM =
      "SELECT m.user_id, u.username, u.first_name, u.last_name, u.avatar_attachment_id, u.is_bot, m.role, m.last_read_seq, m.joined_at "
          + "FROM room_members m JOIN users u ON u.id = m.user_id WHERE m.room_id = $1 AND m.user_id > $2 "
          + "ORDER BY m.user_id LIMIT $3";

  static final String MEMBER_IDS = "SELECT user_id FROM room_members WHERE room_id = $1";

  static final String USER_EXISTS = "SELECT username FROM users WHERE id = $1";

  /** $1 user, $2 user ids: those of the ids who share a room with $1 (and $1 itself when asked). */
  static final String USERS_SHARING_ROOM =
      "SELECT DISTINCT o.user_id FROM room_members mine JOIN room_members o ON o.room_id = mine.room_id "
          + "WHERE mine.user_id = $1 AND o.user_id = ANY($2) "
          + "UNION SELECT $1 WHERE $1 = ANY($2)";
}
