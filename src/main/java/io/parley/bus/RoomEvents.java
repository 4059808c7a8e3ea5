package io.parley.bus;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * The room-event wire format on {@code parley.rooms.<id>} ({@link Addresses#room}): the one
 * owner of its headers. Every publisher (persistence, presence, the gateway's typing) and the
 * one reader (the gateway's room channel) go through here.
 *
 * <p>The body is the event frame as encoded JSON (a {@link Buffer}), written to sockets as it
 * is. Headers:
 * <ul>
 *   <li>{@value #SEQ}: a stored event's seq in the room's stream (decimal); absent on ephemeral
 *       events;
 *   <li>{@value #TYPE}: the frame's {@code type} ({@code message.created}, {@code member.left},
 *       {@code typing}, …);
 *   <li>{@value #USER_ID}: the user the event is about, where there is one (member events,
 *       typing, read, presence), decimal;
 *   <li>{@value #EPHEMERAL}: {@code 1} on events that are not part of the stream (typing, read,
 *       presence), which carry no seq and are never replayed.
 * </ul>
 * Documented in {@code docs/event-bus.md} §3.
 */
public final class RoomEvents {
  public static final String SEQ = "seq";
  public static final String TYPE = "type";
  public static final String USER_ID = "user_id";
  public static final String EPHEMERAL = "ephemeral";

  private RoomEvents() {}

  /** Publishes a committed stream event of {@code roomId} with its seq (after the commit that stored it). */
  public static void publishStored(EventBus bus, long roomId, long seq, String type, Long userId, Buffer frame) {
    DeliveryOptions options = new DeliveryOptions().addHeader(SEQ, Long.toString(seq)).addHeader(TYPE, type);
    if (userId != null) {
      options.addHeader(USER_ID, Long.toString(userId));
    }
    bus.publish(Addresses.room(roomId), frame, options);
  }

  /** Publishes an ephemeral event (no seq) of {@code roomId}, about {@code userId} when not null. */
  public static void publishEphemeral(EventBus bus, long roomId, String type, Long userId, Buffer frame) {
    DeliveryOptions options = new DeliveryOptions().addHeader(EPHEMERAL, "1").addHeader(TYPE, type);
    if (userId != null) {
      options.addHeader(USER_ID, Long.toString(userId));
    }
    bus.publish(Addresses.room(roomId), frame, options);
  }

  /** Whether the event is ephemeral (not part of the stream). */
  public static boolean isEphemeral(MultiMap headers) {
    return headers.contains(EPHEMERAL);
  }

  /** The event's seq; fails with {@link NumberFormatException} when it has none or a bad one. */
  public static long seq(MultiMap headers) {
    return Long.parseLong(headers.get(SEQ));
  }

  /** The event's type, or null. */
  public static String type(MultiMap headers) {
    return headers.get(TYPE);
  }

  /** The user the event is about, or null. */
  public static Long userId(MultiMap headers) {
    String id = headers.get(USER_ID);
    if (id == null) {
      return null;
    }
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
