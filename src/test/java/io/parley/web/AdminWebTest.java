package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Admins;
import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import io.vertx.junit5.VertxExtension;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The admin area and moderation in the web client, in headless Chromium, two people in separate
 * browser profiles on different nodes: an admin disables someone whose page is open (their page
 * logs out and says why), a moderator's delete reads "removed by a moderator" for the author, and
 * an admin walks a user's page (a plan grant), Rooms, Plans and Payments.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("The admin area and moderation in a real browser")
class AdminWebTest {

  private static String url(TestCluster.Node node) {
    return "http://127.0.0.1:" + node.apiPort() + "/";
  }

  private static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 6);
  }

  /** The texts of the removed messages shown in the open room (one atomic read: the list re-renders on events). */
  @SuppressWarnings("unchecked")
  private static List<String> removals(Browser b) {
    return (List<String>) b.driver.executeScript("return [...document.querySelectorAll("
        + "'[data-testid=messages] [data-testid=message-deleted]')].map(e => e.innerText)");
  }

  /** The newest audit row: action | actor | target | before → after. */
  private static String newestAudit(Browser b) {
    return (String) b.driver.executeScript("const r = document.querySelector('[data-testid=audit-row]');"
        + "return r && ['action', 'actor', 'target', 'change'].map(k => r.querySelector(`[data-testid=audit-${k}]`).innerText).join(' | ');");
  }

  private static String userRow(String username) {
    return "[data-testid=admin-user][data-username='" + username + "']";
  }

  @Test
  @DisplayName("an admin disables a user in the admin area while that user's page is open: the page logs out to the login screen saying so, and the audit log shows the change")
  void disableLogsOut(Vertx vertx, TestCluster cluster) {
    Api api = new Api(vertx, cluster.a().apiPort());
    Admins.admin(vertx, api, cluster, TestCluster.ADMIN_EMAIL); // the account exists, verified, made admin
    String victim = unique("victim");
    String plain = unique("plain");
    try (Browser admin = Browser.start(); Browser user = Browser.start()) {
      user.signUp(url(cluster.b()), victim);
      // an ordinary user has no admin link, and #admin sends them back to the chat
      assertTrue(user.all("[data-testid=admin-link]").stream().noneMatch(WebElement::isDisplayed), "no admin link for a user");

      admin.logIn(url(cluster.a()), TestCluster.ADMIN_EMAIL);
      admin.click("[data-testid=admin-link]");
      admin.find("[data-testid=admin-view]");
      admin.type("[data-testid=admin-user-q]", victim);
      admin.find(userRow(victim));
      admin.waitFor(d -> admin.all("[data-testid=admin-user]").size() == 1 ? true : null, "the search leaves only " + victim);
      admin.waitText(userRow(victim) + " [data-testid=admin-user-status]", "active");

      admin.click(userRow(victim) + " [data-testid=admin-toggle-status]");
      admin.waitText(userRow(victim) + " [data-testid=admin-user-status]", "disabled");
      admin.waitText(userRow(victim) + " [data-testid=admin-toggle-status]", "Enable");

      // the user's page: logged out (the socket closed with 4403), on the login screen, told why
      user.find("[data-testid=login-form]");
      user.waitText("[data-testid=notice]", "Your account was disabled");
      assertTrue(user.all("#chat-view").stream().noneMatch(WebElement::isDisplayed), "the chat is gone");

      // logging in again is refused, with the server's reason
      user.type("#login-form [name=email]", victim + "@example.test");
      user.type("#login-form [name=password]", "correct horse");
      user.click("#login-form button[type=submit]");
      user.waitText("[data-testid=toast]", "this account is disabled");

      // the audit log (its own tab), newest first: who disabled whom, status before → after
      admin.click("[data-testid=admin-tab-audit]");
      String expected = "user.update | root_admin | " + victim + " | status: active → disabled";
      try {
        admin.waitFor(d -> expected.equals(newestAudit(admin)) ? true : null, "the audit row of the disabling");
      } catch (org.openqa.selenium.TimeoutException e) {
        assertEquals(expected, newestAudit(admin), "the newest audit row");
      }

      // the status filter: a disabled search finds them, an active one does not
      admin.click("[data-testid=admin-tab-users]");
      new Select(admin.find("[data-testid=admin-status-filter]")).selectByValue("disabled");
      admin.find(userRow(victim));
      new Select(admin.find("[data-testid=admin-status-filter]")).selectByValue("active");
      try {
        admin.waitFor(d -> admin.all(userRow(victim)).isEmpty() ? true : null, victim + " not among the active");
      } catch (org.openqa.selenium.TimeoutException e) {
        throw new AssertionError("the active filter still lists " + victim + " (filter | rows | toast): " + admin.driver.executeScript("return document.querySelector('[data-testid=admin-status-filter]').value + ' | ' + "
            + "[...document.querySelectorAll('[data-testid=admin-user]')].map(r => r.dataset.username + ':' + r.dataset.status).join(',') + ' | ' + document.getElementById('toast').innerText"), e);
      }

      // an ordinary user typing #admin is sent back to the chat
      try (Browser other = Browser.start()) {
        other.signUp(url(cluster.a()), plain);
        other.open(url(cluster.a()) + "#admin");
        other.waitText("[data-testid=conn-status]", "connected");
        other.waitFor(d -> "".equals(other.driver.executeScript("return location.hash")) ? true : null, "#admin left");
        other.waitFor(d -> other.all("[data-testid=admin-view]").stream().noneMatch(WebElement::isDisplayed) ? true : null,
            "no admin area for a user");
      }
    }
  }

  @Test
  @DisplayName("a moderator (made one in the admin area) deletes another user's message: the author sees \"removed by a moderator\" live")
  void moderatorRemoves(Vertx vertx, TestCluster cluster) {
    Api api = new Api(vertx, cluster.a().apiPort());
    Admins.admin(vertx, api, cluster, TestCluster.ADMIN_EMAIL);
    JsonObject mod = api.newUser("mod");
    String author = unique("author");
    String roomName = unique("Agora ");
    try (Browser admin = Browser.start()) {
      admin.logIn(url(cluster.a()), TestCluster.ADMIN_EMAIL);
      admin.click("[data-testid=admin-link]");
      admin.type("[data-testid=admin-user-q]", mod.getString("username"));
      new Select(admin.find(userRow(mod.getString("username")) + " [data-testid=admin-role]")).selectByValue("moderator");
      admin.waitFor(d -> "moderator".equals(admin.find(userRow(mod.getString("username"))).getAttribute("data-role")) ? true : null,
          "the role saved");
    }
    assertEquals("moderator", api.call("getMe", HttpMethod.GET, "/users/me",
        api.call("login", HttpMethod.POST, "/auth/login", null,
            new JsonObject().put("email", mod.getString("email")).put("password", "correct horse")).expect(200).json()
            .getString("access_token"), null).expect(200).json().getString("role"));

    try (Browser a = Browser.start(); Browser m = Browser.start()) {
      a.signUp(url(cluster.a()), author);
      String roomId = a.createRoom(roomName);
      a.find("[data-testid=composer-input]").sendKeys("something rude", Keys.ENTER);
      a.waitFor(d -> a.messageWithText("something rude").findElement(By.cssSelector("[data-testid=message-menu]")), "the author's own menu");

      m.logIn(url(cluster.b()), mod.getString("email"));
      assertTrue(m.all("[data-testid=admin-link]").stream().noneMatch(WebElement::isDisplayed), "moderators get no admin area");
      m.joinRoom(roomId, roomName);
      m.waitFor(d -> {
        WebElement rude = m.messageWithText("something rude");
        if (rude.findElements(By.cssSelector("[data-testid=delete], [data-testid=confirm-delete]")).isEmpty()) {
          rude.findElement(By.cssSelector("[data-testid=message-menu]")).click(); // the ⋯ menu
        }
        rude = m.messageWithText("something rude");
        if (!rude.findElements(By.cssSelector("[data-testid=delete]")).isEmpty()) {
          rude.findElement(By.cssSelector("[data-testid=delete]")).click(); // asks first
        }
        m.messageWithText("something rude").findElement(By.cssSelector("[data-testid=confirm-delete]")).click();
        return true;
      }, "the moderator's delete picked and confirmed");

      a.waitFor(d -> removals(a).equals(List.of("removed by a moderator")) ? true : null,
          "the author sees the removal (shown: " + removals(a) + ")");
      m.waitFor(d -> removals(m).equals(List.of("removed by a moderator")) ? true : null,
          "the moderator sees it too (shown: " + removals(m) + ")");
    }
  }

  /** A payment of {@code userId} as the Stripe webhook stores one (BillingSql.PAYMENT_INVOICE); its id. */
  private static long payment(Vertx vertx, TestCluster cluster, long userId, long cents, String status) {
    Pool db = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
    try {
      return Api.await(db.preparedQuery("INSERT INTO payments (user_id, amount_cents, currency, stripe_invoice_id, status) "
          + "VALUES ($1, $2, 'usd', $3, $4) RETURNING id").execute(Tuple.of(userId, cents, unique("in_test_"), status)))
          .iterator().next().getLong("id");
    } finally {
      db.close();
    }
  }

  /** Sets a date input as its picker would (typing into one depends on the browser's locale), then tells its listeners. */
  private static void pickDate(Browser b, String css, LocalDate day) {
    b.driver.executeScript("const i = document.querySelector(arguments[0]); i.value = arguments[1];"
        + "i.dispatchEvent(new Event('input', {bubbles: true})); i.dispatchEvent(new Event('change', {bubbles: true}));",
        css, day.toString());
  }

  private static JsonObject adminGet(Api api, String token, String operationId, String path) {
    return api.call(operationId, HttpMethod.GET, path, token, null).expect(200).json();
  }

  /** The plan of {@code code} as GET /admin/plans lists it. */
  private static JsonObject plan(Api api, String token, String code) {
    return adminGet(api, token, "adminListPlans", "/admin/plans").getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(p -> code.equals(p.getString("code"))).findFirst().orElseThrow(() -> new AssertionError("no plan " + code));
  }

  @Test
  @DisplayName("an admin opens a user's page from the users table and grants a plan until a date, sees a room's counts in Rooms, "
      + "creates a plan and edits its daily limit in Plans, and filters Payments down to one and to none")
  void userPageRoomsPlansPayments(Vertx vertx, TestCluster cluster) {
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject root = Admins.admin(vertx, api, cluster, TestCluster.ADMIN_EMAIL);
    String token = root.getString("access_token");
    JsonObject grantee = api.newUser("grantee");
    JsonObject peer = api.newUser("peer");
    long userId = grantee.getLong("id");
    String username = grantee.getString("username");
    JsonObject room = api.newRoom(grantee, false);
    long roomId = room.getLong("id");
    api.join(peer, roomId);
    api.send(grantee, roomId, "one");
    api.send(grantee, roomId, "two");
    api.send(peer, roomId, "three");
    long paid = payment(vertx, cluster, userId, 1999, "paid");
    payment(vertx, cluster, peer.getLong("id"), 999, "paid"); // someone else's: the user filter leaves it out
    LocalDate until = LocalDate.now().plusDays(45);

    try (Browser admin = Browser.start()) {
      admin.logIn(url(cluster.a()), TestCluster.ADMIN_EMAIL);
      admin.click("[data-testid=admin-link]");
      admin.type("[data-testid=admin-user-q]", username);
      admin.click(userRow(username) + " [data-testid=admin-user-link]");

      // the user's page: who, status, plan, today's usage, rooms, payments
      admin.waitFor(d -> d.getCurrentUrl().endsWith("#admin/users/" + userId) ? true : null, "the page's own address");
      admin.waitText("[data-testid=admin-user-name]", username);
      admin.waitText("[data-testid=admin-user-page-status]", "active");
      admin.waitFor(d -> "free".equals(admin.find("[data-testid=admin-user-plan]").getAttribute("data-code")) ? true : null, "plan free");
      admin.waitFor(d -> admin.find("[data-testid=admin-user-usage]").getText().startsWith("2 messages") ? true : null,
          "two messages today");
      admin.find("[data-testid=admin-user-room][data-room-id='" + roomId + "']");
      admin.waitText("[data-testid=admin-user-payment][data-payment-id='" + paid + "'] [data-testid=admin-payment-status]", "paid");

      // a manual grant: pro until the end of a day 45 days from now
      admin.waitFor(d -> {
        new Select(admin.find("[data-testid=admin-grant-plan]")).selectByValue("pro");
        return true;
      }, "pro offered for a grant");
      pickDate(admin, "[data-testid=admin-grant-until]", until);
      admin.click("[data-testid=admin-grant]");
      admin.waitFor(d -> "pro".equals(admin.find("[data-testid=admin-user-plan]").getAttribute("data-code")) ? true : null,
          "the page shows pro");
      String shownUntil = admin.find("[data-testid=admin-user-plan-until]").getAttribute("data-until");
      assertEquals(until, OffsetDateTime.parse(shownUntil).atZoneSameInstant(ZoneId.systemDefault()).toLocalDate(), "the grant's end shown");
      admin.waitFor(d -> admin.all("[data-testid=admin-user-trail] [data-testid=audit-row]").stream()
          .anyMatch(r -> r.getText().contains("plan_code: — → pro")) ? true : null, "the grant in the page's history");

      // as the server has it: pro in force, and an audit row of the grant by this admin
      assertEquals("pro", adminGet(api, token, "adminGetUser", "/admin/users/" + userId).getJsonObject("user").getString("plan_code"));
      JsonObject row = adminGet(api, token, "adminAudit", "/admin/audit?target_type=user&target_id=" + userId + "&limit=1")
          .getJsonArray("items").getJsonObject(0);
      assertEquals("user.update", row.getString("action"));
      assertEquals(root.getJsonObject("user").getLong("id"), row.getLong("actor_id"));
      assertEquals("pro", row.getJsonObject("after").getString("plan_code"));
      assertEquals(until, OffsetDateTime.parse(row.getJsonObject("after").getString("plan_until"))
          .atZoneSameInstant(ZoneId.systemDefault()).toLocalDate(), "the grant ends on the day picked");

      // back to the list, which shows the plan in force
      admin.click("[data-testid=admin-user-back]");
      admin.waitText(userRow(username) + " td:nth-child(3)", "pro");
      // the plan filter: free leaves them out, pro lists them
      admin.waitFor(d -> admin.all("[data-testid=admin-plan-filter] option[value=pro]").size() == 1 ? true : null, "the plans to filter by");
      new Select(admin.find("[data-testid=admin-plan-filter]")).selectByValue("free");
      admin.waitFor(d -> admin.all(userRow(username)).isEmpty() ? true : null, username + " not among free users");
      new Select(admin.find("[data-testid=admin-plan-filter]")).selectByValue("pro");
      admin.find(userRow(username));
      new Select(admin.find("[data-testid=admin-plan-filter]")).selectByValue("");

      // Rooms: the room with 2 members and 3 messages (More until its page is in)
      admin.click("[data-testid=admin-tab-rooms]");
      String roomRow = "[data-testid=admin-room][data-room-id='" + roomId + "']";
      admin.waitFor(d -> {
        if (!admin.all(roomRow).isEmpty()) {
          return true;
        }
        admin.all("[data-testid=admin-rooms-more]").stream().filter(WebElement::isDisplayed).findFirst().ifPresent(WebElement::click);
        return null;
      }, "room " + roomId + " listed");
      admin.waitText(roomRow + " [data-testid=admin-room-name]", room.getString("name"));
      admin.waitText(roomRow + " [data-testid=admin-room-members]", "2");
      admin.waitText(roomRow + " [data-testid=admin-room-messages]", "3");

      // Plans: a new plan (off sale: no other test sees it sold), then its daily message limit edited in its card
      admin.click("[data-testid=admin-tab-plans]");
      String code = unique("web-");
      admin.type("[data-testid=new-plan-code]", code);
      admin.type("[data-testid=new-plan-name]", "Web " + code);
      admin.type("[data-testid=new-plan-price]", "450");
      admin.type("[data-testid=new-plan-messages]", "5");
      admin.type("[data-testid=new-plan-assistant]", "2");
      admin.click("[data-testid=new-plan-active]");
      admin.click("[data-testid=new-plan-create]");
      String card = "[data-testid=admin-plan][data-code='" + code + "']";
      admin.waitText(card + " [data-testid=plan-state]", "off sale");
      JsonObject created = plan(api, token, code);
      assertEquals("Web " + code, created.getString("name"));
      assertEquals(450, created.getInteger("price_cents"));
      assertEquals("usd", created.getString("currency"));
      assertEquals(30, created.getInteger("interval_days"));
      assertEquals(5, created.getInteger("daily_message_limit"));
      assertEquals(2, created.getInteger("daily_assistant_limit"));
      assertEquals(false, created.getBoolean("active"));
      assertEquals(null, created.getValue("stripe_price_id"));
      admin.waitFor(d -> "".equals(admin.find("[data-testid=new-plan-code]").getAttribute("value")) ? true : null,
          "the form emptied for the next plan");

      admin.type(card + " [data-testid=plan-messages]", "7");
      admin.click(card + " [data-testid=plan-save]");
      admin.waitFor(d -> Integer.valueOf(7).equals(plan(api, token, code).getInteger("daily_message_limit")) ? true : null,
          code + "'s message limit saved as 7");
      admin.waitFor(d -> "7".equals(admin.find(card + " [data-testid=plan-messages]").getAttribute("value")) ? true : null,
          "the card shows the saved limit");
      JsonObject edited = plan(api, token, code);
      assertEquals(2, edited.getInteger("daily_assistant_limit"), "the other fields as they were");
      assertEquals(450, edited.getInteger("price_cents"));
      assertEquals(false, edited.getBoolean("active"));

      // Payments: this user's paid ones list the payment; their failed ones, none
      admin.click("[data-testid=admin-tab-payments]");
      admin.type("[data-testid=admin-payment-user-filter]", String.valueOf(userId));
      new Select(admin.find("[data-testid=admin-payment-status-filter]")).selectByValue("paid");
      String paidRow = "[data-testid=admin-payment][data-payment-id='" + paid + "']";
      admin.waitFor(d -> admin.all("[data-testid=admin-payment]").size() == 1 && !admin.all(paidRow).isEmpty() ? true : null,
          "only payment " + paid);
      admin.waitText(paidRow + " [data-testid=admin-payment-user-link]", username);
      new Select(admin.find("[data-testid=admin-payment-status-filter]")).selectByValue("failed");
      admin.find("[data-testid=admin-payments-empty]");
      assertTrue(admin.all("[data-testid=admin-payment]").isEmpty(), "no failed payment listed");
      // the period: paid from today on lists it again, paid from tomorrow on lists none
      pickDate(admin, "[data-testid=admin-payment-from-filter]", LocalDate.now());
      new Select(admin.find("[data-testid=admin-payment-status-filter]")).selectByValue("paid");
      admin.find(paidRow);
      pickDate(admin, "[data-testid=admin-payment-from-filter]", LocalDate.now().plusDays(1));
      admin.find("[data-testid=admin-payments-empty]");
    }
  }
}
