package io.parley.billing;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.config.ParleyConfig;
import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.FakeStripe;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Billing against a fake Stripe ({@link FakeStripe}: stripe-java's calls answered by a local
 * server, webhooks signed with Stripe's real scheme) on a two-node cluster of its own with quotas
 * enforced and a real PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Billing: plans, Stripe Checkout, signed webhooks applied once and forward only, the quota that follows")
class BillingTest {
  private static final String SECRET = "whsec_test_" + UUID.randomUUID();

  private Vertx vertx;
  private FakeStripe stripe;
  private TestCluster cluster;
  private Api a;
  private Api b;
  private WebClient web;
  private Pool db;

  @BeforeAll
  void setUp() {
    vertx = Vertx.vertx();
    stripe = new FakeStripe(vertx);
    cluster = TestCluster.start(2, root -> {
      root.getJsonObject("billing").put("enforce_quotas", true).put("stripe_api_base", stripe.url())
          .put(ParleyConfig.STRIPE_SECRET_KEY, "sk_test_fake").put(ParleyConfig.STRIPE_WEBHOOK_SECRET, SECRET);
    });
    a = new Api(vertx, cluster.a().apiPort());
    b = new Api(vertx, cluster.b().apiPort(), a.exercised());
    web = WebClient.create(vertx);
    db = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
  }

  @AfterAll
  void tearDown() {
    cluster.close();
    stripe.close();
    Api.await(vertx.close());
  }

  @Test
  @DisplayName("the seeded plans are listed without a token: free 10 a day, basic 100, pro unlimited")
  void plans() {
    JsonArray items = a.call("listPlans", GET, "/plans", null, null).expect(200).json().getJsonArray("items");
    assertEquals(10, plan(items, "free").getInteger("daily_message_limit"));
    assertEquals(100, plan(items, "basic").getInteger("daily_message_limit"));
    assertEquals(999, plan(items, "basic").getInteger("price_cents"));
    assertTrue(plan(items, "pro").containsKey("daily_message_limit"));
    assertNull(plan(items, "pro").getInteger("daily_message_limit"));
  }

  @Test
  @DisplayName("checkout makes the Stripe customer once (a deterministic idempotency key) and answers Stripe's URL")
  void checkoutCustomerOnce() {
    JsonObject user = a.newUser("buyer");
    JsonObject first = checkout(a, user, "basic");
    JsonObject second = checkout(b, user, "pro");
    assertTrue(first.getString("checkout_url").startsWith("https://checkout.fake.test/"));
    List<FakeStripe.Call> customers = stripe.calls("/v1/customers").stream()
        .filter(c -> user.getString("email").equals(c.form().get("email"))).toList();
    assertEquals(1, customers.size(), "one customer for two checkouts");
    assertEquals("parley-customer-" + user.getLong("id"), customers.get(0).idempotencyKey());
    FakeStripe.Call session = sessionCall(user);
    assertEquals("subscription", session.form().get("mode"));
    assertEquals("basic", session.form().get("subscription_data[metadata][plan_code]"));
    assertEquals("999", session.form().get("line_items[0][price_data][unit_amount]"));
    assertTrue(session.idempotencyKey().startsWith("parley-checkout-" + user.getLong("id") + "-basic-"));
    JsonObject status = a.call("getCheckout", GET, "/billing/checkout/" + second.getString("session_id"), t(user), null)
        .expect(200).json();
    assertEquals("open", status.getString("status"));
    assertEquals("pro", status.getString("plan_code"));
    JsonObject stranger = a.newUser("stranger");
    a.call("getCheckout", GET, "/billing/checkout/" + second.getString("session_id"), t(stranger), null).problem(404, "NOT_FOUND");
    JsonObject portal = a.call("createPortal", POST, "/billing/portal", t(user), null).expect(200).json();
    assertTrue(portal.getString("portal_url").startsWith("https://billing.fake.test/"));
  }

  @Test
  @DisplayName("a completed checkout makes the user basic: 100 sends a day, the 101st refused over HTTP and WebSocket on both nodes")
  void upgradeThenQuota() {
    JsonObject user = a.newUser("payer");
    String sub = subscribe(user, "basic", System.currentTimeMillis() / 1000 + 30 * 86_400);
    assertNotNull(sub);
    JsonObject subscription = b.call("getSubscription", GET, "/billing/subscription", t(user), null).expect(200).json();
    assertEquals("basic", subscription.getJsonObject("plan").getString("code"));
    assertEquals("active", subscription.getString("status"));
    JsonObject usage = b.call("getUsage", GET, "/billing/usage", t(user), null).expect(200).json();
    assertEquals(100, usage.getInteger("daily_message_limit"));
    assertEquals(100, usage.getInteger("remaining"));
    assertEquals(0, usage.getInteger("messages_sent"));
    // a second checkout while basic renews would bill two subscriptions: plans change in the portal
    JsonObject second = b.call("createCheckout", POST, "/billing/checkout", t(user), new JsonObject().put("plan_code", "pro"))
        .problem(409, "CONFLICT").json();
    assertEquals("portal", second.getJsonObject("details").getString("use"));

    long room = a.newRoom(user, false).getLong("id");
    for (int i = 0; i < 60; i++) {
      assertEquals(201, send(cluster.a().apiPort(), user, room, "m" + i).statusCode());
    }
    try (Ws ws = Ws.open(vertx, cluster.b().gatewayPort(), t(user))) {
      for (int i = 60; i < 100; i++) {
        assertEquals("message.ack", ws.request(wsSend(room, "m" + i)).getString("type"));
      }
      JsonObject refused = ws.request(wsSend(room, "over"));
      assertEquals("error", refused.getString("type"));
      assertEquals("MESSAGE_LIMIT_EXCEEDED", refused.getString("code"));
    }
    for (int port : new int[] {cluster.a().apiPort(), cluster.b().apiPort()}) {
      HttpResponse<Buffer> over = send(port, user, room, "over http");
      assertEquals(429, over.statusCode());
      assertEquals("MESSAGE_LIMIT_EXCEEDED", over.bodyAsJsonObject().getString("code"));
      assertNotNull(over.getHeader("Retry-After"));
    }
    usage = a.call("getUsage", GET, "/billing/usage", t(user), null).expect(200).json();
    assertEquals(100, usage.getInteger("messages_sent"));
    assertEquals(0, usage.getInteger("remaining"));
  }

  @Test
  @DisplayName("a repeated event id has one effect: one payment")
  void repeatedEvent() {
    JsonObject user = a.newUser("twice");
    String customer = customerOf(user);
    String invoice = "in_" + UUID.randomUUID();
    JsonObject event = invoiceEvent("invoice.paid", invoice, customer);
    assertEquals(200, stripe.post(cluster.a().apiPort(), event, SECRET).statusCode());
    assertEquals(200, stripe.post(cluster.b().apiPort(), event, SECRET).statusCode());
    assertEquals(1L, count("SELECT count(*) FROM payments WHERE stripe_invoice_id = $1", invoice));
    assertEquals(1L, count("SELECT count(*) FROM stripe_events WHERE event_id = $1", event.getString("id")));
    JsonObject failedLater = invoiceEvent("invoice.payment_failed", invoice, customer);
    assertEquals(200, stripe.post(cluster.a().apiPort(), failedLater, SECRET).statusCode());
    assertEquals(1L, count("SELECT count(*) FROM payments WHERE stripe_invoice_id = $1 AND status = 'paid'", invoice),
        "a paid invoice stays paid");
  }

  @Test
  @DisplayName("a tampered body, a wrong secret, a stale timestamp and no signature get 400 and change nothing")
  void badSignatures() {
    JsonObject user = a.newUser("forger");
    String customer = customerOf(user);
    JsonObject event = FakeStripe.event("customer.subscription.created",
        FakeStripe.subscriptionObject("sub_" + UUID.randomUUID(), customer, "active", "pro", now() + 86_400), now());
    String payload = event.encode();
    String good = StripeSignature.header(payload, SECRET, now());
    int port = cluster.a().apiPort();
    expect400(stripe.postRaw(port, payload.replace("\"pro\"", "\"basic\""), good));
    expect400(stripe.postRaw(port, payload, StripeSignature.header(payload, "whsec_wrong", now())));
    expect400(stripe.postRaw(port, payload, StripeSignature.header(payload, SECRET, now() - 301)));
    expect400(stripe.postRaw(port, payload, null));
    expect400(stripe.postRaw(port, payload, "t=1,v1=00"));
    assertEquals(0L, count("SELECT count(*) FROM stripe_events WHERE event_id = $1", event.getString("id")));
    assertEquals("free", plan(user));
    assertEquals(200, stripe.postRaw(port, payload, StripeSignature.header(payload, SECRET, now())).statusCode());
    assertEquals("pro", plan(user));
  }

  @Test
  @DisplayName("state moves forward only: an older update does not roll the plan back; a downgrade waits for the period end")
  void forwardOnly() {
    JsonObject user = a.newUser("ordered");
    String customer = customerOf(user);
    String subId = "sub_" + UUID.randomUUID();
    long end = now() + 30 * 86_400;
    long t0 = now();
    post(FakeStripe.event("customer.subscription.created", FakeStripe.subscriptionObject(subId, customer, "active", "pro", end), t0));
    assertEquals("pro", plan(user));
    post(FakeStripe.event("customer.subscription.updated", FakeStripe.subscriptionObject(subId, customer, "active", "basic", end),
        t0 - 100));
    assertEquals("pro", plan(user), "an out-of-order update is ignored");
    post(FakeStripe.event("customer.subscription.updated", FakeStripe.subscriptionObject(subId, customer, "active", "basic", end),
        t0 + 1));
    assertEquals("pro", plan(user), "a downgrade holds the plan until the period end");
    assertEquals(1L, count("SELECT count(*) FROM subscriptions s JOIN plans p ON p.id = s.scheduled_plan_id "
        + "WHERE s.stripe_subscription_id = $1 AND p.code = 'basic'", subId));
    post(FakeStripe.event("customer.subscription.updated",
        FakeStripe.subscriptionObject(subId, customer, "active", "basic", end + 30 * 86_400), t0 + 2));
    assertEquals("basic", plan(user), "the next period brings the scheduled plan");
  }

  @Test
  @DisplayName("an event of another api_version (the period on the subscription itself, as before 2025-03-31) applies all the same")
  void otherApiVersion() {
    JsonObject user = a.newUser("legacy");
    String customer = customerOf(user);
    JsonObject sub = FakeStripe.subscriptionObject("sub_" + UUID.randomUUID(), customer, "active", "pro", 0);
    JsonObject item = sub.getJsonObject("items").getJsonArray("data").getJsonObject(0);
    item.remove("current_period_start");
    item.remove("current_period_end");
    sub.put("current_period_start", now()).put("current_period_end", now() + 86_400);
    post(FakeStripe.event("customer.subscription.created", sub, now()).put("api_version", "2024-06-20"));
    assertEquals("pro", plan(user));
  }

  @Test
  @DisplayName("customer.subscription.deleted keeps the plan until current_period_end, then the user is on free")
  void deletedAtPeriodEnd() {
    JsonObject user = a.newUser("leaving");
    String customer = customerOf(user);
    String subId = "sub_" + UUID.randomUUID();
    long end = now() + 4;
    post(FakeStripe.event("customer.subscription.created", FakeStripe.subscriptionObject(subId, customer, "active", "basic", end),
        now()));
    post(FakeStripe.event("customer.subscription.deleted", FakeStripe.subscriptionObject(subId, customer, "canceled", "basic", end),
        now() + 1));
    JsonObject s = a.call("getSubscription", GET, "/billing/subscription", t(user), null).expect(200).json();
    assertEquals("basic", s.getJsonObject("plan").getString("code"));
    assertEquals("canceled", s.getString("status"));
    Await.until(() -> "free".equals(plan(user)), "the plan to end with its period");
    JsonObject after = a.call("getSubscription", GET, "/billing/subscription", t(user), null).expect(200).json();
    assertEquals("none", after.getString("status"));
    assertNull(after.getString("current_period_end"));
    assertEquals(10, a.call("getUsage", GET, "/billing/usage", t(user), null).expect(200).json().getInteger("daily_message_limit"));
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Checkout for {@code planCode}, then Stripe's completed-session and subscription-created events; the subscription id. */
  private String subscribe(JsonObject user, String planCode, long periodEnd) {
    JsonObject session = checkout(a, user, planCode);
    String customer = sessionCall(user).form().get("customer");
    String subId = "sub_" + UUID.randomUUID();
    JsonObject sub = FakeStripe.subscriptionObject(subId, customer, "active", planCode, periodEnd);
    stripe.subscription(sub);
    JsonObject completed = new JsonObject().put("id", session.getString("session_id")).put("object", "checkout.session")
        .put("mode", "subscription").put("status", "complete").put("payment_status", "paid").put("customer", customer)
        .put("client_reference_id", String.valueOf(user.getLong("id"))).put("subscription", subId)
        .put("invoice", "in_" + UUID.randomUUID()).put("amount_total", 999).put("currency", "usd");
    post(FakeStripe.event("checkout.session.completed", completed, now()));
    assertEquals("complete", a.call("getCheckout", GET, "/billing/checkout/" + session.getString("session_id"), t(user), null)
        .expect(200).json().getString("status"));
    post(FakeStripe.event("customer.subscription.created", sub, now()));
    return subId;
  }

  private JsonObject checkout(Api api, JsonObject user, String planCode) {
    return api.call("createCheckout", POST, "/billing/checkout", t(user), new JsonObject().put("plan_code", planCode))
        .expect(201).json();
  }

  /** The user's Stripe customer, made through a checkout. */
  private String customerOf(JsonObject user) {
    checkout(a, user, "basic");
    return sessionCall(user).form().get("customer");
  }

  private FakeStripe.Call sessionCall(JsonObject user) {
    return stripe.calls("/v1/checkout/sessions").stream()
        .filter(c -> String.valueOf(user.getLong("id")).equals(c.form().get("client_reference_id"))).findFirst().orElseThrow();
  }

  private static JsonObject invoiceEvent(String type, String invoice, String customer) {
    return FakeStripe.event(type, new JsonObject().put("id", invoice).put("object", "invoice").put("customer", customer)
        .put("amount_paid", 999).put("amount_due", 999).put("currency", "usd"), now());
  }

  private void post(JsonObject event) {
    HttpResponse<Buffer> r = stripe.post(cluster.a().apiPort(), event, SECRET);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  private static void expect400(HttpResponse<Buffer> r) {
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertEquals("VALIDATION_FAILED", r.bodyAsJsonObject().getString("code"));
  }

  private String plan(JsonObject user) {
    return a.call("getSubscription", GET, "/billing/subscription", t(user), null).expect(200).json()
        .getJsonObject("plan").getString("code");
  }

  private HttpResponse<Buffer> send(int port, JsonObject user, long room, String body) {
    return Api.await(web.post(port, "127.0.0.1", "/api/v1/rooms/" + room + "/messages").putHeader("Authorization", "Bearer " + t(user))
        .sendJsonObject(new JsonObject().put("body", body)));
  }

  private static JsonObject wsSend(long room, String body) {
    return new JsonObject().put("type", "message.send").put("room_id", room).put("client_msg_id", UUID.randomUUID().toString())
        .put("body", body);
  }

  private long count(String sql, String param) {
    return Api.await(db.preparedQuery(sql).execute(Tuple.of(param))).iterator().next().getLong(0);
  }

  private static JsonObject plan(JsonArray items, String code) {
    return items.stream().map(o -> (JsonObject) o).filter(p -> code.equals(p.getString("code"))).findFirst().orElseThrow();
  }

  private static String t(JsonObject user) {
    return user.getString("access_token");
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }
}
