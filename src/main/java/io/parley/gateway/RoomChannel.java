package io.parley.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.parley.bus.Addresses;
import io.parley.bus.Bus;
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
 * written as the same encoded bytes to every subscriber ({@link Frames#text}).
 *
 * <p>Thread-safety: subscriptions belong to sockets on any event loop of the node, so every
 * state change happens under this object's lock. Writes to sockets are thread-safe in Vert.x.
 */
final class RoomChannel {
  private static final Logger LOG = LoggerFactory.getLogger(RoomChannel.class);

  /** A socket's subscription to this room. */
  static final class Subscription {
    final Connection connection;
    final long roomId;
    boolean live;
    long lastSeq;
    /** Events that came while the subscription was replaying: (seq, frame). */
    final List<Object[]> held = new ArrayList<>();

    Subscription(Connection connection, long roomId) {
      this.connection = connection;
      this.roomId = roomId;
    }
  }

  final long roomId;
  private final Vertx vertx;
  private final Bus bus;
  private final long gapTimeoutMs;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final TreeMap<Long, Message<Buffer>> early = new TreeMap<>();
  private MessageConsumer<Buffer> consumer;
  private Future<Void> ready;
  /** Highest seq delivered (or known to be covered by replays); -1 before the first replay. */
  private long lastSeq = -1;
  private volatile long gapTimer = -1;
  private boolean repairing;
  int refs;

  RoomChannel(Vertx vertx, Bus bus, long roomId, long gapTimeoutMs) {
    this.vertx = vertx;
    this.bus = bus;
    this.roomId = roomId;
    this.gapTimeoutMs = gapTimeoutMs;
  }

  /** Registers the consumer on the caller's context; completes once it is known cluster-wide. */
  Future<Void> open() {
    if (ready == null) {
      consumer = vertx.eventBus().consumer(Addresses.room(roomId), this::onEvent);
      ready = consumer.completion();
    }
    return ready;
  }

  /** Unregisters the consumer. Called by the registry with its lock held: takes no lock here. */
  Future<Void> close() {
    long timer = gapTimer;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
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
   * A replay for {@code sub} covered the stream up to {@code head}: write what it held back
   * beyond that and make it live. Also establishes the channel's position on first use.
   */
  synchronized void goLive(Subscription sub, long head) {
    noteHead(head);
    sub.lastSeq = Math.max(sub.lastSeq, head);
    for (Object[] h : sub.held) {
      long seq = (Long) h[0];
      if (seq > sub.lastSeq) {
        sub.connection.writeEvent((Buffer) h[1]);
        sub.lastSeq = seq;
      }
    }
    sub.held.clear();
    sub.live = true;
  }

  private void noteHead(long head) {
    if (lastSeq < 0 || head > lastSeq) {
      lastSeq = Math.max(lastSeq, head);
      early.headMap(lastSeq, true).clear();
      drain();
    }
  }

  private synchronized void onEvent(Message<Buffer> msg) {
    long seq;
    try {
      seq = Long.parseLong(msg.headers().get("seq"));
    } catch (RuntimeException e) {
      LOG.warn("room {}: event without seq dropped", roomId);
      return;
    }
    if (lastSeq < 0) {
      early.put(seq, msg); // position unknown until the first replay answers
      return;
    }
    if (seq <= lastSeq) {
      return; // already delivered
    }
    early.put(seq, msg);
    drain();
  }

  /** Delivers contiguous held events; arms the gap timer when one is missing. */
  private void drain() {
    Map.Entry<Long, Message<Buffer>> first;
    while ((first = early.firstEntry()) != null && first.getKey() == lastSeq + 1) {
      early.pollFirstEntry();
      deliver(first.getKey(), first.getValue().body(), first.getValue().headers().get("type"),
          first.getValue().headers().get("user_id"));
    }
    if (!early.isEmpty() && gapTimer < 0 && !repairing) {
      gapTimer = vertx.setTimer(gapTimeoutMs, t -> repairGap());
    }
  }

  private void deliver(long seq, Buffer frame, String type, String userId) {
    lastSeq = seq;
    for (Subscription sub : subscriptions) {
      if (!sub.live) {
        sub.held.add(new Object[] {seq, frame});
      } else if (seq > sub.lastSeq) {
        sub.lastSeq = seq;
        sub.connection.writeEvent(frame);
      }
    }
    if ("member.left".equals(type) && userId != null) {
      long gone = Long.parseLong(userId);
      for (Subscription sub : subscriptions) {
        if (sub.connection.userId() == gone) {
          sub.connection.dropSubscription(roomId, "removed");
        }
      }
    } else if ("room.deleted".equals(type)) {
      for (Subscription sub : subscriptions) {
        sub.connection.dropSubscription(roomId, "deleted");
      }
    }
  }

  /** Reads the missing events from the room's stream in the database, then resumes. */
  private void repairGap() {
    long from;
    long upTo;
    synchronized (this) {
      gapTimer = -1;
      if (early.isEmpty() || early.firstKey() == lastSeq + 1) {
        drain();
        return;
      }
      repairing = true;
      from = lastSeq;
      upTo = early.firstKey() - 1;
    }
    bus.request(Addresses.EVENTS_SINCE, new JsonObject().put("room_id", roomId).put("after_seq", from).put("up_to_seq", upTo), null)
        .onComplete(ar -> {
          synchronized (this) {
            repairing = false;
            if (ar.succeeded() && !ar.result().getBoolean("truncated", false)) {
              JsonArray events = ar.result().getJsonArray("events");
              for (int i = 0; i < events.size(); i++) {
                Buffer frame = Buffer.buffer(events.getString(i));
                JsonObject ev = new JsonObject(frame);
                long seq = ev.getLong("seq");
                if (seq == lastSeq + 1) {
                  Object uid = ev.getValue("user_id");
                  deliver(seq, frame, ev.getString("type"), uid == null ? null : uid.toString());
                }
              }
            } else if (ar.succeeded()) {
              LOG.warn("room {}: gap after seq {} too large to repair; subscribers must resync", roomId, from);
              lastSeq = upTo; // skip: subscribers are told below
              for (Subscription sub : subscriptions) {
                sub.connection.resyncRequired(roomId, from, upTo);
              }
            } else {
              LOG.warn("room {}: gap repair failed: {}", roomId, ar.cause().getMessage());
            }
            drain();
          }
        });
  }
}
