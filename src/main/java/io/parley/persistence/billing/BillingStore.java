package io.parley.persistence.billing;

import static io.parley.bus.Addresses.*;

import io.parley.bus.ParleyException;
import io.parley.persistence.shared.Handlers;
import io.parley.persistence.shared.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * Plans, a user's subscription in force and today's usage, Stripe customers (one per user) and
 * checkout sessions. Webhook effects are {@link StripeEventStore}'s. Shapes in
 * {@code docs/event-bus.md} (billing) and {@code openapi.yaml} (Plan, Subscription, Usage).
 */
public final class BillingStore {
  private final Pool pool;

  public BillingStore(Pool pool) {
    this.pool = pool;
  }

  public void register(Handlers h) {
    h.on(BILLING_PLANS, b -> pool.query(BillingSql.PLANS_ACTIVE).execute().map(rs -> {
      JsonArray items = new JsonArray();
      rs.forEach(r -> items.add(plan(r)));
      return new JsonObject().put("items", items);
    }));
    h.on(BILLING_PLAN, b -> one(pool.preparedQuery(BillingSql.PLAN_BY_CODE).execute(Tuple.of(b.getString("code"))))
        .map(r -> {
          if (r == null) {
            throw new ParleyException(io.parley.bus.ErrorCode.NOT_FOUND, "plan not found",
                new JsonObject().put("field", "plan_code"));
          }
          return plan(r);
        }));
    h.on(BILLING_SUBSCRIPTION, this::subscription);
    h.on(BILLING_USAGE, this::usage);
    h.on(BILLING_CUSTOMER_GET, b -> one(pool.preparedQuery(BillingSql.CUSTOMER_OF).execute(Tuple.of(b.getLong("user_id"))))
        .map(r -> {
          if (r == null) {
            throw ParleyException.notFound("user");
          }
          return new JsonObject().put("email", r.getString("email")).put("customer_id", r.getString("customer_id"));
        }));
    h.on(BILLING_CUSTOMER_SAVE, b -> {
      Tuple user = Tuple.of(b.getLong("user_id"));
      return pool.preparedQuery(BillingSql.CUSTOMER_SAVE).execute(Tuple.of(b.getLong("user_id"), b.getString("customer_id")))
          .compose(x -> one(pool.preparedQuery(BillingSql.CUSTOMER_STORED).execute(user)))
          .map(r -> {
            if (r == null) { // the customer id is another user's
              throw new ParleyException(io.parley.bus.ErrorCode.CONFLICT, "this Stripe customer belongs to another user");
            }
            return new JsonObject().put("customer_id", r.getString("customer_id"));
          });
    });
    h.on(BILLING_CHECKOUT_SAVE, b -> pool.preparedQuery(BillingSql.CHECKOUT_SAVE)
        .execute(Tuple.of(b.getString("session_id"), b.getLong("user_id"), b.getString("plan_code")))
        .map(rs -> new JsonObject()));
    h.on(BILLING_CHECKOUT_GET, this::checkout);
  }

  /** The plan JSON: {id, code, name, price_cents, currency, interval_days, daily_message_limit, daily_assistant_limit, stripe_price_id}. */
  static JsonObject plan(Row r) {
    return new JsonObject().put("id", r.getLong("id")).put("code", r.getString("code")).put("name", r.getString("name"))
        .put("price_cents", r.getInteger("price_cents")).put("currency", r.getString("currency"))
        .put("interval_days", r.getInteger("interval_days")).put("daily_message_limit", r.getInteger("daily_message_limit"))
        .put("daily_assistant_limit", r.getInteger("daily_assistant_limit"))
        .put("stripe_price_id", r.getString("stripe_price_id"));
  }

  /**
   * {user_id} → {plan, status, current_period_end, cancel_at_period_end}: the granting
   * subscription with the largest limit; without one the free plan with status {@code none}.
   */
  private Future<JsonObject> subscription(JsonObject b) {
    return one(pool.preparedQuery(BillingSql.SUBSCRIPTION_IN_FORCE).execute(Tuple.of(b.getLong("user_id")))).compose(r -> {
      if (r != null) {
        return Future.succeededFuture(new JsonObject().put("plan", plan(r)).put("status", r.getString("status"))
            .put("current_period_end", Rows.ts(r.getOffsetDateTime("current_period_end")))
            .put("cancel_at_period_end", r.getBoolean("cancel_at_period_end")));
      }
      return one(pool.query(BillingSql.FREE_PLAN).execute()).map(free -> new JsonObject().put("plan", plan(free))
          .put("status", "none").putNull("current_period_end").put("cancel_at_period_end", false));
    });
  }

  /**
   * {user_id} → {date, messages_sent, daily_message_limit, remaining, resets_at}: the UTC day;
   * limit and remaining null when unlimited; resets_at the next UTC midnight.
   */
  private Future<JsonObject> usage(JsonObject b) {
    return one(pool.preparedQuery(BillingSql.USAGE).execute(Tuple.of(b.getLong("user_id")))).map(r -> {
      long sent = r.getLong("sent");
      Integer limit = r.getInteger("lim");
      return new JsonObject().put("date", r.getString("day")).put("messages_sent", sent).put("daily_message_limit", limit)
          .put("remaining", limit == null ? null : Math.max(0, limit - sent))
          .put("resets_at", Rows.ts(r.getOffsetDateTime("resets_at")));
    });
  }

  /**
   * {session_id, user_id?} → {session_id, status, plan_code, user_id, plan}; NOT_FOUND when
   * there is no such session or it belongs to another user than {@code user_id}.
   */
  private Future<JsonObject> checkout(JsonObject b) {
    return one(pool.preparedQuery(BillingSql.CHECKOUT_GET).execute(Tuple.of(b.getString("session_id")))).map(r -> {
      Long owner = r == null ? null : r.getLong("user_id");
      if (owner == null || (b.getLong("user_id") != null && !owner.equals(b.getLong("user_id")))) {
        throw ParleyException.notFound("checkout session");
      }
      return new JsonObject().put("session_id", r.getString("session_id")).put("status", r.getString("status"))
          .put("plan_code", r.getString("code")).put("user_id", owner).put("plan", plan(r));
    });
  }

  /** The first row, or null. */
  static Future<Row> one(Future<RowSet<Row>> rows) {
    return rows.map(rs -> rs.iterator().hasNext() ? rs.iterator().next() : null);
  }
}
