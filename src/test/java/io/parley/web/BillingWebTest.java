package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Billing in the web client, in headless Chromium, against a node of its own with quotas enforced
 * and the Stripe simulator (no Stripe key): the plan line and its usage kept current, the upgrade
 * through the simulator's checkout page, and a send refused over the daily limit explained.
 */
@DisplayName("Billing in the web client, in a real browser")
class BillingWebTest {
  private static TestCluster cluster;
  private static Vertx vertx;

  @BeforeAll
  static void startCluster() {
    vertx = Vertx.vertx();
    cluster = TestCluster.start(1, root -> {
      // the simulator sends the browser back to this node (the refresh cookie belongs to 127.0.0.1)
      String self = "http://127.0.0.1:" + root.getJsonObject("api").getInteger("port");
      root.getJsonObject("node").put("roles",
          new JsonArray().add("api").add("gateway").add("persistence").add("presence").add("billing"));
      root.getJsonObject("billing").put("enforce_quotas", true).put("public_url", self);
    });
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
    if (vertx != null) {
      vertx.close();
    }
  }

  private static String url() {
    return "http://127.0.0.1:" + cluster.a().apiPort() + "/";
  }

  private static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 6);
  }

  private static void waitBodies(Browser b, List<String> expected) {
    b.waitFor(d -> b.messageBodies().equals(expected) ? true : null, "messages " + expected + " (shown: " + b.messageBodies() + ")");
  }

  /** Waits until the element's text contains {@code part}; answers the text. */
  private static String waitContains(Browser b, String css, String part) {
    return b.waitFor(d -> {
      List<WebElement> found = d.findElements(By.cssSelector(css));
      return !found.isEmpty() && found.get(0).isDisplayed() && found.get(0).getText().contains(part) ? found.get(0).getText() : null;
    }, css + " to contain '" + part + "'");
  }

  /** Clicks the button or link reading {@code text} (the simulator's pages have no test ids). */
  private static void clickButton(Browser b, String text) {
    b.waitFor(d -> {
      List<WebElement> found = d.findElements(By.xpath("//*[self::button or self::a][normalize-space(.) = '" + text + "']"));
      if (found.isEmpty()) {
        return null;
      }
      found.get(0).click();
      return true;
    }, "'" + text + "' clicked");
  }

  /** A mark in the page's memory: gone if the page was loaded again. */
  private static void markPage(Browser b) {
    b.driver.executeScript("window.__billingTestMark = 'same page';");
  }

  private static void assertSamePage(Browser b, String when) {
    assertEquals("same page", b.driver.executeScript("return window.__billingTestMark || null;"), "no reload " + when);
  }

  @Test
  @DisplayName("a free user sees 0 of 10, sends (1 of 10), upgrades to Basic through the simulator and sees Basic, 1 of 100, without a reload")
  void upgradeThroughTheSimulator() {
    String name = unique("payer");
    String roomName = unique("Shop ");
    try (Browser b = Browser.start()) {
      b.signUp(url(), name);
      b.waitText("[data-testid=plan-name]", "Free");
      b.waitText("[data-testid=usage]", "0 of 10 messages today");
      b.waitText("[data-testid=plan-link]", "Upgrade");
      markPage(b);

      b.createRoom(roomName);
      b.send("first of ten");
      waitBodies(b, List.of("first of ten"));
      b.waitText("[data-testid=usage]", "1 of 10 messages today");
      assertSamePage(b, "while the usage counted the send");

      // the billing view: the plans, ours marked, Upgrade for the bigger ones
      b.click("[data-testid=plan-link]");
      b.find("[data-testid=billing-view]");
      b.find("[data-testid=plan-card][data-plan=free] [data-testid=current-plan]");
      waitContains(b, "[data-testid=plan-card][data-plan=basic]", "100 messages a day");
      waitContains(b, "[data-testid=plan-card][data-plan=pro]", "Unlimited messages");
      b.find("[data-testid=upgrade][data-plan=pro][data-via=checkout]");
      assertTrue(b.all("[data-testid=manage-billing]").stream().noneMatch(WebElement::isDisplayed), "no portal without a subscription");
      b.click("[data-testid=upgrade][data-plan=basic]");

      // the simulator's checkout page, then paid
      b.waitFor(d -> d.getCurrentUrl().contains("/dev/billing/checkout/") ? true : null, "the simulator's checkout page");
      clickButton(b, "Pay (simulated)");

      // back in the app: the session followed until paid, the plan line changed in place
      b.waitFor(d -> d.getCurrentUrl().startsWith(url()) && !d.getCurrentUrl().contains("/dev/") ? true : null, "back in the app");
      markPage(b);
      b.find("[data-testid=billing-view]");
      b.waitFor(d -> "complete".equals(b.find("[data-testid=checkout-status]").getAttribute("data-state")) ? true : null,
          "the checkout confirmed");
      waitContains(b, "[data-testid=checkout-status]", "Payment received");
      b.waitText("[data-testid=plan-name]", "Basic");
      b.waitText("[data-testid=usage]", "1 of 100 messages today");
      b.find("[data-testid=plan-card][data-plan=basic] [data-testid=current-plan]");
      b.find("[data-testid=manage-billing]");
      // a running subscription changes plan in the portal, never with a second Checkout
      b.find("[data-testid=upgrade][data-plan=pro][data-via=portal]");
      assertTrue(b.all("[data-testid=upgrade][data-plan=free]").isEmpty(), "no Upgrade to a smaller plan");
      waitContains(b, "[data-testid=subscription-note]", "Basic");
      String target = System.getProperty("parley.billing.screenshot");
      b.screenshot(target != null ? Path.of(target) : Path.of("target", "screenshots", "billing.png"));
      assertSamePage(b, "between the return and the new plan");

      // back to the room: the next send counts against the new limit
      b.click("[data-testid=billing-back]");
      b.waitFor(d -> b.all("[data-testid=billing-view]").stream().noneMatch(WebElement::isDisplayed) ? true : null,
          "the billing view closed");
      b.click("[data-testid=room-item]");
      waitBodies(b, List.of("first of ten"));
      b.send("second, on Basic");
      waitBodies(b, List.of("first of ten", "second, on Basic"));
      b.waitText("[data-testid=usage]", "2 of 100 messages today");
      assertSamePage(b, "after the upgrade");

      // the portal (the simulator's): cancel at the period end, back to the billing view that says so
      b.click("[data-testid=plan-link]");
      b.click("[data-testid=manage-billing]");
      b.waitFor(d -> d.getCurrentUrl().contains("/dev/billing/portal/") ? true : null, "the simulator's portal page");
      clickButton(b, "Cancel at period end");
      b.waitFor(d -> d.getCurrentUrl().startsWith(url()) && d.getCurrentUrl().endsWith("#billing") ? true : null, "back in the app");
      waitContains(b, "[data-testid=subscription-note]", "cancels at the period end");
      b.waitText("[data-testid=plan-name]", "Basic");
      b.waitText("[data-testid=usage]", "2 of 100 messages today");
    }
  }

  @Test
  @DisplayName("a free user at the limit: the refused send is explained in a banner with the reset time and an Upgrade button, and never resent")
  void refusedSendExplained() {
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject user = api.newUser("capped");
    long roomId = api.newRoom(user, false).getLong("id");
    for (int i = 1; i <= 10; i++) {
      api.send(user, roomId, "m" + i);
    }
    try (Browser b = Browser.start()) {
      b.logIn(url(), user.getString("email"));
      b.waitText("[data-testid=usage]", "10 of 10 messages today");
      b.click("[data-testid=room-item][data-room-id='" + roomId + "']");
      b.waitFor(d -> b.messageBodies().size() == 10 ? true : null, "the room's ten messages");

      b.send("one too many");
      String banner = waitContains(b, "[data-testid=limit-banner]", "Message limit reached. Please upgrade to Pro plan.");
      Instant reset = LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      String localReset = (String) b.driver.executeScript(
          "return new Date(arguments[0]).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});", reset.toString());
      assertTrue(banner.contains("Sending resumes") && banner.contains(localReset), "the reset in local time: " + banner);
      waitContains(b, "[data-testid=pending][data-status=refused] [data-testid=message-state]", "over today's limit");
      assertTrue(b.all("[data-testid=toast]").stream().noneMatch(WebElement::isDisplayed), "no generic error toast");
      b.waitText("[data-testid=usage]", "10 of 10 messages today");
      b.screenshot(Path.of("target", "screenshots", "limit-banner.png"));

      // nothing was stored, and nothing is sent again by itself
      assertEquals(10, api.history(user, roomId, "?limit=50").getJsonArray("items").size());

      b.click("[data-testid=limit-upgrade]");
      b.find("[data-testid=billing-view]");
      b.find("[data-testid=upgrade][data-plan=basic]");
      b.find("[data-testid=upgrade][data-plan=pro]");
      assertEquals(10, api.history(user, roomId, "?limit=50").getJsonArray("items").size(), "the refused send was not retried");

      // Upgrade, then Cancel on the simulator's checkout page: back, told so, still on Free
      b.click("[data-testid=upgrade][data-plan=pro]");
      b.waitFor(d -> d.getCurrentUrl().contains("/dev/billing/checkout/") ? true : null, "the simulator's checkout page");
      clickButton(b, "Cancel");
      waitContains(b, "[data-testid=checkout-status]", "Checkout cancelled");
      b.find("[data-testid=plan-card][data-plan=free] [data-testid=current-plan]");
      b.waitText("[data-testid=usage]", "10 of 10 messages today");
    }
  }

  @Test
  @DisplayName("back from Checkout before the webhook landed: waiting for the confirmation, then Payment received and Pro, without a reload")
  void returnBeforeTheWebhook() {
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject user = api.newUser("early");
    String token = user.getString("access_token");
    String sessionId = api.call("createCheckout", HttpMethod.POST, "/billing/checkout", token,
        new JsonObject().put("plan_code", "pro")).expect(201).json().getString("session_id");
    try (Browser b = Browser.start()) {
      b.logIn(url(), user.getString("email"));
      b.waitText("[data-testid=usage]", "0 of 10 messages today");
      markPage(b);
      // as the success URL brings the browser back (here: the same page, only the hash changes)
      b.driver.executeScript("location.hash = arguments[0];", "#billing?checkout=success&session_id=" + sessionId);
      waitContains(b, "[data-testid=checkout-status]", "Waiting for the payment to be confirmed");
      b.waitText("[data-testid=plan-name]", "Free");

      api.call("devCompleteCheckout", HttpMethod.POST, "/dev/billing/checkout/" + sessionId + "/complete", null, null).expect(200);
      waitContains(b, "[data-testid=checkout-status]", "Payment received");
      b.waitText("[data-testid=plan-name]", "Pro");
      b.waitText("[data-testid=usage]", "unlimited");
      b.waitText("[data-testid=plan-link]", "Plan");
      b.find("[data-testid=plan-card][data-plan=pro] [data-testid=current-plan]");
      assertTrue(b.all("[data-testid=upgrade]").isEmpty(), "nothing above Pro");
      assertSamePage(b, "while the checkout was followed");
    }
  }
}
