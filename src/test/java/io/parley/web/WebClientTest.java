package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

/**
 * The web client in headless Chromium: people in separate browser profiles, connected to
 * different clustered nodes, chatting live; a reconnect after the node went away; XSS.
 */
@ExtendWith(ClusterExtension.class)
@DisplayName("The web client in a real browser")
class WebClientTest {

  private static String url(TestCluster.Node node) {
    return "http://127.0.0.1:" + node.apiPort() + "/";
  }

  private static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 6);
  }

  /**
   * Picks a tool (edit, delete) from a message's ⋯ menu (a delete then confirmed), again if a live
   * re-render took the element away meanwhile.
   */
  private static void clickTool(Browser b, String text, String tool) {
    b.waitFor(d -> {
      WebElement m = b.messageWithText(text);
      if (m.findElements(By.cssSelector("[data-testid=" + tool + "]")).isEmpty()) {
        m.findElement(By.cssSelector("[data-testid=message-menu]")).click();
      }
      b.messageWithText(text).findElement(By.cssSelector("[data-testid=" + tool + "]")).click();
      return true;
    }, tool + " picked on '" + text + "'");
    if (tool.equals("delete")) {
      b.waitFor(d -> {
        b.messageWithText(text).findElement(By.cssSelector("[data-testid=confirm-delete]")).click();
        return true;
      }, "the delete confirmed on '" + text + "'");
    }
  }

  private static void waitBodies(Browser b, List<String> expected) {
    b.waitFor(d -> b.messageBodies().equals(expected) ? true : null, "messages " + expected + " (shown: " + b.messageBodies() + ")");
  }

  @Test
  @DisplayName("two people on two nodes sign up, share a room, exchange, edit and delete messages live")
  void chatAcrossNodes(TestCluster cluster) {
    String alice = unique("alice");
    String bob = unique("bob");
    String roomName = unique("Lobby ");
    try (Browser a = Browser.start(); Browser b = Browser.start()) {
      a.signUp(url(cluster.a()), alice);
      b.signUp(url(cluster.b()), bob);
      String roomId = a.createRoom(roomName);
      b.joinRoom(roomId, roomName);

      a.send("hello " + bob);
      waitBodies(b, List.of("hello " + bob));
      b.send("hi " + alice + "\nhow are you?");
      waitBodies(a, List.of("hello " + bob, "hi " + alice + "\nhow are you?"));
      a.waitFor(d -> a.messageWithText("hello " + bob).findElement(By.cssSelector("[data-testid=message-state]")),
          "alice's message has a state");
      b.waitFor(d -> b.messageWithText("hi " + alice + "\nhow are you?").getText().contains("✓") ? true : null, "bob's message marked sent (or read)");

      // edit in place, seen live by the other
      clickTool(a, "hello " + bob, "edit");
      // live events re-render the list; the editor survives, an element reference may not: retry until saved
      a.waitFor(d -> {
        List<WebElement> editors = d.findElements(By.cssSelector("[data-testid=edit-input]"));
        if (editors.isEmpty()) {
          return true;
        }
        editors.get(0).clear();
        editors.get(0).sendKeys("hello " + bob + ", edited", Keys.ENTER);
        return null;
      }, "the edit saved");
      waitBodies(b, List.of("hello " + bob + ", edited", "hi " + alice + "\nhow are you?"));
      assertTrue(b.messageWithText("hello " + bob + ", edited").findElements(By.cssSelector("[data-testid=edited]")).size() == 1);

      // delete in place, seen live by the other
      clickTool(b, "hi " + alice + "\nhow are you?", "delete");
      waitBodies(a, List.of("hello " + bob + ", edited"));
      a.waitFor(d -> a.all(".message .body.deleted").size() == 1 ? true : null, "a deleted-message tombstone");

      // message bodies are text, never HTML
      String xss = "<img src=x onerror=alert(1)>";
      a.send(xss);
      waitBodies(b, List.of("hello " + bob + ", edited", xss));
      assertEquals(0, b.all("[data-testid=messages] img").size(), "no element was created from a message body");
      assertThrows(NoAlertPresentException.class, () -> b.driver.switchTo().alert());
      assertThrows(NoAlertPresentException.class, () -> a.driver.switchTo().alert());

      String target = System.getProperty("parley.screenshot");
      b.screenshot(target != null ? Path.of(target) : Path.of("target", "screenshots", "chat.png"));

      // refusals are shown in words
      b.send("x".repeat(4001));
      b.waitFor(d -> b.find("[data-testid=toast]").getText().contains("4000") ? true : null, "the limit explained");
    }
  }

  @Test
  @DisplayName("history pages load when scrolling up; private rooms, members, conversations; a reload keeps the session")
  void historyRoomsAndConversations(TestCluster cluster) {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    String erin = unique("erin");
    String finn = unique("finn");
    try (Browser e = Browser.start(); Browser f = Browser.start()) {
      e.signUp(url(cluster.a()), erin);
      f.signUp(url(cluster.b()), finn);

      // 60 messages seeded over the API; the room opens on the newest 50, scrolling up loads the rest
      Api api = new Api(vertx, cluster.a().apiPort());
      String token = api.call("login", io.vertx.core.http.HttpMethod.POST, "/auth/login", null,
          new JsonObject().put("email", erin + "@example.test").put("password", "correct horse")).expect(200).json()
          .getString("access_token");
      JsonObject erinUser = new JsonObject().put("access_token", token);
      long archive = api.call("createRoom", io.vertx.core.http.HttpMethod.POST, "/rooms", token,
          new JsonObject().put("name", "Archive " + erin)).expect(201).json().getLong("id");
      List<String> all = new java.util.ArrayList<>();
      for (int i = 1; i <= 60; i++) {
        api.send(erinUser, archive, "m" + i);
        all.add("m" + i);
      }
      e.open(url(cluster.a())); // a reload: the session comes back from the refresh cookie
      e.waitText("[data-testid=conn-status]", "connected");
      e.click("[data-testid=room-item][data-room-id='" + archive + "']");
      waitBodies(e, all.subList(10, 60));
      e.driver.executeScript("const l = document.querySelector('#messages'); l.scrollTop = 0;"
          + " l.dispatchEvent(new Event('scroll'));");
      waitBodies(e, all);
      e.find("#messages .start");

      // a private room: the owner adds a member, who finds it in their list
      e.click("[data-testid=open-new-room]");
      e.type("#new-room-form [name=name]", "Secret " + erin);
      e.click("#new-room-form [name=is_private]");
      e.click("#new-room-form button[type=submit]");
      e.waitText("[data-testid=room-name]", "Secret " + erin);
      e.click("#members-toggle");
      e.type("#add-member-form input", finn);
      e.click("[data-testid=add-member-results] [data-username='" + finn + "']");
      e.waitFor(d -> e.find("[data-testid=member-list]").getText().contains(finn) ? true : null, "finn listed as member");
      f.open(url(cluster.b()));
      f.waitText("[data-testid=conn-status]", "connected");
      f.waitFor(d -> f.find("[data-testid=room-list]").getText().contains("Secret " + erin) ? true : null, "the private room listed");

      // a one-to-one conversation started by searching for the user
      f.click("[data-testid=open-dm]");
      f.type("[data-testid=dm-search]", erin);
      f.click("[data-testid=dm-results] [data-username='" + erin + "']");
      f.waitText("[data-testid=room-name]", "@" + erin);
      f.send("psst");
      waitBodies(f, List.of("psst"));
      e.open(url(cluster.a()));
      e.waitText("[data-testid=conn-status]", "connected");
      e.click("[data-testid=room-list] li:first-child [data-testid=room-item]"); // newest activity first
      e.waitText("[data-testid=room-name]", "@" + finn);
      waitBodies(e, List.of("psst"));
    } finally {
      vertx.close();
    }
  }

  /** A single node with every role, the development mail sink and verification required. */
  private static ParleyNode mailNode(TestCluster cluster, int apiPort) {
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, "none", "mail-web", apiPort, TestCluster.freePort());
    cfg.getJsonObject("cluster").put("enabled", false);
    cfg.getJsonObject("node").put("roles", new JsonArray().add("api").add("gateway").add("persistence").add("mail"));
    cfg.getJsonObject("auth").put("require_verified_email", true);
    cfg.getJsonObject("mail").put("public_url", "http://127.0.0.1:" + apiPort);
    return Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
  }

  private static void openMail(Browser b, String baseUrl, String to, String subject) {
    b.open(baseUrl + "#mailbox");
    WebElement mail = b.waitFor(d -> {
      WebElement found = d.findElements(By.cssSelector("[data-testid=mail]")).stream()
          .filter(m -> m.getText().contains(subject) && m.getText().contains("to " + to)).findFirst().orElse(null);
      if (found == null) {
        d.navigate().refresh(); // the page lists what had arrived when it loaded: look again next time
      }
      return found;
    }, "a mail '" + subject + "' to " + to + " in the dev mailbox");
    mail.findElement(By.cssSelector("[data-testid=mail-link]")).click();
  }

  @Test
  @DisplayName("sign up, verify through the dev mailbox, then chat; forgot password, reset by mail, log in again")
  void signUpVerifyAndReset(TestCluster cluster) {
    int apiPort = TestCluster.freePort();
    ParleyNode node = mailNode(cluster, apiPort);
    String base = "http://127.0.0.1:" + apiPort + "/";
    String gus = unique("gus");
    try (Browser b = Browser.start()) {
      b.signUp(base, gus);
      b.find("[data-testid=verify-banner]");
      String roomName = unique("Verified ");
      b.createRoom(roomName);
      b.send("before verifying");
      b.waitFor(d -> b.find("[data-testid=toast]").getText().contains("verify your e-mail") ? true : null,
          "the refusal in words");
      b.find("[data-testid=retry]");

      openMail(b, base, gus + "@example.test", "Verify your e-mail");
      b.waitFor(d -> b.find("[data-testid=notice]").getText().contains("is verified") ? true : null, "verified, said so");
      b.waitText("[data-testid=conn-status]", "connected");
      b.waitFor(d -> b.all("[data-testid=verify-banner]").stream().noneMatch(WebElement::isDisplayed) ? true : null,
          "no more banner");
      b.click("[data-testid=room-item]");
      b.send("after verifying");
      waitBodies(b, List.of("after verifying"));
      b.waitFor(d -> b.messageWithText("after verifying").getText().contains("✓") ? true : null, "sent");

      // forgot password → mail → reset form → log in with the new password
      b.click("[data-testid=logout]");
      b.click("[data-testid=forgot-link]");
      b.type("#forgot-form [name=email]", gus + "@example.test");
      b.click("#forgot-form button[type=submit]");
      b.waitFor(d -> b.find("[data-testid=notice]").getText().contains("reset link") ? true : null, "the reset promise");
      openMail(b, base, gus + "@example.test", "Reset your Parley password");
      b.type("#token-form [name=new_password]", "a brand new one");
      b.click("#token-form button[type=submit]");
      b.find("#login-form");
      b.type("#login-form [name=email]", gus + "@example.test");
      b.type("#login-form [name=password]", "a brand new one");
      b.click("#login-form button[type=submit]");
      b.waitText("[data-testid=me-name]", gus);
      b.waitText("[data-testid=conn-status]", "connected");
    } finally {
      Api.await(node.close());
    }
  }

  @Test
  @DisplayName("online dots, typing, read ticks and unread badges update live across nodes")
  void liveSignals(TestCluster cluster) {
    String ada = unique("ada");
    String bo = unique("bo");
    Browser a = Browser.start();
    try (Browser b = Browser.start()) {
      liveSignals(cluster, a, b, ada, bo);
    } finally {
      a.close(); // quitting twice is harmless
    }
  }

  private void liveSignals(TestCluster cluster, Browser a, Browser b, String ada, String bo) {
    {
      a.signUp(url(cluster.a()), ada);
      b.signUp(url(cluster.b()), bo);

      // bo starts a conversation; ada's client learns of it from the notification, with a badge
      b.click("[data-testid=open-dm]");
      b.type("[data-testid=dm-search]", ada);
      b.click("[data-testid=dm-results] [data-username='" + ada + "']");
      b.waitText("[data-testid=room-name]", "@" + ada);
      b.send("hi " + ada);
      waitBodies(b, List.of("hi " + ada));
      a.waitFor(d -> a.all("[data-testid=room-list] [data-testid=unread]").stream().anyMatch(x -> "1".equals(x.getText())) ? true : null,
          "an unread badge for the new conversation");
      a.waitFor(d -> a.all("[data-testid=room-list] [data-testid=presence-dot][data-online=true]").size() == 1 ? true : null,
          "bo shown online");
      b.waitFor(d -> b.all("[data-testid=room-list] [data-testid=presence-dot][data-online=true]").size() == 1 ? true : null,
          "ada shown online");

      // ada opens it: the badge goes, and bo's message shows as read
      a.click("[data-testid=room-list] [data-testid=room-item]");
      waitBodies(a, List.of("hi " + ada));
      a.waitFor(d -> a.all("[data-testid=room-list] [data-testid=unread]").isEmpty() ? true : null, "no badge once read");
      b.waitFor(d -> b.messageWithText("hi " + ada).getText().contains("read") ? true : null, "read tick");

      // typing shows under the room and goes with the message
      a.find("[data-testid=composer-input]").sendKeys("hel");
      b.waitFor(d -> b.find("[data-testid=typing]").getText().contains(ada + " is typing") ? true : null, "typing shown");
      a.find("[data-testid=composer-input]").sendKeys("lo", Keys.ENTER);
      waitBodies(b, List.of("hi " + ada, "hello"));
      b.waitFor(d -> b.find("[data-testid=typing]").getText().isEmpty() ? true : null, "typing gone");

      // ada leaves: her dot goes grey
      a.close();
      b.waitFor(d -> b.all("[data-testid=room-list] [data-testid=presence-dot][data-online=true]").isEmpty() ? true : null,
          "ada shown offline");
    }
  }

  @Test
  @DisplayName("errors from the server are shown in words: wrong password, taken username")
  void serverErrorsShown(TestCluster cluster) {
    String dora = unique("dora");
    try (Browser b = Browser.start()) {
      b.signUp(url(cluster.a()), dora);
      b.click("[data-testid=logout]");
      b.find("#login-form");
      b.type("#login-form [name=email]", dora + "@example.test");
      b.type("#login-form [name=password]", "not the password");
      b.click("#login-form button[type=submit]");
      b.waitFor(d -> b.find("[data-testid=toast]").getText().contains("wrong e-mail or password") ? true : null,
          "the server's refusal in words");
      b.click("#login-form [data-show=signup-form]");
      b.type("#signup-form [name=email]", "other-" + dora + "@example.test");
      b.type("#signup-form [name=username]", dora);
      b.type("#signup-form [name=password]", "correct horse");
      b.click("#signup-form button[type=submit]");
      b.waitFor(d -> b.find("[data-testid=toast]").getText().contains("username is already taken") ? true : null,
          "the conflict in words");
    }
  }

  @Test
  @DisplayName("after its node goes away and comes back, the client reconnects and shows what it missed once, in order")
  void reconnectsAndRecovers(TestCluster cluster) throws Exception {
    int apiPort = TestCluster.freePort();
    int gatewayPort = TestCluster.freePort();
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, cluster.clusterName, "node-c", apiPort, gatewayPort);
    cfg.getJsonObject("node").put("roles", new JsonArray().add("api").add("gateway"));
    ParleyNode nodeC = Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
    String alice = unique("alice");
    String carol = unique("carol");
    String roomName = unique("Resume ");
    try (Browser a = Browser.start(); Browser c = Browser.start()) {
      a.signUp(url(cluster.a()), alice);
      c.signUp("http://127.0.0.1:" + apiPort + "/", carol);
      String roomId = a.createRoom(roomName);
      c.joinRoom(roomId, roomName);
      a.send("before");
      waitBodies(c, List.of("before"));

      Api.await(nodeC.close());
      c.waitFor(d -> List.of("reconnecting", "offline").contains(c.find("[data-testid=conn-status]").getText()) ? true : null,
          "the status shows the drop");
      c.send("typed while away");
      c.waitFor(d -> c.all("[data-testid=retry]").size() == 1 ? true : null, "a failed send offers a retry");
      for (int i = 1; i <= 3; i++) {
        a.send("missed " + i);
      }
      waitBodies(a, List.of("before", "missed 1", "missed 2", "missed 3"));

      nodeC = Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
      c.waitText("[data-testid=conn-status]", "connected");
      waitBodies(c, List.of("before", "missed 1", "missed 2", "missed 3", "typed while away"));
      c.waitFor(d -> c.all("[data-testid=pending]").isEmpty() ? true : null, "the failed send goes by itself once reconnected");
      waitBodies(a, List.of("before", "missed 1", "missed 2", "missed 3", "typed while away"));
      List<String> shown = c.messageBodies();
      for (String body : shown) {
        assertEquals(1, Collections.frequency(shown, body), "shown once: " + shown);
      }
    } finally {
      Api.await(nodeC.close());
    }
  }
}
