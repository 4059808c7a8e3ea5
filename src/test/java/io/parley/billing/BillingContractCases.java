package io.parley.billing;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.support.Api;
import io.parley.support.FakeStripe;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The billing operations with every status they declare, for {@code ApiContractTest}'s coverage:
 * on the shared test cluster, whose billing role runs the Stripe simulator.
 */
public final class BillingContractCases {
  private BillingContractCases() {}

  /** Exercises listPlans, getSubscription, getUsage, createCheckout, getCheckout, createPortal, stripeWebhook, devCompleteCheckout. */
  public static void exercise(Api api, TestCluster cluster) {
    JsonObject user = api.newUser("billing");
    String token = user.getString("access_token");
    api.call("listPlans", GET, "/plans", null, null).expect(200);
    api.call("getSubscription", GET, "/billing/subscription", token, null).expect(200);
    api.call("getSubscription", GET, "/billing/subscription", null, null).problem(401, "UNAUTHORIZED");
    api.call("getUsage", GET, "/billing/usage", token, null).expect(200);
    api.call("getUsage", GET, "/billing/usage", null, null).problem(401, "UNAUTHORIZED");

    JsonObject basic = new JsonObject().put("plan_code", "basic");
    api.call("createCheckout", POST, "/billing/checkout", null, basic).problem(401, "UNAUTHORIZED");
    api.call("createCheckout", POST, "/billing/checkout", token, new JsonObject().put("plan_code", "free"))
        .problem(400, "VALIDATION_FAILED");
    api.call("createCheckout", POST, "/billing/checkout", token, new JsonObject().put("plan_code", "platinum"))
        .problem(404, "NOT_FOUND");
    String session = api.call("createCheckout", POST, "/billing/checkout", token, basic).expect(201).json().getString("session_id");
    api.call("getCheckout", GET, "/billing/checkout/" + session, token, null).expect(200);
    api.call("getCheckout", GET, "/billing/checkout/" + session, null, null).problem(401, "UNAUTHORIZED");
    api.call("getCheckout", GET, "/billing/checkout/cs_nobody", token, null).problem(404, "NOT_FOUND");
    api.call("devCompleteCheckout", POST, "/dev/billing/checkout/cs_nobody/complete", null, null).problem(404, "NOT_FOUND");
    api.call("devCompleteCheckout", POST, "/dev/billing/checkout/" + session + "/complete", null, null).expect(200);
    assertEquals("basic", api.call("getSubscription", GET, "/billing/subscription", token, null).expect(200).json()
        .getJsonObject("plan").getString("code"));
    api.call("createCheckout", POST, "/billing/checkout", token, basic).problem(409, "CONFLICT");
    api.call("createPortal", POST, "/billing/portal", token, null).expect(200);
    api.call("createPortal", POST, "/billing/portal", null, null).problem(401, "UNAUTHORIZED");

    String payload = FakeStripe.event("customer.created", new JsonObject().put("id", "cus_x").put("object", "customer"),
        System.currentTimeMillis() / 1000).encode();
    String secret = Api.await(cluster.a().node().vertx().sharedData().<String, String>getAsyncMap("parley.dev")
        .compose(m -> m.get("stripe_webhook_secret")));
    api.call("stripeWebhook", POST, "/billing/webhook", null, payload,
        Map.of("Stripe-Signature", StripeSignature.header(payload, secret, System.currentTimeMillis() / 1000))).expect(200);
    api.call("stripeWebhook", POST, "/billing/webhook", null, payload).problem(400, "VALIDATION_FAILED");
  }
}
