package io.parley.billing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Turns a verified Stripe event (its raw JSON, read by us: the objects parse whatever the event's
 * {@code api_version}, unlike stripe-java's typed deserializer, stripe-java#771) into the
 * normalized event of {@code billing.events.apply} ({@code docs/event-bus.md}):
 * {event_id, type, created, customer, user_id, session?, subscription?, invoice?, subscription_id?}.
 * Source of the object shapes: https://docs.stripe.com/api/events/types.
 */
final class StripeEvents {
  private StripeEvents() {}

  /** The normalized event; for a completed session its subscription is only named ({@code subscription_id}). */
  static JsonObject normalize(JsonObject event) {
    JsonObject o = event.getJsonObject("data", new JsonObject()).getJsonObject("object", new JsonObject());
    String type = event.getString("type", "");
    JsonObject n = new JsonObject().put("event_id", event.getString("id")).put("type", type)
        .put("created", event.getLong("created", 0L)).put("customer", id(o.getValue("customer")));
    if (type.startsWith("checkout.session.")) {
      n.put("user_id", userId(o.getString("client_reference_id"), o.getJsonObject("metadata")))
          .put("subscription_id", id(o.getValue("subscription")))
          .put("session", new JsonObject().put("id", o.getString("id")).put("payment_status", o.getString("payment_status"))
              .put("amount_total", o.getLong("amount_total")).put("currency", o.getString("currency"))
              .put("invoice", id(o.getValue("invoice"))));
    } else if (type.startsWith("customer.subscription.")) {
      JsonObject sub = subscription(o);
      n.put("user_id", sub.getLong("user_id")).put("subscription", sub);
    } else if (type.startsWith("invoice.")) {
      boolean paid = type.equals("invoice.paid");
      n.put("invoice", new JsonObject().put("id", o.getString("id"))
          .put("amount_cents", o.getLong(paid ? "amount_paid" : "amount_due", 0L)).put("currency", o.getString("currency")));
    }
    return n;
  }

  /**
   * A subscription object → {id, status, current_period_start, current_period_end (unix s),
   * cancel_at_period_end, price_id, plan_code, user_id}. The period is read from the subscription
   * or, since API version 2025-03-31, from its first item; plan_code from the price's metadata or
   * the subscription's.
   */
  static JsonObject subscription(JsonObject s) {
    JsonArray items = s.getJsonObject("items", new JsonObject()).getJsonArray("data", new JsonArray());
    JsonObject item = items.isEmpty() ? new JsonObject() : items.getJsonObject(0);
    JsonObject price = item.getJsonObject("price", new JsonObject());
    JsonObject metadata = s.getJsonObject("metadata", new JsonObject());
    String planCode = price.getJsonObject("metadata", new JsonObject()).getString("plan_code", metadata.getString("plan_code"));
    return new JsonObject().put("id", s.getString("id")).put("status", s.getString("status"))
        .put("current_period_start", either(s.getLong("current_period_start"), item.getLong("current_period_start")))
        .put("current_period_end", either(s.getLong("current_period_end"), item.getLong("current_period_end")))
        .put("cancel_at_period_end", s.getBoolean("cancel_at_period_end", false))
        .put("price_id", price.getString("id")).put("plan_code", planCode)
        .put("user_id", userId(null, metadata));
  }

  private static Long either(Long a, Long b) {
    return a != null ? a : b;
  }

  /** An id field that may be expanded into its object. */
  private static String id(Object v) {
    return v instanceof JsonObject o ? o.getString("id") : v instanceof String s ? s : null;
  }

  private static Long userId(String reference, JsonObject metadata) {
    String raw = reference != null ? reference : metadata == null ? null : metadata.getString("user_id");
    try {
      return raw == null ? null : Long.parseLong(raw);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
