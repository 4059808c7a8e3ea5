package io.parley.api;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The Stripe simulator's HTML pages (development only): a checkout page and a portal page, plain
 * forms without scripts. Every value written into them is HTML-escaped.
 */
final class DevBillingPages {
  private DevBillingPages() {}

  /** The checkout page of {session_id, status, plan, success_url, cancel_url}: "Pay (simulated)" and "Cancel". */
  static String checkout(JsonObject s) {
    JsonObject plan = s.getJsonObject("plan");
    String price = String.format(Locale.ROOT, "%.2f %s every %d days", plan.getLong("price_cents") / 100.0,
        plan.getString("currency").toUpperCase(Locale.ROOT), plan.getInteger("interval_days"));
    Integer limit = plan.getInteger("daily_message_limit");
    String body = "<p>Plan <strong>" + esc(plan.getString("name")) + "</strong>: " + esc(price) + ", "
        + (limit == null ? "unlimited messages" : limit + " messages a day") + ".</p>"
        + ("open".equals(s.getString("status"))
            ? "<form method=\"post\" action=\"/dev/billing/checkout/" + esc(s.getString("session_id")) + "/pay\">"
              + "<button type=\"submit\">Pay (simulated)</button></form>"
            : "<p>This session is " + esc(s.getString("status")) + ".</p>")
        + "<p><a href=\"" + esc(s.getString("cancel_url")) + "\">Cancel</a></p>";
    return page("Checkout (Stripe simulator)", body);
  }

  /** The portal page of a customer with {@code cancellable} subscriptions: "Cancel at period end". */
  static String portal(String customerId, int cancellable) {
    String body = cancellable == 0 ? "<p>No subscription to cancel.</p>"
        : "<form method=\"post\" action=\"/dev/billing/portal/" + esc(customerId) + "/cancel\">"
          + "<button type=\"submit\">Cancel at period end</button></form>";
    return page("Billing portal (Stripe simulator)", body + "<p><a href=\"/#billing\">Back to Parley</a></p>");
  }

  private static String page(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title></head>"
        + "<body style=\"font-family: sans-serif; max-width: 32rem; margin: 3rem auto\"><h1>" + esc(title) + "</h1>"
        + "<p><em>Development only: no money moves. Paying sends signed Stripe events to Parley's webhook.</em></p>"
        + body + "</body></html>";
  }

  private static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
