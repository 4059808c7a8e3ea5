package io.parley.limits;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node's limiters reach their Redis, shared by every limiter of the node (the API
 * instances and the gateway), so that an outage is logged once when it starts and once when it
 * ends, never per request.
 *
 * <p>While Redis is unreachable the limits fail open: checks answer "allowed" at once without
 * asking Redis, except one probe at most every {@value #PROBE_INTERVAL_MS} ms, whose success ends
 * the outage. So a dead Redis costs requests no time and cannot refuse traffic.
 */
public final class LimiterHealth implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(LimiterHealth.class);
  /** Least time between two probes of an unreachable Redis, ms. */
  static final long PROBE_INTERVAL_MS = 1000;

  private final AtomicBoolean degraded = new AtomicBoolean();
  private final AtomicLong lastProbe = new AtomicLong();

  private LimiterHealth() {}

  /** The node's (one per Vert.x instance). */
  public static LimiterHealth of(Vertx vertx) {
    LocalMap<String, LimiterHealth> map = vertx.sharedData().getLocalMap("parley.limits");
    LimiterHealth fresh = new LimiterHealth();
    LimiterHealth existing = map.putIfAbsent("health", fresh);
    return existing == null ? fresh : existing;
  }

  /** True while the limiters cannot reach Redis (limits are not enforced). */
  public boolean degraded() {
    return degraded.get();
  }

  /**
   * Whether a check should skip Redis now: during an outage, yes, except for the one caller that
   * claims the next probe (at most one every {@value #PROBE_INTERVAL_MS} ms).
   */
  boolean skip() {
    if (!degraded.get()) {
      return false;
    }
    long now = System.currentTimeMillis();
    long last = lastProbe.get();
    return now - last < PROBE_INTERVAL_MS || !lastProbe.compareAndSet(last, now);
  }

  /** Redis answered: ends an outage (logged once). */
  void reached() {
    if (degraded.compareAndSet(true, false)) {
      LOG.warn("rate limits: Redis answers again; limits are enforced again");
    }
  }

  /** Redis did not answer: starts an outage (logged once); limits fail open until it ends. */
  void unreachable(Throwable err) {
    lastProbe.set(System.currentTimeMillis());
    if (degraded.compareAndSet(false, true)) {
      LOG.warn("rate limits: Redis unreachable ({}); limits are NOT enforced (failing open) until it answers again",
          err.getMessage());
    }
  }
}
