package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * Room management in headless Chromium, two people in separate browser profiles on different
 * nodes (issue 18): the owner's settings (name, description, privacy, delete with a
 * confirmation) seen live by a member, removing a member, an owner leaving by handing the room
 * over, people's names in the member list, and the empty state of a new account.
 */
@ExtendWith(ClusterExtension.class)
@DisplayName("Room management in a real browser")
class RoomManagementWebTest {

  private static String url(TestCluster.Node node) {
    return "http://127.0.0.1:" + node.apiPort() + "/";
  }

  private static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 6);
  }

  /** Signs up with a first and last name; returns once connected. */
  private static void signUp(Browser b, String baseUrl, String username, String first, String last) {
    b.open(baseUrl);
    b.click("#login-form [data-show=signup-form]");
    b.type("#signup-form [name=email]", username + "@example.test");
    b.type("#signup-form [name=username]", username);
    b.type("#signup-form [name=first_name]", first);
    b.type("#signup-form [name=last_name]", last);
    b.type("#signup-form [name=password]", "correct horse");
    b.click("#signup-form button[type=submit]");
    b.waitText("[data-testid=me-name]", username);
    b.waitText("[data-testid=conn-status]", "connected");
  }

  /** A room of {@code owner} that {@code member} joined (the join answered) and has open; its id. */
  private static String sharedRoom(Browser owner, Browser member, String name) {
    String roomId = owner.createRoom(name);
    member.joinRoom(roomId, name);
    return roomId;
  }

  /** The member list's entry of {@code username} (the panel opened if need be). */
  private static WebElement memberEntry(Browser b, String username) {
    if (b.all("#members-panel:not([hidden])").isEmpty()) {
      b.click("#members-toggle");
    }
    return b.waitFor(d -> b.all("[data-testid=member-list] li").stream()
        .filter(li -> li.findElements(By.cssSelector("[data-testid=member-username]")).stream()
            .anyMatch(u -> u.getText().replace("@", "").equals(username)))
        .findFirst().orElse(null), username + " in the member list");
  }

  private static void waitGone(Browser b, String roomId, String who) {
    b.waitFor(d -> b.all("[data-testid=room-item][data-room-id='" + roomId + "']").isEmpty() ? true : null,
        "the room gone from " + who + "'s list");
    b.waitText("[data-testid=room-name]", "Pick a room");
  }

  @Test
  @DisplayName("the owner (node A) renames the room, describes it and makes it private: a member (node B) sees it live; then deletes it after a confirmation and the member's page loses it")
  void settingsSeenLive(TestCluster cluster) {
    String ann = unique("ann");
    String ben = unique("ben");
    String name = unique("Plans ");
    String renamed = unique("Roadmap ");
    try (Browser o = Browser.start(); Browser m = Browser.start()) {
      signUp(o, url(cluster.a()), ann, "Ann", "Archer");
      signUp(m, url(cluster.b()), ben, "Ben", "Baker");
      String roomId = sharedRoom(o, m, name);
      assertTrue(m.all("[data-testid=room-settings-toggle]").stream().noneMatch(WebElement::isDisplayed), "no settings for a member");

      o.click("[data-testid=room-settings-toggle]");
      assertEquals(name, o.find("[data-testid=room-settings-name]").getAttribute("value"));
      o.type("[data-testid=room-settings-name]", renamed);
      o.type("[data-testid=room-settings-description]", "What we ship next <b>quarter</b>");
      o.click("[data-testid=room-settings-private]");
      o.click("[data-testid=room-settings-save]");

      // ben, on the other node, never reloaded: header, description and list follow at once
      m.waitText("[data-testid=room-name]", renamed);
      m.waitText("[data-testid=room-description]", "What we ship next <b>quarter</b>");
      m.waitFor(d -> m.find("[data-testid=room-info]").getText().startsWith("private") ? true : null, "shown as private");
      m.waitFor(d -> m.find("[data-testid=room-item][data-room-id='" + roomId + "']").getText().contains(renamed) ? true : null,
          "the list renamed");
      assertTrue(m.all("[data-testid=room-description] b").isEmpty(), "the description is text, never HTML");
      o.waitText("[data-testid=room-description]", "What we ship next <b>quarter</b>");
      m.screenshot(Path.of("target", "screenshots", "room-described.png"));

      // delete, after a confirmation that names the room
      o.click("[data-testid=room-settings-toggle]");
      o.click("[data-testid=room-delete]");
      assertTrue(o.find("[data-testid=room-delete-confirm]").getText().contains(renamed));
      o.screenshot(Path.of("target", "screenshots", "room-settings.png"));
      o.click("[data-testid=room-delete-no]");
      assertTrue(o.all("[data-testid=room-item][data-room-id='" + roomId + "']").size() == 1, "cancelled: still there");
      o.click("[data-testid=room-delete]");
      o.click("[data-testid=room-delete-yes]");
      waitGone(o, roomId, ann);
      waitGone(m, roomId, ben);
    }
  }

  @Test
  @DisplayName("the member list shows names beside usernames; the owner removes a member, whose page (node B) loses the room live")
  void ownerRemovesAMember(TestCluster cluster) {
    String cat = unique("cat");
    String dan = unique("dan");
    String name = unique("Crew ");
    try (Browser o = Browser.start(); Browser m = Browser.start()) {
      signUp(o, url(cluster.a()), cat, "Cat", "Carter");
      signUp(m, url(cluster.b()), dan, "Dan", "Dunn");
      String roomId = sharedRoom(o, m, name);

      WebElement entry = memberEntry(o, dan); // listed live, as he joined
      assertEquals("Dan Dunn", entry.findElement(By.cssSelector("[data-testid=member-name]")).getText());
      o.waitFor(d -> o.find("[data-testid=room-info]").getText().contains("2 members") ? true : null, "the owner's header counts " + dan);
      assertTrue(memberEntry(m, cat).getText().contains("(owner)"));
      assertTrue(m.all("[data-testid=member-remove]").stream().noneMatch(WebElement::isDisplayed), "a member removes no one");
      assertTrue(memberEntry(o, cat).findElements(By.cssSelector("[data-testid=member-remove]")).isEmpty(), "not the owner");
      o.screenshot(Path.of("target", "screenshots", "room-members.png"));

      memberEntry(o, dan).findElement(By.cssSelector("[data-testid=member-remove]")).click();
      waitGone(m, roomId, dan);
      o.waitFor(d -> o.all("[data-testid=member-list] li").size() == 1 ? true : null, "the owner's list without " + dan);
      o.waitFor(d -> o.find("[data-testid=room-info]").getText().contains("1 member") ? true : null, "one member left");
    }
  }

  @Test
  @DisplayName("the owner (node A) leaves by handing the room to a member, who (node B) then has the owner's controls")
  void ownerHandsTheRoomOver(TestCluster cluster) {
    String eve = unique("eve");
    String fay = unique("fay");
    String name = unique("Guild ");
    try (Browser o = Browser.start(); Browser m = Browser.start()) {
      signUp(o, url(cluster.a()), eve, "Eve", "Evans");
      signUp(m, url(cluster.b()), fay, "Fay", "Fox");
      String roomId = sharedRoom(o, m, name);
      assertTrue(m.all("[data-testid=room-settings-toggle]").stream().noneMatch(WebElement::isDisplayed));

      o.click("[data-testid=leave-room]");
      o.find("[data-testid=leave-panel]");
      assertTrue(o.find("[data-testid=leave-delete]").isDisplayed(), "deleting it is offered too");
      Select heir = new Select(o.find("[data-testid=leave-new-owner]"));
      assertEquals("Fay Fox (@" + fay + ")", heir.getFirstSelectedOption().getText());
      o.screenshot(Path.of("target", "screenshots", "room-leave.png"));
      o.click("[data-testid=leave-hand-over]");
      waitGone(o, roomId, eve);

      // fay owns the room now, without a reload: settings, and Remove in the member list
      m.find("[data-testid=room-settings-toggle]");
      m.waitFor(d -> memberEntry(m, fay).getText().contains("(owner)") ? true : null, fay + " marked owner");
      m.waitFor(d -> m.all("[data-testid=member-list] li").size() == 1 ? true : null, eve + " gone from the list");
      m.click("[data-testid=room-settings-toggle]");
      m.type("[data-testid=room-settings-name]", name + " (Fay's)");
      m.click("[data-testid=room-settings-save]");
      m.waitText("[data-testid=room-name]", name + " (Fay's)");
    }
  }

  @Test
  @DisplayName("after sign-up, with no room yet, an empty state offers to create a room or to browse the public ones")
  void emptyStateAfterSignUp(TestCluster cluster) {
    String gus = unique("gus");
    try (Browser b = Browser.start()) {
      signUp(b, url(cluster.a()), gus, "Gus", "Gray");
      WebElement empty = b.find("[data-testid=empty-state]");
      assertTrue(empty.getText().contains("You are in no room yet"), empty.getText());
      assertTrue(b.find("[data-testid=room-list]").getText().contains("No rooms yet"), "the list says so too");
      b.screenshot(Path.of("target", "screenshots", "empty-state.png"));

      b.click("[data-testid=empty-browse]");
      b.find("[data-testid=public-rooms]");
      b.click("[data-testid=empty-create-room]");
      WebElement nameField = b.find("#new-room-form [name=name]");
      assertEquals(nameField, b.driver.switchTo().activeElement(), "the new room's name is focused");
      assertTrue(b.all("#browse-panel:not([hidden])").isEmpty(), "one panel at a time");
      String roomName = unique("First ");
      nameField.sendKeys(roomName);
      b.click("#new-room-form button[type=submit]");
      b.waitText("[data-testid=room-name]", roomName);
      b.waitFor(d -> b.all("[data-testid=empty-state]").stream().noneMatch(WebElement::isDisplayed) ? true : null,
          "no empty state once there is a room");
    }
  }
}
