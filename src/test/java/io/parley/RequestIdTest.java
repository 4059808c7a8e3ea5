package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.parley.bus.Addresses;
import io.parley.bus.Bus;
import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.LogCapture;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The request id across nodes: node B runs only the API and the gateway, node A persistence (and
 * the rest), so every persistence line for a request to B is node A's. Persistence lines come
 * from {@link Bus#serve} at DEBUG ("served &lt;address&gt;"), turned on for this test only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Request ids across nodes")
class RequestIdTest {
  private static final String UUID_LIKE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  private TestCluster cluster;
  private Vertx vertx;
  private Api b;
  private ch.qos.logback.classic.Logger busLog;

  @BeforeAll
  void start() {
    cluster = TestCluster.start(2, root -> {
      if ("node-b".equals(root.getJsonObject("node").getString("name"))) {
        root.getJsonObject("node").put("roles", new JsonArray().add("api").add("gateway"));
      }
    });
    vertx = Vertx.vertx();
    b = new Api(vertx, cluster.b().apiPort());
    busLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Bus.class);
    busLog.setLevel(Level.DEBUG);
  }

  @AfterAll
  void stop() {
    busLog.setLevel(null);
    cluster.close();
    Api.await(vertx.close());
  }

  @Test
  @DisplayName("a request to node B shows its id in B's access line and in A's persistence line; a sane id is kept")
  void sameIdOnBothNodes() {
    JsonObject user = b.newUser("rid");
    String id = "edge-" + java.util.UUID.randomUUID() + ".v1_x";
    try (LogCapture log = new LogCapture()) {
      Api.Resp resp = b.call("getMe", HttpMethod.GET, "/users/me", user.getString("access_token"), null,
          Map.of("X-Request-Id", id)).expect(200);
      assertEquals(id, resp.headers().get("X-Request-Id"), "a sane id is kept");
      String served = "served " + Addresses.USERS_GET + " ";
      Await.until(() -> log.linesWith("[" + id + "]").stream().anyMatch(l -> l.contains(served)),
          "node A's persistence line with the id");
      Await.until(() -> log.linesWith("[" + id + "]").stream()
          .anyMatch(l -> l.contains(" access - ") && l.contains("GET /api/v1/users/me 200 ")), "node B's access line with the id");
    }
  }

  @Test
  @DisplayName("an id that is too long or has other characters is replaced by a new one")
  void insaneIdsReplaced() {
    JsonObject user = b.newUser("rid");
    String ok128 = "a".repeat(128);
    assertEquals(ok128, b.call("getMe", HttpMethod.GET, "/users/me", user.getString("access_token"), null,
        Map.of("X-Request-Id", ok128)).expect(200).headers().get("X-Request-Id"), "128 characters are kept");
    for (String insane : List.of("a".repeat(129), "two words", "semi;colon", "slash/es", "ünïcode")) {
      String got = b.call("getMe", HttpMethod.GET, "/users/me", user.getString("access_token"), null,
          Map.of("X-Request-Id", insane)).expect(200).headers().get("X-Request-Id");
      assertNotEquals(insane, got);
      assertTrue(got.matches(UUID_LIKE), "a new id instead of '" + insane + "': " + got);
    }
    String none = b.call("getMe", HttpMethod.GET, "/users/me", user.getString("access_token"), null).expect(200)
        .headers().get("X-Request-Id");
    assertTrue(none.matches(UUID_LIKE), "an id even when none was sent: " + none);
  }

  @Test
  @DisplayName("a WebSocket send on node B gets an id that node A's persistence line carries")
  void webSocketSendHasId() {
    JsonObject user = b.newUser("rid");
    long room = b.newRoom(user, false).getLong("id");
    try (LogCapture log = new LogCapture();
         Ws ws = Ws.open(vertx, cluster.b().gatewayPort(), user.getString("access_token"))) {
      JsonObject ack = ws.request(new JsonObject().put("type", "message.send").put("room_id", room)
          .put("client_msg_id", "rid-1").put("body", "hello"));
      assertEquals("message.ack", ack.getString("type"), ack.encode());
      String served = "served " + Addresses.MESSAGES_SEND + " ";
      Await.until(() -> log.linesWith(served).stream().anyMatch(l -> l.matches(".*\\[ws-" + UUID_LIKE + "-\\d+] .*")),
          "node A's persistence line for the send, with a ws- id");
    }
  }
}
