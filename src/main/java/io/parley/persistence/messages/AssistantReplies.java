package io.parley.persistence.messages;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.persistence.shared.Rows;
import io.parley.persistence.stream.RoomStream;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The assistant's replies ({@code assistant.reply}): stored as ordinary messages of the bot user
 * (the same send statement: membership, seq, event; never a quota), in one transaction with their
 * {@code stream_id} and, for a reply cut short, {@code status} ({@code error}, {@code cancelled}).
 * The message and its {@code message.created} frame carry the {@code stream_id} of the
 * {@code message.delta} events that preceded it, so clients replace the draft with it.
 */
final class AssistantReplies {
  private static final String MARK =
      "UPDATE messages SET stream_id = $2, status = $3 WHERE id = $1";

  private AssistantReplies() {}

  /** {room_id, body, stream_id, status?} → {message, seq}; NOT_FOUND / FORBIDDEN when the bot is not in the room. */
  static Future<JsonObject> store(MessageStore store, JsonObject b) {
    long botId = store.botId();
    if (botId == 0) {
      return Future.failedFuture(new ParleyException(ErrorCode.UNAVAILABLE, "the assistant has no bot user"));
    }
    long roomId = b.getLong("room_id");
    String streamId = b.getString("stream_id");
    String status = b.getString("status");
    String body = b.getString("body", "");
    if (body.codePointCount(0, body.length()) > store.maxBodyChars()) { // a long answer is cut, never refused
      body = body.substring(0, body.offsetByCodePoints(0, store.maxBodyChars() - 1)) + "…";
    }
    String text = body.isBlank() ? "…" : body;
    return store.nextMessageId().compose(id -> {
      Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
      JsonObject message = new JsonObject().put("id", id).put("room_id", roomId).put("seq", 0L).put("author_id", botId)
          .put("client_msg_id", "assistant-" + streamId).put("body", text).put("created_at", Rows.ts(now))
          .putNull("edited_at").put("deleted", false).put("attachments", new JsonArray())
          .put("stream_id", streamId).put("status", status);
      JsonObject event = RoomStream.frame("message.created", roomId, 0L).put("stream_id", streamId).put("message", message);
      SendBatcher.Send send = new SendBatcher.Send(roomId, botId, "assistant-" + streamId, text, id,
          now.atOffset(ZoneOffset.UTC), event, false);
      return store.pool().withTransaction(conn -> new SendStatement(conn, store.requireVerified()).apply(List.of(send))
              .compose((Map<Long, Long> seqs) -> seqs.isEmpty()
                  ? Future.failedFuture(ParleyException.forbidden("the assistant is not a member of this room"))
                  : conn.preparedQuery(MARK).execute(Tuple.of(id, streamId, status)).map(x -> seqs.get(id))))
          .map(seq -> store.stored(event, seq));
    });
  }
}
