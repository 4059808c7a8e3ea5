package io.parley.gateway;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Admission control at the gateway: bounds the {@code message.send} frames of one node that are
 * in flight (read, not yet answered with {@code message.ack} or an error) so that a node past its
 * capacity refuses the excess at once with {@code OVERLOADED} instead of queueing it in front of
 * the rate limiter, the bus and the database, where it would wait for seconds and then time out.
 *
 * <p>The bound follows Little's law (in flight = throughput × latency): every second it becomes
 * the most sends answered in one second over the last {@value #WINDOW_S} seconds (the node's
 * recent capacity, so a momentary dip does not shrink the bound and feed on itself) times
 * {@code targetLatencyMs}, and never less than {@code minInFlight} (a cold or idle node). So a
 * node that answers 2,000 sends a second may hold 1,000 at a 500 ms target, and one that
 * answers 20,000 may hold 10,000: the bound only bites when sends would wait longer than the
 * target. The persistence verticle's own bound
 * ({@code persistence.send_queue_max_wait_ms}) still guards the database queue behind it.
 *
 * <p>Node-wide and thread-safe: an atomic count and a {@link LongAdder}, touched once per send.
 */
final class SendPressure {
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder answered = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final int minInFlight;
  private final long targetLatencyMs;
  private volatile int limit;
  /** Seconds of answered counts the bound is taken from. */
  static final int WINDOW_S = 5;
  private final long[] perSecond = new long[WINDOW_S];
  private int second;

  /**
   * @param minInFlight the bound when few sends were answered lately (at least 1)
   * @param targetLatencyMs how long an admitted send should wait at most, ms; also the retry delay given
   */
  SendPressure(Vertx vertx, int minInFlight, long targetLatencyMs) {
    this.minInFlight = Math.max(1, minInFlight);
    this.targetLatencyMs = Math.max(1, targetLatencyMs);
    this.limit = this.minInFlight;
    vertx.setPeriodic(1000, t -> retune());
  }

  /** Sets the bound from the busiest recent second's answered sends (Little's law), at least {@code minInFlight}. */
  void retune() {
    perSecond[second++ % WINDOW_S] = answered.sumThenReset();
    long busiest = 0;
    for (long n : perSecond) {
      busiest = Math.max(busiest, n);
    }
    limit = (int) Math.min(Integer.MAX_VALUE, Math.max(minInFlight, busiest * targetLatencyMs / 1000));
  }

  /**
   * Admits one send (the caller must call {@link #answered} once when it is answered, whatever
   * the answer), or returns the {@code OVERLOADED} error to answer it with, nothing done for it.
   */
  ParleyException admit() {
    if (inFlight.incrementAndGet() <= limit) {
      return null;
    }
    inFlight.decrementAndGet();
    refused.increment();
    return new ParleyException(ErrorCode.OVERLOADED, "this node is answering as many sends as it can: nothing was "
        + "stored, send it again (same client_msg_id) in " + targetLatencyMs + " ms",
        new JsonObject().put("retry_after_ms", targetLatencyMs).put("retry_after_s", (targetLatencyMs + 999) / 1000));
  }

  /** An admitted send was answered (ack or error). */
  void answered() {
    inFlight.decrementAndGet();
    answered.increment();
  }

  /** Sends in flight now, and the bound (tests, metrics). */
  int inFlight() {
    return inFlight.get();
  }

  int limit() {
    return limit;
  }

  /** Sends refused since the node started. */
  long refused() {
    return refused.sum();
  }
}
