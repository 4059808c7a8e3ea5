package io.parley.gateway;

import io.micrometer.core.instrument.Counter;
import io.parley.bus.Addresses;
import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.bus.RoomEvents;
import io.parley.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room's fan-out on one node: the node's single event-bus consumer of
 * {@code parley.rooms.<id>}, and its local subscriptions.
 *
 * <p>Events are delivered to subscribers in {@code seq} order, without gaps or duplicates: an
 * event that arrives early is held until the missing ones arrive, and when they do not within
 * {@code gap_timeout_ms} they are read from the room's stream in the database. Each event is
 * encoded for the wire once and written to every subscriber by one task per event loop
 * ({@link Fanout}).
 *
 * <p>A subscription that is replaying (not yet live) collects every event the channel sees in
 * its own {@code held} map; {@link #goLive} then writes those its replay did not cover. The
 * channel's position is unknown until the first replay answers; events before that wait in
 * {@code early}.
 *
 * <p>A room's last event before a pause, when its publish missed this node, has no later event
 * to reveal it: the node's {@link TailCheck} compares the channel's position with the room's
 * head once the channel has been quiet, and {@link #catchUpTo} reads what is missing.
 *
 * <p>Thread-safety: subscriptions belong to sockets on any event loop of the node, so every
 * state change happens under this object's lock, and so does every hand-off to {@link Fanout}.
 */
final class RoomChannel {
  private static final Logger LOG = LoggerFactory.getLogger(RoomChannel.class);

  final long roomId;
  private final Vertx vertx;
  private final Bus bus;
  private final long gapTimeoutMs;
  /** Events handed to sockets (metrics). */
  private final Counter deliveries;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  /** Events not yet delivered: ahead of a gap, or before the position is known. */
  private final TreeMap<Long, Message<Buffer>> early = new TreeMap<>();
  private MessageConsumer<Buffer> consumer;
  private Future<Void> ready;
  /** Highest seq delivered; -1 until the first replay tells the stream's head. */
  private long lastSeq = -1;
  private long gapTimer = -1;
  /** {@link #quietPosition}: the channel saw events less than the quiet time ago (or cannot be checked yet). */
  static final long NOT_QUIET = -1;
  /** {@link #quietPosition}: the channel is closed. */
  static final long CLOSED = -2;
  private final TailCheck tail;
  /** {@link System#nanoTime} of the last stream event seen (or of the position being fixed). */
  private long lastEventAt;
  /** Marked for the tail check and not checked since. */
  private boolean tailMarked;
  private boolean repairing;
  private boolean closed;
  /** Guarded by the registry's lock. */
  int refs;

  RoomChannel(Vertx vertx, Bus bus, long roomId, long gapTimeoutMs, TailCheck tail) {
    this.vertx = vertx;
    this.bus = bus;
    this.roomId = roomId;
    this.gapTimeoutMs = gapTimeoutMs;
    this.tail = tail;
    this.deliveries = Meters.of(vertx).deliveries();
  }

  /** Events held here and not written yet: ahead of a gap, or for replaying subscriptions (metrics). */
  synchronized int queued() {
    int n = early.size();
    for (Subscription sub : subscriptions) {
      if (!sub.live) {
        n += sub.held.size();
      }
    }
    return n;
  }

  /** Registers the consumer on the caller's context; completes once it is known cluster-wide. */
  Future<Void> open() {
    if (ready == null) {
      consumer = vertx.eventBus().consumer(Addresses.room(roomId), this::onEvent);
      ready = consumer.completion();
    }
    return ready;
  }

  /** Unregisters the consumer and stops gap repair. */
  Future<Void> close() {
    synchronized (this) {
      closed = true;
      if (gapTimer >= 0) {
        vertx.cancelTimer(gapTimer);
        gapTimer = -1;
      }
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  synchronized void attach(Subscription sub) {
    subscriptions.add(sub);
  }

  synchronized void detach(Subscription sub) {
    subscriptions.remove(sub);
  }

  /**
   * A replay for {@code sub} covered the stream up to {@code head}: write what it held beyond
   * that, in order, and make it live. The first replay also fixes the channel's position.
   */
  synchronized void goLive(Subscription sub, long head) {
    if (lastSeq < 0) {
      lastSeq = head;
      // Events published just after our consumer was registered may have missed this node while
      // the cluster's subscription map caught up; a late event would reveal the gap, a last one
      // would not: the tail check looks once more after a moment.
      sawStreamEvent();
      // events at or below the head are covered by this replay; other replaying subscriptions
      // (with lower heads) may still need them
      Map<Long, Message<Buffer>> covered = early.headMap(head, true);
      for (Map.Entry<Long, Message<Buffer>> e : covered.entrySet()) {
        holdForReplaying(e.getKey(), e.getValue().body());
      }
      covered.clear();
      drain();
    }
    sub.lastSeq = Math.max(sub.lastSeq, head);
    for (Map.Entry<Long, Buffer> h : sub.held.tailMap(sub.lastSeq, false).entrySet()) {
      if (h.getKey() != sub.lastSeq + 1) {
        // an event between the replay and the channel's position never reached this node
        sub.connection.resyncRequired(roomId, sub.lastSeq, h.getKey() - 1);
      }
      sub.connection.writeEvent(h.getValue());
      deliveries.increment();
      sub.lastSeq = h.getKey();
    }
    sub.held.clear();
    sub.live = true;
  }

  private synchronized void onEvent(Message<Buffer> msg) {
    if (closed) {
      return;
    }
    if (RoomEvents.isEphemeral(msg.headers())) {
      deliverEphemeral(msg);
      return;
    }
    long seq;
    try {
      seq = RoomEvents.seq(msg.headers());
    } catch (RuntimeException e) {
      LOG.warn("room {}: event without seq dropped", roomId);
      return;
    }
    if (lastSeq >= 0 && seq <= lastSeq) {
      holdForReplaying(seq, msg.body()); // late for the channel, maybe not for a replaying socket
      return;
    }
    early.put(seq, msg);
    sawStreamEvent();
    if (lastSeq >= 0) {
      drain();
    }
  }

  /**
   * Typing, read markers and presence: not part of the stream (no seq), delivered at once to live
   * subscriptions; typing and presence are not echoed to the sockets of the user they are about.
   */
  private void deliverEphemeral(Message<Buffer> msg) {
    String type = RoomEvents.type(msg.headers());
    Long from = "typing".equals(type) || "presence".equals(type) ? RoomEvents.userId(msg.headers()) : null;
    long skip = from == null ? -1 : from;
    List<Connection> targets = new ArrayList<>(subscriptions.size());
    for (Subscription sub : subscriptions) {
      if (sub.live && sub.connection.userId() != skip) {
        targets.add(sub.connection);
      }
    }
    Fanout.write(msg.body(), targets);
    deliveries.increment(targets.size());
  }

  private void holdForReplaying(long seq, Buffer frame) {
    for (Subscription sub : subscriptions) {
      if (!sub.live) {
        sub.held.put(seq, frame);
      }
    }
  }

  /** Delivers contiguous events; arms the gap timer when one is missing. */
  private void drain() {
    early.headMap(lastSeq, true).clear();
    Map.Entry<Long, Message<Buffer>> first;
    while ((first = early.firstEntry()) != null && first.getKey() == lastSeq + 1) {
      early.pollFirstEntry();
      Message<Buffer> m = first.getValue();
      deliver(first.getKey(), m.body(), RoomEvents.type(m.headers()), RoomEvents.userId(m.headers()));
    }
    if (!early.isEmpty() && gapTimer < 0 && !repairing && !closed) {
      gapTimer = vertx.setTimer(gapTimeoutMs, t -> repairGap());
    }
  }

  private void deliver(long seq, Buffer frame, String type, Long userId) {
    lastSeq = seq;
    List<Connection> targets = new ArrayList<>(subscriptions.size());
    for (Subscription sub : subscriptions) {
      if (!sub.live) {
        sub.held.put(seq, frame);
      } else if (seq > sub.lastSeq) {
        sub.lastSeq = seq;
        targets.add(sub.connection);
      }
    }
    Fanout.write(frame, targets);
    deliveries.increment(targets.size());
    if ("member.left".equals(type) && userId != null) {
      long gone = userId;
      for (Subscription sub : subscriptions) {
        if (sub.connection.userId() == gone) {
          drop(sub, "removed");
        }
      }
    } else if ("room.deleted".equals(type)) {
      subscriptions.forEach(sub -> drop(sub, "deleted"));
    }
  }

  /** Stops delivery to {@code sub} at once and tells its connection. */
  private void drop(Subscription sub, String reason) {
    subscriptions.remove(sub);
    sub.connection.dropSubscription(sub, reason);
  }

  /** Notes a stream event (under the lock) and marks the channel for the tail check. */
  private void sawStreamEvent() {
    lastEventAt = System.nanoTime();
    if (!tailMarked) {
      tailMarked = true;
      tail.mark(this);
    }
  }

  /**
   * For the {@link TailCheck} at {@code now} ({@link System#nanoTime}): the channel's position
   * when it has seen no stream event for {@code quietMs} (it is then unmarked), {@link #NOT_QUIET}
   * when it has or cannot be checked yet (position unknown, gap repair running), {@link #CLOSED}.
   */
  synchronized long quietPosition(long now, long quietMs) {
    if (!closed && (lastSeq < 0 || repairing || now - lastEventAt < quietMs * 1_000_000)) {
      return NOT_QUIET;
    }
    tailMarked = false;
    tail.unmark(this);
    return closed ? CLOSED : lastSeq;
  }

  /** The tail check could not ask for the room's head: ask again at its next sweep. */
  synchronized void remark() {
    if (!closed && !tailMarked) {
      tailMarked = true;
      tail.mark(this);
    }
  }

  /** The room's stream reaches {@code head}: reads and delivers what this channel has not (tail check). */
  void catchUpTo(long head) {
    long from;
    synchronized (this) {
      if (closed || repairing || head <= lastSeq) {
        return;
      }
      from = lastSeq;
    }
    catchUp(from);
  }

  /** Reads what the stream has beyond {@code from} (the channel's position) and delivers it. */
  private void catchUp(long from) {
    bus.request(Addresses.EVENTS_SINCE, new JsonObject().put("room_id", roomId).put("after_seq", from), "catch-up-room-" + roomId)
        .onComplete(ar -> {
          synchronized (this) {
            if (closed) {
              return;
            }
            if (ar.succeeded() && !ar.result().getBoolean("truncated", false)) {
              deliverStored(ar.result().getJsonArray("events"));
            } else if (ar.succeeded()) {
              long head = ar.result().getLong("last_seq");
              if (lastSeq == from && head > from) {
                skipTo(from, head);
              }
            } else if (ar.cause() instanceof ParleyException pe && pe.code() == ErrorCode.NOT_FOUND) {
              roomGone();
              return;
            } else {
              remark(); // the tail check asks again at its next sweep
              return;
            }
            drain();
          }
        });
  }

  /** Too far behind to read: skips to {@code upTo} and tells every subscriber to resync (under the lock). */
  private void skipTo(long from, long upTo) {
    LOG.warn("room {}: events after seq {} too many to read; subscribers must resync", roomId, from);
    lastSeq = upTo;
    for (Subscription sub : subscriptions) {
      // queued behind the events already handed to the socket's loop (Fanout's order)
      Connection c = sub.connection;
      c.eventLoop().execute(() -> c.resyncRequired(roomId, from, upTo));
    }
  }

  /** The room is gone ({@code room.deleted} is not stored, so it cannot be replayed): ends every subscription. */
  private void roomGone() {
    subscriptions.forEach(sub -> drop(sub, "deleted"));
    early.clear();
  }

  /** Delivers stored event frames that continue the channel's position. */
  private void deliverStored(JsonArray events) {
    for (int i = 0; i < events.size(); i++) {
      Buffer frame = Buffer.buffer(events.getString(i));
      JsonObject ev = new JsonObject(frame);
      long seq = ev.getLong("seq");
      if (seq == lastSeq + 1) {
        Object uid = ev.getValue("user_id");
        deliver(seq, frame, ev.getString("type"), uid instanceof Number n ? n.longValue() : null);
      }
    }
  }

  /** Reads the missing events from the room's stream in the database, then resumes. */
  private void repairGap() {
    long from;
    long upTo;
    synchronized (this) {
      gapTimer = -1;
      if (closed) {
        return;
      }
      early.headMap(lastSeq, true).clear();
      if (early.isEmpty() || early.firstKey() == lastSeq + 1) {
        drain();
        return;
      }
      repairing = true;
      from = lastSeq;
      upTo = early.firstKey() - 1;
    }
    JsonObject query = new JsonObject().put("room_id", roomId).put("after_seq", from).put("up_to_seq", upTo);
    bus.request(Addresses.EVENTS_SINCE, query, "gap-repair-room-" + roomId).onComplete(ar -> {
      synchronized (this) {
        repairing = false;
        if (closed) {
          return;
        }
        if (ar.succeeded() && !ar.result().getBoolean("truncated", false)) {
          deliverStored(ar.result().getJsonArray("events"));
        } else if (ar.succeeded()) {
          skipTo(from, upTo);
        } else if (ar.cause() instanceof ParleyException pe && pe.code() == ErrorCode.NOT_FOUND) {
          roomGone();
          return;
        } else {
          LOG.warn("room {}: gap repair failed, retrying: {}", roomId, ar.cause().getMessage());
        }
        drain();
      }
    });
  }
}
