package io.parley.persistence.messages;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.persistence.shared.DatabaseOutage;
import io.vertx.pgclient.PgException;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for message sends: sends that arrive while a batch is being stored wait, and go
 * together in the next statement and commit ({@link MessageSql#SEND_MESSAGES}). Under light load a send
 * is stored at once, alone; under heavy load each commit (and WAL flush) carries many sends, so
 * the database work per message falls as the rate rises. An ack still means committed: a send's
 * future completes only after its batch's commit.
 *
 * <p>Up to {@link #MAX_IN_FLIGHT} batches are stored at once, never two holding the same room, so
 * each room's sends are stored in the order they reached this verticle instance (a client's
 * sends to a room keep their order). A batch never holds two sends with the same (room, author,
 * client_msg_id): a repeat waits for a later batch, where it is found stored.
 *
 * <p>Admission control: when the pipeline falls behind (more than {@code maxQueued} sends
 * waiting, or the oldest waiting longer than {@code maxWaitMs}), a new send is refused at once
 * with {@code OVERLOADED} and {@code details.retry_after_ms} rather than queued for seconds;
 * nothing of it is stored, and sends already queued are stored as usual.
 *
 * <p>Not thread-safe: used from its verticle's event loop only.
 */
final class SendBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(SendBatcher.class);

  /**
   * One send, with its pre-allocated message id and its event frame (seq still 0);
   * {@code checkQuota}: whether it takes from its author's daily quota.
   */
  record Send(long roomId, long authorId, String clientMsgId, String body, long messageId,
              OffsetDateTime createdAt, JsonObject frame, boolean checkQuota) {
    String key() {
      return roomId + "/" + authorId + "/" + clientMsgId;
    }
  }

  /** A waiting send, with when it was queued ({@link System#nanoTime()}). */
  private record Queued(Send send, Promise<Long> seq, long queuedAt) {}


  /** Batches stored at once; their rooms never overlap. */
  static final int MAX_IN_FLIGHT = 2;

  private final int maxBatch;
  private final Function<List<Send>, Future<Map<Long, Long>>> store;
  private final java.util.function.IntConsumer batchSizes;
  private final SendAdmission bounds;
  private final Runnable refused;
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private final Set<Long> roomsInFlight = new HashSet<>();
  private int inFlight;
  private long splits;

  /**
   * @param maxBatch most sends per statement
   * @param store stores a batch in one statement and commit; its result maps message id → seq
   *     for the sends it stored (absent: not stored, see {@link #submit})
   */
  SendBatcher(int maxBatch, Function<List<Send>, Future<Map<Long, Long>>> store) {
    this(maxBatch, store, size -> { }, SendAdmission.NONE, () -> { });
  }

  /**
   * As {@link #SendBatcher(int, Function)}, admitting sends within {@code bounds} (each refusal
   * told to {@code refused}) and telling {@code batchSizes} the size of each batch it starts
   * (metrics).
   */
  SendBatcher(int maxBatch, Function<List<Send>, Future<Map<Long, Long>>> store, java.util.function.IntConsumer batchSizes,
              SendAdmission bounds, Runnable refused) {
    this.maxBatch = maxBatch;
    this.store = store;
    this.batchSizes = batchSizes;
    this.bounds = bounds;
    this.refused = refused;
  }

  /**
   * Queues a send. Completes with its seq once committed, or with null when the batch did not
   * store it (not a member, not verified, room gone, already stored, or the batch lost a race
   * with another node's: a unique-key conflict or a deadlock); the caller then decides that send
   * alone. Fails when the database refused this send's values (the rest of its batch is stored
   * without it) or when the database was lost.
   */
  Future<Long> submit(Send send) {
    long now = System.nanoTime();
    Queued oldest = queue.peekFirst();
    long waitedMs = oldest == null ? 0 : (now - oldest.queuedAt()) / 1_000_000L;
    if (queue.size() >= bounds.maxQueued() || waitedMs > bounds.maxWaitMs()) {
      refused.run();
      long retryMs = Math.max(100, Math.min(5_000, Math.max(waitedMs, bounds.maxWaitMs())));
      return Future.failedFuture(new ParleyException(ErrorCode.OVERLOADED, "the server is busy storing other messages: "
          + "nothing was stored, send it again (same client_msg_id) in " + retryMs + " ms",
          new JsonObject().put("retry_after_ms", retryMs).put("retry_after_s", (retryMs + 999) / 1000)));
    }
    Promise<Long> seq = Promise.promise();
    queue.addLast(new Queued(send, seq, now));
    storeNext();
    return seq.future();
  }

  /** Sends waiting to be stored (for metrics and tests). */
  int queued() {
    return queue.size();
  }

  /**
   * Starts batches while fewer than {@link #MAX_IN_FLIGHT} are being stored: each takes the
   * queued sends, in order, of rooms no batch in flight holds (so a room's sends are stored, and
   * get their seqs, in the order they came), one per (room, author, client_msg_id).
   */
  private void storeNext() {
    while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty()) {
      List<Queued> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
      Set<Long> rooms = new HashSet<>();
      Set<String> keys = new HashSet<>();
      for (java.util.Iterator<Queued> it = queue.iterator(); it.hasNext() && batch.size() < maxBatch; ) {
        Queued q = it.next();
        if (!roomsInFlight.contains(q.send().roomId()) && keys.add(q.send().key())) {
          it.remove();
          batch.add(q);
          rooms.add(q.send().roomId());
        }
      }
      if (batch.isEmpty()) {
        return; // every queued send waits for a room in flight
      }
      inFlight++;
      batchSizes.accept(batch.size());
      roomsInFlight.addAll(rooms);
      List<Send> sends = new ArrayList<>(batch.size());
      batch.forEach(q -> sends.add(q.send()));
      store.apply(sends)
          .transform(ar -> settle(batch, ar.succeeded() ? ar.result() : null, ar.cause()))
          .onComplete(done -> {
            inFlight--;
            roomsInFlight.removeAll(rooms);
            storeNext();
          });
    }
  }

  /**
   * Answers a batch's sends from its statement's outcome. A statement refused for a value one
   * send carries (not a lost race, not a lost database) is split: its sends are stored again one
   * at a time, in order, so only the send at fault is refused and each room's order and gap-free
   * seqs hold. A lost database fails every send (the caller answers a retryable code).
   */
  private Future<Void> settle(List<Queued> batch, Map<Long, Long> stored, Throwable failure) {
    if (failure == null) {
      for (Queued q : batch) {
        q.seq().complete(stored.get(q.send().messageId()));
      }
    } else if (lostRace(failure)) {
      batch.forEach(q -> q.seq().complete(null));
    } else if (batch.size() > 1 && !DatabaseOutage.isLost(failure)) {
      splits++;
      LOG.warn("a batch of {} sends was refused ({}); storing them one by one so only the send at fault is refused",
          batch.size(), failure.getMessage());
      return storeApart(batch, 0);
    } else {
      batch.forEach(q -> q.seq().fail(failure));
    }
    return Future.succeededFuture();
  }

  /** Stores the sends from {@code index} on, one statement each, one after the other. */
  private Future<Void> storeApart(List<Queued> batch, int index) {
    if (index == batch.size()) {
      return Future.succeededFuture();
    }
    Queued q = batch.get(index);
    return store.apply(List.of(q.send()))
        .transform(ar -> settle(List.of(q), ar.succeeded() ? ar.result() : null, ar.cause()))
        .compose(x -> storeApart(batch, index + 1));
  }

  /** Batches split because the statement refused one of their sends (for tests and logs). */
  long splits() {
    return splits;
  }

  /** 23505 (a concurrent statement stored the same client_msg_id first) or 40P01 (deadlock). */
  private static boolean lostRace(Throwable err) {
    return err instanceof PgException pg && ("23505".equals(pg.getSqlState()) || "40P01".equals(pg.getSqlState()));
  }
}
