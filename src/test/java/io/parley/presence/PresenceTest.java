package io.parley.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.AfterEach;
import redis.embedded.RedisServer;

/** Presence, typing, read events and notifications across two clustered nodes, with real Redis. */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Presence and live signals across the cluster")
class PresenceTest {
  private TestCluster cluster;
  private Vertx vertx;
  private Api api;
  /** The run's Redis, as the presence verticles use it. */
  private Redis redis;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.api = new Api(vertx, cluster.a().apiPort());
    this.redis = Redis.createClient(vertx, TestCluster.redisUrl());
  }

  @AfterEach
  void tearDown() {
    redis.close();
  }

  private Response redis(Request request) {
    return Api.await(redis.send(request));
  }

  /** The user's score in the presence expiry index: null when presence does not hold them. */
  private Response indexed(JsonObject user) {
    return redis(Request.cmd(Command.ZSCORE).arg("parley:presence:expiry").arg(user.getLong("id")));
  }

  private Ws open(JsonObject user, int gatewayPort) {
    return Ws.open(vertx, gatewayPort, user.getString("access_token"));
  }

  private static JsonObject sub(long roomId) {
    return new JsonObject().put("type", "subscribe").put("room_id", roomId);
  }

  private String status(Api client, JsonObject asker, long userId) {
    return client.call("getPresence", HttpMethod.GET, "/presence?user_ids=" + userId, asker.getString("access_token"), null)
        .expect(200).json().getJsonArray("items").getJsonObject(0).getString("status");
  }

  @Test
  @DisplayName("a user is online while any socket on any node is open, offline after the last one closes")
  void onlineAcrossNodes() {
    JsonObject ann = api.newUser("ann");
    JsonObject ben = api.newUser("ben");
    long room = api.sharedRoom(ann, ben);
    try (Ws benB = open(ben, cluster.b().gatewayPort()).watching("presence")) {
      benB.request(sub(room));
      Ws annA = open(ann, cluster.a().gatewayPort());
      JsonObject online = benB.next("presence");
      assertEquals(ann.getLong("id"), online.getLong("user_id"));
      assertEquals("online", online.getString("status"));
      assertEquals(room, online.getLong("room_id"));
      assertEquals("online", status(api, ben, ann.getLong("id")));

      Ws annB = open(ann, cluster.b().gatewayPort());
      annA.close(); // one socket is left, on the other node
      assertNull(benB.poll(1), "still online: no event");
      assertEquals("online", status(api, ben, ann.getLong("id")));
      JsonObject members = api.call("listMembers", HttpMethod.GET, "/rooms/" + room + "/members", ben.getString("access_token"), null)
          .expect(200).json();
      assertTrue(members.getJsonArray("items").stream().map(o -> (JsonObject) o)
          .anyMatch(m -> m.getLong("user_id").equals(ann.getLong("id")) && m.getBoolean("online")));

      annB.close();
      JsonObject offline = benB.next("presence");
      assertEquals("offline", offline.getString("status"));
      assertNotNull(offline.getString("last_seen"));
      JsonObject asked = api.call("getPresence", HttpMethod.GET, "/presence?user_ids=" + ann.getLong("id"), ben.getString("access_token"), null)
          .expect(200).json().getJsonArray("items").getJsonObject(0);
      assertEquals("offline", asked.getString("status"));
      assertNotNull(asked.getString("last_seen"));
    }
  }

  @Test
  @DisplayName("a quick reconnect is coalesced: no offline/online flood")
  void flappingIsCoalesced() {
    JsonObject ann = api.newUser("flap");
    JsonObject ben = api.newUser("watch");
    long room = api.sharedRoom(ann, ben);
    try (Ws benB = open(ben, cluster.b().gatewayPort()).watching("presence")) {
      benB.request(sub(room));
      Ws first = open(ann, cluster.a().gatewayPort());
      assertEquals("online", benB.next("presence").getString("status"));
      for (int i = 0; i < 3; i++) { // drop and reconnect within the grace time
        first.close();
        first = open(ann, cluster.a().gatewayPort());
      }
      assertNull(benB.poll(1), "no presence events for the flapping");
      first.close();
      assertEquals("offline", benB.next("presence").getString("status"));
    }
  }

  @Test
  @DisplayName("the users of a node that dies without a goodbye go offline within the TTL")
  void crashedNodeUsersGoOffline() throws Exception {
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, cluster.clusterName, "node-crash", TestCluster.freePort(), TestCluster.freePort());
    cfg.getJsonObject("node").put("roles", new JsonArray().add("gateway")); // no presence verticle of its own
    int gatewayPort = cfg.getJsonObject("gateway").getInteger("port");
    ParleyNode doomed = Api.await(ParleyNode.start(ParleyConfig.of(cfg)));
    JsonObject carol = api.newUser("carol");
    JsonObject ben = api.newUser("ben");
    long room = api.sharedRoom(carol, ben);
    try (Ws benB = open(ben, cluster.b().gatewayPort()).watching("presence")) {
      benB.request(sub(room));
      Ws carolC = open(carol, gatewayPort);
      assertEquals("online", benB.next("presence").getString("status"));
      // the crash: the node is cut from the cluster first, so its goodbyes go nowhere
      doomed.clusterManager().orElseThrow().getHazelcastInstance().getLifecycleService().terminate();
      try {
        doomed.vertx().close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // a node that lost its cluster may not close cleanly: that is the point
      }
      carolC.close();
      JsonObject offline = benB.next(f -> "presence".equals(f.getString("type")), "carol offline after the TTL");
      assertEquals("offline", offline.getString("status"));
      assertEquals(carol.getLong("id"), offline.getLong("user_id"));
    }
  }

  @Test
  @DisplayName("when Redis loses the presence data, the heartbeats rebuild it and nobody is announced")
  void rebuildAfterDataLossIsSilent() {
    JsonObject ann = api.newUser("kept");
    JsonObject ben = api.newUser("watcher");
    JsonObject cid = api.newUser("sentinel");
    long room = api.sharedRoom(ann, ben, cid);
    try (Ws benB = open(ben, cluster.b().gatewayPort()).watching("presence")) {
      benB.request(sub(room));
      Ws annA = open(ann, cluster.a().gatewayPort());
      assertEquals(ann.getLong("id"), benB.next("presence").getLong("user_id"), "ann's online, at connect");
      Await.until(() -> indexed(ann) != null && indexed(ben) != null, "both users in presence");

      // Redis loses every presence key at once (a restart without persistence, a flush)
      redis(Request.cmd(Command.EVAL).arg("for _, k in ipairs(redis.call('KEYS', 'parley:presence:*')) do "
          + "redis.call('DEL', k) end return 0").arg(0));
      Await.until(() -> indexed(ann) != null && indexed(ben) != null, "the heartbeats of both nodes to rebuild presence");
      assertEquals("online", status(api, ben, ann.getLong("id")));

      // a real transition after the rebuild: the first presence event ben sees must be cid's
      Ws cidA = open(cid, cluster.a().gatewayPort());
      JsonObject first = benB.next("presence");
      assertEquals(cid.getLong("id"), first.getLong("user_id"), "announced by the rebuild: " + first.encode());
      assertEquals("online", first.getString("status"));
      cidA.close();
      annA.assertUsable();
      annA.close();
    }
  }

  @Test
  @DisplayName("a user the sweep took offline (their node missed heartbeats for ttl_s) is announced online when a heartbeat brings them back")
  void backThroughHeartbeatIsAnnounced() {
    JsonObject ann = api.newUser("lagging");
    JsonObject ben = api.newUser("watcher");
    long room = api.sharedRoom(ann, ben);
    String conns = "parley:presence:conns:" + ann.getLong("id");
    try (Ws benB = open(ben, cluster.b().gatewayPort()).watching("presence")) {
      benB.request(sub(room));
      Ws annA = open(ann, cluster.a().gatewayPort());
      assertEquals("online", benB.next("presence").getString("status"));
      String conn = redis(Request.cmd(Command.ZRANGE).arg(conns).arg(0).arg(-1)).get(0).toString();
      // node A's heartbeats seem to stop: its socket's expiry is put in the past right after a
      // heartbeat, so the sweep (every 300 ms) finds it before the next one (every 1000 ms);
      // should that heartbeat win anyway, it is tried again
      java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();
      for (int attempt = 0; attempt < 5 && !claimed.get(); attempt++) {
        double seen = redis(Request.cmd(Command.ZSCORE).arg(conns).arg(conn)).toDouble();
        Await.until(() -> redis(Request.cmd(Command.ZSCORE).arg(conns).arg(conn)).toDouble() > seen, "a heartbeat of node A");
        redis(Request.cmd(Command.EVAL).arg("redis.call('ZADD', KEYS[1], 'XX', 1, ARGV[1]) "
            + "redis.call('ZADD', KEYS[2], 'XX', 1, ARGV[2]) return 0")
            .arg(2).arg(conns).arg("parley:presence:expiry").arg(conn).arg(ann.getLong("id")));
        Await.until(() -> {
          Response score = indexed(ann);
          claimed.set(score == null);
          return score == null || score.toDouble() > 1;
        }, "the sweep or the next heartbeat");
      }
      assertTrue(claimed.get(), "the sweep took ann offline");
      JsonObject offline = benB.next("presence");
      assertEquals(ann.getLong("id"), offline.getLong("user_id"));
      assertEquals("offline", offline.getString("status"));

      JsonObject back = benB.next("presence"); // node A's next heartbeat still holds the socket
      assertEquals(ann.getLong("id"), back.getLong("user_id"));
      assertEquals("online", back.getString("status"));
      assertEquals("online", status(api, ben, ann.getLong("id")));
      assertNull(benB.poll(1), "announced once");
      annA.close();
    }
  }

  @Test
  @DisplayName("typing is relayed to the others and stops by itself; read markers reach the others")
  void typingAndRead() {
    JsonObject ann = api.newUser("typist");
    JsonObject ben = api.newUser("reader");
    long room = api.sharedRoom(ann, ben);
    try (Ws annA = open(ann, cluster.a().gatewayPort()).watching("typing", "read");
         Ws benB = open(ben, cluster.b().gatewayPort()).watching("typing", "read")) {
      annA.request(sub(room));
      benB.request(sub(room));
      JsonObject refused = benB.request(new JsonObject().put("type", "typing").put("room_id", room + 1_000_000).put("state", "start"));
      assertEquals("VALIDATION_FAILED", refused.getString("code"));

      // refresh until the relay is seen (a brand-new subscription takes a moment to be known cluster-wide)
      JsonObject start = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (start == null && System.nanoTime() < deadline) {
        annA.request(new JsonObject().put("type", "typing").put("room_id", room).put("state", "start"));
        start = benB.pollMillis(200);
      }

      assertNotNull(start, "typing relayed");
      assertEquals(ann.getLong("id"), start.getLong("user_id"));
      assertEquals("start", start.getString("state"));
      // no more refreshes: it ends by itself (relays of the loop's last refreshes may come first)
      JsonObject stop = benB.next(f -> "typing".equals(f.getString("type")) && "stop".equals(f.getString("state")), "typing stop");
      assertEquals("stop", stop.getString("state"));
      annA.request(new JsonObject().put("type", "typing").put("room_id", room).put("state", "start"));
      assertEquals("start", benB.next("typing").getString("state"));
      annA.request(new JsonObject().put("type", "typing").put("room_id", room).put("state", "start")); // a refresh
      assertEquals("start", benB.next("typing").getString("state"));
      annA.request(new JsonObject().put("type", "typing").put("room_id", room).put("state", "stop"));
      assertEquals("stop", benB.next("typing").getString("state"));
      assertTrue(annA.pending().isEmpty(), "the typist gets no echo");

      long seq = api.send(ann, room, "read me").getLong("seq");
      JsonObject ack = benB.request(new JsonObject().put("type", "read").put("room_id", room).put("seq", seq));
      assertEquals("read.ack", ack.getString("type"));
      assertEquals(0, ack.getLong("unread_count"));
      JsonObject read = annA.next(f -> "read".equals(f.getString("type")), "ben's read marker");
      assertEquals(ben.getLong("id"), read.getLong("user_id"));
      assertEquals(seq, read.getLong("last_read_seq"));
    }
  }

  @Test
  @DisplayName("notifications reach members' sockets that do not follow the room, and only members")
  void notifications() {
    JsonObject ann = api.newUser("author");
    JsonObject carol = api.newUser("member");
    JsonObject dave = api.newUser("stranger");
    long room = api.sharedRoom(ann, carol);
    try (Ws carolB = open(carol, cluster.b().gatewayPort()).watching("notification");
         Ws daveA = open(dave, cluster.a().gatewayPort()).watching("notification");
         Ws annA = open(ann, cluster.a().gatewayPort()).watching("notification")) {
      api.send(ann, room, "ping " + "x".repeat(200));
      JsonObject n = carolB.next("notification");
      assertEquals(room, n.getLong("room_id"));
      assertEquals(1, n.getLong("unread_count"));
      assertTrue(n.getJsonObject("message").getString("preview").startsWith("ping xxx"));
      assertTrue(n.getJsonObject("message").getString("preview").length() <= 141);
      api.send(ann, room, "again");
      assertEquals(2, carolB.next("notification").getLong("unread_count"));
      assertNull(daveA.poll(1), "not a member: nothing");
      assertTrue(annA.pending().isEmpty(), "the author is not notified");
      carolB.request(sub(room));
      api.send(ann, room, "now subscribed");
      assertEquals("now subscribed", carolB.next("message.created").getJsonObject("message").getString("body"));
      assertNull(carolB.poll(1), "a subscribed socket gets the message, not a notification");
      assertEquals("unsubscribed", carolB.request(new JsonObject().put("type", "unsubscribe").put("room_id", room)).getString("type"));
      api.send(ann, room, "after leaving");
      JsonObject again = carolB.next("notification");
      assertEquals(4, again.getLong("unread_count"), "notified again once it stops following the room");
    }
  }

  /** A node on its own (not clustered) with presence on the Redis at {@code redisPort}. */
  private record Alone(ParleyNode node, int apiPort, int gatewayPort) {}

  private Alone alone(int redisPort, long sweepMs) {
    int apiPort = TestCluster.freePort();
    int gatewayPort = TestCluster.freePort();
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, "none", "redis-node", apiPort, gatewayPort);
    cfg.getJsonObject("cluster").put("enabled", false);
    cfg.getJsonObject("presence").put("redis_url", "redis://127.0.0.1:" + redisPort).put("sweep_ms", sweepMs);
    return new Alone(Api.await(ParleyNode.start(ParleyConfig.of(cfg))), apiPort, gatewayPort);
  }

  /** A Redis that keeps its data in {@code dir} across a stop and a start (after a SAVE). */
  private static RedisServer persistentRedis(int port, java.nio.file.Path dir) throws java.io.IOException {
    RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(port).setting("save \"\"")
        .setting("dir " + dir).setting("dbfilename presence.rdb").build();
    server.start();
    return server;
  }

  @Test
  @DisplayName("a Redis outage longer than ttl_s that keeps the data ends without announcements: the sweep waits for the heartbeats")
  void outageKeepingDataIsSilent() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("parley-redis");
    int redisPort = TestCluster.freePort();
    RedisServer server = persistentRedis(redisPort, dir);
    Alone alone = alone(redisPort, 50); // a sweep soon after Redis returns, long before the next heartbeat
    Api local = new Api(vertx, alone.apiPort());
    Redis own = Redis.createClient(vertx, "redis://127.0.0.1:" + redisPort);
    try {
      JsonObject eve = local.newUser("eve");
      JsonObject fay = local.newUser("fay");
      JsonObject gus = local.newUser("sentinel");
      long room = local.sharedRoom(eve, fay, gus);
      try (Ws eveWs = Ws.open(vertx, alone.gatewayPort(), eve.getString("access_token")).watching("presence")) {
        eveWs.request(sub(room));
        Ws fayWs = Ws.open(vertx, alone.gatewayPort(), fay.getString("access_token"));
        assertEquals(fay.getLong("id"), eveWs.next("presence").getLong("user_id"));
        Request fayScore = Request.cmd(Command.ZSCORE).arg("parley:presence:expiry").arg(fay.getLong("id"));
        Api.await(own.send(Request.cmd(Command.SAVE)));
        double saved = Api.await(own.send(fayScore)).toDouble(); // the saved score, or a later one
        server.stop();
        Await.until(() -> System.currentTimeMillis() > saved, "the saved sockets to expire (an outage longer than ttl_s)");
        server = persistentRedis(redisPort, dir);
        Await.until(() -> {
          Response score = Api.await(own.send(fayScore).recover(err -> io.vertx.core.Future.succeededFuture()));
          return score != null && score.toDouble() > saved;
        }, "a heartbeat to refresh fay's socket");

        Ws gusWs = Ws.open(vertx, alone.gatewayPort(), gus.getString("access_token"));
        JsonObject first = eveWs.next("presence");
        assertEquals(gus.getLong("id"), first.getLong("user_id"), "announced after the outage: " + first.encode());
        gusWs.close();
        fayWs.close();
      }
    } finally {
      own.close();
      Api.await(alone.node().close());
      server.stop();
      try (var files = java.nio.file.Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  @DisplayName("with Redis stopped messages still flow and presence is degraded; when Redis returns presence comes back")
  void redisOutage() throws Exception {
    int redisPort = TestCluster.freePort();
    RedisServer redis = RedisServer.newRedisServer().bind("127.0.0.1").port(redisPort).setting("save \"\"").build();
    redis.start();
    Alone alone = alone(redisPort, 300);
    ParleyNode node = alone.node();
    int apiPort = alone.apiPort();
    int gatewayPort = alone.gatewayPort();
    Api local = new Api(vertx, apiPort);
    try {
      JsonObject eve = local.newUser("eve");
      JsonObject fay = local.newUser("fay");
      long room = local.sharedRoom(eve, fay);
      try (Ws fayWs = Ws.open(vertx, gatewayPort, fay.getString("access_token"))) {
        fayWs.request(sub(room));
        Await.until(() -> "online".equals(status(local, eve, fay.getLong("id"))), "fay online");

        redis.stop();
        local.send(eve, room, "while Redis is down");
        assertEquals("while Redis is down", fayWs.next("message.created").getJsonObject("message").getString("body"));
        io.vertx.ext.web.client.WebClient web = io.vertx.ext.web.client.WebClient.create(vertx);
        JsonObject ready = Api.await(web.get(apiPort, "127.0.0.1", "/health/ready").send()).bodyAsJsonObject();
        assertEquals("UP", ready.getString("status"), "chat does not need Redis");
        assertEquals("DEGRADED", ready.getJsonObject("checks").getString("presence"));
        local.call("getPresence", HttpMethod.GET, "/presence?user_ids=" + fay.getLong("id"), eve.getString("access_token"), null)
            .problem(503, "UNAVAILABLE");

        redis = RedisServer.newRedisServer().bind("127.0.0.1").port(redisPort).setting("save \"\"").build();
        redis.start(); // empty: presence is rebuilt from the gateways' heartbeats
        Await.until(() -> "online".equals(status(local, eve, fay.getLong("id"))), "fay online again");
        JsonObject back = Api.await(web.get(apiPort, "127.0.0.1", "/health/ready").send()).bodyAsJsonObject();
        assertEquals("UP", back.getJsonObject("checks").getString("presence"));
        local.send(eve, room, "after");
        assertEquals("after", fayWs.next("message.created").getJsonObject("message").getString("body"));
      }
    } finally {
      Api.await(node.close());
      redis.stop();
    }
  }
}
