package io.parley.persistence.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Admission control on a node of its own whose send pipeline admits at most 4 waiting sends
 * ({@code persistence.send_queue_max}): a flood of sends over WebSocket and HTTP at once gets the
 * excess refused with OVERLOADED (retry_after_ms; Retry-After over HTTP), every acked send is
 * stored exactly once and no refused one is stored, and once the flood stops the node takes
 * sends again, the refused ones included when sent again with their client_msg_id.
 */
@ExtendWith(ClusterExtension.class)
@DisplayName("Admission control: a flood past the send pipeline's bound")
class OverloadTest {

  @Test
  @DisplayName("the excess is refused OVERLOADED over both transports, acked sends are stored once, and the node recovers")
  void floodPastTheBound(TestCluster cluster) {
    flood(cluster, new JsonObject(), new JsonObject().put("send_queue_max", 4).put("send_queue_max_wait_ms", 60_000), 50, 100);
  }

  @Test
  @DisplayName("past the gateway's in-flight bound the excess frames are refused OVERLOADED before any work, acked ones are stored once, and the node recovers")
  void floodPastTheGatewayBound(TestCluster cluster) {
    // at most 4 sends in flight (1 ms × the sends answered per second stays below 4)
    flood(cluster, new JsonObject().put("send_in_flight_min", 4).put("send_target_latency_ms", 1), new JsonObject(), 0, 1);
  }

  /**
   * Floods one socket with 150 sends written back to back (and {@code httpSends} HTTP sends at
   * once) past a bound set by {@code gateway} and {@code persistence} settings, then checks the
   * outcome and that every refused send goes through when sent again.
   */
  private static void flood(TestCluster cluster, JsonObject gateway, JsonObject persistence, int httpSends, long minRetryMs) {
    Vertx client = Vertx.vertx();
    int apiPort = TestCluster.freePort();
    int gatewayPort = TestCluster.freePort();
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, "unused", "node-overload", apiPort, gatewayPort);
    cfg.getJsonObject("node").put("roles", new JsonArray().add("api").add("gateway").add("persistence"));
    cfg.getJsonObject("cluster").put("enabled", false);
    cfg.getJsonObject("persistence").put("instances", 1).mergeIn(persistence);
    cfg.getJsonObject("gateway").mergeIn(gateway);
    ParleyNode node = Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
    Pool db = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(client).build();
    WebClient http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(apiPort));
    Api api = new Api(client, apiPort);
    JsonObject flooder = api.newUser("flood");
    JsonObject other = api.newUser("flood_http");
    long wsRoom = api.newRoom(flooder, false).getLong("id");
    long roomId = api.newRoom(other, false).getLong("id");
    String tag = UUID.randomUUID().toString().substring(0, 8);
    try (Ws ws = Ws.open(client, gatewayPort, flooder.getString("access_token"))) {
      // the flood: 150 frames written back to back on one socket, and httpSends HTTP sends at once
      int frames = 150;
      for (int i = 0; i < frames; i++) {
        ws.send(new JsonObject().put("type", "message.send").put("ref", "f" + i).put("room_id", wsRoom)
            .put("client_msg_id", tag + "-ws-" + i).put("body", "flood " + i));
      }
      List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
      for (int i = 0; i < httpSends; i++) {
        posts.add(http.post("/api/v1/rooms/" + roomId + "/messages").bearerTokenAuthentication(other.getString("access_token"))
            .sendJsonObject(new JsonObject().put("client_msg_id", tag + "-http-" + i).put("body", "flood " + i)));
      }
      Map<String, String> outcome = new HashMap<>(); // client_msg_id -> ack | OVERLOADED
      for (JsonObject f : ws.take(frames)) {
        int i = Integer.parseInt(f.getString("ref").substring(1));
        String code = "message.ack".equals(f.getString("type")) ? "ack" : f.getString("code");
        outcome.put(tag + "-ws-" + i, code);
        if ("OVERLOADED".equals(code)) {
          assertTrue(f.getJsonObject("details").getLong("retry_after_ms") >= minRetryMs, f.encode());
        }
      }
      List<HttpResponse<Buffer>> answers = Api.await(Future.all(posts)).list();
      for (int i = 0; i < answers.size(); i++) {
        HttpResponse<Buffer> r = answers.get(i);
        String code = r.statusCode() == 201 ? "ack" : r.bodyAsJsonObject().getString("code");
        outcome.put(tag + "-http-" + i, code);
        if (r.statusCode() == 503) {
          assertEquals("OVERLOADED", code, r.bodyAsString());
          assertTrue(r.getHeader("Retry-After") != null, "Retry-After on a refusal");
        }
      }
      assertTrue(outcome.values().stream().allMatch(c -> c.equals("ack") || c.equals("OVERLOADED")), "only acks or OVERLOADED: " + outcome);
      long refused = outcome.values().stream().filter("OVERLOADED"::equals).count();
      assertTrue(refused > 0, "the flood went past the bound: some sends refused");
      assertTrue(refused < outcome.size(), "and some stored");

      // every acked send stored exactly once; no refused one stored
      Map<String, Long> stored = storedCounts(db, tag);
      for (Map.Entry<String, String> e : outcome.entrySet()) {
        assertEquals(e.getValue().equals("ack") ? 1L : 0L, stored.getOrDefault(e.getKey(), 0L), e.getKey() + " was " + e.getValue());
      }

      // the flood is over: the refused sends go through when sent again (same client_msg_id), one at a time
      for (Map.Entry<String, String> e : outcome.entrySet()) {
        if (!e.getValue().equals("OVERLOADED")) {
          continue;
        }
        int i = Integer.parseInt(e.getKey().substring(e.getKey().lastIndexOf('-') + 1));
        if (e.getKey().contains("-ws-")) {
          JsonObject ack = ws.request(new JsonObject().put("type", "message.send").put("room_id", wsRoom)
              .put("client_msg_id", e.getKey()).put("body", "flood " + i));
          assertEquals("message.ack", ack.getString("type"), ack.encode());
        } else {
          api.call("sendMessage", io.vertx.core.http.HttpMethod.POST, "/rooms/" + roomId + "/messages", other.getString("access_token"),
              new JsonObject().put("client_msg_id", e.getKey()).put("body", "flood " + i)).expect(201);
        }
      }
      Map<String, Long> after = storedCounts(db, tag);
      assertEquals(frames + httpSends, after.size(), "every send stored in the end");
      assertTrue(after.values().stream().allMatch(n -> n == 1L), "each once: " + after);
    } finally {
      Api.await(node.close());
      db.close();
      client.close();
    }
  }

  private static Map<String, Long> storedCounts(Pool db, String tag) {
    Map<String, Long> counts = new HashMap<>();
    Api.await(db.preparedQuery("SELECT client_msg_id, count(*) AS n FROM messages WHERE client_msg_id LIKE $1 GROUP BY client_msg_id")
        .execute(Tuple.of(tag + "-%"))).forEach(r -> counts.put(r.getString("client_msg_id"), r.getLong("n")));
    return counts;
  }
}
