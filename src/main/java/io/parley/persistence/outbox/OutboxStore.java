package io.parley.persistence.outbox;

import static io.parley.bus.Addresses.MAIL_OUTBOX_READY;
import static io.parley.bus.Addresses.OUTBOX_CLAIM;
import static io.parley.bus.Addresses.OUTBOX_SETTLE;
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
 * ({@code outbox.claim}, {@code outbox.settle}), so a restart or an SMTP
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
    h.on(OUTBOX_SETTLE, this::settle);
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

  /**
   * {sent: [{id, attempts}], failed: [{id, attempts, error, retry_in_s?}]} → {}: one statement for
   * the sent mail (its link token is cleared from the row) and one for the failed: pending again
   * after retry_in_s, or failed (given up) without it. A row claimed again since is left alone.
   */
  private Future<JsonObject> settle(JsonObject b) {
    JsonArray sent = b.getJsonArray("sent", new JsonArray());
    JsonArray failed = b.getJsonArray("failed", new JsonArray());
    Future<Void> sentDone = Future.succeededFuture();
    if (!sent.isEmpty()) {
      Long[] ids = new Long[sent.size()];
      Integer[] attempts = new Integer[sent.size()];
      for (int i = 0; i < sent.size(); i++) {
        ids[i] = sent.getJsonObject(i).getLong("id");
        attempts[i] = sent.getJsonObject(i).getInteger("attempts");
      }
      sentDone = pool.preparedQuery(OutboxSql.OUTBOX_SENT).execute(Tuple.tuple().addArrayOfLong(ids).addArrayOfInteger(attempts)).mapEmpty();
    }
    Future<Void> failedDone = Future.succeededFuture();
    if (!failed.isEmpty()) {
      int n = failed.size();
      Long[] ids = new Long[n];
      Integer[] attempts = new Integer[n];
      String[] errors = new String[n];
      Double[] retries = new Double[n];
      for (int i = 0; i < n; i++) {
        JsonObject f = failed.getJsonObject(i);
        ids[i] = f.getLong("id");
        attempts[i] = f.getInteger("attempts");
        errors[i] = f.getString("error");
        retries[i] = f.getDouble("retry_in_s");
      }
      failedDone = pool.preparedQuery(OutboxSql.OUTBOX_FAILED).execute(Tuple.tuple().addArrayOfLong(ids).addArrayOfInteger(attempts)
          .addArrayOfString(errors).addArrayOfDouble(retries)).mapEmpty();
    }
    return Future.all(sentDone, failedDone).map(x -> new JsonObject());
  }

  /** {} → {pending, failed}: the outbox's mail not sent yet and given up on (the mail verticle's gauges). */
  private Future<JsonObject> stats(JsonObject b) {
    return pool.query(OutboxSql.OUTBOX_STATS).execute().map(rs -> {
      Row r = rs.iterator().next();
      return new JsonObject().put("pending", r.getLong("pending")).put("failed", r.getLong("failed"));
    });
  }
}
