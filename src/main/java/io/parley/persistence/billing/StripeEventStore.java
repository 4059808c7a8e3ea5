package io.parley.persistence.billing;

import static io.parley.bus.Addresses.BILLING_EVENT_APPLY;
import static io.parley.persistence.billing.BillingStore.one;

import io.parley.persistence.shared.Handlers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Applies verified Stripe webhook events, normalized by the billing verticle (format: the
 * {@code billing.events.apply} section of {@code docs/event-bus.md}), each in one transaction
 * with its event id: a repeated id answers {@code {applied: false}} and changes nothing.
 *
 * <p>Effects. {@code checkout.session.completed}: the session is complete, a payment keyed by
 * the session when it was paid without an invoice, the subscription it carries upserted.
 * {@code checkout.session.expired}: the session is expired. {@code customer.subscription.*}:
 * the subscription upserted, forward only (an event older than the last applied one is
 * ignored); a downgrade within the current period is scheduled ({@code scheduled_plan_id}) and
 * the plan held until the period ends; {@code deleted} sets status {@code canceled} and keeps
 * the period end, so the plan holds until then. {@code invoice.paid} / {@code
 * invoice.payment_failed}: a payment keyed by the invoice (a paid one stays paid). The user is
 * found by the Stripe customer, else by the event's user id, else by the checkout session.
 * Source of the event semantics: https://docs.stripe.com/billing/subscriptions/webhooks.
 */
public final class StripeEventStore {
  private static final List<String> GRANTING = List.of("active", "trialing", "past_due", "canceled");

  private final Pool pool;

  public StripeEventStore(Pool pool) {
    this.pool = pool;
  }

  public void register(Handlers h) {
    h.on(BILLING_EVENT_APPLY, e -> pool.withTransaction(conn -> conn.preparedQuery(BillingSql.EVENT_RECORD)
        .execute(Tuple.of(e.getString("event_id"), e.getString("type")))
        .compose(rs -> rs.size() == 0
            ? Future.succeededFuture(new JsonObject().put("applied", false))
            : userOf(conn, e).compose(user -> apply(conn, e, user)).map(new JsonObject().put("applied", true)))));
  }

  private Future<Long> userOf(SqlConnection conn, JsonObject e) {
    String customer = e.getString("customer");
    Future<Row> byCustomer = customer == null ? Future.succeededFuture(null)
        : one(conn.preparedQuery(BillingSql.USER_OF_CUSTOMER).execute(Tuple.of(customer)));
    return byCustomer.compose(r -> {
      if (r != null || e.getLong("user_id") == null) {
        return Future.succeededFuture(r);
      }
      return one(conn.preparedQuery(BillingSql.USER_EXISTS).execute(Tuple.of(e.getLong("user_id"))));
    }).compose(r -> {
      JsonObject session = e.getJsonObject("session");
      if (r != null || session == null) {
        return Future.succeededFuture(r);
      }
      return one(conn.preparedQuery(BillingSql.CHECKOUT_USER).execute(Tuple.of(session.getString("id"))));
    }).map(r -> r == null ? null : r.getLong("user_id"));
  }

  private Future<Void> apply(SqlConnection conn, JsonObject e, Long user) {
    String type = e.getString("type");
    JsonObject sub = e.getJsonObject("subscription");
    JsonObject session = e.getJsonObject("session");
    JsonObject invoice = e.getJsonObject("invoice");
    long created = e.getLong("created", 0L);
    switch (type) {
      case "checkout.session.completed": {
        Future<?> done = conn.preparedQuery(BillingSql.CHECKOUT_STATUS).execute(Tuple.of(session.getString("id"), "complete"));
        if (user != null && "paid".equals(session.getString("payment_status")) && session.getString("invoice") == null
            && session.getLong("amount_total") != null) {
          done = done.compose(x -> conn.preparedQuery(BillingSql.PAYMENT_SESSION).execute(Tuple.of(user,
              session.getLong("amount_total"), session.getString("currency", "usd"), session.getString("id"))));
        }
        return done.compose(x -> user == null || sub == null ? Future.succeededFuture() : upsert(conn, sub, user, created, false));
      }
      case "checkout.session.expired":
        return conn.preparedQuery(BillingSql.CHECKOUT_STATUS).execute(Tuple.of(session.getString("id"), "expired")).mapEmpty();
      case "customer.subscription.created":
      case "customer.subscription.updated":
      case "customer.subscription.deleted":
        return user == null || sub == null ? Future.succeededFuture()
            : upsert(conn, sub, user, created, type.endsWith(".deleted"));
      case "invoice.paid":
      case "invoice.payment_failed":
        if (user == null || invoice == null) {
          return Future.succeededFuture();
        }
        return conn.preparedQuery(BillingSql.PAYMENT_INVOICE).execute(Tuple.of(user, invoice.getLong("amount_cents", 0L),
            invoice.getString("currency", "usd"), invoice.getString("id"), type.equals("invoice.paid") ? "paid" : "failed"))
            .mapEmpty();
      default:
        return Future.succeededFuture(); // recorded, no effect
    }
  }

  /**
   * Inserts or moves the subscription forward: ignored when the event is older than the last
   * one applied or names no known plan; a smaller limit (NULL = unlimited is the largest) within
   * the period in force is scheduled for the period end; {@code deleted} keeps the period end.
   */
  private Future<Void> upsert(SqlConnection conn, JsonObject sub, long user, long created, boolean deleted) {
    String status = deleted ? "canceled" : sub.getString("status");
    OffsetDateTime start = time(sub.getLong("current_period_start"));
    OffsetDateTime end = time(sub.getLong("current_period_end"));
    boolean cancelAtEnd = sub.getBoolean("cancel_at_period_end", false);
    return one(conn.preparedQuery(BillingSql.PLAN_FOR_PRICE).execute(Tuple.of(sub.getString("price_id"), sub.getString("plan_code"))))
        .compose(plan -> {
          if (plan == null || end == null) {
            return Future.succeededFuture();
          }
          long planId = plan.getLong("id");
          return conn.preparedQuery(BillingSql.SUBSCRIPTION_INSERT).execute(Tuple.of(sub.getString("id"), user, planId, status,
                  start, end, cancelAtEnd, created))
              .compose(ins -> ins.size() > 0 ? Future.succeededFuture()
                  : one(conn.preparedQuery(BillingSql.SUBSCRIPTION_LOCK).execute(Tuple.of(sub.getString("id")))).compose(row -> {
                    if (row.getLong("event_created") > created) {
                      return Future.succeededFuture(); // out of order: state moves forward only
                    }
                    OffsetDateTime heldUntil = row.getOffsetDateTime("current_period_end");
                    boolean inForce = GRANTING.contains(row.getString("status")) && heldUntil.toInstant().isAfter(Instant.now());
                    boolean samePeriod = !end.isAfter(heldUntil);
                    boolean downgrade = smaller(plan.getInteger("lim"), row.getInteger("lim"));
                    long planNow = inForce && samePeriod && downgrade ? row.getLong("plan_id") : planId;
                    Long scheduled = planNow == planId ? null : planId;
                    OffsetDateTime periodEnd = deleted ? heldUntil : end;
                    return conn.preparedQuery(BillingSql.SUBSCRIPTION_UPDATE).execute(Tuple.of(row.getLong("id"), planNow,
                        scheduled, status, deleted ? null : start, periodEnd, cancelAtEnd, created));
                  }))
              .mapEmpty();
        });
  }

  /** Whether limit {@code a} is smaller than {@code b} (null = unlimited, the largest). */
  private static boolean smaller(Integer a, Integer b) {
    return a != null && (b == null || a < b);
  }

  private static OffsetDateTime time(Long unixSeconds) {
    return unixSeconds == null ? null : OffsetDateTime.ofInstant(Instant.ofEpochSecond(unixSeconds), ZoneOffset.UTC);
  }
}
