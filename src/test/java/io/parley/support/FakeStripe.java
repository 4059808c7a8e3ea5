package io.parley.support;

import io.parley.billing.StripeSignature;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays Stripe's API for stripe-java in tests: a Vert.x HTTP server answering the calls Parley
 * makes ({@code POST /v1/customers}, {@code /v1/checkout/sessions},
 * {@code /v1/billing_portal/sessions}, {@code GET /v1/subscriptions/{id}}) with minimal valid
 * objects, recording each call (path, form parameters, {@code Idempotency-Key}); a repeated
 * idempotency key answers the first answer, as Stripe does. It also signs events with Stripe's
 * real scheme and posts them as raw bytes to a webhook.
 */
public final class FakeStripe implements AutoCloseable {
  /** One recorded API call. */
  public record Call(String method, String path, MultiMap form, String idempotencyKey) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final WebClient web;
  private final AtomicInteger ids = new AtomicInteger();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, JsonObject> byKey = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> subscriptions = new ConcurrentHashMap<>();

  public FakeStripe(Vertx vertx) {
    this.vertx = vertx;
    this.server = Api.await(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
    this.web = WebClient.create(vertx);
  }

  /** The API base for {@code billing.stripe_api_base}. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Calls so far to {@code path}. */
  public List<Call> calls(String path) {
    return calls.stream().filter(c -> c.path().equals(path)).toList();
  }

  /** Makes {@code GET /v1/subscriptions/{id}} answer {@code subscription}. */
  public void subscription(JsonObject subscription) {
    subscriptions.put(subscription.getString("id"), subscription);
  }

  private void handle(HttpServerRequest req) {
    if (req.getHeader("Content-Type") != null) {
      req.setExpectMultipart(true); // stripe-java posts application/x-www-form-urlencoded
    }
    req.body().onSuccess(b -> {
      MultiMap form = req.formAttributes();
      String key = req.getHeader("Idempotency-Key");
      calls.add(new Call(req.method().name(), req.path(), MultiMap.caseInsensitiveMultiMap().addAll(form), key));
      JsonObject answer = key != null && byKey.containsKey(key + req.path()) ? byKey.get(key + req.path()) : answer(req, form);
      if (answer == null) {
        req.response().setStatusCode(404).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("error", new JsonObject().put("type", "invalid_request_error")
                .put("message", "No such object: " + req.path())).encode());
        return;
      }
      if (key != null) {
        byKey.putIfAbsent(key + req.path(), answer);
      }
      req.response().putHeader("Content-Type", "application/json").putHeader("Request-Id", "req_" + ids.incrementAndGet())
          .end(answer.encode());
    });
  }

  private JsonObject answer(HttpServerRequest req, MultiMap form) {
    String path = req.path();
    String n = ids.incrementAndGet() + "_" + UUID.randomUUID().toString().substring(0, 8); // unique across runs on one database
    if (path.equals("/v1/customers")) {
      return new JsonObject().put("id", "cus_fake_" + n).put("object", "customer").put("email", form.get("email"));
    }
    if (path.equals("/v1/checkout/sessions")) {
      return new JsonObject().put("id", "cs_fake_" + n)
          .put("object", "checkout.session").put("mode", "subscription").put("status", "open")
          .put("customer", form.get("customer")).put("client_reference_id", form.get("client_reference_id"))
          .put("url", "https://checkout.fake.test/c/pay/" + n);
    }
    if (path.equals("/v1/billing_portal/sessions")) {
      return new JsonObject().put("id", "bps_fake_" + n).put("object", "billing_portal.session")
          .put("customer", form.get("customer")).put("url", "https://billing.fake.test/p/session/" + n);
    }
    if (path.startsWith("/v1/subscriptions/")) {
      return subscriptions.get(path.substring("/v1/subscriptions/".length()));
    }
    return null;
  }

  // ---- objects and events -------------------------------------------------------------------

  /** A subscription object of API version {@code Stripe.API_VERSION}: the period on its item, the plan code in the price's metadata. */
  public static JsonObject subscriptionObject(String id, String customer, String status, String planCode, long periodEnd) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("id", id).put("object", "subscription").put("customer", customer).put("status", status)
        .put("cancel_at_period_end", false).put("metadata", new JsonObject().put("plan_code", planCode))
        .put("items", new JsonObject().put("object", "list").put("data", new JsonArray().add(new JsonObject()
            .put("id", "si_" + id).put("object", "subscription_item").put("current_period_start", now)
            .put("current_period_end", periodEnd)
            .put("price", new JsonObject().put("id", "price_fake_" + planCode).put("object", "price")
                .put("metadata", new JsonObject().put("plan_code", planCode))))));
  }

  /** An event carrying {@code object}, with a fresh id and {@code api_version} = {@code Stripe.API_VERSION}. */
  public static JsonObject event(String type, JsonObject object, long created) {
    return new JsonObject().put("id", "evt_test_" + UUID.randomUUID().toString().replace("-", "")).put("object", "event")
        .put("api_version", com.stripe.Stripe.API_VERSION).put("created", created).put("type", type).put("livemode", false)
        .put("pending_webhooks", 1).put("data", new JsonObject().put("object", object));
  }

  /** POSTs {@code payload} as raw bytes to the webhook of the API on {@code apiPort} with this signature header. */
  public HttpResponse<Buffer> postRaw(int apiPort, String payload, String signature) {
    var req = web.post(apiPort, "127.0.0.1", "/api/v1/billing/webhook").putHeader("Content-Type", "application/json; charset=utf-8");
    if (signature != null) {
      req.putHeader("Stripe-Signature", signature);
    }
    return Api.await(req.sendBuffer(Buffer.buffer(payload)));
  }

  /** Signs {@code event} now with {@code secret} and posts it; the response. */
  public HttpResponse<Buffer> post(int apiPort, JsonObject event, String secret) {
    String payload = event.encode();
    return postRaw(apiPort, payload, StripeSignature.header(payload, secret, System.currentTimeMillis() / 1000));
  }

  @Override
  public void close() {
    Api.await(server.close());
    web.close();
  }
}
