package io.parley.persistence.media;

import static io.parley.bus.Addresses.*;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.media.AttachmentJson;
import io.parley.persistence.shared.Handlers;
import io.parley.persistence.shared.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Attachments' descriptions and avatars. The API node inspects an upload and stores its bytes;
 * here it is recorded (unattached), read by those allowed to, attached to a message
 * ({@link #attach}, inside the send's transaction), hidden when its message is deleted, swept
 * when never used, and made a user's avatar. Who may read an upload: see {@link AttachmentSql#FOR_READER}.
 */
public final class AttachmentStore {
  /** Most attachments one message may carry. */
  public static final int MAX_PER_MESSAGE = 10;

  private final Pool pool;
  private final AttachmentJson json;

  public AttachmentStore(Pool pool, AttachmentJson json) {
    this.pool = pool;
    this.json = json;
  }

  public void register(Handlers h) {
    h.on(ATTACHMENTS_CREATE, this::create);
    h.on(ATTACHMENTS_DISCARD, b -> pool.preparedQuery(AttachmentSql.DISCARD).execute(Tuple.of(b.getLong("id")))
        .map(rs -> new JsonObject()));
    h.on(ATTACHMENTS_GET, this::get);
    h.on(ATTACHMENTS_SWEEP, this::sweep);
    h.on(AVATAR_SET, this::setAvatar);
    h.on(AVATAR_GET, this::avatar);
  }

  /** Records an inspected, stored upload; answers its handed-out description. */
  private Future<JsonObject> create(JsonObject b) {
    Tuple t = Tuple.of(b.getLong("user_id"), b.getString("kind"), b.getString("content_type"), b.getLong("size"),
            b.getString("name"), b.getInteger("width"), b.getInteger("height"), b.getLong("duration_ms"))
        .addValue(b.getString("thumbnail_type"));
    return pool.preparedQuery(AttachmentSql.INSERT).execute(t)
        .map(rs -> json.signed(AttachmentJson.describe(rs.iterator().next())));
  }

  /** {id, user_id?} → {attachment, thumbnail_type, content_type}; NOT_FOUND unless readable. */
  private Future<JsonObject> get(JsonObject b) {
    long reader = b.getLong("user_id", 0L);
    return pool.preparedQuery(AttachmentSql.FOR_READER).execute(Tuple.of(b.getLong("id"), reader)).compose(rs -> {
      if (rs.size() == 0 || !rs.iterator().next().getBoolean("readable")) {
        return Future.failedFuture(ParleyException.notFound("attachment"));
      }
      Row r = rs.iterator().next();
      return Future.succeededFuture(new JsonObject().put("attachment", json.signed(AttachmentJson.describe(r)))
          .put("thumbnail_type", r.getString("thumbnail_type")));
    });
  }

  private Future<JsonObject> sweep(JsonObject b) {
    return pool.preparedQuery(AttachmentSql.SWEEP).execute(Tuple.of(b.getLong("older_than_s"), b.getInteger("limit", 500)))
        .map(rs -> {
          JsonArray removed = new JsonArray();
          rs.forEach(r -> removed.add(new JsonObject().put("id", r.getLong("id"))
              .put("thumbnail", r.getString("thumbnail_type") != null)));
          return new JsonObject().put("removed", removed);
        });
  }

  /**
   * Inside a send's transaction, before its room row is locked: locks and checks that {@code ids} (distinct)
   * are uploads of {@code senderId}, neither in a message nor an avatar, and answers their stored
   * descriptions in the order of {@code ids}. NOT_FOUND for an id that is not the sender's,
   * CONFLICT for one already used.
   */
  public static Future<JsonArray> claim(SqlConnection conn, List<Long> ids, long senderId) {
    return conn.preparedQuery(AttachmentSql.TO_ATTACH).execute(Tuple.of(ids.toArray(new Long[0]), senderId)).compose(rs -> {
      Map<Long, Row> found = new HashMap<>();
      rs.forEach(r -> found.put(r.getLong("id"), r));
      JsonArray descriptions = new JsonArray();
      for (Long id : ids) {
        Row r = found.get(id);
        if (r == null || r.getValue("removed_at") != null) {
          return Future.failedFuture(new ParleyException(ErrorCode.NOT_FOUND, "attachment " + id + " not found",
              new JsonObject().put("field", "attachment_ids").put("attachment_id", id)));
        }
        if (r.getValue("message_id") != null || r.getBoolean("is_avatar")) {
          return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "attachment " + id + " is already used",
              new JsonObject().put("field", "attachment_ids").put("attachment_id", id)));
        }
        descriptions.add(AttachmentJson.describe(r));
      }
      return Future.succeededFuture(descriptions);
    });
  }

  /** Inside the send's transaction: the message carries {@code descriptions}; the uploads are its. */
  public static Future<Void> attach(SqlConnection conn, long messageId, JsonArray descriptions) {
    List<Long> ids = new ArrayList<>();
    descriptions.forEach(d -> ids.add(((JsonObject) d).getLong("id")));
    return conn.preparedQuery(AttachmentSql.ATTACH).execute(Tuple.of(messageId, descriptions, ids.toArray(new Long[0])))
        .mapEmpty();
  }

  /** Inside a delete's transaction: the message's attachments are hidden from everyone. */
  public static Future<Void> removeOf(SqlConnection conn, long messageId) {
    return conn.preparedQuery(AttachmentSql.REMOVE_OF_MESSAGE).execute(Tuple.of(messageId)).mapEmpty();
  }

  /**
   * {user_id, attachment_id?} → Me. The attachment must be an image the user uploaded that no
   * message carries (VALIDATION_FAILED otherwise; NOT_FOUND when not theirs).
   */
  private Future<JsonObject> setAvatar(JsonObject b) {
    long userId = b.getLong("user_id");
    Long attachmentId = b.getLong("attachment_id");
    return pool.withTransaction(conn -> {
      Future<Void> checked = attachmentId == null ? Future.succeededFuture()
          : conn.preparedQuery(AttachmentSql.AVATAR_CANDIDATE).execute(Tuple.of(userId, attachmentId)).compose(rs -> {
            if (rs.size() == 0) {
              return Future.failedFuture(ParleyException.notFound("attachment"));
            }
            Row r = rs.iterator().next();
            if (!"image".equals(r.getString("kind")) || r.getString("thumbnail_type") == null) {
              return Future.failedFuture(ParleyException.invalid("attachment_id", "an avatar must be an image"));
            }
            if (r.getValue("message_id") != null) {
              return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "attachment is already in a message"));
            }
            return Future.succeededFuture();
          });
      Future<RowSet<Row>> me = checked
          .compose(x -> conn.preparedQuery(AttachmentSql.AVATAR_SET).execute(Tuple.of(userId, attachmentId)))
          .compose(x -> conn.preparedQuery(io.parley.persistence.accounts.AccountSql.USER_BY_ID).execute(Tuple.of(userId)));
      return me.map(rs -> Rows.me(rs.iterator().next()));
    });
  }

  /** {user_id, attachment_id} → {thumbnail_type} when that is the user's avatar; NOT_FOUND otherwise. */
  private Future<JsonObject> avatar(JsonObject b) {
    return pool.preparedQuery(AttachmentSql.AVATAR_GET).execute(Tuple.of(b.getLong("user_id"), b.getLong("attachment_id")))
        .compose(rs -> rs.size() == 0
            ? Future.failedFuture(ParleyException.notFound("avatar"))
            : Future.succeededFuture(new JsonObject().put("thumbnail_type", rs.iterator().next().getString("thumbnail_type"))));
  }
}
