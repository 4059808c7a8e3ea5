package io.parley.billing;

import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.model.Subscription;
import com.stripe.net.RequestOptions;
import com.stripe.net.StripeResponse;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import com.stripe.param.checkout.SessionCreateParams.LineItem;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stripe's API through stripe-java: one {@link StripeClient} with the secret key and
 * {@code billing.stripe_api_base} (never the global static configuration), every call on a worker
 * thread ({@code executeBlocking}, unordered) with a deterministic idempotency key where it
 * creates something. A failed call answers {@link ErrorCode#UNAVAILABLE} (503), logged.
 */
final class StripeApi implements StripeGateway {
  private static final Logger LOG = LoggerFactory.getLogger(StripeApi.class);

  private final Vertx vertx;
  private final StripeClient client;

  /** @param timeoutMs how long one call may take (connect and read), so it ends before the caller's bus request times out */
  StripeApi(Vertx vertx, String secretKey, String apiBase, int timeoutMs) {
    this.vertx = vertx;
    this.client = StripeClient.builder().setApiKey(secretKey).setApiBase(apiBase).setMaxNetworkRetries(1)
        .setConnectTimeout(timeoutMs).setReadTimeout(timeoutMs).build();
  }

  @Override
  public Future<String> createCustomer(long userId, String email, String idempotencyKey) {
    return blocking("create a customer", () -> {
      Customer c = client.v1().customers().create(CustomerCreateParams.builder().setEmail(email)
          .putMetadata("user_id", String.valueOf(userId)).build(), key(idempotencyKey));
      return c.getId();
    });
  }

  @Override
  public Future<JsonObject> createCheckoutSession(Checkout co) {
    return blocking("create a checkout session", () -> {
      JsonObject plan = co.plan();
      String planCode = plan.getString("code");
      LineItem.Builder item = LineItem.builder().setQuantity(1L);
      String priceId = plan.getString("stripe_price_id");
      if (priceId != null) {
        item.setPrice(priceId);
      } else {
        item.setPriceData(LineItem.PriceData.builder().setCurrency(plan.getString("currency"))
            .setUnitAmount(plan.getLong("price_cents"))
            .setProductData(LineItem.PriceData.ProductData.builder().setName(plan.getString("name"))
                .putMetadata("plan_code", planCode).build())
            .setRecurring(LineItem.PriceData.Recurring.builder().setInterval(LineItem.PriceData.Recurring.Interval.DAY)
                .setIntervalCount(plan.getLong("interval_days")).build())
            .build());
      }
      SessionCreateParams params = SessionCreateParams.builder().setMode(SessionCreateParams.Mode.SUBSCRIPTION)
          .setCustomer(co.customerId()).setClientReferenceId(String.valueOf(co.userId()))
          .addLineItem(item.build()).setSuccessUrl(co.successUrl()).setCancelUrl(co.cancelUrl())
          .putMetadata("user_id", String.valueOf(co.userId())).putMetadata("plan_code", planCode)
          .setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
              .putMetadata("user_id", String.valueOf(co.userId())).putMetadata("plan_code", planCode).build())
          .build();
      return raw(client.v1().checkout().sessions().create(params, key(co.idempotencyKey())).getLastResponse());
    });
  }

  @Override
  public Future<String> createPortalSession(String customerId, String returnUrl, String idempotencyKey) {
    return blocking("create a portal session", () -> client.v1().billingPortal().sessions()
        .create(com.stripe.param.billingportal.SessionCreateParams.builder().setCustomer(customerId).setReturnUrl(returnUrl)
            .build(), key(idempotencyKey))
        .getUrl());
  }

  @Override
  public Future<JsonObject> retrieveSubscription(String subscriptionId) {
    return blocking("read a subscription", () -> {
      Subscription s = client.v1().subscriptions().retrieve(subscriptionId);
      return raw(s.getLastResponse());
    });
  }

  private static RequestOptions key(String idempotencyKey) {
    return RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
  }

  /** The object as Stripe sent it (our parsing, whatever the library's pinned API version). */
  private static JsonObject raw(StripeResponse response) {
    return new JsonObject(response.body());
  }

  private <T> Future<T> blocking(String what, Callable<T> call) {
    return vertx.<T>executeBlocking(call, false).recover(err -> {
      LOG.error("Stripe: cannot {}: {}", what, err.toString());
      return Future.failedFuture(new ParleyException(ErrorCode.UNAVAILABLE, "Stripe could not " + what,
          new JsonObject().put("reason", "stripe")));
    });
  }
}
