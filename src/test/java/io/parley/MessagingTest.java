package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("Messages across two clustered nodes")
class MessagingTest {
  private TestCluster cluster;
  private Vertx vertx;
  private Api apiA;
  private Api apiB;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    apiA = new Api(vertx, cluster.a().apiPort());
    apiB = new Api(vertx, cluster.b().apiPort());
  }

  private static JsonObject sendFrame(long roomId, String clientMsgId, String body) {
    return new JsonObject().put("type", "message.send").put("room_id", roomId).put("client_msg_id", clientMsgId).put("body", body);
  }

  @Test
  @DisplayName("a message sent on node A reaches a subscriber on node B with the seq that was stored")
  void crossNodeDelivery() {
    JsonObject alice = apiA.newUser("alice");
    JsonObject bob = apiA.newUser("bob");
    long roomId = apiA.sharedRoom(alice, bob);

    try (Ws bobB = Ws.open(vertx, cluster.b().gatewayPort(), bob.getString("access_token"));
         Ws aliceA = Ws.open(vertx, cluster.a().gatewayPort(), alice.getString("access_token"));
         Ws aliceB = Ws.open(vertx, cluster.b().gatewayPort(), alice.getString("access_token"))) {
      JsonObject subscribed = bobB.request(new JsonObject().put("type", "subscribe").put("room_id", roomId));
      assertEquals("subscribed", subscribed.getString("type"));
      assertEquals(1, subscribed.getLong("last_seq"), "bob's join is the room's first event");
      assertEquals("subscribed", aliceB.request(new JsonObject().put("type", "subscribe").put("room_id", roomId)).getString("type"));

      JsonObject ack = aliceA.request(sendFrame(roomId, "c-1", "hello from A"));
      assertEquals("message.ack", ack.getString("type"));
      JsonObject sent = ack.getJsonObject("message");
      assertEquals(2, sent.getLong("seq"));

      JsonObject received = bobB.next("message.created");
      assertEquals(roomId, received.getLong("room_id"));
      assertEquals(sent.getLong("seq"), received.getLong("seq"));
      assertEquals(sent, received.getJsonObject("message"));
      assertEquals(sent, aliceB.next("message.created").getJsonObject("message"), "the sender's other socket gets it too");

      JsonArray stored = apiB.history(bob, roomId, "").getJsonArray("items");
      assertEquals(1, stored.size());
      assertEquals(sent.getLong("seq"), stored.getJsonObject(0).getLong("seq"));
      assertEquals(sent.getLong("id"), stored.getJsonObject(0).getLong("id"));

      // over HTTP, exactly the same event reaches the sockets
      JsonObject viaHttp = apiA.send(alice, roomId, "hello over HTTP");
      JsonObject event = bobB.next("message.created");
      assertEquals(viaHttp, event.getJsonObject("message"));
      assertEquals(3, event.getLong("seq"));
      assertTrue(bobB.pending().isEmpty(), "nothing else was delivered");
    }
  }

  @Test
  @DisplayName("a subscriber that reconnects to the other node with since_seq gets exactly what it missed, in order")
  void recoveryOnOtherNode() {
    JsonObject alice = apiA.newUser("alice");
    JsonObject bob = apiA.newUser("bob");
    long roomId = apiA.sharedRoom(alice, bob);
    JsonObject first;
    long seenSeq;
    try (Ws bobA = Ws.open(vertx, cluster.a().gatewayPort(), bob.getString("access_token"))) {
      bobA.request(new JsonObject().put("type", "subscribe").put("room_id", roomId));
      first = apiA.send(alice, roomId, "m1");
      seenSeq = bobA.next("message.created").getLong("seq");
    }

    // while bob is away: two messages, an edit of the first, a delete of the second
    JsonObject m2 = apiB.send(alice, roomId, "m2");
    JsonObject m3 = apiA.send(alice, roomId, "m3");
    try (Ws aliceA = Ws.open(vertx, cluster.a().gatewayPort(), alice.getString("access_token"))) {
      JsonObject ack = aliceA.request(new JsonObject().put("type", "message.edit").put("message_id", first.getLong("id")).put("body", "m1 edited"));
      assertEquals("edit", ack.getString("op"));
    }
    apiB.call("deleteMessage", HttpMethod.DELETE, "/messages/" + m2.getLong("id"), alice.getString("access_token"), null).expect(204);

    try (Ws bobB = Ws.open(vertx, cluster.b().gatewayPort(), bob.getString("access_token"))) {
      bobB.send(new JsonObject().put("type", "subscribe").put("room_id", roomId).put("since_seq", seenSeq).put("ref", "s"));
      List<JsonObject> replay = bobB.take(5);
      assertEquals(List.of("message.created", "message.created", "message.updated", "message.deleted", "subscribed"),
          replay.stream().map(f -> f.getString("type")).toList());
      for (int i = 0; i < 4; i++) {
        assertEquals(seenSeq + 1 + i, replay.get(i).getLong("seq"), "gap-free, in order: " + replay);
      }
      JsonObject replayedM2 = replay.get(0).getJsonObject("message");
      assertEquals(m2.getLong("id"), replayedM2.getLong("id"));
      assertNull(replayedM2.getString("body"), "a deleted message's body is not replayed");
      assertTrue(replayedM2.getBoolean("deleted"));
      assertEquals(m3, replay.get(1).getJsonObject("message"));
      assertEquals("m1 edited", replay.get(2).getJsonObject("message").getString("body"));
      assertEquals(first.getLong("id"), replay.get(2).getJsonObject("message").getLong("id"));
      assertEquals(m2.getLong("id"), replay.get(3).getJsonObject("message").getLong("id"));
      assertEquals("s", replay.get(4).getString("ref"));
      assertEquals(seenSeq + 4, replay.get(4).getLong("last_seq"));

      // then live events continue right after the replay
      apiA.send(alice, roomId, "m4");
      JsonObject live = bobB.next("message.created");
      assertEquals(seenSeq + 5, live.getLong("seq"));
      assertTrue(bobB.pending().isEmpty(), "no duplicates");
    }
  }

  @Test
  @DisplayName("deleting an edited message removes its body from its created and updated events in a replay, and from no other")
  void deleteRedactsEveryEventOfTheMessage() {
    JsonObject alice = apiA.newUser("alice");
    JsonObject bob = apiA.newUser("bob");
    long roomId = apiA.sharedRoom(alice, bob);
    JsonObject doomed = apiA.send(alice, roomId, "secret v1");
    JsonObject kept = apiB.send(alice, roomId, "kept");
    try (Ws aliceA = Ws.open(vertx, cluster.a().gatewayPort(), alice.getString("access_token"))) {
      for (String body : List.of("secret v2", "secret v3")) {
        aliceA.request(new JsonObject().put("type", "message.edit").put("message_id", doomed.getLong("id")).put("body", body));
      }
      aliceA.request(new JsonObject().put("type", "message.edit").put("message_id", kept.getLong("id")).put("body", "kept v2"));
    }
    apiB.call("deleteMessage", HttpMethod.DELETE, "/messages/" + doomed.getLong("id"), alice.getString("access_token"), null).expect(204);

    try (Ws bobA = Ws.open(vertx, cluster.a().gatewayPort(), bob.getString("access_token"))) {
      bobA.send(new JsonObject().put("type", "subscribe").put("room_id", roomId).put("since_seq", doomed.getLong("seq") - 1));
      List<JsonObject> replay = bobA.take(7);
      assertEquals(List.of("message.created", "message.created", "message.updated", "message.updated", "message.updated",
          "message.deleted", "subscribed"), replay.stream().map(f -> f.getString("type")).toList());
      for (JsonObject event : replay.subList(0, 6)) {
        JsonObject message = event.getJsonObject("message");
        if (message.getLong("id").equals(doomed.getLong("id"))) {
          assertNull(message.getString("body"), "no body of the deleted message in " + event);
          assertTrue(message.getBoolean("deleted"), event.encode());
        } else {
          assertTrue(message.getString("body").startsWith("kept"), "the other message keeps its body: " + event);
          assertEquals(false, message.getBoolean("deleted"), event.encode());
        }
      }
    }
  }

  @Test
  @DisplayName("the same client_msg_id sent to two nodes at once stores one message")
  void idempotentAcrossNodes() {
    JsonObject alice = apiA.newUser("alice");
    JsonObject bob = apiA.newUser("bob");
    long roomId = apiA.sharedRoom(alice, bob);
    String clientMsgId = UUID.randomUUID().toString();
    try (Ws bobA = Ws.open(vertx, cluster.a().gatewayPort(), bob.getString("access_token"));
         Ws aliceA = Ws.open(vertx, cluster.a().gatewayPort(), alice.getString("access_token"))) {
      bobA.request(new JsonObject().put("type", "subscribe").put("room_id", roomId));
      CompletableFuture<JsonObject> overWs = CompletableFuture.supplyAsync(
          () -> aliceA.request(sendFrame(roomId, clientMsgId, "once")));
      CompletableFuture<Api.Resp> overHttp = CompletableFuture.supplyAsync(
          () -> apiB.call("sendMessage", HttpMethod.POST, "/rooms/" + roomId + "/messages", alice.getString("access_token"),
              new JsonObject().put("body", "once").put("client_msg_id", clientMsgId)));
      JsonObject wsAck = overWs.join();
      Api.Resp httpResp = overHttp.join();
      assertEquals("message.ack", wsAck.getString("type"));
      assertTrue(httpResp.status() == 200 || httpResp.status() == 201);
      assertEquals(wsAck.getJsonObject("message").getLong("id"), httpResp.json().getLong("id"));
      assertTrue(wsAck.getBoolean("duplicate") ^ (httpResp.status() == 200), "exactly one of them stored it");

      // a plain retry on node A is also a duplicate
      JsonObject retry = aliceA.request(sendFrame(roomId, clientMsgId, "once"));
      assertTrue(retry.getBoolean("duplicate"));
      assertEquals(wsAck.getJsonObject("message"), retry.getJsonObject("message"));

      JsonObject page = apiA.history(alice, roomId, "");
      assertEquals(1, page.getJsonArray("items").size());
      assertEquals(page.getJsonArray("items").getJsonObject(0).getLong("seq"), page.getLong("last_seq"),
          "the duplicate did not take a seq");
      JsonObject created = bobA.next("message.created");
      assertEquals(wsAck.getJsonObject("message").getLong("id"), created.getJsonObject("message").getLong("id"));
      assertNull(bobA.poll(1), "one message.created only");
    }
  }

  @Test
  @DisplayName("concurrent senders on both nodes get gap-free seqs, delivered in order to subscribers on both nodes")
  void concurrentSendersGapFree() {
    JsonObject alice = apiA.newUser("alice");
    JsonObject bob = apiA.newUser("bob");
    JsonObject carol = apiA.newUser("carol");
    long roomId = apiA.sharedRoom(alice, bob, carol);
    int perSender = 40;
    try (Ws carolA = Ws.open(vertx, cluster.a().gatewayPort(), carol.getString("access_token"));
         Ws carolB = Ws.open(vertx, cluster.b().gatewayPort(), carol.getString("access_token"));
         Ws aliceA = Ws.open(vertx, cluster.a().gatewayPort(), alice.getString("access_token"));
         Ws bobB = Ws.open(vertx, cluster.b().gatewayPort(), bob.getString("access_token"))) {
      long head = carolA.request(new JsonObject().put("type", "subscribe").put("room_id", roomId)).getLong("last_seq");
      carolB.request(new JsonObject().put("type", "subscribe").put("room_id", roomId));
      for (int i = 0; i < perSender; i++) {
        aliceA.send(sendFrame(roomId, "a" + i, "alice " + i));
        bobB.send(sendFrame(roomId, "b" + i, "bob " + i));
      }
      for (Ws sub : List.of(carolA, carolB)) {
        List<Long> seqs = new ArrayList<>();
        for (JsonObject f : sub.take(2 * perSender)) {
          assertEquals("message.created", f.getString("type"));
          seqs.add(f.getLong("seq"));
        }
        for (int i = 0; i < seqs.size(); i++) {
          assertEquals(head + 1 + i, seqs.get(i), "in order and gap-free: " + seqs);
        }
      }
      JsonObject page = apiA.history(alice, roomId, "?limit=100");
      JsonArray items = page.getJsonArray("items");
      assertEquals(2 * perSender, items.size());
      for (int i = 0; i < items.size(); i++) {
        assertEquals(head + 1 + i, items.getJsonObject(i).getLong("seq"));
      }
    }
  }

  @Test
  @DisplayName("group commit: a burst of sends shares commits, and a repeat or a stranger's send in the same burst gets its own answer")
  void groupCommit() {
    JsonObject alice = apiA.newUser("alice");
    JsonObject bob = apiA.newUser("bob");
    JsonObject eve = apiA.newUser("eve");
    long roomId = apiA.sharedRoom(alice, bob);
    int sends = 60;
    io.vertx.sqlclient.Pool db = io.vertx.pgclient.PgBuilder.pool()
        .connectingTo(io.vertx.pgclient.PgConnectOptions.fromUri(cluster.databaseUrl)).using(vertx).build();
    try (Ws aliceA = Ws.open(vertx, cluster.a().gatewayPort(), alice.getString("access_token"));
         Ws eveA = Ws.open(vertx, cluster.a().gatewayPort(), eve.getString("access_token"))) {
      long head = aliceA.request(new JsonObject().put("type", "subscribe").put("room_id", roomId)).getLong("last_seq");
      for (int i = 0; i < sends; i++) {
        aliceA.send(sendFrame(roomId, "g" + i, "burst " + i).put("ref", "g" + i));
        if (i == 10) {
          aliceA.send(sendFrame(roomId, "g5", "burst 5").put("ref", "repeat"));
          eveA.send(sendFrame(roomId, "e1", "let me in").put("ref", "eve"));
        }
      }
      java.util.Map<Object, JsonObject> acks = new java.util.HashMap<>();
      while (acks.size() < sends + 1) {
        JsonObject f = aliceA.next(x -> "message.ack".equals(x.getString("type")), "acks (" + acks.size() + " so far)");
        acks.put(f.getValue("ref"), f);
      }
      // the two sends of g5 may reach different nodes' persistence: whichever is stored first is
      // the original, the other answers with it
      JsonObject repeat = acks.get("repeat");
      JsonObject first = acks.get("g5");
      assertTrue(repeat.getBoolean("duplicate") ^ first.getBoolean("duplicate"), "exactly one is the repeat: " + repeat.encode());
      assertEquals(first.getLong("seq"), repeat.getLong("seq"), "the repeat answers with the original");
      assertEquals("FORBIDDEN", eveA.next("error").getString("code"), "a stranger's send in the burst is refused");

      List<Long> seqs = new ArrayList<>();
      for (int i = 0; i < sends; i++) {
        assertEquals(false, i != 5 && acks.get("g" + i).getBoolean("duplicate"));
        seqs.add(acks.get("g" + i).getLong("seq"));
      }
      seqs.sort(null);
      for (int i = 0; i < sends; i++) {
        assertEquals(head + 1 + i, seqs.get(i), "gap-free: " + seqs);
      }
      io.vertx.sqlclient.Row counts = Api.await(db.preparedQuery(
              "SELECT count(*) AS n, count(DISTINCT xmin::text) AS commits FROM messages WHERE room_id = $1")
          .execute(io.vertx.sqlclient.Tuple.of(roomId))).iterator().next();
      assertEquals(sends, counts.getLong("n"), "one message per client_msg_id");
      assertTrue(counts.getLong("commits") < sends, "sends shared commits: " + counts.getLong("commits") + " for " + sends);
      assertEquals(sends, apiA.history(alice, roomId, "?limit=100").getJsonArray("items").size());
    } finally {
      Api.await(db.close());
    }
  }

  @Test
  @DisplayName("history pages by seq: newest page, before_seq going back, after_seq going forward")
  void historyPagination() {
    JsonObject alice = apiA.newUser("alice");
    long roomId = apiA.newRoom(alice, false).getLong("id");
    List<JsonObject> sent = new java.util.ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      sent.add(apiA.send(alice, roomId, "n" + i));
    }
    // pages are encoded straight from the rows: the same messages as the send and edit answers
    JsonObject edited = apiA.call("editMessage", io.vertx.core.http.HttpMethod.PATCH, "/messages/" + sent.get(6).getLong("id"),
        alice.getString("access_token"), new JsonObject().put("body", "n7")).expect(200).json();
    assertTrue(edited.getString("edited_at") != null);
    JsonObject page = apiA.history(alice, roomId, "?limit=7");
    for (int i = 0; i < 6; i++) {
      assertEquals(sent.get(i), page.getJsonArray("items").getJsonObject(i));
    }
    assertEquals(edited, page.getJsonArray("items").getJsonObject(6));

    JsonObject newest = apiA.history(alice, roomId, "?limit=3");
    assertEquals(List.of("n5", "n6", "n7"), bodies(newest));
    assertTrue(newest.getBoolean("has_more"));
    long oldestSeq = newest.getJsonArray("items").getJsonObject(0).getLong("seq");
    JsonObject older = apiA.history(alice, roomId, "?limit=3&before_seq=" + oldestSeq);
    assertEquals(List.of("n2", "n3", "n4"), bodies(older));
    assertTrue(older.getBoolean("has_more"));
    JsonObject oldest = apiA.history(alice, roomId, "?limit=3&before_seq=" + older.getJsonArray("items").getJsonObject(0).getLong("seq"));
    assertEquals(List.of("n1"), bodies(oldest));
    assertEquals(false, oldest.getBoolean("has_more"));
    JsonObject forward = apiA.history(alice, roomId, "?limit=4&after_seq=" + oldest.getJsonArray("items").getJsonObject(0).getLong("seq"));
    assertEquals(List.of("n2", "n3", "n4", "n5"), bodies(forward));
    assertTrue(forward.getBoolean("has_more"));
  }

  private static List<String> bodies(JsonObject page) {
    return page.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("body")).toList();
  }
}
