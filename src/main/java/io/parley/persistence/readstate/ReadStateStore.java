package io.parley.persistence.readstate;

import static io.parley.bus.Addresses.*;

import io.parley.persistence.shared.Handlers;
import io.parley.persistence.shared.RoomAccess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.parley.bus.RoomEvents;

/**
 * Read state: each member's read marker ({@code last_read_seq}, a watermark that only moves
 * forward) and the unread counts that follow from it (live messages after the marker that are
 * not the member's own). A moved marker is announced to the room as an ephemeral {@code read}.
 */
public final class ReadStateStore {
  private final Vertx vertx;
  private final Pool pool;

  public ReadStateStore(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public void register(Handlers h) {
    h.on(MEMBERS_READ, this::markRead);
    h.on(UNREAD, this::unread);
    h.on(UNREAD_FOR_USERS, this::unreadForUsers);
  }

  /**
   * {user_id, room_id, seq} → {room_id, last_read_seq, unread_count}. The marker only moves
   * forward (and not past the room's head); when it moves, the room gets an ephemeral
   * {@code read} event {room_id, user_id, last_read_seq}.
   */
  private Future<JsonObject> markRead(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    return RoomAccess.requireMember(pool, roomId, userId, false)
        .compose(a -> pool.preparedQuery(ReadStateSql.READ_MARKER_MOVE).execute(Tuple.of(roomId, userId, b.getLong("seq"))))
        .compose(moved -> {
          if (moved.size() > 0) {
            long marker = moved.iterator().next().getLong("last_read_seq");
            JsonObject event = new JsonObject().put("type", "read").put("room_id", roomId).put("user_id", userId)
                .put("last_read_seq", marker);
            RoomEvents.publishEphemeral(vertx.eventBus(), roomId, "read", userId, event.toBuffer());
          }
          return pool.preparedQuery(ReadStateSql.UNREAD_OF).execute(Tuple.of(roomId, userId));
        })
        .map(rs -> {
          Row r = rs.iterator().next();
          return new JsonObject().put("room_id", roomId).put("last_read_seq", r.getLong("last_read_seq"))
              .put("unread_count", r.getLong("unread_count"));
        });
  }

  private Future<JsonObject> unread(JsonObject b) {
    return pool.preparedQuery(ReadStateSql.UNREAD_BY_ROOM).execute(Tuple.of(b.getLong("user_id"))).map(rs -> {
      JsonArray rooms = new JsonArray();
      long total = 0;
      for (Row r : rs) {
        long n = r.getLong("unread_count");
        total += n;
        rooms.add(new JsonObject().put("room_id", r.getLong("room_id")).put("unread_count", n));
      }
      return new JsonObject().put("total", total).put("rooms", rooms);
    });
  }

  private Future<JsonObject> unreadForUsers(JsonObject b) {
    Long[] ids = b.getJsonArray("user_ids").stream().map(o -> ((Number) o).longValue()).toArray(Long[]::new);
    return pool.preparedQuery(ReadStateSql.UNREAD_FOR_USERS).execute(Tuple.of(b.getLong("room_id"), (Object) ids)).map(rs -> {
      JsonArray items = new JsonArray();
      for (Row r : rs) {
        items.add(new JsonObject().put("user_id", r.getLong("user_id")).put("unread_count", r.getLong("unread_count")));
      }
      return new JsonObject().put("items", items);
    });
  }
}
