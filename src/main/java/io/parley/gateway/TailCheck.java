package io.parley.gateway;

import io.parley.bus.Addresses;
import io.parley.bus.Bus;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's tail check: brings back a room's last event before a pause when its publish missed
 * this node. A lost publish in the middle of a burst shows as a gap at the next event
 * ({@link RoomChannel} repairs it); the last one has no next event.
 *
 * <p>A channel that delivers stream events is marked; once per {@code quietMs} the check takes
 * the marked channels that have been quiet for {@code quietMs}, asks the database for all their
 * stream heads in one request ({@code events.heads}, at most {@value Addresses#EVENTS_HEADS_MAX}
 * rooms each), and only a channel whose room's head is beyond what it delivered reads the rest
 * ({@code events.since}). So the check costs one query per node and period while rooms pause,
 * nothing while none does, and a missed last event arrives {@code quietMs} to
 * {@code 2 × quietMs} late.
 *
 * <p>Thread-safety: channels mark themselves from any event loop, and unmark themselves when
 * checked, under their own lock. The sweep's timer runs on a context of its own, so undeploying
 * the gateway verticle that happened to arm it does not cancel it for the node.
 */
final class TailCheck {
  private final ContextInternal context;
  private final Bus bus;
  private final long quietMs;
  private final Set<RoomChannel> marked = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean armed = new AtomicBoolean();

  /** @param quietMs how long a channel must have been quiet before it is checked, ms */
  TailCheck(Vertx vertx, Bus bus, long quietMs) {
    this.context = ((VertxInternal) vertx).createEventLoopContext();
    this.bus = bus;
    this.quietMs = quietMs;
  }

  /** Marks a channel that delivered events since its last check (any thread, under the channel's lock). */
  void mark(RoomChannel channel) {
    marked.add(channel);
    arm();
  }

  /** Takes a checked or closed channel out (under the channel's lock, so a new mark cannot be lost). */
  void unmark(RoomChannel channel) {
    marked.remove(channel);
  }

  private void arm() {
    if (!marked.isEmpty() && armed.compareAndSet(false, true)) {
      context.setTimer(quietMs, t -> sweep());
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    List<RoomChannel> quiet = new ArrayList<>();
    List<Long> positions = new ArrayList<>();
    for (RoomChannel ch : marked) {
      long position = ch.quietPosition(now, quietMs); // unmarks it unless NOT_QUIET
      if (position >= 0) {
        quiet.add(ch);
        positions.add(position);
      }
    }
    armed.set(false);
    arm();
    for (int from = 0; from < quiet.size(); from += Addresses.EVENTS_HEADS_MAX) {
      int to = Math.min(quiet.size(), from + Addresses.EVENTS_HEADS_MAX);
      check(quiet.subList(from, to), positions.subList(from, to));
    }
  }

  /** One {@code events.heads} request for {@code channels}; a channel behind its head catches up. */
  private void check(List<RoomChannel> channels, List<Long> positions) {
    JsonArray ids = new JsonArray();
    channels.forEach(ch -> ids.add(ch.roomId));
    bus.request(Addresses.EVENTS_HEADS, new JsonObject().put("room_ids", ids), "tail-check").onSuccess(r -> {
      JsonObject heads = r.getJsonObject("heads", new JsonObject());
      for (int i = 0; i < channels.size(); i++) {
        Object head = heads.getValue(String.valueOf(channels.get(i).roomId));
        if (!(head instanceof Number n)) {
          channels.get(i).catchUpTo(Long.MAX_VALUE); // the room is gone: its stream answers NOT_FOUND
        } else if (n.longValue() > positions.get(i)) {
          channels.get(i).catchUpTo(n.longValue());
        }
      }
    }).onFailure(e -> channels.forEach(RoomChannel::remark)); // e.g. the database away: next sweep
  }
}
