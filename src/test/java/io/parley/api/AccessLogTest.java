package io.parley.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.logging.LogFormat;
import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.ClusterExtension;
import io.parley.support.LogCapture;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One access-log line per HTTP request, in text and in JSON lines. */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("The access log")
class AccessLogTest {
  private static final Map<String, String> AGENT = Map.of("User-Agent", "parley-test/1.0");

  private static String line(LogCapture log, String requestId) {
    Await.until(() -> log.linesWith(requestId).stream().anyMatch(l -> l.contains(" access - ")), "the access line of " + requestId);
    return log.linesWith(requestId).stream().filter(l -> l.contains(" access - ")).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("text: request id, method, path template, status, duration, user, client address, user agent; never a token")
  void textLine(Vertx vertx, TestCluster cluster) {
    Api api = new Api(vertx, cluster.a().apiPort());
    JsonObject user = api.newUser("acc");
    long room = api.newRoom(user, false).getLong("id");
    try (LogCapture log = new LogCapture()) {
      String id = "acc-" + UUID.randomUUID();
      api.call("listMessages", HttpMethod.GET, "/rooms/" + room + "/messages?limit=5", user.getString("access_token"), null,
          merged(id)).expect(200);
      String l = line(log, id);
      assertTrue(l.contains("[" + id + "] GET /api/v1/rooms/{room_id}/messages 200 "), l);
      assertTrue(l.matches(".* 200 \\d+ms user=" + user.getLong("id") + " ip=127\\.0\\.0\\.1 ua=\"parley-test/1\\.0\"$"), l);

      String tokenId = "acc-" + UUID.randomUUID();
      String secret = "secret" + UUID.randomUUID().toString().replace("-", "");
      api.call("verifyEmailLink", HttpMethod.GET, "/auth/verify-email?token=" + secret, null, null, merged(tokenId));
      String t = line(log, tokenId);
      assertTrue(t.contains(" GET /api/v1/auth/verify-email "), t);
      assertTrue(t.contains(" user=- "), "anonymous: " + t);
      assertFalse(log.lines().stream().anyMatch(x -> x.contains(secret)), "the token is logged nowhere");

      String otherId = "acc-" + UUID.randomUUID();
      api.call("getRoom", HttpMethod.GET, "/rooms/999999999", user.getString("access_token"), null, merged(otherId)).expect(404);
      assertTrue(line(log, otherId).contains(" GET /api/v1/rooms/{room_id} 404 "), "failures are logged with their template");
    }
  }

  @Test
  @DisplayName("json: one object a line with the same fields")
  void jsonLine(Vertx vertx, TestCluster cluster) {
    Api api = new Api(vertx, cluster.b().apiPort());
    JsonObject user = api.newUser("acc");
    String id = "acc-" + UUID.randomUUID();
    try (LogCapture log = new LogCapture()) {
      LogFormat.use("json");
      try {
        api.call("getMe", HttpMethod.GET, "/users/me", user.getString("access_token"), null, merged(id)).expect(200);
        Await.until(() -> json(log, id).stream().anyMatch(j -> "parley.access".equals(j.getString("logger_name"))),
            "the JSON access line");
      } finally {
        LogFormat.use("text");
      }
      JsonObject j = json(log, id).stream().filter(x -> "parley.access".equals(x.getString("logger_name"))).findFirst().orElseThrow();
      assertEquals(id, j.getString("request_id"));
      assertEquals("GET", j.getString("method"));
      assertEquals("/api/v1/users/me", j.getString("path"));
      assertEquals(200, j.getInteger("status"));
      assertTrue(j.getLong("duration_ms") >= 0);
      assertEquals(user.getLong("id"), j.getLong("user_id"));
      assertEquals("127.0.0.1", j.getString("client_ip"));
      assertEquals("parley-test/1.0", j.getString("user_agent"));
      assertEquals("INFO", j.getString("level"));
      assertTrue(j.containsKey("@timestamp") && j.containsKey("message"), j.encode());
    }
  }

  private static List<JsonObject> json(LogCapture log, String id) {
    return log.linesWith(id).stream().filter(l -> l.startsWith("{")).map(JsonObject::new).toList();
  }

  private static Map<String, String> merged(String requestId) {
    return Map.of("User-Agent", AGENT.get("User-Agent"), "X-Request-Id", requestId);
  }
}
