package io.parley.billing;

import static io.parley.bus.Addresses.*;

import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Starting payments: Checkout Sessions and customer portal sessions for a user, with the user's
 * Stripe customer made once ({@code parley-customer-<user id>}) and stored by persistence.
 * Sources: https://docs.stripe.com/api/checkout/sessions/create,
 * https://docs.stripe.com/api/customer_portal/sessions/create.
 */
final class Checkouts {
  private final Bus bus;
  private final StripeGateway stripe;
  private final String successUrl;
  private final String cancelUrl;
  private final String returnUrl;

  Checkouts(Bus bus, StripeGateway stripe, String successUrl, String cancelUrl, String returnUrl) {
    this.bus = bus;
    this.stripe = stripe;
    this.successUrl = successUrl;
    this.cancelUrl = cancelUrl;
    this.returnUrl = returnUrl;
  }

  /**
   * {user_id, plan_code} → {checkout_url, session_id}. NOT_FOUND for an unknown or inactive
   * plan, VALIDATION_FAILED for the free plan, CONFLICT when the plan is already in force or
   * another paid subscription will renew ({@code details.use = "portal"}: change plans there).
   */
  Future<JsonObject> checkout(JsonObject b, String requestId) {
    long userId = b.getLong("user_id");
    String code = b.getString("plan_code");
    return bus.request(BILLING_PLAN, new JsonObject().put("code", code), requestId).compose(plan -> {
      if ("free".equals(plan.getString("code")) || plan.getLong("price_cents", 0L) <= 0) {
        return Future.failedFuture(ParleyException.invalid("plan_code", "the free plan needs no checkout"));
      }
      return bus.request(BILLING_SUBSCRIPTION, new JsonObject().put("user_id", userId), requestId).compose(sub -> {
        if (!"none".equals(sub.getString("status")) && code.equals(sub.getJsonObject("plan").getString("code"))) {
          return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "you are already on this plan",
              new JsonObject().put("field", "plan_code")));
        }
        if (renewing(sub)) {
          // a second subscription would be billed beside the first: plans change in the portal
          return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT,
              "you have a running subscription: change your plan in the billing portal",
              new JsonObject().put("field", "plan_code").put("use", "portal")));
        }
        return customer(userId, requestId);
      }).compose(customer -> stripe.createCheckoutSession(new StripeGateway.Checkout(userId, customer, plan, successUrl, cancelUrl,
          "parley-checkout-" + userId + "-" + code + "-" + requestId)))
          .compose(session -> bus.request(BILLING_CHECKOUT_SAVE, new JsonObject().put("session_id", session.getString("id"))
                  .put("user_id", userId).put("plan_code", code), requestId)
              .map(x -> new JsonObject().put("checkout_url", session.getString("url")).put("session_id", session.getString("id"))));
    });
  }

  /** Whether a paid subscription is in force and will renew (not cancelled, not ending at its period end). */
  private static boolean renewing(JsonObject sub) {
    String status = sub.getString("status");
    return ("active".equals(status) || "trialing".equals(status) || "past_due".equals(status))
        && !sub.getBoolean("cancel_at_period_end", false);
  }

  /** {user_id} → {portal_url}: the customer portal of the user's customer (made first when there is none). */
  Future<JsonObject> portal(JsonObject b, String requestId) {
    long userId = b.getLong("user_id");
    return customer(userId, requestId)
        .compose(customer -> stripe.createPortalSession(customer, returnUrl, "parley-portal-" + userId + "-" + requestId))
        .map(url -> new JsonObject().put("portal_url", url));
  }

  /** The user's Stripe customer id: the stored one, else one made (deterministic key) and stored once. */
  private Future<String> customer(long userId, String requestId) {
    JsonObject user = new JsonObject().put("user_id", userId);
    return bus.request(BILLING_CUSTOMER_GET, user, requestId).compose(c -> {
      if (c.getString("customer_id") != null) {
        return Future.succeededFuture(c.getString("customer_id"));
      }
      return stripe.createCustomer(userId, c.getString("email"), "parley-customer-" + userId)
          .compose(id -> bus.request(BILLING_CUSTOMER_SAVE, user.copy().put("customer_id", id), requestId))
          .map(saved -> saved.getString("customer_id"));
    });
  }
}
