package io.parley.billing;

import static io.parley.bus.Addresses.*;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import io.parley.bus.Bus;
import io.parley.bus.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The billing role: Stripe Checkout and the customer portal for users, and Stripe's webhooks
 * (verified over the raw body, normalized, then applied once by persistence's
 * {@code billing.events.apply}). Serves {@code parley.billing.*} of {@link io.parley.bus.Addresses}.
 *
 * <p>With {@code stripe_secret_key} it talks to Stripe ({@link StripeApi}); without, to the
 * in-process {@link StripeSimulator}, said loudly in the log, and serves the simulator's dev
 * addresses. Idempotency keys: the customer {@code parley-customer-<user id>} (a retry never makes
 * a second one; the id is stored once per user); a checkout session
 * {@code parley-checkout-<user>-<plan>-<request id>} and a portal session
 * {@code parley-portal-<user>-<request id>}: a client retrying with the same {@code X-Request-Id}
 * gets the same session, a new request makes a new one (unpaid sessions simply expire).
 *
 * <p>Config (section {@code billing}): {@code stripe_api_base}, {@code success_url},
 * {@code cancel_url}, {@code public_url}, {@code webhook_tolerance_s}, {@code request_timeout_ms},
 * and the secrets {@code stripe_secret_key} / {@code stripe_webhook_secret}, which
 * {@link io.parley.config.ParleyConfig#load} takes from the environment only. Without a webhook
 * secret the simulator uses a random one shared within the cluster.
 */
public class BillingVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BillingVerticle.class);

  private Bus bus;
  private StripeGateway stripe;
  private StripeSimulator simulator;
  private String webhookSecret;
  private String webhookUrl;
  private long toleranceS;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    bus = new Bus(vertx, cfg.getLong("request_timeout_ms", 5000L));
    toleranceS = cfg.getLong("webhook_tolerance_s", 300L);
    String publicUrl = cfg.getString("public_url", "http://localhost:8080").replaceAll("/+$", "");
    webhookUrl = publicUrl + "/api/v1/billing/webhook";
    String key = cfg.getString("stripe_secret_key", "");
    String secret = cfg.getString("stripe_webhook_secret", "");
    Future<String> secretReady;
    if (!key.isBlank()) {
      int callTimeout = (int) Math.max(1000, cfg.getLong("request_timeout_ms", 5000L) / 2);
      stripe = new StripeApi(vertx, key, cfg.getString("stripe_api_base", "https://api.stripe.com"), callTimeout);
      if (secret.isBlank()) {
        LOG.error("PARLEY_STRIPE_WEBHOOK_SECRET is not set: every Stripe webhook will be refused (400)");
      }
      secretReady = Future.succeededFuture(secret);
    } else {
      secretReady = secret.isBlank() ? sharedDevSecret() : Future.succeededFuture(secret);
    }
    List<Future<Void>> ready = new ArrayList<>();
    return secretReady.compose(s -> {
      webhookSecret = s;
      if (stripe == null) {
        simulator = new StripeSimulator(vertx, publicUrl, s);
        stripe = simulator;
        LOG.warn("PARLEY_STRIPE_SECRET_KEY is not set: billing runs against an IN-PROCESS STRIPE SIMULATOR; "
            + "checkout pages are {}/dev/billing/checkout/<session>, paying sends signed events to {}", publicUrl, webhookUrl);
        ready.add(serve(BILLING_DEV_CHECKOUT, (b, rid) -> simulator.session(b.getString("session_id"))));
        ready.add(serve(BILLING_DEV_COMPLETE, (b, rid) -> simulator.complete(b.getString("session_id"), webhookUrl)));
        ready.add(serve(BILLING_DEV_CANCEL, (b, rid) -> simulator.cancelAtPeriodEnd(b.getString("customer_id"),
            b.getBoolean("dry_run", false), webhookUrl)));
      }
      String successUrl = cfg.getString("success_url", "");
      String cancelUrl = cfg.getString("cancel_url", "");
      Checkouts checkouts = new Checkouts(bus, stripe,
          successUrl.isBlank() ? publicUrl + "/#billing?checkout=success&session_id={CHECKOUT_SESSION_ID}" : successUrl,
          cancelUrl.isBlank() ? publicUrl + "/#billing?checkout=cancel" : cancelUrl, publicUrl + "/#billing");
      ready.add(serve(BILLING_CHECKOUT, checkouts::checkout));
      ready.add(serve(BILLING_PORTAL, checkouts::portal));
      ready.add(serve(BILLING_WEBHOOK, this::webhook));
      return Future.all(ready);
    });
  }

  /**
   * {payload, signature} → {received: true, applied}: verifies the signature over the payload
   * (the request's exact body) with {@code Webhook.constructEvent} and the tolerance, then
   * applies the normalized event; a completed checkout's subscription is read back from Stripe
   * first. Unsigned, tampered, stale or unparsable: VALIDATION_FAILED, nothing applied.
   */
  private Future<JsonObject> webhook(JsonObject b, String requestId) {
    String payload = b.getString("payload", "");
    String signature = b.getString("signature");
    if (signature == null || webhookSecret.isBlank()) {
      return Future.failedFuture(ParleyException.invalid("Stripe-Signature", "missing Stripe-Signature header"));
    }
    return vertx.executeBlocking(() -> {
      try {
        Webhook.constructEvent(payload, signature, webhookSecret, toleranceS);
        return StripeEvents.normalize(new JsonObject(payload));
      } catch (SignatureVerificationException e) {
        throw ParleyException.invalid("Stripe-Signature", "the signature does not verify: " + e.getMessage());
      } catch (DecodeException | ClassCastException | IllegalStateException e) { // not JSON, or not an object
        throw ParleyException.invalid("body", "not a Stripe event");
      } catch (RuntimeException e) { // stripe-java's own parse error (gson)
        throw ParleyException.invalid("body", "not a Stripe event");
      }
    }, false).compose(event -> {
      String subId = event.getString("subscription_id");
      Future<JsonObject> full = subId == null || !"checkout.session.completed".equals(event.getString("type"))
          ? Future.succeededFuture(event)
          : stripe.retrieveSubscription(subId).map(s -> event.put("subscription", StripeEvents.subscription(s)));
      return full;
    }).compose(event -> bus.request(BILLING_EVENT_APPLY, event, requestId))
        .map(r -> new JsonObject().put("received", true).put("applied", r.getBoolean("applied")));
  }

  /** A random development webhook secret, the same on every node of the cluster. */
  private Future<String> sharedDevSecret() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String candidate = "whsec_dev_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    return vertx.sharedData().<String, String>getAsyncMap("parley.dev")
        .compose(m -> m.putIfAbsent("stripe_webhook_secret", candidate).map(prev -> prev == null ? candidate : prev));
  }

  /** A handler of a body and the request id (a fresh one when the caller sent none). */
  interface Handler extends java.util.function.BiFunction<JsonObject, String, Future<JsonObject>> {}

  private Future<Void> serve(String address, Handler handler) {
    Function<Message<JsonObject>, Future<JsonObject>> wrapped = msg -> {
      String rid = msg.headers().get(HEADER_REQUEST_ID);
      return handler.apply(msg.body() == null ? new JsonObject() : msg.body(), rid == null ? UUID.randomUUID().toString() : rid);
    };
    return Bus.serve(vertx, address, wrapped).completion();
  }

}
