package io.parley.persistence.messages;

import io.parley.bus.ParleyException;
import io.parley.media.AttachmentJson;
import io.parley.persistence.media.AttachmentStore;
import io.parley.persistence.shared.RoomAccess;
import io.parley.persistence.shared.Rows;
import io.parley.persistence.stream.RoomStream;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;

/**
 * Edits and deletes of stored messages ({@code messages.edit}, {@code messages.delete}), each in
 * one transaction with its stream event: the author edits and deletes; moderators and admins
 * delete any message (audited, {@code deleted_by} in the event). Sends are {@link MessageStore}'s.
 */
final class MessageChanges {
  private final Pool pool;
  private final RoomStream stream;
  private final AttachmentJson attachments;
  private final Function<JsonObject, String> validBody;

  /** @param validBody checks an edit's body (the same rules as a send's) */
  MessageChanges(Pool pool, RoomStream stream, AttachmentJson attachments, Function<JsonObject, String> validBody) {
    this.pool = pool;
    this.stream = stream;
    this.attachments = attachments;
    this.validBody = validBody;
  }

  /** {user_id, message_id, body} → {message, seq}: the author edits; seq is the edit event's. */
  Future<JsonObject> edit(JsonObject b) {
    String body = validBody.apply(b);
    return changeMessage(b, (conn, id, deletedBy) -> conn.preparedQuery(MessageSql.MESSAGE_EDIT).execute(Tuple.of(id, body)),
        "message.updated");
  }

  /** {user_id, message_id} → {message, seq}: the author deletes; the body is removed everywhere. */
  Future<JsonObject> delete(JsonObject b) {
    return changeMessage(b, (conn, id, deletedBy) -> conn.preparedQuery(MessageSql.MESSAGE_DELETE).execute(Tuple.of(id, deletedBy)),
        "message.deleted");
  }

  /** The statement that changes a locked message (edit or delete). */
  private interface Change {
    /** {@code deletedBy}: {user_id, role} of a delete (null for an edit). */
    Future<RowSet<Row>> apply(SqlConnection conn, long messageId, JsonObject deletedBy);
  }

  /** The message row read under lock, and the seq its change takes. */
  private record Locked(RowSet<Row> message, long seq) {}

  /**
   * Edits or deletes a message inside one transaction: the room's row is locked first (as sends,
   * membership changes and room deletes do), taking the change's seq, then the message's. Only
   * the author of a live message in a room they are in may change it; strangers of a room they
   * cannot see get NOT_FOUND ({@link RoomAccess#visible}).
   */
  private Future<JsonObject> changeMessage(JsonObject b, Change change, String type) {
    long userId = b.getLong("user_id");
    long messageId = b.getLong("message_id");
    // lock order: the room row first (as sends, membership changes and room deletes do), then the message
    return pool.withTransaction(conn -> conn.preparedQuery(MessageSql.MESSAGE_ROOM).execute(Tuple.of(messageId))
            .compose(found -> found.size() == 0
                ? Future.failedFuture(ParleyException.notFound("message"))
                : stream.nextSeq(conn, found.iterator().next().getLong("room_id")))
            .compose(seq -> seq == null
                ? Future.failedFuture(ParleyException.notFound("message"))
                : conn.preparedQuery(MessageSql.MESSAGE_FOR_CHANGE).execute(Tuple.of(messageId, userId))
                    .map(rs -> new Locked(rs, seq)))
            .compose(locked -> {
              RowSet<Row> rs = locked.message();
              long seq = locked.seq();
              if (rs.size() == 0) {
                return Future.failedFuture(ParleyException.notFound("message"));
              }
              Row m = rs.iterator().next();
              boolean own = m.getLong("author_id") != null && m.getLong("author_id") == userId;
              // moderators and admins delete any message in any room (audited); only authors edit
              boolean moderating = !own && type.equals("message.deleted")
                  && ("moderator".equals(m.getString("actor_role")) || "admin".equals(m.getString("actor_role")));
              boolean visible = moderating
                  || RoomAccess.visible(m.getString("kind"), m.getBoolean("is_private"), m.getBoolean("is_member"));
              if (!visible) {
                return Future.failedFuture(ParleyException.notFound("message"));
              }
              if (!moderating && !m.getBoolean("is_member")) {
                return Future.failedFuture(ParleyException.forbidden("you are not a member of this room"));
              }
              if (!moderating && !own) {
                return Future.failedFuture(ParleyException.forbidden("only the author can change a message"));
              }
              if (m.getValue("deleted_at") != null) {
                return Future.failedFuture(ParleyException.notFound("message"));
              }
              long roomId = m.getLong("room_id");
              // who deletes it: the author, or a moderator or admin (kept with the tombstone, said in the event)
              JsonObject deletedBy = type.equals("message.deleted")
                  ? new JsonObject().put("user_id", userId).put("role", own ? "author" : m.getString("actor_role")) : null;
              return change.apply(conn, messageId, deletedBy).compose(upd -> {
                JsonObject changed = attachments.signMessage(Rows.message(upd.iterator().next()));
                JsonObject event = RoomStream.frame(type, roomId, seq).put("message", changed);
                if (deletedBy != null) {
                  event.put("deleted_by", deletedBy);
                }
                Future<?> redact = type.equals("message.deleted")
                    ? stream.redact(conn, roomId, messageId, seq).compose(x -> AttachmentStore.removeOf(conn, messageId))
                        .compose(x -> !moderating ? Future.succeededFuture()
                            : io.parley.persistence.admin.AdminStore.audit(conn, userId, "message.delete", "message", messageId,
                                new JsonObject().put("room_id", roomId).put("author_id", m.getLong("author_id"))
                                    .put("body", m.getString("body")), null, b.getString("ip"), b.getString("request_id")))
                    : Future.succeededFuture();
                return redact.compose(x -> stream.insert(conn, roomId, seq, type, messageId, event))
                    .map(x -> new RoomStream.Committed(new JsonObject().put("message", changed).put("seq", seq), event));
              });
            }))
        .map(stream::publishAndUnwrap);
  }
}
