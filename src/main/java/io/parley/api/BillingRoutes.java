package io.parley.api;

import static io.parley.api.RouteSupport.body;
import static io.parley.api.RouteSupport.json;
import static io.parley.api.RouteSupport.on;
import static io.parley.api.RouteSupport.userId;
import static io.parley.api.RouteSupport.validated;
import static io.parley.bus.Addresses.*;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.nio.charset.StandardCharsets;

/**
 * The billing routes: plans (no auth), the caller's subscription and today's usage (the UTC
 * day), Stripe Checkout and portal sessions, Stripe's webhook (its exact body handed on as
 * received, for the signature), and, only while the billing role runs the Stripe simulator, the
 * simulator's pay step ({@code /dev/billing/...}: pages outside {@code /api/v1} and one API
 * operation for scripts).
 */
final class BillingRoutes {
  private final RouteSupport api;

  BillingRoutes(RouteSupport api) {
    this.api = api;
  }

  void mount(RouterBuilder rb) {
    on(rb, "listPlans", rc -> api.call(rc, BILLING_PLANS, new JsonObject(), 200));
    on(rb, "getSubscription", rc -> api.call(rc, BILLING_SUBSCRIPTION, mine(rc), 200));
    on(rb, "getUsage", rc -> api.call(rc, BILLING_USAGE, mine(rc), 200));
    on(rb, "createCheckout", rc -> api.call(rc, BILLING_CHECKOUT, mine(rc).put("plan_code", body(rc).getString("plan_code")), 201));
    on(rb, "getCheckout", rc -> api.request(rc, BILLING_CHECKOUT_GET, mine(rc).put("session_id", sessionId(rc)))
        .onSuccess(s -> json(rc, 200, new JsonObject().put("session_id", s.getString("session_id"))
            .put("status", s.getString("status")).put("plan_code", s.getString("plan_code"))))
        .onFailure(rc::fail));
    on(rb, "createPortal", rc -> api.call(rc, BILLING_PORTAL, mine(rc), 200));
    // the signature covers the exact bytes received: hand them on as they came, never re-encoded
    on(rb, "stripeWebhook", rc -> api.request(rc, BILLING_WEBHOOK, new JsonObject()
            .put("payload", rc.body().buffer().toString(StandardCharsets.UTF_8))
            .put("signature", rc.request().getHeader("Stripe-Signature")))
        .onSuccess(r -> json(rc, 200, new JsonObject().put("received", true)))
        .onFailure(rc::fail));
    on(rb, "devCompleteCheckout", rc -> RouteSupport.devOnly(api.request(rc, BILLING_DEV_COMPLETE,
            new JsonObject().put("session_id", sessionId(rc))), "Stripe simulator")
        .onSuccess(r -> json(rc, 200, r))
        .onFailure(rc::fail));
  }

  /**
   * The simulator's pages: checkout ({@code GET /dev/billing/checkout/:id}, with "Pay (simulated)"
   * and "Cancel") and portal ({@code GET /dev/billing/portal/:customer}, "Cancel at period end"),
   * plain HTML forms (no script) that POST and are redirected back to the web client. 404 when
   * billing runs against Stripe.
   */
  void mountDevPages(Router router) {
    router.get("/dev/billing/checkout/:id").handler(rc -> dev(rc, BILLING_DEV_CHECKOUT, session(rc))
        .onSuccess(s -> page(rc, DevBillingPages.checkout(s))).onFailure(rc::fail));
    router.post("/dev/billing/checkout/:id/pay").handler(rc -> dev(rc, BILLING_DEV_CHECKOUT, session(rc))
        .compose(s -> api.request(rc, BILLING_DEV_COMPLETE, session(rc)).map(s.getString("success_url")))
        .onSuccess(url -> seeOther(rc, url)).onFailure(rc::fail));
    router.get("/dev/billing/portal/:customer").handler(rc -> dev(rc, BILLING_DEV_CANCEL, customer(rc).put("dry_run", true))
        .onSuccess(r -> page(rc, DevBillingPages.portal(rc.pathParam("customer"), r.getInteger("canceled")))).onFailure(rc::fail));
    router.post("/dev/billing/portal/:customer/cancel").handler(rc -> dev(rc, BILLING_DEV_CANCEL, customer(rc))
        .onSuccess(r -> seeOther(rc, "/#billing")).onFailure(rc::fail));
  }

  private Future<JsonObject> dev(RoutingContext rc, String address, JsonObject body) {
    return RouteSupport.devOnly(api.request(rc, address, body), "Stripe simulator");
  }

  private static JsonObject session(RoutingContext rc) {
    return new JsonObject().put("session_id", rc.pathParam("id"));
  }

  private static JsonObject customer(RoutingContext rc) {
    return new JsonObject().put("customer_id", rc.pathParam("customer"));
  }

  /** 303: after a form's POST the browser GETs the next page. */
  private static void seeOther(RoutingContext rc, String url) {
    rc.response().setStatusCode(303).putHeader("Location", url).end();
  }

  private static void page(RoutingContext rc, String html) {
    rc.response().putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'")
        .putHeader("X-Content-Type-Options", "nosniff").putHeader("Cache-Control", "no-store")
        .end(html);
  }

  private static JsonObject mine(RoutingContext rc) {
    return new JsonObject().put("user_id", userId(rc));
  }

  private static String sessionId(RoutingContext rc) {
    return validated(rc).getPathParameters().get("session_id").getString();
  }
}
