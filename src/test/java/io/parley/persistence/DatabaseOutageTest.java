package io.parley.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.ClusterExtension;
import io.parley.support.LogCapture;
import io.parley.support.TcpProxy;
import io.parley.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node whose PostgreSQL goes away (a TCP proxy between them is cut, as a stopped server
 * refuses and drops connections): requests are answered 503 {@code UNAVAILABLE} with
 * {@code Retry-After}, the outage is logged once when it starts and once when it ends, with no
 * stack trace, and the node serves again as soon as the database is back.
 */
@DisplayName("A lost database")
@ExtendWith(ClusterExtension.class)
class DatabaseOutageTest {

  @Test
  @DisplayName("answers UNAVAILABLE with Retry-After, logs the outage once and recovers by itself")
  void stoppedDatabase(TestCluster cluster) throws Exception {
    Vertx client = Vertx.vertx();
    URI db = URI.create(cluster.databaseUrl.replace("postgresql://", "http://"));
    TcpProxy proxy = new TcpProxy(client, db.getHost(), db.getPort() < 0 ? 5432 : db.getPort());
    String proxied = cluster.databaseUrl.replace(db.getHost() + ":" + db.getPort(), "127.0.0.1:" + proxy.port());
    int apiPort = TestCluster.freePort();
    JsonObject cfg = TestCluster.config(proxied, "unused", "node-outage", apiPort, TestCluster.freePort());
    cfg.getJsonObject("node").put("roles", new JsonArray().add("api").add("persistence"));
    cfg.getJsonObject("cluster").put("enabled", false);
    ParleyNode node = Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
    WebClient http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(apiPort));
    try (LogCapture log = new LogCapture()) {
      Api api = new Api(client, apiPort);
      JsonObject user = api.newUser("outage");
      long roomId = api.newRoom(user, false).getLong("id");
      api.send(user, roomId, "before the outage");

      proxy.cut();
      List<HttpResponse<Buffer>> answers = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        answers.add(Api.await(http.get("/api/v1/rooms").bearerTokenAuthentication(user.getString("access_token")).send()));
        answers.add(Api.await(http.post("/api/v1/rooms/" + roomId + "/messages")
            .bearerTokenAuthentication(user.getString("access_token"))
            .sendJsonObject(new JsonObject().put("body", "during " + i).put("client_msg_id", "during-" + i))));
      }
      for (HttpResponse<Buffer> r : answers) {
        assertEquals(503, r.statusCode(), "a lost database is UNAVAILABLE, not INTERNAL: " + r.bodyAsString());
        assertEquals("application/problem+json", r.getHeader("Content-Type"));
        assertEquals("UNAVAILABLE", r.bodyAsJsonObject().getString("code"));
        assertNotNull(r.getHeader("Retry-After"), "clients are told when to retry");
        assertNotNull(r.bodyAsJsonObject().getString("request_id"));
      }
      assertEquals(1, log.linesWith("database unavailable").size(), "one warning for the whole outage");
      assertEquals(List.of(), log.stackTraceLines(), "no stack trace per request");

      proxy.restore();
      Await.until(() -> Api.await(http.get("/api/v1/rooms").bearerTokenAuthentication(user.getString("access_token"))
          .send()).statusCode() == 200, "the node to serve again once the database is back");
      JsonObject sent = api.send(user, roomId, "after the outage");
      assertEquals(2L, sent.getLong("seq"), "nothing was stored during the outage, and no seq was lost");
      Await.until(() -> log.linesWith("database available again").size() == 1, "the end of the outage logged once");
      assertTrue(log.linesWith("database available again").get(0).contains("UNAVAILABLE meanwhile"));
    } finally {
      Api.await(node.close());
      proxy.close();
      Api.await(client.close());
    }
  }
}
