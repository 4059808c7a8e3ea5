package io.parley.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.support.Api;
import io.parley.support.Browser;
import io.parley.support.ClusterExtension;
import io.parley.support.TcpProxy;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.WebElement;

/**
 * Getting around the web client and not losing what one wrote, in headless Chromium against the
 * real server: rooms and messages have addresses (opened directly, reloaded, gone back and forth
 * to), and sends cut off by the connection go by themselves once it is back, also across a reload
 * of the page, stored once.
 */
@ExtendWith(ClusterExtension.class)
@DisplayName("Addresses, Back and Forward, and sends that survive a lost connection or a reload, in a real browser")
class NavigationWebTest {

  private Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() {
    Api.await(vertx.close());
  }

  private static String url(int apiPort) {
    return "http://127.0.0.1:" + apiPort + "/";
  }


  /** Loads the page anew at {@code address} (not a jump inside the page already open). */
  private static void load(Browser b, String address) {
    b.open("about:blank");
    b.open(address);
  }

  private static String hash(Browser b) {
    return (String) b.driver.executeScript("return location.hash");
  }

  /** Waits until the page is the app at {@code hash}, showing the room named {@code roomName}. */
  private static void inRoom(Browser b, String baseUrl, String hash, String roomName) {
    b.waitFor(d -> d.getCurrentUrl().equals(baseUrl + hash) ? true : null, "the address " + baseUrl + hash + " (at " + b.driver.getCurrentUrl() + ")");
    b.waitText("[data-testid=room-name]", roomName);
    b.find("[data-testid=composer-input]");
  }

  private static void waitBodies(Browser b, List<String> expected) {
    b.waitFor(d -> b.messageBodies().equals(expected) ? true : null, "messages " + expected + " (shown: " + b.messageBodies() + ")");
  }

  /** How many times the room's stored history (the API's newest 100) holds {@code body}. */
  private static int stored(Api api, JsonObject user, long roomId, String body) {
    JsonArray items = api.history(user, roomId, "?limit=100").getJsonArray("items");
    int n = 0;
    for (int i = 0; i < items.size(); i++) {
      n += body.equals(items.getJsonObject(i).getString("body")) ? 1 : 0;
    }
    return n;
  }

  private static void type(Browser b, String text) {
    b.find("[data-testid=composer-input]").sendKeys(text);
  }


  @Test
  @DisplayName("#/rooms/{id} and #/rooms/{id}/messages/{seq} open directly; opened rooms get their address; Back and Forward move between rooms and the profile; a reload and the verification link reopen the room")
  void addressesBackForwardAndReload(TestCluster cluster) {
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject user = api.newUser("walker");
    JsonObject first = api.newRoom(user, false);
    JsonObject second = api.newRoom(user, false);
    long firstId = first.getLong("id");
    long secondId = second.getLong("id");
    // 70 messages: the third lies outside the newest page the room opens on
    List<String> bodies = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    for (int i = 1; i <= 70; i++) {
      seqs.add(api.send(user, firstId, "step " + i).getLong("seq"));
      bodies.add("step " + i);
    }
    long thirdSeq = seqs.get(2);
    api.send(user, secondId, "in the second room");
    String base = url(cluster.a().apiPort());

    try (Browser b = Browser.start()) {
      b.logIn(base, user.getString("email"));

      // a room's address, opened directly
      load(b, base + "#/rooms/" + secondId);
      inRoom(b, base, "#/rooms/" + secondId, second.getString("name"));
      waitBodies(b, List.of("in the second room"));

      // a message's address: its room, with the history back to it, the message in view
      String messageHash = "#/rooms/" + firstId + "/messages/" + thirdSeq;
      load(b, base + messageHash);
      inRoom(b, base, messageHash, first.getString("name"));
      b.waitFor(d -> b.driver.executeScript(
          "const list = document.querySelector('#messages');"
              + "const m = list.querySelector('[data-testid=message][data-seq=\"' + arguments[0] + '\"]');"
              + "if (!m || m.querySelector('[data-testid=message-body]').innerText !== 'step 3') return null;"
              + "const r = m.getBoundingClientRect(), v = list.getBoundingClientRect();"
              + "return r.top >= v.top && r.bottom <= v.bottom ? true : null;", thirdSeq),
          "step 3 shown and in view");
      waitBodies(b, bodies);

      // opening rooms and the profile makes history entries
      b.click("[data-testid=room-item][data-room-id='" + secondId + "']");
      inRoom(b, base, "#/rooms/" + secondId, second.getString("name"));
      b.click("[data-testid=profile-link]");
      b.find("[data-testid=profile-view]");
      assertEquals("#profile", hash(b));
      b.click("[data-testid=room-item][data-room-id='" + firstId + "']");
      inRoom(b, base, "#/rooms/" + firstId, first.getString("name"));
      assertTrue(b.all("[data-testid=profile-view]").stream().noneMatch(WebElement::isDisplayed), "the profile closed");

      // Back and Forward move between them, inside the app
      b.driver.navigate().back();
      b.waitFor(d -> "#profile".equals(hash(b)) ? true : null, "back at #profile");
      b.find("[data-testid=profile-view]");
      b.driver.navigate().back();
      inRoom(b, base, "#/rooms/" + secondId, second.getString("name"));
      assertTrue(b.all("[data-testid=profile-view]").stream().noneMatch(WebElement::isDisplayed), "the profile closed");
      b.driver.navigate().back();
      inRoom(b, base, messageHash, first.getString("name"));
      b.driver.navigate().forward();
      inRoom(b, base, "#/rooms/" + secondId, second.getString("name"));
      waitBodies(b, List.of("in the second room"));
      b.driver.navigate().forward();
      b.waitFor(d -> "#profile".equals(hash(b)) ? true : null, "forward at #profile");
      b.find("[data-testid=profile-view]");
      // the profile's way back leads to the room open under it
      b.click("[data-testid=profile-back]");
      inRoom(b, base, "#/rooms/" + secondId, second.getString("name"));

      // a reload reopens the same room
      b.driver.navigate().refresh();
      inRoom(b, base, "#/rooms/" + secondId, second.getString("name"));
      b.waitText("[data-testid=conn-status]", "connected");
      waitBodies(b, List.of("in the second room"));

      // so does the bare address the verification link lands on, in the same tab
      load(b, base + "?email_verified=1");
      inRoom(b, base, "#/rooms/" + secondId, second.getString("name"));
      b.waitFor(d -> b.find("[data-testid=notice]").getText().contains("is verified") ? true : null, "verified, said so");
    }
  }

  /** A node with the API and a gateway of its own, the gateway reached through {@code wsPort} when not 0. */
  private static JsonObject gatewayNode(TestCluster cluster, String name, int apiPort, int gatewayPort, int wsPort) {
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, cluster.clusterName, name, apiPort, gatewayPort);
    cfg.getJsonObject("node").put("roles", new JsonArray().add("api").add("gateway"));
    if (wsPort != 0) {
      cfg.getJsonObject("api").put("public_ws_url", "ws://127.0.0.1:" + wsPort + "/ws");
    }
    return cfg;
  }

  @Test
  @DisplayName("a message sent while the page's gateway node is down goes by itself once the node is back: no Retry, stored once")
  void sendsAgainAfterServerRestart(TestCluster cluster) {
    int apiPort = TestCluster.freePort();
    JsonObject cfg = gatewayNode(cluster, "node-nav-c", apiPort, TestCluster.freePort(), 0);
    ParleyNode node = Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject user = api.newUser("patient");
    JsonObject room = api.newRoom(user, false);
    long roomId = room.getLong("id");
    api.send(user, roomId, "before");
    String text = "typed while the server was away";
    try (Browser b = Browser.start()) {
      b.logIn(url(apiPort), user.getString("email"));
      b.click("[data-testid=room-item][data-room-id='" + roomId + "']");
      waitBodies(b, List.of("before"));

      Api.await(node.close());
      b.waitFor(d -> List.of("reconnecting", "offline").contains(b.find("[data-testid=conn-status]").getText()) ? true : null,
          "the status shows the drop");
      b.send(text);
      b.find("[data-testid=pending][data-status=failed]");

      node = Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
      b.waitText("[data-testid=conn-status]", "connected");
      b.waitFor(d -> b.all("[data-testid=pending]").isEmpty() ? true : null, "the send gone by itself, without Retry");
      waitBodies(b, List.of("before", text));
      assertEquals(1, stored(api, user, roomId, text), "stored once");
      List<String> shown = b.messageBodies();
      assertEquals(1, Collections.frequency(shown, text), "shown once: " + shown);
    } finally {
      Api.await(node.close());
    }
  }

  @Test
  @DisplayName("a draft and a send waiting for the connection survive a reload of the page; the send then goes once")
  void draftAndPendingSurviveReload(TestCluster cluster) {
    int apiPort = TestCluster.freePort();
    int gatewayPort = TestCluster.freePort();
    TcpProxy gateway = new TcpProxy(vertx, "127.0.0.1", gatewayPort);
    JsonObject cfg = gatewayNode(cluster, "node-nav-d", apiPort, gatewayPort, gateway.port());
    ParleyNode node = Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject user = api.newUser("keeper");
    JsonObject room = api.newRoom(user, false);
    long roomId = room.getLong("id");
    String text = "sent while cut off";
    String draft = "half a thought";
    try (Browser b = Browser.start()) {
      b.logIn(url(apiPort), user.getString("email"));
      b.click("[data-testid=room-item][data-room-id='" + roomId + "']");
      b.waitText("[data-testid=room-name]", room.getString("name"));

      // the page keeps its HTTP API, but its WebSocket is cut and cannot come back
      gateway.cut();
      b.waitFor(d -> List.of("reconnecting", "offline").contains(b.find("[data-testid=conn-status]").getText()) ? true : null,
          "the status shows the drop");
      b.send(text);
      b.find("[data-testid=pending]");
      type(b, draft);

      b.driver.navigate().refresh();
      b.waitText("[data-testid=room-name]", room.getString("name"));
      b.waitFor(d -> draft.equals(b.find("[data-testid=composer-input]").getAttribute("value")) ? true : null, "the draft back in the composer");
      waitBodies(b, List.of(text));
      assertEquals(1, b.all("[data-testid=pending]").size(), "still waiting: " + b.messageBodies());
      assertEquals(0, stored(api, user, roomId, text), "not sent yet");

      gateway.restore();
      b.waitText("[data-testid=conn-status]", "connected");
      b.waitFor(d -> b.all("[data-testid=pending]").isEmpty() ? true : null, "the kept send gone by itself");
      waitBodies(b, List.of(text));
      assertEquals(1, stored(api, user, roomId, text), "stored once");
      assertEquals(draft, b.find("[data-testid=composer-input]").getAttribute("value"), "the draft still there");
    } finally {
      Api.await(node.close());
      gateway.close();
    }
  }
}
