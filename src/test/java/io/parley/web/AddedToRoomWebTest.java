package io.parley.web;

import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.Keys;

/**
 * Being added to a private room, in headless Chromium with two people in separate browser
 * profiles on different nodes (issue 18): the added person's open page lists the room at once,
 * with a notice, before anyone posts in it, and follows it from there.
 */
@ExtendWith(ClusterExtension.class)
@DisplayName("Being added to a room shows it at once in a real browser")
class AddedToRoomWebTest {

  private static String url(TestCluster.Node node) {
    return "http://127.0.0.1:" + node.apiPort() + "/";
  }

  @Test
  @DisplayName("the owner (node A) adds someone to a private room: their page (node B) lists it at once with a notice, and gets its messages live")
  void addedMemberSeesTheRoomAtOnce(TestCluster cluster) {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String owner = "own" + suffix;
    String guest = "gst" + suffix;
    String roomName = "Secret " + suffix;
    try (Browser o = Browser.start(); Browser g = Browser.start()) {
      o.signUp(url(cluster.a()), owner);
      g.signUp(url(cluster.b()), guest);

      o.click("[data-testid=open-new-room]");
      o.type("#new-room-form [name=name]", roomName);
      o.click("#new-room-form [name=is_private]");
      o.click("#new-room-form button[type=submit]");
      o.waitText("[data-testid=room-name]", roomName);
      String roomId = o.find("#room-list li.active [data-testid=room-item]").getAttribute("data-room-id");
      o.click("#members-toggle");
      o.type("#add-member-form input", guest);
      o.click("[data-testid=add-member-results] [data-username='" + guest + "']");
      o.waitFor(d -> o.find("[data-testid=member-list]").getText().contains(guest) ? true : null, guest + " listed as member");

      // nobody has posted: the guest's page, never reloaded, lists the room and says who added them
      g.find("[data-testid=room-item][data-room-id='" + roomId + "']");
      g.waitText("[data-testid=notice]", owner + " added you to " + roomName);

      // and follows it: open it, then the owner's message arrives live
      g.click("[data-testid=room-item][data-room-id='" + roomId + "']");
      g.waitText("[data-testid=room-name]", roomName);
      o.find("[data-testid=composer-input]").sendKeys("welcome, " + guest, Keys.ENTER);
      g.waitFor(d -> g.messageBodies().equals(List.of("welcome, " + guest)) ? true : null,
          "the owner's message live (shown: " + g.messageBodies() + ")");
    }
  }
}
