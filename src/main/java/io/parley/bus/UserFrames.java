package io.parley.bus;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * The wire format of {@code parley.users.frames} ({@link Addresses#USER_FRAMES}): a frame for
 * every open socket of one user, on every gateway node, whatever rooms the sockets follow. The
 * one owner of its shape, for the publisher (persistence) and the reader (the gateway's
 * {@code NodeSessions}).
 *
 * <p>The body is {@code {user_id, frame}}: {@code frame} is a WebSocket frame of
 * {@code docs/websocket-protocol.md} (today {@code membership.added}), written as it is. These
 * frames have no seq and are not replayed: best effort, like {@code notification}. Documented in
 * {@code docs/event-bus.md} §8.
 */
public final class UserFrames {
  private static final String USER_ID = "user_id";
  private static final String FRAME = "frame";

  private UserFrames() {}

  /** Publishes {@code frame} to every socket of {@code userId} (after the commit that caused it). */
  public static void publish(EventBus bus, long userId, JsonObject frame) {
    bus.publish(Addresses.USER_FRAMES, new JsonObject().put(USER_ID, userId).put(FRAME, frame));
  }

  /** The user a published body is for, or null when it names none. */
  public static Long userId(JsonObject body) {
    return body.getLong(USER_ID);
  }

  /** The frame of a published body, encoded for the sockets. */
  public static String frameText(JsonObject body) {
    return body.getJsonObject(FRAME, new JsonObject()).encode();
  }
}
