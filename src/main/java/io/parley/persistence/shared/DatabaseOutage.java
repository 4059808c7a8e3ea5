package io.parley.persistence.shared;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a lost database from a bad statement, and logs each outage of the node's database once:
 * one warning when it starts, one line when it ends (with its length and how many requests it
 * refused), never a stack trace per request.
 *
 * <p>Lost: connection refused, reset or closed, a timeout waiting for a connection, a pool too
 * busy, and the SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57
 * (operator intervention: shutdown, cannot connect now, query canceled) and 58 (system error)
 * (PostgreSQL manual, appendix A). Such failures answer {@link ErrorCode#UNAVAILABLE} (HTTP 503
 * with {@code Retry-After}): the request may be retried as it is.
 *
 * <p>One per node (Vert.x instance), shared by the persistence verticle instances; thread-safe.
 */
public final class DatabaseOutage implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseOutage.class);
  /** Seconds a client is told to wait before retrying ({@code Retry-After}). */
  static final int RETRY_AFTER_S = 2;

  /** Start of the current outage in epoch ms, 0 when the database answers. */
  private final AtomicLong since = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  private DatabaseOutage() {}

  /** The node's instance. */
  public static DatabaseOutage of(Vertx vertx) {
    LocalMap<String, DatabaseOutage> map = vertx.sharedData().getLocalMap("parley.persistence");
    DatabaseOutage fresh = new DatabaseOutage();
    DatabaseOutage existing = map.putIfAbsent("outage", fresh);
    return existing == null ? fresh : existing;
  }

  /** Whether {@code err} means the database could not be reached or used, rather than a refused statement. */
  public static boolean isLost(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgException pg) {
        String state = pg.getSqlState() == null ? "" : pg.getSqlState();
        return state.startsWith("08") || state.startsWith("53") || state.startsWith("57") || state.startsWith("58");
      }
      if (t instanceof IOException || t instanceof TimeoutException || t instanceof ClosedConnectionException
          || t instanceof ConnectionPoolTooBusyException) {
        return true;
      }
      if (t instanceof VertxException && t.getMessage() != null && t.getMessage().toLowerCase().contains("closed")) {
        return true; // "Connection closed", "Pool closed" while the node stops
      }
    }
    return false;
  }

  /**
   * A request failed because the database is lost: logs the outage if it is new, counts the
   * request and returns the answer for it: {@code UNAVAILABLE} with {@code retry_after_s}.
   */
  public ParleyException failed(Throwable err) {
    refused.incrementAndGet();
    if (since.compareAndSet(0, System.currentTimeMillis())) {
      LOG.warn("database unavailable ({}): requests are answered UNAVAILABLE until it is back", describe(err));
    }
    return new ParleyException(ErrorCode.UNAVAILABLE, "the database is unavailable; retry shortly",
        new JsonObject().put("reason", "database").put("retry_after_s", RETRY_AFTER_S));
  }

  /** A request was served: ends the outage, if there was one, with one log line. */
  public void succeeded() {
    if (since.get() == 0) {
      return; // the common case: one volatile read
    }
    long start = since.getAndSet(0);
    if (start != 0) {
      LOG.warn("database available again after {} ms; {} request(s) were answered UNAVAILABLE meanwhile",
          System.currentTimeMillis() - start, refused.getAndSet(0));
    }
  }

  /** Whether an outage is going on (for health). */
  public boolean ongoing() {
    return since.get() != 0;
  }

  private static String describe(Throwable err) {
    String msg = err.getMessage();
    return err.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }
}
