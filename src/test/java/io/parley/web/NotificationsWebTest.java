package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Notifications in the web client, in headless Chromium with the notification permission granted
 * (through the DevTools protocol): opted in on the profile page, a message in a room not in view
 * makes a desktop notification (the page's Notification constructor is wrapped to record them)
 * and counts in the tab's title; the open room does not notify; a muted room notifies only a
 * mention and leaves the title's total.
 */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Notifications in a real browser: desktop notifications, the title count, muted rooms")
class NotificationsWebTest {

  /** Records each notification shown, keeping the real permission. */
  private static final String SPY = "window.shownNotifications = []; const Real = window.Notification;"
      + "class Spy { constructor(title, options) { window.shownNotifications.push(title + ' | ' + (options && options.body)); }"
      + " close() {} static get permission() { return Real.permission; } static requestPermission() { return Real.requestPermission(); } }"
      + "window.Notification = Spy;";

  @SuppressWarnings("unchecked")
  private static List<String> shown(Browser b) {
    return (List<String>) b.driver.executeScript("return window.shownNotifications");
  }

  private static void waitShown(Browser b, List<String> expected) {
    b.waitFor(d -> expected.equals(shown(b)) ? true : null, "notifications " + expected + " (shown: " + shown(b) + ")");
  }

  private static void waitTitle(Browser b, String title) {
    b.waitFor(d -> title.equals(d.getTitle()) ? true : null, "the title '" + title + "' (is '" + b.driver.getTitle() + "')");
  }


  @Test
  @DisplayName("a message in another room notifies and counts in the title; the open room does not; a muted room only for a mention")
  void desktopNotifications(Vertx vertx, TestCluster cluster) {
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject ada = api.newUser("ada");
    JsonObject bo = api.newUser("bo");
    long general = api.sharedRoom(ada, bo);
    long random = api.sharedRoom(ada, bo);
    String base = "http://127.0.0.1:" + cluster.b().apiPort();
    try (Browser b = Browser.start()) {
      b.driver.executeCdpCommand("Browser.grantPermissions", Map.of("origin", base, "permissions", List.of("notifications")));
      b.logIn(base + "/", ada.getString("email"));
      b.driver.executeScript(SPY);

      // opt in on the profile page
      b.click("[data-testid=profile-link]");
      b.click("[data-testid=notify-desktop]");
      b.waitFor(d -> b.find("[data-testid=notify-desktop]").isSelected() ? true : null, "desktop notifications on");
      b.click("[data-testid=profile-back]");
      b.openRoom(general);

      api.send(bo, random, "lunch at noon?");
      waitShown(b, List.of(bo.getString("username") + " in " + roomName(api, bo, random) + " | lunch at noon?"));
      waitTitle(b, "(1) Parley");

      api.send(bo, general, "in the open room");
      b.waitFor(d -> b.messageBodies().contains("in the open room") ? true : null, "the message in the open room");
      assertEquals(1, shown(b).size(), "the room in view does not notify: " + shown(b));

      // mute the other room: plain messages no longer notify nor count; a mention does notify
      b.openRoom(random);
      waitTitle(b, "Parley");
      b.click("[data-testid=mute-room]");
      b.waitText("[data-testid=mute-room]", "Unmute");
      assertEquals("true", b.find("[data-testid=mute-room]").getAttribute("aria-pressed"));
      b.openRoom(general);
      api.send(bo, random, "nothing urgent");
      b.find("[data-testid=room-item][data-room-id='" + random + "'] [data-testid=unread]"); // the badge stays
      api.send(bo, random, "@" + ada.getString("username") + " can you look?");
      waitShown(b, List.of(shown(b).get(0),
          bo.getString("username") + " mentioned you in " + roomName(api, bo, random) + " | @" + ada.getString("username") + " can you look?"));
      waitTitle(b, "Parley"); // muted rooms stay out of the total
      assertTrue(b.all("[data-testid=room-item][data-room-id='" + random + "'] [data-testid=muted]").size() == 1, "marked muted in the list");
    }
  }

  private static String roomName(Api api, JsonObject user, long roomId) {
    return api.call("getRoom", io.vertx.core.http.HttpMethod.GET, "/rooms/" + roomId, user.getString("access_token"), null)
        .expect(200).json().getString("name");
  }
}
