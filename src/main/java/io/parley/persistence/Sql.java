package io.parley.persistence;

/** Every SQL statement of the persistence store, in one place. Parameters are positional ($n). */
final class Sql {
  private Sql() {}

  static final String PING = "SELECT 1";

  // ---- users -------------------------------------------------------------------------------

  static final String USER_COLUMNS = "id, email, username, first_name, last_name, created_at, email_verified_at, status";

  static final String USER_INSERT =
      "INSERT INTO users (email, username, first_name, last_name, password_hash) VALUES ($1, $2, $3, $4, $5) "
          + "RETURNING " + USER_COLUMNS;

  static final String USER_BY_ID = "SELECT " + USER_COLUMNS + " FROM users WHERE id = $1";

  static final String USER_CREDENTIALS_BY_ID = "SELECT " + USER_COLUMNS + ", password_hash FROM users WHERE id = $1";

  static final String USER_BY_EMAIL = "SELECT " + USER_COLUMNS + " FROM users WHERE lower(email) = lower($1)";

  static final String USER_INVITE =
      "INSERT INTO users (email, username, status) VALUES ($1, $2, 'invited') RETURNING " + USER_COLUMNS;

  /** $1 id, $2 username (null: keep), $3 set first_name?, $4 first_name, $5 set last_name?, $6 last_name. */
  static final String USER_UPDATE =
      "UPDATE users SET username = COALESCE($2, username), "
          + "first_name = CASE WHEN $3 THEN $4 ELSE first_name END, "
          + "last_name = CASE WHEN $5 THEN $6 ELSE last_name END WHERE id = $1 RETURNING " + USER_COLUMNS;

  static final String USER_SET_PASSWORD =
      "UPDATE users SET password_hash = $2, status = 'active' WHERE id = $1 RETURNING " + USER_COLUMNS;

  /** Marks the address verified; no row when it already was. */
  static final String USER_MARK_VERIFIED =
      "UPDATE users SET email_verified_at = now() WHERE id = $1 AND email_verified_at IS NULL RETURNING " + USER_COLUMNS;

  static final String TOKENS_REVOKE_ALL_OF_USER =
      "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL";

  // ---- mailed single-use tokens ------------------------------------------------------------

  static final String USER_TOKEN_INSERT =
      "INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) "
          + "VALUES ($1, $2, $3, now() + make_interval(secs => $4))";

  static final String USER_TOKEN_FOR_UPDATE =
      "SELECT id, user_id, purpose, used_at, expires_at < now() AS expired FROM user_tokens "
          + "WHERE token_hash = $1 FOR UPDATE";

  static final String USER_TOKEN_MARK_USED = "UPDATE user_tokens SET used_at = now() WHERE id = $1";

  /** Once a password is set, the user's other unused reset and invitation links stop working. */
  static final String USER_TOKENS_RETIRE_PASSWORD_LINKS =
      "UPDATE user_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL "
          + "AND purpose IN ('reset_password', 'invite')";

  /** Seconds since the user's latest token of a purpose was made (null when none). */
  static final String USER_TOKEN_LAST_AGE =
      "SELECT extract(epoch FROM now() - max(created_at))::float8 AS age FROM user_tokens WHERE user_id = $1 AND purpose = $2";

  // ---- mail outbox -------------------------------------------------------------------------

  static final String OUTBOX_INSERT = "INSERT INTO mail_outbox (template, to_address, params) VALUES ($1, $2, $3)";

  /**
   * Claims up to $1 due mails for $2 seconds: pending ones whose time has come, and 'sending'
   * ones whose lease ran out (their sender died). SKIP LOCKED lets several mail verticles share.
   */
  static final String OUTBOX_CLAIM =
      "UPDATE mail_outbox SET status = 'sending', locked_until = now() + make_interval(secs => $2), attempts = attempts + 1 "
          + "WHERE id IN (SELECT id FROM mail_outbox WHERE "
          + "(status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND locked_until < now()) "
          + "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) "
          + "RETURNING id, template, to_address, params, attempts";

  /** $1 id, $2 the attempt that sent it: a sender whose lease ran out cannot overwrite a later claim. */
  static final String OUTBOX_SENT =
      "UPDATE mail_outbox SET status = 'sent', sent_at = now(), params = NULL, locked_until = NULL, last_error = NULL "
          + "WHERE id = $1 AND status = 'sending' AND attempts = $2";

  /** $1 id, $2 error, $3 retry in seconds (null: give up), $4 the failed attempt (as for {@link #OUTBOX_SENT}). */
  static final String OUTBOX_FAILED =
      "UPDATE mail_outbox SET status = CASE WHEN $3::float8 IS NULL THEN 'failed' ELSE 'pending' END, "
          + "params = CASE WHEN $3::float8 IS NULL THEN NULL ELSE params END, "
          + "next_attempt_at = now() + make_interval(secs => COALESCE($3::float8, 0)), locked_until = NULL, last_error = $2 "
          + "WHERE id = $1 AND status = 'sending' AND attempts = $4";

  static final String USER_CREDENTIALS_BY_EMAIL =
      "SELECT " + USER_COLUMNS + ", password_hash FROM users WHERE lower(email) = lower($1)";

  /** $1 lower-cased prefix pattern ('abc%'), $2 cursor (lower username, '' for the first page), $3 limit. */
  /**
   * $1 prefix pattern (lower case, LIKE-escaped, with its %), $2 cursor (lower username,
   * exclusive), $3 limit, $4 the query as a whole address. Matches usernames and names by
   * prefix, and an e-mail address only whole: a prefix of an address reveals nothing.
   */
  static final String USERS_SEARCH =
      "SELECT " + USER_COLUMNS + " FROM users "
          + "WHERE (lower(username) LIKE $1 OR lower(first_name) LIKE $1 OR lower(last_name) LIKE $1 "
          + "OR lower(email) = lower($4)) AND lower(username) > $2 "
          + "ORDER BY lower(username) LIMIT $3";

  /** $1 user, $2 user ids: those of the ids who share a room with $1 (and $1 itself when asked). */
  static final String USERS_SHARING_ROOM =
      "SELECT DISTINCT o.user_id FROM room_members mine JOIN room_members o ON o.room_id = mine.room_id "
          + "WHERE mine.user_id = $1 AND o.user_id = ANY($2) "
          + "UNION SELECT $1 WHERE $1 = ANY($2)";

  /** $1 email: the invited account (no password yet) registered over, locked. */
  static final String USER_INVITED_BY_EMAIL_FOR_UPDATE =
      "SELECT id FROM users WHERE lower(email) = lower($1) AND status = 'invited' FOR UPDATE";

  /** Registration over an invitation: $1 id, $2 username, $3 first_name, $4 last_name, $5 password_hash. */
  static final String USER_CLAIM_INVITED =
      "UPDATE users SET username = $2, first_name = $3, last_name = $4, password_hash = $5, status = 'active' "
          + "WHERE id = $1 AND status = 'invited' RETURNING " + USER_COLUMNS;

  // ---- refresh tokens ----------------------------------------------------------------------

  static final String TOKEN_INSERT =
      "INSERT INTO refresh_tokens (user_id, token_hash, family, expires_at) "
          + "VALUES ($1, $2, $3, now() + make_interval(secs => $4))";

  static final String TOKEN_FOR_UPDATE =
      "SELECT id, user_id, family, used_at, revoked_at, expires_at < now() AS expired "
          + "FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE";

  static final String TOKEN_MARK_USED = "UPDATE refresh_tokens SET used_at = now() WHERE id = $1";

  static final String TOKEN_REVOKE_FAMILY =
      "UPDATE refresh_tokens SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL";

  /** The refresh token is its own credential: whoever holds it may revoke its family. */
  static final String TOKEN_REVOKE_BY_HASH =
      "UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND family = "
          + "(SELECT family FROM refresh_tokens WHERE token_hash = $1)";

  // ---- rooms -------------------------------------------------------------------------------

  private static final String ROOM_COLUMNS =
      "r.id, r.kind, r.name, r.description, r.is_private, r.owner_id, r.last_seq, r.created_at, r.updated_at, "
          + "(SELECT count(*) FROM room_members c WHERE c.room_id = r.id) AS member_count, "
          + "(SELECT e.created_at FROM room_events e WHERE e.room_id = r.id AND e.seq = r.last_seq) AS last_event_at";

  /** Unread messages of the member row {@code m}: live messages after the marker, not their own. */
  static final String UNREAD_OF_MEMBER =
      "(SELECT count(*) FROM messages um WHERE um.room_id = m.room_id AND um.seq > m.last_read_seq "
          + "AND um.deleted_at IS NULL AND um.author_id IS DISTINCT FROM m.user_id)";

  /** The room's newest message as JSON (body null once deleted), or null. */
  private static final String LAST_MESSAGE =
      "(SELECT json_build_object('id', lm.id, 'seq', lm.seq, 'author_id', lm.author_id, 'body', lm.body, "
          + "'created_at', to_char(lm.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
          + "'deleted', lm.deleted_at IS NOT NULL) FROM messages lm WHERE lm.room_id = r.id ORDER BY lm.seq DESC LIMIT 1)";

  /** The viewer's membership fields; content (last_message) only for members, as history is. */
  private static final String MEMBER_VIEW =
      "m.role, m.last_read_seq, CASE WHEN m.user_id IS NULL THEN NULL ELSE " + UNREAD_OF_MEMBER + " END AS unread_count, "
          + "CASE WHEN m.user_id IS NULL THEN NULL ELSE " + LAST_MESSAGE + " END AS last_message";

  /** The other member of a direct room, as JSON; $2 is the viewing user. */
  private static final String PEER =
      "CASE WHEN r.kind = 'direct' THEN (SELECT json_build_object('id', u.id, 'username', u.username) "
          + "FROM room_members o JOIN users u ON u.id = o.user_id WHERE o.room_id = r.id AND o.user_id <> $2 LIMIT 1) "
          + "END AS peer";

  static final String ROOM_INSERT =
      "INSERT INTO rooms (kind, name, description, is_private, owner_id, direct_key) "
          + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

  /** $1 room, $2 viewing user: the room with the viewer's membership (role null when none). */
  static final String ROOM_FOR_USER =
      "SELECT " + ROOM_COLUMNS + ", " + PEER + ", " + MEMBER_VIEW + " FROM rooms r "
          + "LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1";

  /** $1 room, $2 user: what the user may do there (no row: the room does not exist). */
  static final String ROOM_ACCESS =
      "SELECT r.kind, r.is_private, r.owner_id, r.last_seq, m.role FROM rooms r "
          + "LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1";

  static final String ROOM_ACCESS_FOR_UPDATE =
      "SELECT r.kind, r.is_private, r.owner_id, r.last_seq, m.role FROM rooms r "
          + "LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1 FOR UPDATE OF r";

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

  /** Takes the next seq of a room's stream under the row lock; no row when the room is gone. */
  static final String NEXT_SEQ = "UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq";


  /** $1 user: ids and sizes of their rooms. */
  static final String ROOM_IDS_OF_USER =
      "SELECT m.room_id, (SELECT count(*) FROM room_members c WHERE c.room_id = m.room_id) AS member_count "
          + "FROM room_members m WHERE m.user_id = $1";

  // ---- read markers and unread counts ------------------------------------------------------

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

  // ---- members -----------------------------------------------------------------------------

  static final String MEMBER_INSERT =
      "INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING joined_at";

  static final String MEMBER_DELETE = "DELETE FROM room_members WHERE room_id = $1 AND user_id = $2 RETURNING role";

  static final String MEMBER_GET =
      "SELECT m.user_id, u.username, u.first_name, u.last_name, m.role, m.last_read_seq, m.joined_at "
          + "FROM room_members m JOIN users u ON u.id = m.user_id WHERE m.room_id = $1 AND m.user_id = $2";

  /** $1 room, $2 cursor user id (exclusive), $3 limit. */
  static final String MEMBERS_OF_ROOM =
      "SELECT m.user_id, u.username, u.first_name, u.last_name, m.role, m.last_read_seq, m.joined_at "
          + "FROM room_members m JOIN users u ON u.id = m.user_id WHERE m.room_id = $1 AND m.user_id > $2 "
          + "ORDER BY m.user_id LIMIT $3";

  static final String USER_EXISTS = "SELECT username FROM users WHERE id = $1";

  static final String MEMBER_IDS = "SELECT user_id FROM room_members WHERE room_id = $1";

  // ---- messages and events -----------------------------------------------------------------

  static final String MESSAGE_COLUMNS =
      "id, room_id, seq, author_id, client_msg_id, body, created_at, edited_at, deleted_at";

  /** $1 how many: message ids taken ahead, so a send needs no extra round trip for its id. */
  static final String MESSAGE_IDS =
      "SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id FROM generate_series(1, $1)";

  /**
   * A whole send in one statement, so one round trip holds the room's row lock: take the next seq
   * if $2 is a member (and verified, when $5), store the message with its pre-allocated id $6 and
   * time $7, and store the event frame $8 with the seq filled in. No row: not allowed, or no such
   * room. A repeated (room, author, client_msg_id) aborts it with 23505, which undoes the seq.
   * $1 room, $2 author, $3 client_msg_id, $4 body. Returns (id, seq), as {@link #SEND_MESSAGES} does.
   */
  static final String SEND_MESSAGE =
      "WITH r AS (UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 "
          + "AND EXISTS (SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2) "
          + "AND (NOT $5::boolean OR EXISTS (SELECT 1 FROM users WHERE id = $2 AND email_verified_at IS NOT NULL)) "
          + "RETURNING last_seq), "
          + "m AS (INSERT INTO messages (id, room_id, seq, author_id, client_msg_id, body, created_at) OVERRIDING SYSTEM VALUE "
          + "SELECT $6, $1, r.last_seq, $2, $3, $4, $7 FROM r RETURNING id, seq), "
          + "e AS (INSERT INTO room_events (room_id, seq, type, message_id, payload) "
          + "SELECT $1, m.seq, 'message.created', m.id, "
          + "jsonb_set(jsonb_set($8::jsonb, '{seq}', to_jsonb(m.seq)), '{message,seq}', to_jsonb(m.seq)) FROM m) "
          + "SELECT id, seq FROM m";


  /**
   * Many sends in one statement and one commit (group commit, see {@link SendBatcher}). Arrays of
   * equal length: $1 rooms, $2 authors, $3 client_msg_ids, $4 bodies, $5 pre-allocated message
   * ids, $6 times, $7 event frames (JSON text); $8 require a verified e-mail. Rows whose author
   * may not send, whose (room, author, client_msg_id) is already stored, or whose room is gone
   * are skipped and return nothing. Each room's row is locked in id order (so two batches never
   * deadlock) and takes {@code n} seqs at once; the k-th send of a room in the batch, in array
   * order, gets {@code last_seq - n + k}. Returns (id, seq) of the stored messages.
   */
  static final String SEND_MESSAGES =
      "WITH i AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], "
          + "$6::timestamptz[], $7::text[]) WITH ORDINALITY AS i(room_id, author_id, client_msg_id, body, id, created_at, frame, ord)), "
          // each check is a LATERAL ... LIMIT 1, so it stays one index probe per send whatever the
          // planner thinks of the batch's size (a hash join would read whole tables per batch)
          + "ok AS (SELECT i.*, row_number() OVER (PARTITION BY i.room_id ORDER BY i.ord) AS k, "
          + "count(*) OVER (PARTITION BY i.room_id) AS n FROM i "
          + "CROSS JOIN LATERAL (SELECT 1 FROM room_members rm WHERE rm.room_id = i.room_id AND rm.user_id = i.author_id LIMIT 1) member "
          + "LEFT JOIN LATERAL (SELECT 1 AS found FROM users u WHERE u.id = i.author_id AND u.email_verified_at IS NOT NULL LIMIT 1) v ON true "
          + "LEFT JOIN LATERAL (SELECT 1 AS found FROM messages x WHERE x.room_id = i.room_id AND x.author_id = i.author_id "
          + "AND x.client_msg_id = i.client_msg_id LIMIT 1) dup ON true "
          + "WHERE (NOT $8::boolean OR v.found IS NOT NULL) AND dup.found IS NULL), "
          + "c AS (SELECT room_id, max(n) AS n FROM ok GROUP BY room_id), "
          + "l AS (SELECT id FROM rooms WHERE id = ANY (ARRAY(SELECT room_id FROM c)) ORDER BY id FOR UPDATE), "
          + "r AS (UPDATE rooms SET last_seq = rooms.last_seq + (SELECT c.n FROM c WHERE c.room_id = rooms.id) "
          + "WHERE rooms.id = ANY (ARRAY(SELECT id FROM l)) "
          + "RETURNING rooms.id, rooms.last_seq, (SELECT c.n FROM c WHERE c.room_id = rooms.id) AS n), "
          + "m AS (INSERT INTO messages (id, room_id, seq, author_id, client_msg_id, body, created_at) OVERRIDING SYSTEM VALUE "
          + "SELECT ok.id, ok.room_id, r.last_seq - r.n + ok.k, ok.author_id, ok.client_msg_id, ok.body, ok.created_at "
          + "FROM ok JOIN r ON r.id = ok.room_id RETURNING id, seq), "
          + "e AS (INSERT INTO room_events (room_id, seq, type, message_id, payload) "
          + "SELECT ok.room_id, m.seq, 'message.created', m.id, "
          + "jsonb_set(jsonb_set(ok.frame::jsonb, '{seq}', to_jsonb(m.seq)), '{message,seq}', to_jsonb(m.seq)) "
          + "FROM m JOIN ok ON ok.id = m.id) "
          + "SELECT id, seq FROM m";

  static final String MESSAGE_BY_CLIENT_ID =
      "SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE room_id = $1 AND author_id = $2 AND client_msg_id = $3";

  static final String MESSAGE_ROOM = "SELECT room_id FROM messages WHERE id = $1";

  /** $1 message, $2 acting user; run after the room row is locked (lock order: room, then message). */
  static final String MESSAGE_FOR_CHANGE =
      "SELECT m.id, m.room_id, m.author_id, m.deleted_at, r.kind, r.is_private, "
          + "EXISTS (SELECT 1 FROM room_members x WHERE x.room_id = m.room_id AND x.user_id = $2) AS is_member "
          + "FROM messages m JOIN rooms r ON r.id = m.room_id WHERE m.id = $1 FOR UPDATE OF m";

  static final String MESSAGE_EDIT =
      "UPDATE messages SET body = $2, edited_at = now() WHERE id = $1 RETURNING " + MESSAGE_COLUMNS;

  static final String MESSAGE_DELETE =
      "UPDATE messages SET body = NULL, deleted_at = now() WHERE id = $1 RETURNING " + MESSAGE_COLUMNS;

  /**
   * A history page and its room's last_seq in one statement, for members only: {@code page}
   * selects message columns from {@code messages} with $1 the room; {@code user} is the
   * parameter holding the reader. No row: no such room or not a member (the caller asks why).
   * Otherwise one row per message, or a single row with a null id for an empty page; every row
   * carries {@code last_seq}, read in the same snapshot as the page.
   */
  private static String memberPage(String page, int user) {
    return "SELECT a.last_seq, p.* FROM (SELECT r.last_seq FROM rooms r JOIN room_members rm ON rm.room_id = r.id "
        + "AND rm.user_id = $" + user + " WHERE r.id = $1) a LEFT JOIN LATERAL (" + page + ") p ON true";
  }

  /** Newest page: $1 room, $2 limit + 1, $3 reader (descending; reversed by the caller). */
  static final String HISTORY_LATEST = memberPage(
      "SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE room_id = $1 ORDER BY seq DESC LIMIT $2", 3);

  /** Page before a seq: $1 room, $2 before_seq, $3 limit + 1, $4 reader (descending). */
  static final String HISTORY_BEFORE = memberPage(
      "SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE room_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3", 4);

  /** Page after a seq: $1 room, $2 after_seq, $3 before_seq bound, $4 limit + 1, $5 reader (ascending). */
  static final String HISTORY_AFTER = memberPage(
      "SELECT " + MESSAGE_COLUMNS + " FROM messages WHERE room_id = $1 AND seq > $2 AND seq < $3 "
          + "ORDER BY seq ASC LIMIT $4", 5);

  static final String EVENT_INSERT =
      "INSERT INTO room_events (room_id, seq, type, message_id, payload) VALUES ($1, $2, $3, $4, $5)";

  /** Deleting a message removes its body from the earlier events that carried it. */
  static final String EVENTS_REDACT =
      "UPDATE room_events SET payload = jsonb_set(jsonb_set(payload, '{message,body}', 'null'), "
          + "'{message,deleted}', 'true') WHERE room_id = $1 AND message_id = $2 AND seq < $3";

  /** $1 room, $2 after seq (exclusive), $3 up to seq (inclusive), $4 limit. */
  static final String EVENTS_SINCE =
      "SELECT seq, payload::text AS payload FROM room_events WHERE room_id = $1 AND seq > $2 AND seq <= $3 "
          + "ORDER BY seq LIMIT $4";
}
