package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Admins;
import io.parley.support.Api;
import io.parley.support.Axe;
import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The main views of the web client checked with axe-core in headless Chromium (WCAG 2.2 A and
 * AA rules): the login screen, the room list with a room open, the owner's room settings, the
 * members panel, the profile page and the admin area have no serious or critical violation. Each view's screenshot is
 * taken on the way (docs/images/view-*.png with {@code -Dparley.screenshots=docs/images}).
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Accessibility of the main views (axe-core)")
class AccessibilityWebTest {

  @Test
  @DisplayName("login, room list and room, members, profile and admin views: no serious or critical axe violation")
  void mainViews(Vertx vertx, TestCluster cluster) {
    Api api = new Api(vertx, cluster.a().apiPort());
    Admins.admin(vertx, api, cluster, TestCluster.ADMIN_EMAIL);
    JsonObject bo = api.newUser("bo");
    JsonObject admin = api.call("login", io.vertx.core.http.HttpMethod.POST, "/auth/login", null,
        new JsonObject().put("email", TestCluster.ADMIN_EMAIL).put("password", "correct horse")).expect(200).json();
    long room = api.sharedRoom(admin, bo);
    api.send(bo, room, "**hello** there, see https://example.org and @root_admin");
    api.send(admin, room, "a reply");
    List<String> found = new ArrayList<>();
    try (Browser b = Browser.start()) {
      b.open("http://127.0.0.1:" + cluster.a().apiPort() + "/");
      b.find("[data-testid=login-form]");
      check(b, "login", found);
      b.type("#login-form [name=email]", TestCluster.ADMIN_EMAIL);
      b.type("#login-form [name=password]", "correct horse");
      b.click("#login-form button[type=submit]");
      b.waitText("[data-testid=conn-status]", "connected");
      b.click("[data-testid=room-item][data-room-id='" + room + "']");
      b.waitFor(d -> b.messageBodies().size() == 2 ? true : null, "the messages");
      check(b, "room", found);
      // the live region reads out someone else's new message, once; the list itself is not live
      api.send(bo, room, "are you there?");
      b.waitText("[data-testid=announcer]", bo.getString("username") + ": are you there?");
      assertEquals(null, b.find("#room").getAttribute("aria-live"), "the room is not one big live region");

      // a message's actions by keyboard: the ⋯ button opens its menu, arrows move, Delete asks first, Escape goes back
      org.openqa.selenium.WebElement menuButton = b.find("[data-testid=message] [data-testid=message-menu]");
      assertTrue(menuButton.getAttribute("aria-label").matches("Actions for " + bo.getString("username") + "'s message from .+"),
          "named with its message: " + menuButton.getAttribute("aria-label"));
      menuButton.sendKeys(org.openqa.selenium.Keys.ENTER);
      b.waitFor(d -> "delete".equals(focused(b)) ? true : null, "Delete (the only action on someone else's message) focused");
      new org.openqa.selenium.interactions.Actions(b.driver).sendKeys(org.openqa.selenium.Keys.ARROW_DOWN).perform();
      b.waitFor(d -> "delete".equals(focused(b)) ? true : null, "arrows cycle through the one action");
      new org.openqa.selenium.interactions.Actions(b.driver).sendKeys(org.openqa.selenium.Keys.ENTER).perform();
      b.waitFor(d -> "confirm-delete".equals(focused(b)) ? true : null, "asked first, the confirmation focused");
      new org.openqa.selenium.interactions.Actions(b.driver).sendKeys(org.openqa.selenium.Keys.ESCAPE).perform();
      b.waitFor(d -> "message-menu".equals(focused(b)) ? true : null, "Escape: closed, the focus back on the button");
      assertEquals(3, b.messageBodies().size(), "nothing deleted");
      b.click("[data-testid=room-settings-toggle]");
      b.find("[data-testid=room-settings-form]");
      check(b, "settings", found);
      b.click("[data-testid=room-settings-toggle]");
      b.click("#members-toggle");
      b.find("[data-testid=member-list] li");
      check(b, "members", found);
      b.click("[data-testid=profile-link]");
      b.find("[data-testid=profile-view]");
      check(b, "profile", found);
      b.click("[data-testid=profile-back]");
      b.click("[data-testid=admin-link]");
      b.find("[data-testid=admin-user]");
      check(b, "admin", found);
    }
    assertEquals(List.of(), found, "serious or critical violations");
  }

  /**
   * Checks the view, and takes its screenshot: into target/screenshots, or into the folder of
   * {@code -Dparley.screenshots} (docs/images for the README: {@code view-<name>.png}).
   */
  private static void check(Browser b, String view, List<String> found) {
    for (String v : Axe.seriousViolations(b)) {
      found.add(view + ": " + v);
    }
    String dir = System.getProperty("parley.screenshots");
    b.screenshot((dir != null ? Path.of(dir) : Path.of("target", "screenshots")).resolve("view-" + view + ".png"));
  }

  private static String focused(Browser b) {
    return (String) b.driver.executeScript("return document.activeElement && document.activeElement.dataset.testid || null");
  }
}
