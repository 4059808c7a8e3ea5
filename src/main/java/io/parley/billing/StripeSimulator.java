package io.parley.billing;

import io.parley.bus.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The development Stripe (no {@code PARLEY_STRIPE_SECRET_KEY}): customers, checkout sessions and
 * subscriptions kept in a cluster-wide map (a session made on one node can be paid on another).
 * Checkout URLs point at Parley's own page {@code /dev/billing/checkout/{id}}; paying a session
 * ({@link #complete}) makes a subscription and POSTs correctly signed events
 * ({@code checkout.session.completed}, {@code customer.subscription.created},
 * {@code invoice.paid}, as Stripe would: https://docs.stripe.com/billing/subscriptions/build-subscriptions)
 * as raw bytes to Parley's webhook URL, so the real webhook path runs. The portal is the page
 * {@code /dev/billing/portal/{customer}}, whose "Cancel at period end" sends a signed
 * {@code customer.subscription.updated} ({@link #cancelAtPeriodEnd}).
 */
final class StripeSimulator implements StripeGateway {
  private static final String MAP = "parley.stripe-simulator";

  private final Vertx vertx;
  private final String publicUrl;
  private final String webhookSecret;
  private final HttpClient http;

  StripeSimulator(Vertx vertx, String publicUrl, String webhookSecret) {
    this.vertx = vertx;
    this.publicUrl = publicUrl;
    this.webhookSecret = webhookSecret;
    this.http = vertx.createHttpClient();
  }

  @Override
  public Future<String> createCustomer(long userId, String email, String idempotencyKey) {
    return Future.succeededFuture("cus_sim_" + random());
  }

  @Override
  public Future<JsonObject> createCheckoutSession(Checkout co) {
    String id = "cs_sim_" + random();
    JsonObject session = new JsonObject().put("id", id).put("object", "checkout.session").put("mode", "subscription")
        .put("status", "open").put("payment_status", "unpaid").put("customer", co.customerId())
        .put("client_reference_id", String.valueOf(co.userId())).put("plan", co.plan())
        .put("amount_total", co.plan().getLong("price_cents")).put("currency", co.plan().getString("currency"))
        .put("success_url", co.successUrl()).put("cancel_url", co.cancelUrl())
        .put("metadata", new JsonObject().put("user_id", String.valueOf(co.userId())).put("plan_code", co.plan().getString("code")))
        .put("url", publicUrl + "/dev/billing/checkout/" + id);
    return map().compose(m -> m.put(id, session)).map(session);
  }

  @Override
  public Future<String> createPortalSession(String customerId, String returnUrl, String idempotencyKey) {
    return Future.succeededFuture(publicUrl + "/dev/billing/portal/" + customerId);
  }

  @Override
  public Future<JsonObject> retrieveSubscription(String subscriptionId) {
    return map().compose(m -> m.get(subscriptionId)).map(s -> {
      if (s == null) {
        throw ParleyException.notFound("subscription");
      }
      return (JsonObject) s;
    });
  }

  /** The session as the dev page shows it: {session_id, status, plan, success_url, cancel_url}. */
  Future<JsonObject> session(String sessionId) {
    return map().compose(m -> m.get(sessionId)).map(o -> {
      if (!(o instanceof JsonObject s) || !"checkout.session".equals(s.getString("object"))) {
        throw ParleyException.notFound("checkout session");
      }
      return new JsonObject().put("session_id", sessionId).put("status", s.getString("status")).put("plan", s.getJsonObject("plan"))
          .put("success_url", s.getString("success_url").replace("{CHECKOUT_SESSION_ID}", sessionId))
          .put("cancel_url", s.getString("cancel_url"));
    });
  }

  /**
   * Pays an open session: a subscription for one period of the plan, then the signed events to
   * {@code webhookUrl}, one after the other; answers {session_id, status}. A session paid before
   * answers as it is, sending nothing.
   */
  Future<JsonObject> complete(String sessionId, String webhookUrl) {
    return map().compose(m -> m.get(sessionId).compose(o -> {
      if (!(o instanceof JsonObject session) || !"checkout.session".equals(session.getString("object"))) {
        return Future.failedFuture(ParleyException.notFound("checkout session"));
      }
      if (!"open".equals(session.getString("status"))) {
        return Future.succeededFuture(new JsonObject().put("session_id", sessionId).put("status", session.getString("status")));
      }
      JsonObject plan = session.getJsonObject("plan");
      long now = System.currentTimeMillis() / 1000;
      String subId = "sub_sim_" + random();
      String invoiceId = "in_sim_" + random();
      String priceId = plan.getString("stripe_price_id") != null ? plan.getString("stripe_price_id") : "price_sim_" + plan.getString("code");
      JsonObject sub = new JsonObject().put("id", subId).put("object", "subscription").put("customer", session.getString("customer"))
          .put("status", "active").put("cancel_at_period_end", false).put("metadata", session.getJsonObject("metadata"))
          .put("items", new JsonObject().put("object", "list").put("data", new JsonArray().add(new JsonObject()
              .put("id", "si_sim_" + random()).put("object", "subscription_item")
              .put("current_period_start", now).put("current_period_end", now + plan.getLong("interval_days") * 86_400)
              .put("price", new JsonObject().put("id", priceId).put("object", "price")
                  .put("metadata", new JsonObject().put("plan_code", plan.getString("code")))))));
      session.put("status", "complete").put("payment_status", "paid").put("subscription", subId).put("invoice", invoiceId);
      JsonObject invoice = new JsonObject().put("id", invoiceId).put("object", "invoice").put("customer", session.getString("customer"))
          .put("subscription", subId).put("status", "paid").put("amount_paid", plan.getLong("price_cents"))
          .put("amount_due", plan.getLong("price_cents")).put("currency", plan.getString("currency"));
      JsonObject sessionEvent = session.copy();
      sessionEvent.remove("plan");
      List<JsonObject> events = List.of(event("checkout.session.completed", sessionEvent, now),
          event("customer.subscription.created", sub, now), event("invoice.paid", invoice, now));
      return m.put(subId, sub).compose(x -> m.put(sessionId, session)).compose(x -> post(webhookUrl, events))
          .map(new JsonObject().put("session_id", sessionId).put("status", "complete"));
    }));
  }

  /**
   * Sets cancel_at_period_end on the customer's subscriptions made here and sends each a signed
   * update; answers {canceled: n}. {@code dryRun}: only counts them.
   */
  Future<JsonObject> cancelAtPeriodEnd(String customerId, boolean dryRun, String webhookUrl) {
    return map().compose(m -> m.entries().compose(all -> {
      List<JsonObject> events = new ArrayList<>();
      List<Future<Void>> saved = new ArrayList<>();
      long now = System.currentTimeMillis() / 1000;
      for (Object o : all.values()) {
        if (o instanceof JsonObject s && "subscription".equals(s.getString("object")) && customerId.equals(s.getString("customer"))
            && !s.getBoolean("cancel_at_period_end", false)) {
          if (dryRun) {
            events.add(s);
            continue;
          }
          s.put("cancel_at_period_end", true);
          saved.add(m.put(s.getString("id"), s));
          events.add(event("customer.subscription.updated", s, now));
        }
      }
      return Future.all(saved).compose(x -> dryRun ? Future.<Void>succeededFuture() : post(webhookUrl, events)).map(new JsonObject().put("canceled", events.size()));
    }));
  }

  private static JsonObject event(String type, JsonObject object, long created) {
    return new JsonObject().put("id", "evt_sim_" + random()).put("object", "event").put("api_version", com.stripe.Stripe.API_VERSION)
        .put("created", created).put("type", type).put("livemode", false)
        .put("data", new JsonObject().put("object", object));
  }

  /** POSTs the events in order, each signed over its exact bytes; fails when one is not answered 200. */
  private Future<Void> post(String url, List<JsonObject> events) {
    Future<Void> chain = Future.succeededFuture();
    for (JsonObject e : events) {
      chain = chain.compose(x -> {
        String payload = e.encode();
        return http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url))
            .compose(req -> req.putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("Stripe-Signature", StripeSignature.header(payload, webhookSecret, System.currentTimeMillis() / 1000))
                .send(Buffer.buffer(payload)))
            .compose(r -> r.body().compose(body -> r.statusCode() == 200 ? Future.<Void>succeededFuture()
                : Future.failedFuture(new IllegalStateException("webhook answered " + r.statusCode() + ": " + body))));
      });
    }
    return chain;
  }

  private Future<AsyncMap<String, Object>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }

  private static String random() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 24);
  }
}
