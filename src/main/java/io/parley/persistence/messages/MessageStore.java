package io.parley.persistence.messages;

import static io.parley.bus.Addresses.*;

import io.micrometer.core.instrument.DistributionSummary;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.media.AttachmentJson;
import io.parley.metrics.Meters;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.parley.persistence.shared.Handlers;
import io.parley.persistence.shared.RoomAccess;
import io.parley.persistence.shared.Rows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.parley.persistence.stream.RoomStream;
import io.vertx.pgclient.PgException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Messages: send (idempotent on room, author and {@code client_msg_id}; group-committed by
 * {@link SendBatcher}), edit and delete by the author, and keyset-paginated history by seq.
 * Each send or change is stored with its stream event in one transaction and published after the
 * commit; a new message is also announced on {@code parley.notifications} for sockets that do
 * not follow its room.
 *
 * <p>Not thread-safe (message ids taken ahead, the batcher): one instance per verticle, used on
 * its event loop.
 */
public final class MessageStore {
  private final Vertx vertx;
  private final Pool pool;
  private final RoomStream stream;
  private final int maxBodyChars;
  private final boolean requireVerified;
  /** Who is on an unlimited plan now; null when quotas are not enforced. */
  private final QuotaCache quotas;
  private final SendStatement sendStatement;
  private final SendBatcher sendBatcher;
  private final Meters meters;
  private final AttachmentJson attachments;
  private final AttachedSends attached;
  private BotRooms bots;
  private PgSubscriber subscriber;
  /** Ids for new messages, taken from the sequence a hundred at a time. */
  private final ArrayDeque<Long> messageIds = new ArrayDeque<>();
  private Future<Long> pendingIds;

  /**
   * @param maxBodyChars longest body, in code points
   * @param requireVerified whether authors need a verified e-mail address to send
   * @param sendBatchMax most sends stored in one statement (1: each alone)
   */
  private MessageStore(Vertx vertx, Pool pool, RoomStream stream, int maxBodyChars, boolean requireVerified,
                       QuotaCache quotas, int sendBatchMax, SendAdmission admission, AttachmentJson attachments) {
    this.attachments = attachments;
    this.attached = new AttachedSends(pool, requireVerified);
    this.vertx = vertx;
    this.pool = pool;
    this.stream = stream;
    this.maxBodyChars = maxBodyChars;
    this.requireVerified = requireVerified;
    this.quotas = quotas;
    this.sendStatement = new SendStatement(pool, requireVerified);
    this.meters = Meters.of(vertx);
    DistributionSummary batchSizes = meters.sendBatch();
    this.sendBatcher = new SendBatcher(sendBatchMax, sendStatement, batchSizes::record, admission, meters.overloadRefusals()::increment);
  }

  /**
   * A message store on {@code pool}. It listens on a connection of its own (made from
   * {@code connect}, reconnecting with a growing delay) for the rooms of the assistant
   * ({@link BotRooms}) and, with {@code enforceQuotas}, for quota changes ({@link QuotaCache}):
   * sends over their author's daily message limit are then refused (MESSAGE_LIMIT_EXCEEDED).
   *
   * @param maxBodyChars longest body, in code points
   * @param requireVerified whether authors need a verified e-mail address to send
   * @param sendBatchMax most sends stored in one statement (1: each alone)
   * @param admission when sends are refused OVERLOADED rather than queued
   */
  public static Future<MessageStore> start(Vertx vertx, Pool pool, io.vertx.pgclient.PgConnectOptions connect, RoomStream stream,
                                           int maxBodyChars, boolean requireVerified, boolean enforceQuotas, int sendBatchMax,
                                           SendAdmission admission, AttachmentJson attachments) {
    PgSubscriber subscriber = PgSubscriber.subscriber(vertx, connect)
        .reconnectPolicy(attempt -> Math.min(5_000L, 100L << Math.min(attempt, 6)));
    QuotaCache quotas = enforceQuotas ? QuotaCache.listen(pool, subscriber) : null;
    return BotRooms.start(pool, subscriber).compose(bots -> subscriber.connect().map(v -> {
      MessageStore store = new MessageStore(vertx, pool, stream, maxBodyChars, requireVerified, quotas, sendBatchMax, admission,
          attachments);
      store.bots = bots;
      store.subscriber = subscriber;
      return store;
    }));
  }

  Pool pool() {
    return pool;
  }

  boolean requireVerified() {
    return requireVerified;
  }

  int maxBodyChars() {
    return maxBodyChars;
  }

  /** The assistant's bot user id (0: none). */
  long botId() {
    return bots.botId();
  }

  /** Stops listening for notifications. */
  public Future<Void> close() {
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }

  public void register(Handlers h) {
    h.on(MESSAGES_SEND, this::sendMessage);
    MessageChanges changes = new MessageChanges(pool, stream, attachments, this::validBody);
    h.on(MESSAGES_EDIT, changes::edit);
    h.on(MESSAGES_DELETE, changes::delete);
    h.on(MESSAGES_HISTORY, this::history);
    h.on(ASSISTANT_REPLY, b -> AssistantReplies.store(this, b));
  }

  /** The body of an edit (or a send without attachments): a non-blank string of at most maxBodyChars. */
  String validBody(JsonObject b) {
    return validBody(b, false);
  }

  /** The body of a send or edit; with {@code mayBeEmpty} (a send with attachments) absent or blank is "". */
  private String validBody(JsonObject b, boolean mayBeEmpty) {
    Object raw = b.getValue("body");
    if (mayBeEmpty && (raw == null || raw instanceof String t && t.isBlank())) {
      return "";
    }
    if (!(raw instanceof String body) || body.isBlank()) {
      throw ParleyException.invalid("body", "body must be a non-empty string");
    }
    if (body.codePointCount(0, body.length()) > maxBodyChars) {
      throw new ParleyException(ErrorCode.VALIDATION_FAILED, "body is longer than " + maxBodyChars + " characters",
          new JsonObject().put("field", "body").put("max_chars", maxBodyChars));
    }
    return body;
  }

  /**
   * {user_id, room_id, body, client_msg_id?, attachment_ids?} → {message, seq, duplicate}. A send
   * whose (room, author, client_msg_id) was stored before returns that message with
   * duplicate=true and publishes nothing. A send with attachments ({@link AttachedSends}) may
   * have an empty body; it is stored alone, not group-committed.
   */
  private Future<JsonObject> sendMessage(JsonObject b) {
    long userId = b.getLong("user_id");
    long roomId = b.getLong("room_id");
    List<Long> attachmentIds = AttachedSends.ids(b.getValue("attachment_ids"));
    String body = validBody(b, !attachmentIds.isEmpty());
    String clientMsgId = b.getString("client_msg_id");
    if (clientMsgId == null) {
      clientMsgId = UUID.randomUUID().toString();
    } else if (clientMsgId.isEmpty() || clientMsgId.length() > 64) {
      throw ParleyException.invalid("client_msg_id", "client_msg_id must be 1 to 64 characters");
    }
    String cmid = clientMsgId;
    long received = System.nanoTime();
    return nextMessageId().compose(id -> {
      java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
      JsonObject message = new JsonObject().put("id", id).put("room_id", roomId).put("seq", 0L).put("author_id", userId)
          .put("client_msg_id", cmid).put("body", body).put("created_at", Rows.ts(now)).putNull("edited_at").put("deleted", false)
          .put("attachments", new io.vertx.core.json.JsonArray());
      JsonObject event = RoomStream.frame("message.created", roomId, 0L).put("message", message);
      boolean checkQuota = quotas != null && quotas.mustCheck(userId);
      SendBatcher.Send send = new SendBatcher.Send(roomId, userId, cmid, body, id, now.atOffset(java.time.ZoneOffset.UTC),
          event, checkQuota);
      Future<JsonObject> sent = !attachmentIds.isEmpty()
          ? original(send).compose(found -> found != null ? Future.succeededFuture(found)
              : sendAlone(send, true, one -> attached.store(one, attachmentIds)))
          : sendBatcher.submit(send)
              .compose(seq -> seq != null ? Future.succeededFuture(stored(event, seq)) : sendAlone(send));
      if (checkQuota) {
        sent.onComplete(ar -> quotas.learn(List.of(userId))); // an unlimited author skips the quota from now on
      }
      return sent;
    }).andThen(ar -> {
      if (ar.succeeded() && !ar.result().getBoolean("duplicate")) {
        meters.sendLatency().record(System.nanoTime() - received, TimeUnit.NANOSECONDS); // receipt to commit
      }
    });
  }

  /** A committed send: counted, published to the room and to members' notifications; the reply. */
  JsonObject stored(JsonObject event, long seq) {
    meters.messagesStored().increment();
    JsonObject message = event.getJsonObject("message");
    event.put("seq", seq);
    message.put("seq", seq);
    if (!message.getJsonArray("attachments").isEmpty()) {
      attachments.signEvent(event);
    }
    stream.publish(event);
    notifyMembers(message);
    Long author = message.getLong("author_id");
    if (bots.contains(message.getLong("room_id")) && author != null && author != bots.botId()) {
      vertx.eventBus().send(ASSISTANT_INBOX, new JsonObject().put("message", message)); // one assistant takes it
    }
    return new JsonObject().put("message", message).put("seq", seq).put("duplicate", false);
  }

  /**
   * A send its batch did not store, decided alone: stored now, found stored before (the reply
   * carries the original with duplicate=true), or refused with the reason.
   */
  private Future<JsonObject> sendAlone(SendBatcher.Send s) {
    return sendAlone(s, true, one -> sendStatement.apply(List.of(one)));
  }

  /** As {@link #sendAlone(SendBatcher.Send)}, storing with {@code statement} (message id → seq; empty: skipped). */
  private Future<JsonObject> sendAlone(SendBatcher.Send s, boolean again,
                                       java.util.function.Function<SendBatcher.Send, Future<java.util.Map<Long, Long>>> statement) {
    return statement.apply(s)
        .compose(seqs -> seqs.isEmpty()
            ? original(s).compose(found -> found != null ? Future.succeededFuture(found) : refusedSend(s, again, statement))
            : Future.succeededFuture(stored(s.frame(), seqs.get(s.messageId()))))
        .recover(err -> err instanceof PgException pg && "23505".equals(pg.getSqlState())
            ? original(s)
            : Future.failedFuture(err));
  }

  /** The message stored before under the send's (room, author, client_msg_id), as a duplicate reply; null when none. */
  private Future<JsonObject> original(SendBatcher.Send s) {
    return pool.preparedQuery(MessageSql.MESSAGE_BY_CLIENT_ID).execute(Tuple.of(s.roomId(), s.authorId(), s.clientMsgId()))
        .map(rs -> {
          if (rs.size() == 0) {
            return null;
          }
          JsonObject original = attachments.signMessage(Rows.message(rs.iterator().next()));
          return new JsonObject().put("message", original).put("seq", original.getLong("seq")).put("duplicate", true);
        });
  }

  Future<Long> nextMessageId() {
    Long id = messageIds.pollFirst();
    if (id != null) {
      return Future.succeededFuture(id);
    }
    if (pendingIds == null) {
      pendingIds = pool.preparedQuery(MessageSql.MESSAGE_IDS).execute(Tuple.of(100)).map(rs -> {
        rs.forEach(r -> messageIds.addLast(r.getLong("id")));
        return 0L;
      }).onComplete(ar -> pendingIds = null);
    }
    return pendingIds.compose(x -> nextMessageId());
  }

  /**
   * Why a send stored nothing: no room, not visible, not a member, not verified, or over the
   * author's daily message limit (MESSAGE_LIMIT_EXCEEDED with {limit, resets_at, retry_after_s}).
   * When none holds any more (the limit was raised meanwhile), the send is tried once more.
   */
  private Future<JsonObject> refusedSend(SendBatcher.Send s, boolean again,
                                         java.util.function.Function<SendBatcher.Send, Future<java.util.Map<Long, Long>>> statement) {
    return RoomAccess.of(pool, s.roomId(), s.authorId(), false).compose(a -> {
      if (!a.member()) {
        return Future.failedFuture(a.notMember());
      }
      return pool.preparedQuery(MessageSql.SENDER_STANDING).execute(Tuple.of(s.authorId())).compose(rs -> {
        Row r = rs.iterator().next();
        if (requireVerified && !r.getBoolean("verified")) {
          return Future.failedFuture(new ParleyException(ErrorCode.EMAIL_NOT_VERIFIED,
              "verify your e-mail address before sending messages"));
        }
        Integer limit = r.getInteger("daily_limit");
        if (limit != null && r.getLong("sent_today") >= limit) {
          meters.quotaRefusals().increment();
          return Future.failedFuture(limitExceeded(limit));
        }
        if (again) {
          return sendAlone(s, false, statement);
        }
        if (limit != null) {
          meters.quotaRefusals().increment();
          return Future.failedFuture(limitExceeded(limit));
        }
        return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "the message could not be stored; send it again"));
      });
    });
  }

  /** MESSAGE_LIMIT_EXCEEDED in the seed's words, with {limit, resets_at, retry_after_s} (the next UTC midnight). */
  static ParleyException limitExceeded(int limit) {
    java.time.Instant now = java.time.Instant.now();
    java.time.Instant reset = now.atZone(java.time.ZoneOffset.UTC).toLocalDate().plusDays(1)
        .atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    long wait = Math.max(1, (java.time.Duration.between(now, reset).toMillis() + 999) / 1000);
    return new ParleyException(ErrorCode.MESSAGE_LIMIT_EXCEEDED, "Message limit reached. Please upgrade to Pro plan.",
        new JsonObject().put("limit", limit).put("resets_at", Rows.ts(reset)).put("retry_after_s", wait));
  }

  /**
   * {user_id, room_id, before_seq?, after_seq?, limit} → {items (ascending seq), has_more,
   * last_seq}, encoded ({@link Rows#historyPage}). Without bounds: the newest page. With
   * after_seq: the page right after it (up to before_seq).
   */
  private Future<Buffer> history(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    int limit = b.getInteger("limit", 50);
    Long before = b.getLong("before_seq");
    Long after = b.getLong("after_seq");
    boolean ascending = after != null;
    Future<RowSet<Row>> rows = ascending
        ? pool.preparedQuery(MessageSql.HISTORY_AFTER)
            .execute(Tuple.of(roomId, after, before == null ? Long.MAX_VALUE : before, limit + 1, userId))
        : before != null
            ? pool.preparedQuery(MessageSql.HISTORY_BEFORE).execute(Tuple.of(roomId, before, limit + 1, userId))
            : pool.preparedQuery(MessageSql.HISTORY_LATEST).execute(Tuple.of(roomId, limit + 1, userId));
    return rows.compose(rs -> {
      if (rs.size() == 0) {
        // not a member, or no such room: the access check says which; one who just joined reads again
        return RoomAccess.requireMember(pool, roomId, userId, false).compose(a -> history(b));
      }
      long lastSeq = 0;
      List<Row> items = new ArrayList<>(rs.size());
      for (Row r : rs) {
        lastSeq = r.getLong("last_seq");
        if (r.getLong("id") != null) {
          items.add(r);
        }
      }
      boolean hasMore = items.size() > limit;
      if (hasMore) {
        items.remove(items.size() - 1);
      }
      if (!ascending) {
        Collections.reverse(items);
      }
      return Future.succeededFuture(Rows.historyPage(items, hasMore, lastSeq, attachments));
    });
  }

  /** Tells every gateway node about a new message, for sockets that are not subscribed to its room. */
  private void notifyMembers(JsonObject message) {
    String body = message.getString("body");
    String preview = body == null ? "" : body.length() > 140 ? body.substring(0, 140) + "…" : body;
    vertx.eventBus().publish(NOTIFICATIONS, new JsonObject()
        .put("room_id", message.getLong("room_id"))
        .put("seq", message.getLong("seq"))
        .put("message", new JsonObject().put("id", message.getLong("id")).put("author_id", message.getLong("author_id"))
            .put("preview", preview).put("created_at", message.getString("created_at"))
            .put("attachments", message.getJsonArray("attachments"))));
  }
}
