package io.parley.persistence.media;

/** SQL of attachments and avatars ({@code attachments}, {@code users.avatar_attachment_id}). Parameters are positional ($n). */
final class AttachmentSql {
  private AttachmentSql() {}

  static final String COLUMNS =
      "a.id, a.uploader_id, a.kind, a.content_type, a.size, a.name, a.width, a.height, a.duration_ms, a.thumbnail_type, "
          + "a.message_id, a.removed_at";

  static final String INSERT =
      "INSERT INTO attachments AS a (uploader_id, kind, content_type, size, name, width, height, duration_ms, thumbnail_type) "
          + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING " + COLUMNS;

  static final String DISCARD = "DELETE FROM attachments WHERE id = $1 AND message_id IS NULL";

  /**
   * $1 attachment, $2 reader (0: anyone holding a signed URL). Readable: never once removed; an
   * avatar by anyone; one in a live message by its room's members (and anyone with a URL); an
   * unattached upload by its uploader (and anyone with a URL).
   */
  static final String FOR_READER =
      "SELECT " + COLUMNS + ", "
          + "(a.removed_at IS NULL AND ("
          + "EXISTS (SELECT 1 FROM users u WHERE u.avatar_attachment_id = a.id) "
          + "OR (a.message_id IS NULL AND ($2 = 0 OR a.uploader_id = $2)) "
          + "OR EXISTS (SELECT 1 FROM messages m WHERE m.id = a.message_id AND m.deleted_at IS NULL "
          + "AND ($2 = 0 OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = m.room_id AND rm.user_id = $2))))) AS readable "
          + "FROM attachments a WHERE a.id = $1";

  /** $1 ids, $2 sender: the sender's uploads to attach, locked (before the room row, see AttachedSends). */
  static final String TO_ATTACH =
      "SELECT " + COLUMNS + ", EXISTS (SELECT 1 FROM users u WHERE u.avatar_attachment_id = a.id) AS is_avatar "
          + "FROM attachments a WHERE a.id = ANY ($1::bigint[]) AND a.uploader_id = $2 ORDER BY a.id FOR UPDATE";

  /** $1 message, $2 its attachments' descriptions (JSON array), $3 their ids. */
  static final String ATTACH =
      "WITH m AS (UPDATE messages SET attachments = $2::jsonb WHERE id = $1 RETURNING id) "
          + "UPDATE attachments SET message_id = (SELECT id FROM m) WHERE id = ANY ($3::bigint[])";

  /** $1 message: hides its attachments (the message was deleted); the sweep removes them. */
  static final String REMOVE_OF_MESSAGE =
      "UPDATE attachments SET removed_at = now() WHERE message_id = $1 AND removed_at IS NULL";

  /**
   * $1 seconds, $2 limit: removes uploads never attached (nor an avatar) older than that, and
   * those removed with their message; returns their ids and whether each had a thumbnail.
   */
  static final String SWEEP =
      "DELETE FROM attachments WHERE id IN (SELECT a.id FROM attachments a WHERE "
          + "(a.message_id IS NULL AND a.created_at < now() - make_interval(secs => $1) "
          + "AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar_attachment_id = a.id)) "
          + "OR a.removed_at IS NOT NULL LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id, thumbnail_type";

  /** $1 user, $2 attachment: an image of theirs that no message carries, to become the avatar. */
  static final String AVATAR_CANDIDATE =
      "SELECT a.kind, a.thumbnail_type, a.message_id FROM attachments a WHERE a.id = $2 AND a.uploader_id = $1 "
          + "AND a.removed_at IS NULL FOR UPDATE";

  /** $1 user, $2 attachment or null; the old avatar (if any) becomes unattached and is swept in a day. */
  static final String AVATAR_SET = "UPDATE users SET avatar_attachment_id = $2 WHERE id = $1";

  /** $1 user, $2 attachment → its thumbnail type, when it is the user's avatar. */
  static final String AVATAR_GET =
      "SELECT a.thumbnail_type FROM users u JOIN attachments a ON a.id = u.avatar_attachment_id "
          + "WHERE u.id = $1 AND u.avatar_attachment_id = $2";
}
