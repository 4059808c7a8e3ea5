package io.parley.persistence.outbox;

import static io.parley.bus.Addresses.MAIL_OUTBOX_READY;
import static io.parley.bus.Addresses.OUTBOX_CLAIM;
import static io.parley.bus.Addresses.OUTBOX_FAILED;
import static io.parley.bus.Addresses.OUTBOX_SENT;
import static io.parley.bus.Addresses.OUTBOX_STATS;

import io.parley.persistence.shared.Handlers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * The durable mail outbox: mail is queued inside the transaction of the change that causes it
 * ({@link #queue}), and the mail verticle claims, sends and settles it over the bus
 * ({@code outbox.claim}, {@code outbox.sent}, {@code outbox.failed}), so a restart or an SMTP
 * outage loses no mail; {@code outbox.stats} counts what waits and what failed, for metrics.
 */
public final class OutboxStore {
  private final Vertx vertx;
  private final Pool pool;

  public OutboxStore(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public void register(Handlers h) {
    h.on(OUTBOX_CLAIM, this::claim);
    h.on(OUTBOX_SENT, this::sent);
    h.on(OUTBOX_FAILED, this::failed);
    h.on(OUTBOX_STATS, this::stats);
  }

  /**
   * Queues a mail of {@code template} to {@code user} inside {@code conn}'s transaction;
   * {@code params} gets the user's username and id. Call {@link #ready} after the commit.
   */
  public Future<Void> queue(SqlConnection conn, String template, JsonObject user, JsonObject params) {
    params.put("username", user.getString("username")).put("user_id", user.getLong("id"));
    return conn.preparedQuery(OutboxSql.OUTBOX_INSERT).execute(Tuple.of(template, user.getString("email"), params)).mapEmpty();
  }

  /** Tells the mail verticles that the outbox has new mail (after the commit that queued it). */
  public void ready() {
    vertx.eventBus().publish(MAIL_OUTBOX_READY, new JsonObject());
  }

  /** {limit, lease_s} → {items: [{id, template, to_address, params, attempts}]}. */
  private Future<JsonObject> claim(JsonObject b) {
    return pool.preparedQuery(OutboxSql.OUTBOX_CLAIM).execute(Tuple.of(b.getInteger("limit", 10), b.getInteger("lease_s", 60)))
        .map(rs -> {
          JsonArray items = new JsonArray();
          for (Row r : rs) {
            Object params = r.getValue("params");
            items.add(new JsonObject().put("id", r.getLong("id")).put("template", r.getString("template"))
                .put("to_address", r.getString("to_address"))
                .put("params", params instanceof JsonObject p ? p : new JsonObject())
                .put("attempts", r.getInteger("attempts")));
          }
          return new JsonObject().put("items", items);
        });
  }

  /** {id, attempts}: sent; its link token is cleared from the row. */
  private Future<JsonObject> sent(JsonObject b) {
    return pool.preparedQuery(OutboxSql.OUTBOX_SENT).execute(Tuple.of(b.getLong("id"), b.getInteger("attempts")))
        .map(rs -> new JsonObject());
  }

  /** {id, error, attempts, retry_in_s?}: back to pending for a later attempt, or failed when retry_in_s is absent. */
  private Future<JsonObject> failed(JsonObject b) {
    return pool.preparedQuery(OutboxSql.OUTBOX_FAILED)
        .execute(Tuple.of(b.getLong("id"), b.getString("error"), b.getDouble("retry_in_s"), b.getInteger("attempts")))
        .map(rs -> new JsonObject());
  }

  /** {} → {pending, failed}: the outbox's mail not sent yet and given up on (the mail verticle's gauges). */
  private Future<JsonObject> stats(JsonObject b) {
    return pool.query(OutboxSql.OUTBOX_STATS).execute().map(rs -> {
      Row r = rs.iterator().next();
      return new JsonObject().put("pending", r.getLong("pending")).put("failed", r.getLong("failed"));
    });
  }
}
