package io.parley.gateway;

import static io.parley.bus.Addresses.*;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.bus.StorableText;
import io.parley.metrics.Meters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated WebSocket: reads client frames, answers them, and holds the socket's room
 * subscriptions. All its own state is touched on its context (the socket's event loop); room
 * events are written by {@link RoomChannel} through {@link Fanout}, in tasks on that loop.
 *
 * <p>A bad frame gets an {@code error} frame and the socket stays open; only a slow reader
 * (write queue full) or a silent one (idle timeout) is closed.
 */
final class Connection {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
  /** Close code for a client that cannot keep up with its rooms (RFC 6455 range 4000-4999). */
  static final short CLOSE_TOO_SLOW = Socket.CLOSE_TOO_SLOW;

  private final Socket socket;
  private final long userId;
  /** The session (the access token's {@code sid}) the socket was opened in; null for a token without one. */
  private final String session;
  private final Context context;
  private final Bus bus;
  private final RoomRegistry registry;
  private final NodeSessions sessions;
  private final int maxFrameBytes;
  private final Typing typing;
  private final SendLimit sendLimit;
  private final SendPressure pressure;
  /** The last send's limit check: sends go on to the bus in frame order as their checks answer (context only). */
  private Future<?> lastSendCheck = Future.succeededFuture();
  private final String connectionId = UUID.randomUUID().toString();
  /** Frames received, and the request id of the one being handled ({@code ws-<connection>-<n>}). */
  private long frames;
  private String frameId;
  private final Map<Long, Subscription> subscriptions = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile boolean closed;
  private final ReplaySlots replays = new ReplaySlots();
  private final Replay replay;

  Connection(Socket socket, long userId, String session, Context context, Bus bus, RoomRegistry registry, NodeSessions sessions,
             int maxFrameBytes, long typingTtlMs, SendLimit sendLimit, SendPressure pressure) {
    this.socket = socket;
    this.userId = userId;
    this.session = session;
    this.context = context;
    this.bus = bus;
    this.registry = registry;
    this.sessions = sessions;
    this.maxFrameBytes = maxFrameBytes;
    this.typing = new Typing(context.owner(), userId, typingTtlMs);
    this.sendLimit = sendLimit;
    this.pressure = pressure;
    this.replay = new Replay(new Replay.Host() {
      @Override
      public Future<JsonObject> request(String address, JsonObject body, String requestId) {
        return tracked(bus.request(address, body, requestId));
      }

      @Override
      public boolean current(Subscription sub) {
        return !closed && subscriptions.get(sub.roomId) == sub;
      }

      @Override
      public void send(JsonObject frame) {
        Connection.this.send(frame);
      }
    }, socket, userId, Meters.of(context.owner()).replayed());
  }

  /** This socket's id (unique in the cluster), used by presence and in logs. */
  String id() {
    return connectionId;
  }

  /** Whether the socket follows {@code roomId} (read from any thread: a racy answer is fine for notifications). */
  boolean isSubscribed(long roomId) {
    return subscriptions.containsKey(roomId);
  }

  /** The session the socket was opened in (null: none). */
  String session() {
    return session;
  }

  /** Closes with {@code code} and {@code reason} (a disabled account, an ended session, a stopping node). */
  Future<Void> close(short code, String reason) {
    return closed ? Future.succeededFuture() : socket.close(code, reason);
  }

  /** Writes an encoded frame (thread-safe). */
  void sendText(String text) {
    if (!closed) {
      socket.sendText(text);
    }
  }

  /** The event loop the socket runs on. */
  EventLoop eventLoop() {
    return socket.eventLoop();
  }

  long userId() {
    return userId;
  }

  /** Sends {@code welcome} and tells presence; the socket then hands its frames to this connection. */
  void start(JsonObject welcome) {
    send(welcome);
    sessions.opened(this);
  }

  // ---- writing -----------------------------------------------------------------------------

  /** Writes an encoded room event (on the socket's event loop); the socket closes itself if it cannot keep up. */
  void writeEvent(Buffer frame) {
    ByteBuf wire = Frames.wire(frame);
    try {
      writeWire(wire, true);
    } finally {
      wire.release();
    }
  }

  /**
   * Writes a room event already encoded for the wire (on the socket's event loop; the caller
   * keeps its reference). A socket that does not keep up is closed with 4008
   * ({@link Socket#writeWire}). With {@code flush} false the frame leaves with the loop's next
   * {@link Fanout} flush.
   */
  void writeWire(ByteBuf wire, boolean flush) {
    if (!closed) {
      socket.writeWire(wire, flush);
    }
  }

  private void send(JsonObject frame) {
    if (!closed) {
      socket.sendText(frame.encode());
    }
  }

  private void sendError(ParleyException e, Object ref) {
    send(Frames.error(e, ref));
  }

  /**
   * The room detached this subscription (member removed, room deleted): release it and tell the
   * client, unless the client already replaced or dropped it.
   */
  void dropSubscription(Subscription sub, String reason) {
    context.runOnContext(v -> {
      if (subscriptions.get(sub.roomId) == sub && unsubscribe(sub.roomId)) {
        send(Frames.reply("unsubscribed", null).put("room_id", sub.roomId).put("reason", reason));
      }
    });
  }

  /** The room's stream has a hole the server cannot fill: the client must reload history. */
  void resyncRequired(long roomId, long sinceSeq, long lastSeq) {
    // written at once (thread-safe), so it precedes the events after the hole
    send(Frames.reply("resync_required", null).put("room_id", roomId).put("since_seq", sinceSeq).put("last_seq", lastSeq));
  }

  // ---- reading -----------------------------------------------------------------------------

  /** A binary message: refused, the socket stays open. */
  void onBinary() {
    sendError(new ParleyException(ErrorCode.VALIDATION_FAILED, "binary frames are not supported; send JSON text frames"), null);
  }

  /** A text message of {@code bytes} UTF-8 bytes: parsed, checked and answered. */
  void onText(String text, int bytes) {
    Object ref = null;
    frameId = "ws-" + connectionId + "-" + (++frames); // the request id of the bus requests it causes
    try {
      if (bytes > maxFrameBytes) {
        throw new ParleyException(ErrorCode.PAYLOAD_TOO_LARGE, "frame larger than " + maxFrameBytes + " bytes",
            new JsonObject().put("max_bytes", maxFrameBytes));
      }
      JsonObject frame;
      try {
        frame = new JsonObject(text);
      } catch (DecodeException | ClassCastException e) {
        throw new ParleyException(ErrorCode.VALIDATION_FAILED, "frame is not a JSON object");
      }
      ref = frame.getValue("ref");
      if (ref != null && !(ref instanceof String) && !(ref instanceof Number)) {
        ref = null;
        throw ParleyException.invalid("ref", "ref must be a string or a number");
      }
      if (ref instanceof String r && !StorableText.encodable(r)) {
        ref = null; // it could not be echoed unchanged: refused without it
        throw ParleyException.invalid("ref", "ref contains an unpaired surrogate");
      }
      for (Map.Entry<String, Object> field : frame) { // the ref is echoed, never stored: any text goes
        StorableText.require(field.getKey(), field.getKey());
        if (!"ref".equals(field.getKey())) {
          StorableText.requireAll(field.getKey(), field.getValue());
        }
      }
      handle(frame, ref);
    } catch (ParleyException e) {
      sendError(e, ref);
    } catch (RuntimeException e) {
      LOG.error("socket {}: frame {} failed", connectionId, frameId, e);
      sendError(new ParleyException(ErrorCode.INTERNAL, "internal error"), ref);
    }
  }

  private void handle(JsonObject f, Object ref) {
    Object type = f.getValue("type");
    if (!(type instanceof String)) {
      throw ParleyException.invalid("type", "frame needs a string 'type'");
    }
    switch ((String) type) {
      case "ping" -> send(Frames.reply("pong", ref));
      case "subscribe" -> subscribe(Frames.positiveLong(f, "room_id"), Frames.optionalSeq(f), ref);
      case "unsubscribe" -> {
        long roomId = Frames.positiveLong(f, "room_id");
        unsubscribe(roomId);
        send(Frames.reply("unsubscribed", ref).put("room_id", roomId));
      }
      case "message.send" -> {
        Object attachmentIds = f.getValue("attachment_ids"); // checked by persistence; with them the body may be empty
        JsonObject body = new JsonObject()
            .put("user_id", userId)
            .put("room_id", Frames.positiveLong(f, "room_id"))
            .put("client_msg_id", Frames.string(f, "client_msg_id"))
            .put("body", attachmentIds == null ? Frames.string(f, "body") : f.getValue("body"))
            .put("attachment_ids", attachmentIds);
        ParleyException busy = pressure.admit(); // the node past its capacity: refused at once, nothing done
        if (busy != null) {
          sendError(busy, ref);
          return;
        }
        // checks are pipelined (this one is made now), sends go on in the order of their frames
        Future<Void> check = sendLimit.check(userId, context);
        Future<Void> allowed = lastSendCheck.transform(x -> check);
        lastSendCheck = allowed;
        tracked(allowed).onFailure(err -> sendError(Bus.toParley(err), ref)) // RATE_LIMITED, retry_after_ms
            .compose(x -> request(MESSAGES_SEND, body, ref)).onSuccess(r -> send(Frames.reply("message.ack", ref)
            .put("op", "send")
            .put("client_msg_id", body.getString("client_msg_id"))
            .put("duplicate", r.getBoolean("duplicate"))
            .put("seq", r.getLong("seq"))
            .put("message", r.getJsonObject("message"))))
            .onComplete(x -> pressure.answered());
      }
      case "message.edit" -> request(MESSAGES_EDIT, new JsonObject().put("user_id", userId)
              .put("message_id", Frames.positiveLong(f, "message_id")).put("body", Frames.string(f, "body")), ref)
          .onSuccess(r -> send(Frames.reply("message.ack", ref).put("op", "edit").put("seq", r.getLong("seq"))
              .put("message", r.getJsonObject("message"))));
      case "message.delete" -> request(MESSAGES_DELETE, new JsonObject().put("user_id", userId)
              .put("message_id", Frames.positiveLong(f, "message_id")), ref)
          .onSuccess(r -> send(Frames.reply("message.ack", ref).put("op", "delete").put("seq", r.getLong("seq"))
              .put("message", r.getJsonObject("message"))));
      case "assistant.cancel" -> { // the assistant streaming it stops (if it answers this user)
        JsonObject cancel = new JsonObject().put("room_id", Frames.positiveLong(f, "room_id"))
            .put("stream_id", Frames.string(f, "stream_id")).put("user_id", userId);
        context.owner().eventBus().publish(ASSISTANT_CANCEL, cancel);
        send(Frames.reply("assistant.cancel.ack", ref).put("room_id", cancel.getLong("room_id"))
            .put("stream_id", cancel.getString("stream_id")));
      }
      case "typing" -> typing(Frames.positiveLong(f, "room_id"), Frames.string(f, "state"), ref);
      case "read" -> {
        long roomId = Frames.positiveLong(f, "room_id");
        Object seq = f.getValue("seq");
        if (!(seq instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
          throw ParleyException.invalid("seq", seq == null ? "seq is required" : "seq must be a non-negative integer");
        }
        request(MEMBERS_READ, new JsonObject().put("user_id", userId).put("room_id", roomId).put("seq", n.longValue()), ref)
            .onSuccess(r -> send(Frames.reply("read.ack", ref).mergeIn(r)));
      }
      default -> throw ParleyException.invalid("type", "unknown frame type '" + type + "'");
    }
  }

  private Future<JsonObject> request(String address, JsonObject body, Object ref) {
    return tracked(bus.request(address, body, frameId)).onFailure(err -> sendError(Bus.toParley(err), ref));
  }

  /** Counts a request while it is in flight; too many and the socket is not read ({@link Socket#tracked}). */
  private <T> Future<T> tracked(Future<T> request) {
    return socket.tracked(request);
  }

  // ---- subscriptions -----------------------------------------------------------------------

  /**
   * Subscribes: registers the room channel (once per node), holds live events back, replays the
   * stream after {@code sinceSeq} from the database page by page ({@link Replay}), sends {@code subscribed}, then
   * releases the held events that the replay did not cover. Without {@code sinceSeq} nothing is
   * replayed. The subscription acts on the room (typing) only once the first page has confirmed
   * membership.
   */
  private void subscribe(long roomId, Long sinceSeq, Object ref) {
    Subscription sub = new Subscription(this, roomId);
    String rid = frameId; // the subscribe frame's id, for every page of its replay
    Subscription previous = subscriptions.put(roomId, sub);
    sessions.subscriptionsChanged();
    // take the new reference before dropping the old one, so the room's consumer stays registered
    Future<RoomChannel> acquired = Future.fromCompletionStage(registry.acquire(roomId).toCompletionStage(), context);
    if (previous != null) {
      release(previous); // a repeated subscribe starts over
    }
    acquired.compose(ch -> {
      if (subscriptions.get(roomId) != sub) {
        return Future.succeededFuture(); // unsubscribed meanwhile; its reference is released
      }
      ch.attach(sub);
      Future<Void> replaying = replays.acquire().compose(v -> replay.run(sub, ch, sinceSeq, ref, rid));
      replaying.onComplete(ar -> replays.release());
      return replaying;
    }).onFailure(err -> {
      if (subscriptions.get(roomId) == sub) {
        unsubscribe(roomId);
        sendError(Bus.toParley(err), ref);
      }
    });
  }

  /**
   * Relays typing to the room's other subscribers. Only for rooms whose subscription was
   * confirmed (membership checked by the first replay page, before {@code subscribed});
   * every {@code start} (clients refresh it while typing) is relayed, and one not refreshed within
   * {@code typing_ttl_ms} ends by itself with a {@code stop}.
   */
  private void typing(long roomId, String state, Object ref) {
    Subscription sub = subscriptions.get(roomId);
    if (sub == null || !sub.confirmed) {
      // before `subscribed` membership is not known yet: nothing may reach the room
      throw new ParleyException(ErrorCode.VALIDATION_FAILED, "typing needs a confirmed subscription: wait for 'subscribed'",
          new JsonObject().put("field", "room_id"));
    }
    typing.apply(roomId, state);
    if (ref != null) {
      send(Frames.reply("typing.ack", ref).put("room_id", roomId).put("state", state));
    }
  }

  /** Drops the subscription to a room; false when there was none. */
  private boolean unsubscribe(long roomId) {
    Subscription sub = subscriptions.remove(roomId);
    sessions.subscriptionsChanged();
    if (sub == null) {
      return false;
    }
    typing.left(roomId);
    release(sub);
    return true;
  }

  private void release(Subscription sub) {
    registry.channelOf(sub.roomId).ifPresent(ch -> ch.detach(sub));
    registry.release(sub.roomId);
  }

  /** The socket closed: drops its subscriptions and tells presence. */
  void onClose() {
    closed = true;
    replays.close();
    for (Long roomId : subscriptions.keySet().toArray(new Long[0])) {
      unsubscribe(roomId);
    }
    sessions.closed(this);
  }
}
