package io.parley.limits;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.LogCapture;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.embedded.RedisServer;

/**
 * The rate limits on a cluster of their own: two nodes sharing one Redis (a Redis of this test's,
 * which the last test stops and starts again), 127.0.0.1 as the only trusted proxy, so that each
 * test picks its client address with {@code X-Forwarded-For}. Responses are checked against the
 * contract ({@link Api}); every operation that declares {@code RateLimited} is made to answer it.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Rate limits shared by two nodes through one Redis")
class LimitsTest {
  /** This cluster's per-user limit (an hour), small so that a test can spend it. */
  private static final int USER_LIMIT = 40;
  /**
   * This cluster's sends a minute (one every 5 s, burst 20): slow enough that a burst of 20 is
   * never refilled while a test makes it, even on a busy machine.
   */
  private static final int SENDS_PER_MINUTE = 12;
  private static final AtomicInteger ADDRESSES = new AtomicInteger();

  private Vertx vertx;
  private RedisServer redisServer;
  private int redisPort;
  private Redis redis;
  private TestCluster cluster;
  private Api a;
  private Api b;
  private String prefix;
  private WebClient web;

  @BeforeAll
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    redisPort = TestCluster.freePort();
    redisServer = redis(redisPort);
    prefix = "parley:limits:test-" + UUID.randomUUID() + ":";
    cluster = TestCluster.start(2, root -> {
      root.getJsonObject("limits").put("anonymous_per_hour", 100).put("user_per_hour", USER_LIMIT)
          .put("sends_per_minute", SENDS_PER_MINUTE).put("sends_burst", 20).put("login_failures_per_ip", 30)
          .put("redis_url", "redis://127.0.0.1:" + redisPort).put("key_prefix", prefix);
      root.getJsonObject("api").put("trusted_proxies", new JsonArray().add("127.0.0.1/32").add("::1"));
    });
    a = new Api(vertx, cluster.a().apiPort());
    b = new Api(vertx, cluster.b().apiPort(), a.exercised());
    this.redis = Redis.createClient(vertx, "redis://127.0.0.1:" + redisPort);
    web = WebClient.create(vertx);
  }

  @AfterAll
  void tearDown() throws Exception {
    if (redis != null) {
      redis.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (redisServer != null) {
      redisServer.stop();
    }
  }

  private static RedisServer redis(int port) throws java.io.IOException {
    RedisServer server = RedisServer.newRedisServer().bind("127.0.0.1").port(port).setting("save \"\"")
        .setting("appendonly no").build();
    server.start();
    return server;
  }

  /** A client address of its own (documentation range), so that tests never share a budget. */
  private static String freshAddress() {
    int n = ADDRESSES.incrementAndGet();
    return "198.51." + (100 + n / 250) + "." + (1 + n % 250);
  }

  /** Asserts {@code RateLimit: "policy";r=remaining;t=…} with t between 1 and {@code maxT} seconds. */
  private static void assertRemaining(Api.Resp resp, String policy, long remaining, long maxT) {
    String field = resp.headers().get("RateLimit");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + policy + "\";r=(\\d+);t=(\\d+)").matcher(String.valueOf(field));
    assertTrue(m.find(), "RateLimit: " + field);
    assertEquals(remaining, Long.parseLong(m.group(1)), "remaining in " + field);
    assertTrue(Long.parseLong(m.group(2)) >= 1 && Long.parseLong(m.group(2)) <= maxT, "t in " + field);
  }

  private static Map<String, String> from(String address) {
    return Map.of("X-Forwarded-For", address);
  }

  private Api.Resp anonymous(Api api, String address) {
    return api.call("getClientConfig", GET, "/client-config", null, null, from(address));
  }

  /** A user registered and logged in from an address of its own (anonymous requests). */
  private JsonObject user(String name) {
    String address = freshAddress();
    String email = name + "_" + UUID.randomUUID().toString().substring(0, 8) + "@example.test";
    JsonObject reg = new JsonObject().put("email", email).put("username", email.substring(0, email.indexOf('@')))
        .put("password", "correct horse");
    JsonObject u = a.call("register", POST, "/auth/register", null, reg, from(address)).expect(201).json();
    JsonObject login = a.call("login", POST, "/auth/login", null,
        new JsonObject().put("email", email).put("password", "correct horse"), from(address)).expect(200).json();
    return u.put("email", email).put("access_token", login.getString("access_token"));
  }

  @Test
  @Order(1)
  @DisplayName("the 101st anonymous request from one address within the hour is refused, whichever node it hits")
  void anonymousAcrossNodes() {
    String address = freshAddress();
    for (int i = 1; i <= 100; i++) {
      Api.Resp ok = anonymous(i % 2 == 0 ? a : b, address).expect(200);
      assertEquals("\"anon\";q=100;w=3600", ok.headers().get("RateLimit-Policy"));
      assertRemaining(ok, "anon", 100 - i, 36);
    }
    for (Api node : List.of(a, b)) {
      Api.Resp refused = anonymous(node, address).problem(429, "RATE_LIMITED");
      long retryAfter = Long.parseLong(refused.headers().get("Retry-After"));
      assertTrue(retryAfter >= 1 && retryAfter <= 36, "one more every 36 s: " + retryAfter);
      assertEquals("\"anon\";q=100;w=3600", refused.headers().get("RateLimit-Policy"));
      assertEquals("\"anon\";r=0;t=" + retryAfter, refused.headers().get("RateLimit"));
      JsonObject details = refused.json().getJsonObject("details");
      assertEquals(retryAfter, details.getLong("retry_after_s"));
      assertTrue(details.getLong("retry_after_ms") > (retryAfter - 1) * 1000 && details.getLong("retry_after_ms") <= retryAfter * 1000);
      assertEquals(new JsonArray().add("anon"), details.getJsonArray("policies"));
    }
    assertRemaining(anonymous(a, freshAddress()).expect(200), "anon", 99, 36); // another address, another budget
    // each node counted its refusal in /metrics
    for (Api node : List.of(a, b)) {
      io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> r = Api.await(
          io.vertx.ext.web.client.WebClient.create(vertx).get(node.port(), "127.0.0.1", "/metrics").send());
      io.parley.support.Scrape scrape = io.parley.support.Scrape.parse(r.getHeader("Content-Type"), r.bodyAsString());
      assertTrue(scrape.sum("parley_rate_limit_refusals_total", l -> "anon".equals(l.get("limit"))) >= 1, "refusals counted");
    }
  }

  @Test
  @Order(2)
  @DisplayName("authenticated requests count per user, on both nodes, apart from the address's anonymous budget")
  void perUser() {
    JsonObject ann = user("ann");
    JsonObject ben = user("ben");
    String token = ann.getString("access_token");
    for (int i = 1; i <= USER_LIMIT; i++) {
      Api.Resp ok = (i % 2 == 0 ? a : b).call("getMe", GET, "/users/me", token, null).expect(200);
      assertEquals("\"user\";q=" + USER_LIMIT + ";w=3600", ok.headers().get("RateLimit-Policy"));
      assertRemaining(ok, "user", USER_LIMIT - i, 3600 / USER_LIMIT);
    }
    Api.Resp refused = b.call("getMe", GET, "/users/me", token, null).problem(429, "RATE_LIMITED");
    assertEquals(new JsonArray().add("user"), refused.json().getJsonObject("details").getJsonArray("policies"));
    assertTrue(Long.parseLong(refused.headers().get("Retry-After")) >= 1);
    assertEquals(200, a.call("getMe", GET, "/users/me", ben.getString("access_token"), null).status(), "another user is not limited");
    Api.Resp anon = a.call("getMe", GET, "/users/me", "not.a.token", null, from(freshAddress())).problem(401, "UNAUTHORIZED");
    assertEquals("\"anon\";q=100;w=3600", anon.headers().get("RateLimit-Policy"), "an invalid token counts as anonymous");
  }

  @Test
  @Order(3)
  @DisplayName("a send burst past the limit is refused over HTTP and WebSocket alike; the socket stays usable")
  void sendBurst() {
    JsonObject cat = user("cat");
    String token = cat.getString("access_token");
    long room = a.newRoom(cat, false).getLong("id");
    for (int i = 1; i <= 10; i++) {
      Api.Resp sent = a.call("sendMessage", POST, "/rooms/" + room + "/messages", token, new JsonObject().put("body", "http " + i))
          .expect(201);
      assertEquals("\"user\";q=" + USER_LIMIT + ";w=3600, \"send\";q=" + SENDS_PER_MINUTE + ";w=60;parley-burst=20",
          sent.headers().get("RateLimit-Policy"));
      assertRemaining(sent, "send", 20 - i, 60 / SENDS_PER_MINUTE);
    }
    try (Ws ws = Ws.open(vertx, cluster.b().gatewayPort(), token)) {
      for (int i = 1; i <= 10; i++) {
        assertEquals("message.ack", ws.request(send(room, "ws " + i)).getString("type"));
      }
      JsonObject refused = ws.request(send(room, "one too many"));
      assertEquals("error", refused.getString("type"));
      assertEquals("RATE_LIMITED", refused.getString("code"));
      long retryMs = refused.getJsonObject("details").getLong("retry_after_ms");
      assertTrue(retryMs > 0 && retryMs <= 5000, "one more every 5 s: " + retryMs);
      ws.assertUsable();
      assertEquals("subscribed", ws.request(new JsonObject().put("type", "subscribe").put("room_id", room)).getString("type"));

      Api.Resp overHttp = b.call("sendMessage", POST, "/rooms/" + room + "/messages", token, new JsonObject().put("body", "http 11"))
          .problem(429, "RATE_LIMITED");
      long retryAfter = Long.parseLong(overHttp.headers().get("Retry-After"));
      assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After " + retryAfter);
      assertEquals(new JsonArray().add("send"), overHttp.json().getJsonObject("details").getJsonArray("policies"));
      assertTrue(overHttp.headers().get("RateLimit").contains("\"send\";r=0;t=" + retryAfter), overHttp.headers().get("RateLimit"));

      Await.until(() -> "message.ack".equals(ws.request(send(room, "later")).getString("type")), "a send allowed again");
    }
    assertEquals(21, a.history(cat, room, "?limit=100").getJsonArray("items").size(), "refused sends stored nothing");
  }

  @Test
  @Order(3)
  @DisplayName("frames written back to back on one socket are counted in their order: the first 20 are allowed and stored, the rest refused")
  void pipelinedSendsCountInOrder() {
    JsonObject dog = user("dog");
    long room = a.newRoom(dog, false).getLong("id");
    Set<String> acked = new TreeSet<>();
    Set<String> refused = new TreeSet<>();
    try (Ws ws = Ws.open(vertx, cluster.b().gatewayPort(), dog.getString("access_token"))) {
      for (int i = 1; i <= 26; i++) {
        ws.send(send(room, "burst " + i).put("ref", String.format("b%02d", i))); // not waiting for the answer
      }
      for (JsonObject reply : ws.take(26)) {
        (reply.getString("type").equals("message.ack") ? acked : refused).add(reply.getString("ref"));
        if (reply.getString("type").equals("error")) {
          assertEquals("RATE_LIMITED", reply.getString("code"), reply.encode());
        }
      }
      ws.assertUsable();
    }
    Set<String> first20 = new TreeSet<>();
    Set<String> stored = new TreeSet<>();
    for (int i = 1; i <= 20; i++) {
      first20.add(String.format("b%02d", i));
      stored.add("burst " + i);
    }
    assertEquals(first20, acked, "the first 20 frames are allowed");
    assertEquals(Set.of("b21", "b22", "b23", "b24", "b25", "b26"), refused, "the rest refused");
    assertEquals(stored, new TreeSet<>(a.history(dog, room, "?limit=100").getJsonArray("items").stream()
        .map(m -> ((JsonObject) m).getString("body")).toList()), "the allowed ones stored, nothing else");
  }

  private static JsonObject send(long room, String body) {
    return new JsonObject().put("type", "message.send").put("room_id", room).put("client_msg_id", UUID.randomUUID().toString())
        .put("body", body);
  }

  @Test
  @Order(4)
  @DisplayName("X-Forwarded-For is believed only from a trusted proxy, right-most untrusted address first")
  void trustedProxies() {
    String client = freshAddress();
    assertRemaining(anonymous(a, "203.0.113.77, " + client), "anon", 99, 36);
    // the same client behind a second trusted proxy; what it claimed itself is ignored
    assertRemaining(anonymous(b, "192.0.2.1, " + client + ", 127.0.0.1"), "anon", 98, 36);
    assertTrue(exists(prefix + "anon:" + client));
    assertFalse(exists(prefix + "anon:203.0.113.77"));

    // from 127.0.0.2, which is no trusted proxy, the header is ignored: the peer is the client
    WebClient untrusted = WebClient.create(vertx, new WebClientOptions().setLocalAddress("127.0.0.2"));
    String claimed = freshAddress();
    for (int i = 1; i <= 2; i++) {
      var r = Api.await(untrusted.get(cluster.a().apiPort(), "127.0.0.1", "/api/v1/client-config")
          .putHeader("X-Forwarded-For", claimed).send());
      assertEquals(200, r.statusCode());
      assertTrue(r.getHeader("RateLimit").startsWith("\"anon\";r="), r.getHeader("RateLimit"));
    }
    untrusted.close();
    assertTrue(exists(prefix + "anon:127.0.0.2"));
    assertFalse(exists(prefix + "anon:" + claimed));
  }

  @Test
  @Order(5)
  @DisplayName("every operation that declares RATE_LIMITED answers it once its budget is spent; the webhook is not limited")
  void everyLimitedOperation() {
    String address = freshAddress();
    JsonObject dan = user("dan");
    String token = dan.getString("access_token");
    while (anonymous(a, address).status() != 429) {
      // spend the address's anonymous budget
    }
    while (a.call("getMe", GET, "/users/me", token, null).status() != 429) {
      // spend dan's
    }
    JsonObject paths = Api.await(io.parley.api.Contract.raw(vertx)).getJsonObject("paths");
    TreeSet<String> declared = new TreeSet<>();
    for (String path : paths.fieldNames()) {
      for (String method : List.of("get", "post", "put", "patch", "delete")) {
        JsonObject op = paths.getJsonObject(path).getJsonObject(method);
        JsonObject limited = op == null ? null : op.getJsonObject("responses").getJsonObject("429");
        if (limited == null || !limited.getString("$ref", "").endsWith("/RateLimited")) {
          continue;
        }
        String id = op.getString("operationId");
        declared.add(id + " 429");
        boolean anonymousOp = op.getJsonArray("security") != null && op.getJsonArray("security").isEmpty();
        JsonObject body = method.equals("get") || method.equals("delete") ? null : new JsonObject();
        (declared.size() % 2 == 0 ? a : b).call(id, io.vertx.core.http.HttpMethod.valueOf(method.toUpperCase()),
            path.replaceAll("\\{[^}]+}", "1"), anonymousOp ? null : token, body, from(address)).problem(429, "RATE_LIMITED");
      }
    }
    TreeSet<String> missing = new TreeSet<>(declared);
    missing.removeAll(a.exercised());
    assertTrue(declared.size() > 30, "the contract declares RateLimited widely: " + declared);
    assertTrue(missing.isEmpty(), "declared but never answered: " + missing);
    // Stripe's webhook: not limited (its own checks answer)
    assertEquals(400, a.call("stripeWebhook", POST, "/billing/webhook", null, new JsonObject(), from(address)).status());
  }

  @Test
  @Order(6)
  @DisplayName("failed logins count per client address across nodes and accounts: the 31st gets 429, another address still logs in")
  void loginFailuresPerAddress() {
    JsonObject gil = user("gil");
    String guesser = freshAddress();
    for (int i = 1; i <= 30; i++) { // a different account each time: only the per-address limit applies
      (i % 2 == 0 ? a : b).call("login", POST, "/auth/login", null,
          new JsonObject().put("email", "nobody" + i + "_" + UUID.randomUUID() + "@example.test").put("password", "guess " + i),
          from(guesser)).problem(401, "UNAUTHORIZED");
    }
    Api.Resp refused = a.call("login", POST, "/auth/login", null,
        new JsonObject().put("email", gil.getString("email")).put("password", "correct horse"), from(guesser)).problem(429, "RATE_LIMITED");
    long retryAfter = Long.parseLong(refused.headers().get("Retry-After"));
    assertTrue(retryAfter > 800 && retryAfter <= 900, "until the oldest failure leaves the 900 s window: " + retryAfter);
    b.call("login", POST, "/auth/login", null, new JsonObject().put("email", gil.getString("email")).put("password", "correct horse"),
        from(freshAddress())).expect(200);
  }

  @Test
  @Order(7)
  @DisplayName("every key the limits wrote expires by itself")
  void keysExpire() {
    JsonObject eve = user("eve");
    a.call("login", POST, "/auth/login", null, new JsonObject().put("email", eve.getString("email")).put("password", "wrong one"),
        from(freshAddress())).problem(401, "UNAUTHORIZED"); // writes the login failure keys
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      Response page = Api.await(redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + "*").arg("COUNT").arg(1000)));
      cursor = page.get(0).toString();
      page.get(1).forEach(k -> keys.add(k.toString()));
    } while (!"0".equals(cursor));
    for (String kind : List.of("anon:", "user:", "send:", "login-client:", "login-ip:", "login-account:")) {
      assertTrue(keys.stream().anyMatch(k -> k.startsWith(prefix + kind)), "a " + kind + " key among " + keys);
    }
    for (String key : keys) {
      long pttl = Api.await(redis.send(Request.cmd(Command.PTTL).arg(key))).toLong();
      assertTrue(pttl > 0, key + " has no expiry: " + pttl);
    }
  }

  private boolean exists(String key) {
    return Api.await(redis.send(Request.cmd(Command.EXISTS).arg(key))).toLong() == 1;
  }

  private JsonObject ready(int port) {
    var r = Api.await(web.get(port, "127.0.0.1", "/health/ready").send());
    assertEquals(200, r.statusCode(), "ready whatever the limits say: " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  @Order(8)
  @DisplayName("with Redis stopped requests and sends still succeed and readiness says limits DEGRADED, until Redis returns")
  void redisStopped() throws Exception {
    JsonObject fay = user("fay");
    String token = fay.getString("access_token");
    long room = a.newRoom(fay, false).getLong("id");
    assertEquals("UP", ready(cluster.a().apiPort()).getJsonObject("checks").getString("limits"));
    try (LogCapture log = new LogCapture(); Ws ws = Ws.open(vertx, cluster.b().gatewayPort(), token)) {
      redisServer.stop();
      String address = freshAddress();
      for (int i = 0; i < 120; i++) { // past the anonymous limit: nothing is enforced
        Api.Resp ok = anonymous(i % 2 == 0 ? a : b, address).expect(200);
        assertNull(ok.headers().get("RateLimit"), "no limit state to tell");
      }
      for (int i = 0; i < 25; i++) { // past the send burst, on both transports
        a.call("sendMessage", POST, "/rooms/" + room + "/messages", token, new JsonObject().put("body", "down " + i)).expect(201);
        assertEquals("message.ack", ws.request(send(room, "down ws " + i)).getString("type"));
      }
      for (TestCluster.Node node : cluster.nodes) {
        JsonObject ready = ready(node.apiPort());
        assertEquals("UP", ready.getString("status"));
        assertEquals("DEGRADED", ready.getJsonObject("checks").getString("limits"));
      }
      assertEquals(cluster.nodes.size(), log.linesWith("rate limits: Redis unreachable").size(),
          "one warning per node, not one per request: " + log.linesWith("rate limits"));

      redisServer = redis(redisPort);
      for (TestCluster.Node node : cluster.nodes) {
        Await.until(() -> "UP".equals(ready(node.apiPort()).getJsonObject("checks").getString("limits")), "limits UP again");
      }
      Await.until(() -> anonymous(a, address).headers().get("RateLimit") != null, "limits enforced again");
      assertEquals(cluster.nodes.size(), log.linesWith("rate limits: Redis answers again").size(), "one recovery line per node");
    }
  }
}
