package io.parley.persistence.stream;

import static io.parley.bus.Addresses.EVENTS_HEADS;
import static io.parley.bus.Addresses.EVENTS_HEADS_MAX;
import static io.parley.bus.Addresses.EVENTS_SINCE;

import io.parley.bus.ParleyException;
import io.parley.bus.RoomEvents;
import io.parley.media.AttachmentJson;
import io.parley.persistence.shared.Handlers;
import io.parley.persistence.shared.RoomAccess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.function.LongFunction;

/**
 * Each room's event stream: appends inside the caller's transaction (the next {@code seq} under
 * the room's row lock, so seqs are gap-free), publishes once the transaction has committed, and
 * replays what a subscriber missed ({@code events.since}). Stores of other aggregates call down
 * to it; it calls no store.
 */
public final class RoomStream {
  /** What a transaction produced: the reply, and the event to publish once it has committed (or null). */
  public record Committed(JsonObject result, JsonObject event) {}

  private final Vertx vertx;
  private final Pool pool;
  private final int maxReplay;
  private final AttachmentJson attachments;

  /**
   * @param maxReplay most events one replay may cover; further behind is {@code truncated}
   * @param attachments signs the attachments of replayed messages (stored without URLs)
   */
  public RoomStream(Vertx vertx, Pool pool, int maxReplay, AttachmentJson attachments) {
    this.vertx = vertx;
    this.pool = pool;
    this.maxReplay = maxReplay;
    this.attachments = attachments;
  }

  public void register(Handlers h) {
    h.on(EVENTS_SINCE, this::eventsSince);
    h.on(EVENTS_HEADS, this::heads);
  }

  /** {room_ids: [id...]} → {heads: {"id": last_seq}}, rooms that are gone left out (see {@link io.parley.bus.Addresses#EVENTS_HEADS}). */
  private Future<JsonObject> heads(JsonObject b) {
    Object ids = b.getValue("room_ids");
    if (!(ids instanceof JsonArray list) || list.size() > EVENTS_HEADS_MAX) {
      return Future.failedFuture(ParleyException.invalid("room_ids", "room_ids must be a list of at most " + EVENTS_HEADS_MAX + " room ids"));
    }
    Long[] roomIds = new Long[list.size()];
    for (int i = 0; i < roomIds.length; i++) {
      if (!(list.getValue(i) instanceof Number n)) {
        return Future.failedFuture(ParleyException.invalid("room_ids", "room_ids must hold numbers"));
      }
      roomIds[i] = n.longValue();
    }
    return pool.preparedQuery(StreamSql.HEADS).execute(Tuple.of((Object) roomIds)).map(rs -> {
      JsonObject heads = new JsonObject();
      for (Row r : rs) {
        heads.put(String.valueOf(r.getLong("id")), r.getLong("last_seq"));
      }
      return new JsonObject().put("heads", heads);
    });
  }

  /** The frame every stream event starts from: {@code {type, room_id, seq}}. */
  public static JsonObject frame(String type, long roomId, long seq) {
    return new JsonObject().put("type", type).put("room_id", roomId).put("seq", seq);
  }

  /** Takes the room's next seq under its row lock (inside {@code conn}'s transaction); null when the room is gone. */
  public Future<Long> nextSeq(SqlConnection conn, long roomId) {
    return conn.preparedQuery(StreamSql.NEXT_SEQ).execute(Tuple.of(roomId))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getLong("last_seq"));
  }

  /**
   * Appends an event inside {@code conn}'s transaction: takes the next seq, builds the frame with
   * {@code payload} (given the seq) and stores it. NOT_FOUND when the room is gone.
   */
  public Future<JsonObject> append(SqlConnection conn, long roomId, String type, Long messageId, LongFunction<JsonObject> payload) {
    return nextSeq(conn, roomId).compose(seq -> {
      if (seq == null) {
        return Future.failedFuture(ParleyException.notFound("room"));
      }
      JsonObject event = payload.apply(seq);
      return insert(conn, roomId, seq, type, messageId, event).map(x -> event);
    });
  }

  /** Stores an event frame whose seq was already taken ({@link #nextSeq}). */
  public Future<Void> insert(SqlConnection conn, long roomId, long seq, String type, Long messageId, JsonObject event) {
    return conn.preparedQuery(StreamSql.EVENT_INSERT).execute(Tuple.of(roomId, seq, type, messageId, event)).mapEmpty();
  }

  /** Removes a deleted message's body from the events before {@code seq} that carried it. */
  public Future<Void> redact(SqlConnection conn, long roomId, long messageId, long seq) {
    return conn.preparedQuery(StreamSql.EVENTS_REDACT).execute(Tuple.of(roomId, messageId, seq)).mapEmpty();
  }

  /** After the commit: publishes the transaction's event, if any, and answers its result. */
  public JsonObject publishAndUnwrap(Committed c) {
    if (c.event() != null) {
      publish(c.event());
    }
    return c.result();
  }

  /** Publishes a committed event frame to its room ({@link RoomEvents}), about the frame's {@code user_id} if it has one. */
  public void publish(JsonObject event) {
    RoomEvents.publishStored(vertx.eventBus(), event.getLong("room_id"), event.getLong("seq"), event.getString("type"),
        event.getLong("user_id"), event.toBuffer());
  }

  /**
   * {room_id, after_seq?, user_id?, up_to_seq?, limit?} → {room_id, last_seq, events: [frame
   * text...], truncated, more, next_after_seq?}. With user_id the user must be a member.
   * truncated=true means the caller is more than max_replay events behind (or ahead of the
   * stream) and must resynchronise from history; events is then empty. limit (at most
   * max_replay) pages the range: more=true and next_after_seq ask for the next page.
   */
  private Future<JsonObject> eventsSince(JsonObject b) {
    long roomId = b.getLong("room_id");
    long after = b.getLong("after_seq", 0L);
    Long userId = b.getLong("user_id");
    int limit = Math.max(1, Math.min(maxReplay, b.getInteger("limit", maxReplay)));
    Future<RoomAccess.Access> acc = userId == null
        ? RoomAccess.of(pool, roomId, 0L, false)
        : RoomAccess.requireMember(pool, roomId, userId, false);
    return acc.compose(a -> {
      long last = a.lastSeq();
      JsonObject reply = new JsonObject().put("room_id", roomId).put("last_seq", last).put("more", false);
      if (!b.containsKey("after_seq")) {
        return Future.succeededFuture(reply.put("truncated", false).put("events", new JsonArray()));
      }
      long upTo = Math.min(last, b.getLong("up_to_seq", last));
      if (after > last || upTo - after > maxReplay) {
        return Future.succeededFuture(reply.put("truncated", true).put("events", new JsonArray()));
      }
      if (after >= upTo) {
        return Future.succeededFuture(reply.put("truncated", false).put("events", new JsonArray()));
      }
      return pool.preparedQuery(StreamSql.EVENTS_SINCE).execute(Tuple.of(roomId, after, upTo, limit)).map(rs -> {
        JsonArray events = new JsonArray();
        long pageLast = after;
        for (Row r : rs) {
          String payload = r.getString("payload");
          // attachments are stored without URLs: those are signed now, fresh for this reader
          events.add(r.getBoolean("has_attachments")
              ? attachments.signEvent(new JsonObject(payload)).encode() : payload);
          pageLast = r.getLong("seq");
        }
        if (events.size() == limit && pageLast < upTo) {
          reply.put("more", true).put("next_after_seq", pageLast);
        }
        return reply.put("truncated", false).put("events", events);
      });
    });
  }
}
