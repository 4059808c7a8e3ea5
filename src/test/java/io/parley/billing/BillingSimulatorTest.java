package io.parley.billing;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Stripe simulator end to end over HTTP, on the shared test cluster (no Stripe key): checkout
 * answers the simulator's page, paying sends signed events to the real webhook (possibly through
 * the other node), the plan changes; the portal page cancels at the period end.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Billing without a Stripe key: the in-process Stripe simulator drives the real webhook path")
class BillingSimulatorTest {
  private Api api;
  private WebClient web;
  private int port;

  @BeforeAll
  void setUp(Vertx vertx, TestCluster cluster) {
    port = cluster.b().apiPort();
    api = new Api(vertx, port);
    web = WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false));
  }

  @Test
  @DisplayName("checkout → the dev page offers 'Pay (simulated)' → complete → the subscription is basic")
  void payThroughTheApi() {
    JsonObject user = api.newUser("simulated");
    JsonObject checkout = checkout(user);
    String url = checkout.getString("checkout_url");
    assertTrue(url.contains("/dev/billing/checkout/" + checkout.getString("session_id")), url);
    HttpResponse<Buffer> page = Api.await(web.getAbs(url).send());
    assertEquals(200, page.statusCode());
    assertTrue(page.bodyAsString().contains("Pay (simulated)"));
    assertTrue(page.bodyAsString().contains("Basic"));
    JsonObject done = api.call("devCompleteCheckout", POST, "/dev/billing/checkout/" + checkout.getString("session_id") + "/complete",
        null, null).expect(200).json();
    assertEquals("complete", done.getString("status"));
    assertEquals("basic", plan(user).getJsonObject("plan").getString("code"));
    assertEquals("complete", api.call("getCheckout", GET, "/billing/checkout/" + checkout.getString("session_id"),
        user.getString("access_token"), null).expect(200).json().getString("status"));
    assertEquals(100, api.call("getUsage", GET, "/billing/usage", user.getString("access_token"), null).expect(200).json()
        .getInteger("daily_message_limit"));
  }

  @Test
  @DisplayName("the page's form pays and sends the browser back to the web client; the portal page cancels at the period end")
  void payThroughThePages() {
    JsonObject user = api.newUser("clicker");
    JsonObject checkout = checkout(user);
    String session = checkout.getString("session_id");
    HttpResponse<Buffer> paid = Api.await(web.post(port, "127.0.0.1", "/dev/billing/checkout/" + session + "/pay").send());
    assertEquals(303, paid.statusCode(), paid.bodyAsString());
    assertTrue(paid.getHeader("Location").endsWith("/#billing?checkout=success&session_id=" + session), paid.getHeader("Location"));
    assertEquals("basic", plan(user).getJsonObject("plan").getString("code"));

    String portal = api.call("createPortal", POST, "/billing/portal", user.getString("access_token"), null).expect(200).json()
        .getString("portal_url");
    HttpResponse<Buffer> page = Api.await(web.getAbs(portal).send());
    assertTrue(page.bodyAsString().contains("Cancel at period end"), page.bodyAsString());
    String path = portal.substring(portal.indexOf("/dev/billing/portal/"));
    assertEquals(303, Api.await(web.post(port, "127.0.0.1", path + "/cancel").send()).statusCode());
    JsonObject sub = plan(user);
    assertEquals("basic", sub.getJsonObject("plan").getString("code"), "the plan holds until the period end");
    assertTrue(sub.getBoolean("cancel_at_period_end"));
  }

  private JsonObject checkout(JsonObject user) {
    return api.call("createCheckout", POST, "/billing/checkout", user.getString("access_token"),
        new JsonObject().put("plan_code", "basic")).expect(201).json();
  }

  private JsonObject plan(JsonObject user) {
    return api.call("getSubscription", GET, "/billing/subscription", user.getString("access_token"), null).expect(200).json();
  }
}
