package io.parley.gateway;

import static io.parley.bus.Addresses.EVENTS_SINCE;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The replay of one socket's subscriptions: a room's stored events after a seq, read from the
 * database page by page ({@code events.since}, {@value #PAGE} events a page, up to the head the
 * first page saw), each written behind the socket's writability, then {@code subscribed} and the
 * channel's held live events. A history too long gets {@code resync_required} instead.
 *
 * <p>Used on its connection's context only; a replay stops quietly when its subscription is
 * replaced, dropped or the socket closes ({@link Host#current}).
 */
final class Replay {
  /** Events per page of a replay (each page is written behind the socket's writability). */
  static final int PAGE = 100;

  /** What a replay needs of its connection. */
  interface Host {
    /** A bus request counted against the socket's requests in flight, with the subscribe frame's request id. */
    Future<JsonObject> request(String address, JsonObject body, String requestId);

    /** Whether {@code sub} is still the socket's subscription to its room and the socket is open. */
    boolean current(Subscription sub);

    /** Writes a reply frame. */
    void send(JsonObject frame);
  }

  private final Host host;
  private final Socket socket;
  private final long userId;
  /** Events written by replays (metrics). */
  private final Counter replayed;

  Replay(Host host, Socket socket, long userId, Counter replayed) {
    this.host = host;
    this.socket = socket;
    this.userId = userId;
    this.replayed = replayed;
  }

  /**
   * Replays {@code sub}'s room after {@code sinceSeq} (null: nothing, just the head), then goes
   * live on {@code ch}. The first page confirms membership ({@code sub.confirmed}).
   *
   * @param rid the request id of the subscribe frame, for every page
   */
  Future<Void> run(Subscription sub, RoomChannel ch, Long sinceSeq, Object ref, String rid) {
    return page(sub, ch, sinceSeq, null, ref, rid);
  }

  /** One page after {@code after}; {@code head} is null for the first page (which fixes the head). */
  private Future<Void> page(Subscription sub, RoomChannel ch, Long after, Long head, Object ref, String rid) {
    long roomId = sub.roomId;
    JsonObject query = new JsonObject().put("room_id", roomId).put("user_id", userId).put("limit", PAGE);
    if (after != null) {
      query.put("after_seq", after);
    }
    if (head != null) {
      query.put("up_to_seq", head);
    }
    return host.request(EVENTS_SINCE, query, rid).compose(r -> {
      if (!host.current(sub)) {
        return Future.succeededFuture();
      }
      sub.confirmed = true; // persistence checked membership
      long target = head != null ? head : r.getLong("last_seq");
      if (r.getBoolean("truncated", false)) {
        host.send(Frames.reply("resync_required", null).put("room_id", roomId).put("since_seq", after).put("last_seq", target));
        return goLive(sub, ch, target, ref);
      }
      return write(sub, r.getJsonArray("events"), 0).compose(v -> {
        if (!host.current(sub)) {
          return Future.succeededFuture();
        }
        return r.getBoolean("more", false)
            ? page(sub, ch, r.getLong("next_after_seq"), target, ref, rid)
            : goLive(sub, ch, target, ref);
      });
    });
  }

  /** Writes replayed events from {@code index} on, waiting whenever the socket is over its buffer's mark. */
  private Future<Void> write(Subscription sub, JsonArray events, int index) {
    for (int i = index; i < events.size(); i++) {
      if (!host.current(sub)) {
        return Future.succeededFuture();
      }
      if (!socket.writable()) {
        int next = i;
        return socket.whenWritable().compose(v -> write(sub, events, next));
      }
      socket.sendText(events.getString(i));
      replayed.increment();
    }
    return Future.succeededFuture();
  }

  private Future<Void> goLive(Subscription sub, RoomChannel ch, long head, Object ref) {
    host.send(Frames.reply("subscribed", ref).put("room_id", sub.roomId).put("last_seq", head));
    ch.goLive(sub, head);
    return Future.succeededFuture();
  }
}
