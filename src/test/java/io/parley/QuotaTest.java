package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Daily message quotas on the send path (issue 13), on two clustered nodes of their own with
 * {@code billing.enforce_quotas} on: free users get 10 a day, counted exactly across nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Daily message quotas")
class QuotaTest {
  private static final String LIMIT_TEXT = "Message limit reached. Please upgrade to Pro plan.";

  private TestCluster cluster;
  private Vertx vertx;
  private Api a;
  private Api b;
  private Pool db;

  @BeforeAll
  void start() {
    cluster = TestCluster.start(2, root -> root.getJsonObject("billing").put("enforce_quotas", true));
    vertx = Vertx.vertx();
    a = new Api(vertx, cluster.a().apiPort());
    b = new Api(vertx, cluster.b().apiPort());
    db = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
  }

  @AfterAll
  void stop() {
    Api.await(db.close());
    cluster.close();
    Api.await(vertx.close());
  }

  private Api.Resp sendHttp(Api api, JsonObject user, long roomId, String body, String clientMsgId) {
    JsonObject req = new JsonObject().put("body", body);
    if (clientMsgId != null) {
      req.put("client_msg_id", clientMsgId);
    }
    return api.call("sendMessage", HttpMethod.POST, "/rooms/" + roomId + "/messages", user.getString("access_token"), req);
  }

  private static void assertLimitProblem(Api.Resp r, int limit) {
    r.problem(429, "MESSAGE_LIMIT_EXCEEDED");
    JsonObject p = r.json();
    assertEquals(LIMIT_TEXT, p.getString("detail"));
    assertEquals(limit, p.getJsonObject("details").getInteger("limit"));
    String nextMidnight = LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
    assertEquals(Instant.parse(nextMidnight), Instant.parse(p.getJsonObject("details").getString("resets_at")));
    long retryAfter = Long.parseLong(r.headers().get("Retry-After"));
    long untilReset = Instant.now().until(Instant.parse(nextMidnight), java.time.temporal.ChronoUnit.SECONDS);
    assertTrue(retryAfter >= 1 && Math.abs(retryAfter - untilReset) <= 5, "Retry-After " + retryAfter + " vs " + untilReset);
  }

  private long lastSeq(JsonObject user, long roomId) {
    return a.history(user, roomId, "?limit=1").getLong("last_seq");
  }

  @Test
  @DisplayName("a free user's 11th message is refused over HTTP and WebSocket on both nodes; nothing stored, no seq taken")
  void eleventhRefused() {
    JsonObject ada = a.newUser("quota");
    JsonObject bob = a.newUser("peer");
    long room = a.sharedRoom(ada, bob);
    for (int i = 1; i <= 10; i++) {
      sendHttp(i % 2 == 0 ? a : b, ada, room, "m" + i, "c" + i).expect(201);
    }
    long head = lastSeq(ada, room); // bob's join and the ten messages
    assertLimitProblem(sendHttp(a, ada, room, "eleven", "c11"), 10);
    assertLimitProblem(sendHttp(b, ada, room, "eleven", "c11"), 10);
    for (var node : List.of(cluster.a(), cluster.b())) {
      try (Ws ws = Ws.open(vertx, node.gatewayPort(), ada.getString("access_token"))) {
        JsonObject err = ws.request(new JsonObject().put("type", "message.send").put("room_id", room)
            .put("client_msg_id", "ws11").put("body", "eleven"));
        assertEquals("error", err.getString("type"), err.encode());
        assertEquals("MESSAGE_LIMIT_EXCEEDED", err.getString("code"));
        assertEquals(LIMIT_TEXT, err.getString("message"));
        assertEquals(10, err.getJsonObject("details").getInteger("limit"));
        ws.assertUsable();
      }
    }
    assertEquals(head, lastSeq(ada, room), "refused sends take no seq");
    // another member is not affected, and the room's seqs stay gap-free
    JsonObject next = a.send(bob, room, "bob still talks");
    assertEquals(head + 1, next.getLong("seq"));
    assertEquals(11, a.history(bob, room, "?limit=100").getJsonArray("items").size());
  }

  @Test
  @DisplayName("a retried client_msg_id of a stored message answers the original and does not count, also over the limit")
  void retryDoesNotCount() {
    JsonObject ada = a.newUser("retry");
    long room = a.newRoom(ada, false).getLong("id");
    JsonObject first = sendHttp(a, ada, room, "first", "same").expect(201).json();
    for (int i = 0; i < 5; i++) {
      JsonObject again = sendHttp(i % 2 == 0 ? b : a, ada, room, "first", "same").expect(200).json();
      assertEquals(first.getLong("id"), again.getLong("id"));
    }
    for (int i = 2; i <= 10; i++) {
      sendHttp(a, ada, room, "m" + i, "c" + i).expect(201);
    }
    assertLimitProblem(sendHttp(a, ada, room, "eleven", "c11"), 10);
    // over the limit, a retry of a stored message still answers the original (HTTP and WebSocket)
    assertEquals(first.getLong("id"), sendHttp(b, ada, room, "first", "same").expect(200).json().getLong("id"));
    try (Ws ws = Ws.open(vertx, cluster.b().gatewayPort(), ada.getString("access_token"))) {
      JsonObject ack = ws.request(new JsonObject().put("type", "message.send").put("room_id", room)
          .put("client_msg_id", "c10").put("body", "m10"));
      assertEquals("message.ack", ack.getString("type"), ack.encode());
      assertTrue(ack.getBoolean("duplicate"));
    }
    assertEquals(10, lastSeq(ada, room));
  }

  @Test
  @DisplayName("20 concurrent sends across two nodes by a user with 5 left store exactly 5")
  void concurrentSendsStopAtTheLimit() {
    JsonObject ada = a.newUser("race");
    long room = a.newRoom(ada, false).getLong("id");
    long other = a.newRoom(ada, false).getLong("id");
    for (int i = 1; i <= 5; i++) {
      sendHttp(a, ada, other, "warm " + i, null).expect(201);
    }
    WebClient client = WebClient.create(vertx);
    List<Future<HttpResponse<Buffer>>> sends = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int port = i % 2 == 0 ? cluster.a().apiPort() : cluster.b().apiPort();
      sends.add(client.post(port, "127.0.0.1", "/api/v1/rooms/" + (i % 4 == 0 ? other : room) + "/messages")
          .putHeader("Authorization", "Bearer " + ada.getString("access_token"))
          .sendJsonObject(new JsonObject().put("body", "race " + i).put("client_msg_id", "race-" + i)));
    }
    Api.await(Future.join(sends));
    int stored = 0;
    int refused = 0;
    for (var f : sends) {
      HttpResponse<Buffer> r = f.result();
      if (r.statusCode() == 201) {
        stored++;
      } else {
        assertEquals(429, r.statusCode(), r.bodyAsString());
        assertEquals("MESSAGE_LIMIT_EXCEEDED", r.bodyAsJsonObject().getString("code"));
        refused++;
      }
    }
    client.close();
    assertEquals(5, stored, "stored");
    assertEquals(15, refused, "refused");
    long count = Api.await(db.preparedQuery("SELECT count(*) AS n FROM messages WHERE author_id = $1")
        .execute(Tuple.of(ada.getLong("id")))).iterator().next().getLong("n");
    assertEquals(10, count, "messages stored in all");
    assertEquals(count, lastSeq(ada, room) + lastSeq(ada, other), "seqs taken only by stored messages");
  }

  @Test
  @DisplayName("an upgrade counts from the next send; at the subscription's period end the user is back on free, over its limit")
  void upgradeTakesEffectOnNextSend() {
    JsonObject ada = a.newUser("upgrade");
    long room = a.newRoom(ada, false).getLong("id");
    for (int i = 1; i <= 10; i++) {
      sendHttp(a, ada, room, "m" + i, null).expect(201);
    }
    assertLimitProblem(sendHttp(b, ada, room, "eleven", null), 10);
    // pro until a few seconds from now (a cancellation takes effect at the period end)
    Instant periodEnd = Api.await(db.preparedQuery("INSERT INTO subscriptions (stripe_subscription_id, user_id, plan_id, status, "
            + "current_period_end, cancel_at_period_end) SELECT $1, $2, id, 'canceled', now() + interval '6 seconds', true "
            + "FROM plans WHERE code = 'pro' RETURNING current_period_end")
        .execute(Tuple.of("sub_test_" + ada.getLong("id"), ada.getLong("id")))).iterator().next()
        .getOffsetDateTime("current_period_end").toInstant();
    int sent = 10;
    for (int i = 11; i <= 30 && Instant.now().isBefore(periodEnd.minusSeconds(2)); i++) {
      sendHttp(i % 2 == 0 ? a : b, ada, room, "pro " + i, null).expect(201);
      sent++;
    }
    assertTrue(sent > 10, "the upgrade counted from the next send");
    assertEquals(sent, lastSeq(ada, room));
    io.parley.support.Await.until(() -> Instant.now().isAfter(periodEnd.plusMillis(100)), "the period end");
    assertLimitProblem(sendHttp(a, ada, room, "back on free", null), 10);
    assertLimitProblem(sendHttp(b, ada, room, "back on free", null), 10);
    assertEquals(sent, lastSeq(ada, room), "nothing stored after the period end");
  }
}
