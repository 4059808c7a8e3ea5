package io.parley.gateway;

import io.parley.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's room channels, shared by all gateway verticle instances of one Vert.x instance:
 * at most one {@link RoomChannel} (one clustered consumer) per room per node, reference counted
 * by subscriptions, created with the first local subscriber and removed with the last.
 */
final class RoomRegistry implements Shareable {
  private final Vertx vertx;
  private final Bus bus;
  private final long gapTimeoutMs;
  private final TailCheck tail;
  private final Map<Long, RoomChannel> channels = new HashMap<>();

  private RoomRegistry(Vertx vertx, Bus bus, long gapTimeoutMs) {
    this.vertx = vertx;
    this.bus = bus;
    this.gapTimeoutMs = gapTimeoutMs;
    this.tail = new TailCheck(vertx, bus, Math.max(1000, gapTimeoutMs * 4));
  }

  /** The registry of this Vert.x instance (made by the first gateway instance to ask). */
  static RoomRegistry of(Vertx vertx, Bus bus, long gapTimeoutMs) {
    LocalMap<String, RoomRegistry> map = vertx.sharedData().getLocalMap("parley.gateway");
    return map.computeIfAbsent("rooms", k -> new RoomRegistry(vertx, bus, gapTimeoutMs));
  }

  /** The registry of this Vert.x instance, if a gateway made one (tests, metrics). */
  static java.util.Optional<RoomRegistry> lookup(Vertx vertx) {
    LocalMap<String, RoomRegistry> map = vertx.sharedData().getLocalMap("parley.gateway");
    return java.util.Optional.ofNullable(map.get("rooms"));
  }

  /** Takes a reference on the room's channel; completes when its consumer is registered. */
  synchronized Future<RoomChannel> acquire(long roomId) {
    RoomChannel ch = channels.computeIfAbsent(roomId, id -> new RoomChannel(vertx, bus, id, gapTimeoutMs, tail));
    ch.refs++;
    return ch.open().map(ch);
  }

  /** Drops a reference; the last one unregisters the consumer. */
  synchronized void release(long roomId) {
    RoomChannel ch = channels.get(roomId);
    if (ch != null && --ch.refs <= 0) {
      channels.remove(roomId);
      ch.close();
    }
  }

  /** The channel of a room, when this node has one. */
  synchronized java.util.Optional<RoomChannel> channelOf(long roomId) {
    return java.util.Optional.ofNullable(channels.get(roomId));
  }

  /** Rooms with a channel (an event-bus consumer) on this node (metrics). */
  synchronized int rooms() {
    return channels.size();
  }

  /** Subscriptions of this node's sockets, over all rooms (metrics). */
  synchronized int subscriptions() {
    int n = 0;
    for (RoomChannel ch : channels.values()) {
      n += ch.refs;
    }
    return n;
  }

  /**
   * Room events held by this node's channels and not written yet (metrics). Each channel is
   * asked outside the registry's lock: a channel calls into the registry under its own.
   */
  int queuedEvents() {
    List<RoomChannel> all;
    synchronized (this) {
      all = new ArrayList<>(channels.values());
    }
    int n = 0;
    for (RoomChannel ch : all) {
      n += ch.queued();
    }
    return n;
  }

  /** Subscriptions holding the room's channel on this node; 0 when it has none. */
  synchronized int references(long roomId) {
    RoomChannel ch = channels.get(roomId);
    return ch == null ? 0 : ch.refs;
  }
}
