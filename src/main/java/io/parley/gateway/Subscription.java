package io.parley.gateway;

import io.vertx.core.buffer.Buffer;
import java.util.TreeMap;

/**
 * A socket's subscription to a room: what its {@link Connection} holds, and what the room's
 * {@link RoomChannel} delivers to. Its mutable fields are guarded by the channel's lock (but
 * {@code confirmed}).
 */
final class Subscription {
  final Connection connection;
  final long roomId;
  /** The replay is done: live events are written to the socket as they come. */
  boolean live;
  /** Membership was confirmed by the first replay page (written and read on the socket's context). */
  volatile boolean confirmed;
  /** Highest seq written to the socket. */
  long lastSeq;
  /** Events seen while the subscription was replaying: seq → frame. */
  final TreeMap<Long, Buffer> held = new TreeMap<>();

  Subscription(Connection connection, long roomId) {
    this.connection = connection;
    this.roomId = roomId;
  }
}
