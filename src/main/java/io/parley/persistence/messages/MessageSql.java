package io.parley.persistence.messages;

/** SQL of messages ({@code messages}; a send also stores its stream event in the same statement, so one round trip holds the room lock). Parameters are positional ($n). */
final class MessageSql {
  private MessageSql() {}

  static final String MESSAGE_COLUMNS =
      "id, room_id, seq, author_id, client_msg_id, body, created_at, edited_at, deleted_at, attachments, stream_id, status, deleted_by";

  /** $1 how many: message ids taken ahead, so a send needs no extra round trip for its id. */
  static final String MESSAGE_IDS =
      "SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id FROM generate_series(1, $1)";

  /**
   * A whole send in one statement, so one round trip holds the room's row lock: if $2 is a member
   * (and verified, when $5) take one of the author's daily quota (when $9, {@code quota_take} of
   * V4__billing.sql), then the next seq, store the message with its pre-allocated id $6 and time
   * $7, and store the event frame $8 with the seq filled in. No row: not allowed, over the quota,
   * or no such room. A repeated (room, author, client_msg_id) aborts it with 23505, which undoes
   * the seq and the quota. $1 room, $2 author, $3 client_msg_id, $4 body. Returns (id, seq), as
   * {@link #SEND_MESSAGES} does.
   */
  static final String SEND_MESSAGE =
      "WITH a AS (SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2 "
          + "AND (NOT $5::boolean OR EXISTS (SELECT 1 FROM users WHERE id = $2 AND email_verified_at IS NOT NULL))), "
          + "q AS (SELECT CASE WHEN $9::boolean THEN quota_take($2, 1) ELSE 1 END AS taken FROM a), "
          + "r AS (UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 AND EXISTS (SELECT 1 FROM q WHERE taken > 0) "
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
   * ids, $6 times, $7 event frames (JSON text), $9 whether each send takes from its author's daily
   * quota (an author with one such send takes for all of theirs); $8 require a verified e-mail. Rows whose author may not send, whose (room, author, client_msg_id) is already
   * stored, whose room is gone, or beyond their author's quota (each author's first sends in
   * array order are kept) are skipped and return nothing. Each room's row is locked in id order (so two batches never
   * deadlock) and takes {@code n} seqs at once; the k-th send of a room in the batch, in array
   * order, gets {@code last_seq - n + k}. Returns (id, seq) of the stored messages.
   */
  static final String SEND_MESSAGES =
      "WITH i AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], "
          + "$6::timestamptz[], $7::text[], $9::boolean[]) WITH ORDINALITY AS i(room_id, author_id, client_msg_id, body, id, created_at, frame, checked, ord)), "
          // each check is a LATERAL ... LIMIT 1, so it stays one index probe per send whatever the
          // planner thinks of the batch's size (a hash join would read whole tables per batch)
          + "a AS (SELECT i.* FROM i "
          + "CROSS JOIN LATERAL (SELECT 1 FROM room_members rm WHERE rm.room_id = i.room_id AND rm.user_id = i.author_id LIMIT 1) member "
          + "LEFT JOIN LATERAL (SELECT 1 AS found FROM users u WHERE u.id = i.author_id AND u.email_verified_at IS NOT NULL LIMIT 1) v ON true "
          + "LEFT JOIN LATERAL (SELECT 1 AS found FROM messages x WHERE x.room_id = i.room_id AND x.author_id = i.author_id "
          + "AND x.client_msg_id = i.client_msg_id LIMIT 1) dup ON true "
          + "WHERE (NOT $8::boolean OR v.found IS NOT NULL) AND dup.found IS NULL), "
          // the daily quota: each author takes as many as they send here (in author order, so two
          // batches lock quota rows alike), and keeps the first that many of their sends
          + "q AS (SELECT author_id, CASE WHEN checked THEN quota_take(author_id, cnt) ELSE cnt END AS taken "
          + "FROM (SELECT author_id, count(*)::int AS cnt, bool_or(checked) AS checked FROM a GROUP BY author_id ORDER BY author_id) s), "
          + "ok AS (SELECT t.*, row_number() OVER (PARTITION BY t.room_id ORDER BY t.ord) AS k, "
          + "count(*) OVER (PARTITION BY t.room_id) AS n "
          + "FROM (SELECT a.*, row_number() OVER (PARTITION BY a.author_id ORDER BY a.ord) AS nth FROM a) t "
          + "JOIN q ON q.author_id = t.author_id WHERE t.nth <= q.taken), "
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

  /**
   * Why a member's send was skipped: $1 author → verified, the daily limit in force (null:
   * unlimited; {@code quota_limit_of} of V4__billing.sql) and the messages they stored today (UTC).
   */
  static final String SENDER_STANDING =
      "SELECT u.email_verified_at IS NOT NULL AS verified, l.lim AS daily_limit, "
          + "(SELECT count(*) FROM messages m WHERE m.author_id = u.id "
          + "AND m.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS sent_today "
          + "FROM users u CROSS JOIN LATERAL quota_limit_of(u.id) l WHERE u.id = $1";

  static final String MESSAGE_ROOM = "SELECT room_id FROM messages WHERE id = $1";

  /** $1 message, $2 acting user; run after the room row is locked (lock order: room, then message). */
  static final String MESSAGE_FOR_CHANGE =
      "SELECT m.id, m.room_id, m.author_id, m.deleted_at, m.body, r.kind, r.is_private, "
          + "EXISTS (SELECT 1 FROM room_members x WHERE x.room_id = m.room_id AND x.user_id = $2) AS is_member, "
          + "(SELECT u.role FROM users u WHERE u.id = $2) AS actor_role "
          + "FROM messages m JOIN rooms r ON r.id = m.room_id WHERE m.id = $1 FOR UPDATE OF m";

  static final String MESSAGE_EDIT =
      "UPDATE messages SET body = $2, edited_at = now() WHERE id = $1 RETURNING " + MESSAGE_COLUMNS;

  /** $1 message id, $2 deleted_by {user_id, role}. */
  static final String MESSAGE_DELETE = "UPDATE messages SET body = NULL, attachments = NULL, deleted_at = now(), deleted_by = $2 "
      + "WHERE id = $1 RETURNING " + MESSAGE_COLUMNS;

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
}
