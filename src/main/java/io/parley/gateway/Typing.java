package io.parley.gateway;

import io.parley.bus.ParleyException;
import io.parley.bus.RoomEvents;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * One socket's typing state: per room it announced {@code start} in, the timer that ends it.
 * Every {@code start} (clients refresh it while the user types) is relayed to the room as an
 * ephemeral {@code typing} event; a start not refreshed within {@code typing_ttl_ms} ends by
 * itself with a {@code stop}, and so does every start when the socket leaves the room or closes.
 * Used on the socket's context only.
 */
final class Typing {
  private final Vertx vertx;
  private final long userId;
  private final long ttlMs;
  private final Map<Long, Long> timers = new HashMap<>();

  Typing(Vertx vertx, long userId, long ttlMs) {
    this.vertx = vertx;
    this.userId = userId;
    this.ttlMs = ttlMs;
  }

  /** Applies a {@code typing} frame's {@code state} ({@code start} or {@code stop}; VALIDATION_FAILED otherwise). */
  void apply(long roomId, String state) {
    if (!state.equals("start") && !state.equals("stop")) {
      throw ParleyException.invalid("state", "state must be start or stop");
    }
    Long timer = timers.remove(roomId);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
    if (state.equals("start")) {
      publish(roomId, "start"); // each refresh is relayed: late joiners see it too
      timers.put(roomId, vertx.setTimer(ttlMs, t -> {
        timers.remove(roomId);
        publish(roomId, "stop");
      }));
    } else if (timer != null) {
      publish(roomId, "stop");
    }
  }

  /** The socket left the room: a typing start there ends with a {@code stop}. */
  void left(long roomId) {
    Long timer = timers.remove(roomId);
    if (timer != null) {
      vertx.cancelTimer(timer);
      publish(roomId, "stop");
    }
  }

  private void publish(long roomId, String state) {
    JsonObject event = new JsonObject().put("type", "typing").put("room_id", roomId).put("user_id", userId).put("state", state);
    RoomEvents.publishEphemeral(vertx.eventBus(), roomId, "typing", userId, event.toBuffer());
  }
}
