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
import io.vertx.junit5.VertxExtension;
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
 * logs out and says why), and a moderator's delete reads "removed by a moderator" for the author.
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

  private static void logIn(Browser b, String baseUrl, String email) {
    b.open(baseUrl);
    b.type("#login-form [name=email]", email);
    b.type("#login-form [name=password]", "correct horse");
    b.click("#login-form button[type=submit]");
    b.waitText("[data-testid=conn-status]", "connected");
  }

  private static String createRoom(Browser b, String name) {
    b.click("[data-testid=open-new-room]");
    b.type("#new-room-form [name=name]", name);
    b.click("#new-room-form button[type=submit]");
    b.waitText("[data-testid=room-name]", name);
    return b.find("#room-list li.active [data-testid=room-item]").getAttribute("data-room-id");
  }

  private static void joinRoom(Browser b, String roomId, String name) {
    b.click("[data-testid=open-browse]");
    b.type("#browse-form input", name);
    b.click("[data-testid=join][data-room-id='" + roomId + "']");
    b.waitText("[data-testid=room-name]", name);
  }

  private static WebElement messageWithText(Browser b, String text) {
    return b.waitFor(d -> d.findElements(By.cssSelector("[data-testid=message]")).stream()
        .filter(m -> m.findElements(By.cssSelector("[data-testid=message-body]")).stream().anyMatch(x -> text.equals(x.getText())))
        .findFirst().orElse(null), "a message reading '" + text + "'");
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

      logIn(admin, url(cluster.a()), TestCluster.ADMIN_EMAIL);
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
      logIn(admin, url(cluster.a()), TestCluster.ADMIN_EMAIL);
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
      String roomId = createRoom(a, roomName);
      a.find("[data-testid=composer-input]").sendKeys("something rude", Keys.ENTER);
      a.waitFor(d -> messageWithText(a, "something rude").findElement(By.cssSelector("[data-testid=delete]")), "the author's own delete");

      logIn(m, url(cluster.b()), mod.getString("email"));
      assertTrue(m.all("[data-testid=admin-link]").stream().noneMatch(WebElement::isDisplayed), "moderators get no admin area");
      joinRoom(m, roomId, roomName);
      m.waitFor(d -> {
        messageWithText(m, "something rude").findElement(By.cssSelector("[data-testid=delete]")).click();
        return true;
      }, "the moderator's delete clicked");

      a.waitFor(d -> removals(a).equals(List.of("removed by a moderator")) ? true : null,
          "the author sees the removal (shown: " + removals(a) + ")");
      m.waitFor(d -> removals(m).equals(List.of("removed by a moderator")) ? true : null,
          "the moderator sees it too (shown: " + removals(m) + ")");
    }
  }
}
