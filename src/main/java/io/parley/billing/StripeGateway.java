package io.parley.billing;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The few Stripe API calls Parley makes, as futures: {@link StripeApi} (stripe-java on worker
 * threads against {@code billing.stripe_api_base}) or the in-process {@link StripeSimulator}.
 * Objects are answered as Stripe's own JSON (https://docs.stripe.com/api).
 */
interface StripeGateway {
  /** Creates a customer (metadata user_id); the key makes a retry answer the same customer. Answers its id ({@code cus_…}). */
  Future<String> createCustomer(long userId, String email, String idempotencyKey);

  /** Creates a Checkout Session in subscription mode; answers Stripe's session JSON ({@code id}, {@code url}). */
  Future<JsonObject> createCheckoutSession(Checkout checkout);

  /** Creates a customer portal session; answers its {@code url}. */
  Future<String> createPortalSession(String customerId, String returnUrl, String idempotencyKey);

  /** Reads a subscription back; answers Stripe's subscription JSON. */
  Future<JsonObject> retrieveSubscription(String subscriptionId);

  /**
   * What a Checkout Session is made of: the customer, the user (client_reference_id and the
   * subscription's metadata user_id), the plan JSON (its stripe_price_id, else price_data built
   * from price_cents, currency and interval_days; metadata plan_code), the return URLs.
   */
  record Checkout(long userId, String customerId, JsonObject plan, String successUrl, String cancelUrl,
      String idempotencyKey) {}
}
