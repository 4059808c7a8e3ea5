package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.ClusterExtension;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("The WebSocket gateway protocol")
class GatewayProtocolTest {
  private TestCluster cluster;
  private Vertx vertx;
  private Api api;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.api = new Api(vertx, cluster.a().apiPort());
  }

  private Ws open(JsonObject user, TestCluster.Node node) {
    return Ws.open(vertx, node.gatewayPort(), user.getString("access_token"));
  }

  private static JsonObject sub(long roomId) {
    return new JsonObject().put("type", "subscribe").put("room_id", roomId);
  }

  private static void assertError(JsonObject frame, String code, Object ref) {
    assertEquals("error", frame.getString("type"), frame.encode());
    assertEquals(code, frame.getString("code"), frame.encode());
    assertEquals(ref, frame.getValue("ref"));
    assertTrue(frame.getString("message").length() > 0);
  }

  /** An error reply to {@link Ws#request}, which already matched it by its ref. */
  private static void assertError(JsonObject frame, String code) {
    assertEquals("error", frame.getString("type"), frame.encode());
    assertEquals(code, frame.getString("code"), frame.encode());
    assertTrue(frame.getValue("ref") != null);
  }

  @Test
  @DisplayName("a missing or invalid token gets an UNAUTHORIZED error frame and close code 4401; a bearer header works")
  void authentication() throws Exception {
    for (String token : new String[] {null, "garbage", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bad"}) {
      try (Ws ws = Ws.connect(vertx, cluster.a().gatewayPort(), token)) {
        assertError(ws.next("error"), "UNAUTHORIZED", null);
        assertEquals((short) 4401, ws.closed.get(10, TimeUnit.SECONDS));
      }
    }
    JsonObject user = api.newUser("hdr");
    try (Ws ws = Ws.connect(vertx, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(cluster.b().gatewayPort())
        .setURI("/ws").addHeader("Authorization", "Bearer " + user.getString("access_token")))) {
      JsonObject welcome = ws.next("welcome");
      assertEquals(user.getLong("id"), welcome.getJsonObject("user").getLong("id"));
      assertEquals("node-b", welcome.getString("node"));
      assertTrue(welcome.getInteger("heartbeat_s") > 0);
      ws.assertUsable();
    }
  }

  @Test
  @DisplayName("bad frames get documented error codes with their ref, and the socket stays usable")
  void badInput() {
    JsonObject user = api.newUser("bad");
    long roomId = api.newRoom(user, false).getLong("id");
    try (Ws ws = open(user, cluster.a())) {
      ws.sendRaw("this is not json");
      assertError(ws.next("error"), "VALIDATION_FAILED", null);
      ws.sendRaw("[1,2,3]");
      assertError(ws.next("error"), "VALIDATION_FAILED", null);
      ws.send(new JsonObject().put("ref", "r1"));
      assertError(ws.next("error"), "VALIDATION_FAILED", "r1");
      ws.send(new JsonObject().put("type", "dance").put("ref", 7));
      assertError(ws.next("error"), "VALIDATION_FAILED", 7);
      ws.send(new JsonObject().put("type", "subscribe").put("ref", "r2"));
      assertError(ws.next("error"), "VALIDATION_FAILED", "r2");
      ws.send(new JsonObject().put("type", "subscribe").put("room_id", "one").put("ref", "r3"));
      assertError(ws.next("error"), "VALIDATION_FAILED", "r3");
      ws.send(new JsonObject().put("type", "subscribe").put("room_id", roomId).put("since_seq", -1).put("ref", "r4"));
      assertError(ws.next("error"), "VALIDATION_FAILED", "r4");
      ws.send(new JsonObject().put("type", "message.send").put("room_id", roomId).put("body", "no id").put("ref", "r5"));
      assertError(ws.next("error"), "VALIDATION_FAILED", "r5");
      ws.send(new JsonObject().put("type", "message.send").put("room_id", roomId).put("client_msg_id", "x").put("ref", "r6"));
      assertError(ws.next("error"), "VALIDATION_FAILED", "r6");
      ws.send(new JsonObject().put("type", "message.send").put("room_id", roomId).put("client_msg_id", "x")
          .put("body", "y".repeat(4001)).put("ref", "r7"));
      assertError(ws.next("error"), "VALIDATION_FAILED", "r7");
      ws.send(new JsonObject().put("type", "message.send").put("room_id", roomId).put("client_msg_id", "x")
          .put("body", "z".repeat(9000)).put("ref", "r8"));
      JsonObject tooLarge = ws.next("error");
      assertEquals("PAYLOAD_TOO_LARGE", tooLarge.getString("code"));
      ws.send(new JsonObject().put("type", "subscribe").put("room_id", 999_999_999L).put("ref", "r9"));
      assertError(ws.next("error"), "NOT_FOUND", "r9");
      ws.send(new JsonObject().put("type", "message.edit").put("message_id", 999_999_999L).put("body", "x").put("ref", "r10"));
      assertError(ws.next("error"), "NOT_FOUND", "r10");
      ws.assertUsable();
      // and it still does real work
      JsonObject ack = ws.request(new JsonObject().put("type", "message.send").put("room_id", roomId)
          .put("client_msg_id", "fine").put("body", "still here"));
      assertEquals("message.ack", ack.getString("type"));
      assertEquals(List.of(), ws.pending());
    }
  }

  @Test
  @DisplayName("the WebSocket layer: pings get pongs, fragments are joined, binary is refused, a frame over the hard limit closes with 1009, other requests get problems")
  void webSocketLayer() throws Exception {
    JsonObject user = api.newUser("frames");
    try (Ws ws = open(user, cluster.a())) {
      CompletableFuture<String> pong = new CompletableFuture<>();
      ws.socket().pongHandler(b -> pong.complete(b.toString()));
      ws.socket().writePing(Buffer.buffer("are you there"));
      assertEquals("are you there", pong.get(10, TimeUnit.SECONDS));

      ws.socket().writeFrame(WebSocketFrame.textFrame("{\"type\":\"pi", false));
      ws.socket().writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("ng\",\"ref\":\"joined\"}"), true));
      assertEquals("joined", ws.next("pong").getString("ref"));

      ws.socket().writeBinaryMessage(Buffer.buffer("{\"type\":\"ping\"}"));
      assertError(ws.next("error"), "VALIDATION_FAILED", null);
      ws.assertUsable();

      ws.socket().writeFrame(WebSocketFrame.textFrame("x".repeat(262_145), true));
      assertEquals((short) 1009, ws.closed.get(10, TimeUnit.SECONDS));
    }
    WebClient http = WebClient.create(vertx); // reads the whole body before it answers: no race with the server's close
    try {
      for (String[] c : new String[][] {{"/elsewhere", "404", "NOT_FOUND"}, {"/ws", "400", "VALIDATION_FAILED"}}) {
        HttpResponse<Buffer> res = Api.await(http.get(cluster.a().gatewayPort(), "127.0.0.1", c[0]).send());
        assertEquals(Integer.parseInt(c[1]), res.statusCode(), c[0]);
        assertEquals("application/problem+json", res.getHeader("Content-Type"));
        assertEquals(c[2], res.bodyAsJsonObject().getString("code"));
      }
    } finally {
      http.close();
    }
  }

  @Test
  @DisplayName("non-members cannot subscribe, send, edit or delete; nobody edits or deletes another user's message")
  void authorization() {
    JsonObject owner = api.newUser("owner");
    JsonObject member = api.newUser("member");
    JsonObject outsider = api.newUser("outsider");
    long open = api.newRoom(owner, false).getLong("id");
    long hidden = api.newRoom(owner, true).getLong("id");
    api.join(member, open);
    long ownersMessage = api.send(owner, open, "mine").getLong("id");
    long hiddenMessage = api.send(owner, hidden, "secret").getLong("id");

    try (Ws out = open(outsider, cluster.b()); Ws mem = open(member, cluster.a())) {
      assertError(out.request(sub(open)), "FORBIDDEN");
      assertError(out.request(sub(hidden)), "NOT_FOUND");
      assertError(out.request(new JsonObject().put("type", "message.send").put("room_id", open).put("client_msg_id", "o")
          .put("body", "let me in")), "FORBIDDEN");
      assertError(out.request(new JsonObject().put("type", "message.send").put("room_id", hidden).put("client_msg_id", "o")
          .put("body", "let me in")), "NOT_FOUND");
      assertError(out.request(new JsonObject().put("type", "message.edit").put("message_id", ownersMessage).put("body", "x")),
          "FORBIDDEN");
      assertError(out.request(new JsonObject().put("type", "message.delete").put("message_id", hiddenMessage)), "NOT_FOUND");
      assertError(mem.request(new JsonObject().put("type", "message.edit").put("message_id", ownersMessage).put("body", "x")),
          "FORBIDDEN");
      assertError(mem.request(new JsonObject().put("type", "message.delete").put("message_id", ownersMessage)), "FORBIDDEN");
      out.assertUsable();
      mem.assertUsable();
    }
    assertEquals("mine", api.history(owner, open, "").getJsonArray("items").getJsonObject(0).getString("body"));
  }

  @Test
  @DisplayName("what a node caches to send notifications for a room is dropped once the room goes quiet")
  void notificationCachesEvicted() {
    JsonObject owner = api.newUser("talker");
    JsonObject member = api.newUser("listener");
    long roomId = api.sharedRoom(owner, member);
    NodeSessions sessionsA = NodeSessions.lookup(cluster.a().node().vertx()).orElseThrow();
    try (Ws ws = open(member, cluster.a()).watching("notification")) {
      api.send(owner, roomId, "are you there");
      assertEquals(roomId, ws.next("notification").getLong("room_id"));
      assertTrue(sessionsA.caches(roomId), "the room's members and the socket to notify are cached");
    }
    // the cached candidates held the socket just closed; nothing is kept for a quiet room
    Await.until(() -> !sessionsA.caches(roomId), "the caches to drop the quiet room");
  }

  @Test
  @DisplayName("one event-bus consumer per room per node, shared by all local subscribers and removed with the last")
  void oneConsumerPerRoomPerNode() {
    JsonObject owner = api.newUser("fan");
    List<JsonObject> users = List.of(api.newUser("f1"), api.newUser("f2"), api.newUser("f3"));
    long roomId = api.newRoom(owner, false).getLong("id");
    users.forEach(u -> api.join(u, roomId));
    RoomRegistry registryA = RoomRegistry.lookup(cluster.a().node().vertx()).orElseThrow();
    RoomRegistry registryB = RoomRegistry.lookup(cluster.b().node().vertx()).orElseThrow();
    assertEquals(0, registryA.references(roomId));

    Ws s1 = open(users.get(0), cluster.a());
    Ws s2 = open(users.get(1), cluster.a());
    Ws s3 = open(users.get(2), cluster.a());
    Ws s4 = open(users.get(2), cluster.b());
    for (Ws s : List.of(s1, s2, s3, s4)) {
      assertEquals("subscribed", s.request(sub(roomId)).getString("type"));
    }
    assertEquals(3, registryA.references(roomId), "node A: one channel holding three subscriptions");
    assertEquals(1, registryB.references(roomId));

    JsonObject sent = api.send(owner, roomId, "to everyone");
    for (Ws s : List.of(s1, s2, s3, s4)) {
      assertEquals(sent, s.next("message.created").getJsonObject("message"));
    }
    s1.request(new JsonObject().put("type", "unsubscribe").put("room_id", roomId));
    assertEquals(2, registryA.references(roomId));
    s2.close();
    s3.close();
    Await.until(() -> registryA.references(roomId) == 0, "the last reference released");
    assertTrue(registryA.channelOf(roomId).isEmpty(), "the last local subscriber removed the consumer");
    api.send(owner, roomId, "after");
    assertEquals("after", s4.next("message.created").getJsonObject("message").getString("body"));
    assertNull(s1.poll(1), "an unsubscribed socket gets nothing");
    s1.close();
    s4.close();
  }

  @Test
  @DisplayName("a member removed from a room gets member.left and unsubscribed, and no further events")
  void removedMemberStopsReceiving() {
    JsonObject owner = api.newUser("own");
    JsonObject guest = api.newUser("guest");
    long roomId = api.newRoom(owner, true).getLong("id");
    api.call("addMember", HttpMethod.POST, "/rooms/" + roomId + "/members", owner.getString("access_token"),
        new JsonObject().put("user_id", guest.getLong("id"))).expect(201);
    try (Ws g = open(guest, cluster.b())) {
      g.request(sub(roomId));
      api.call("removeMember", HttpMethod.DELETE, "/rooms/" + roomId + "/members/" + guest.getLong("id"),
          owner.getString("access_token"), null).expect(204);
      JsonObject left = g.next("member.left");
      assertEquals(guest.getLong("id"), left.getLong("user_id"));
      JsonObject unsubscribed = g.next("unsubscribed");
      assertEquals("removed", unsubscribed.getString("reason"));
      api.send(owner, roomId, "not for you");
      assertNull(g.poll(1));
      assertError(g.request(sub(roomId)), "NOT_FOUND");
    }
  }

  @Test
  @DisplayName("a burst of large events (group commits published back to back) reaches a subscriber that reads: no 4008, all in order")
  void burstIsNotTooSlow() throws Exception {
    JsonObject alice = api.newUser("burst");
    JsonObject bob = api.newUser("reader");
    long roomId = api.newRoom(alice, false).getLong("id");
    api.call("addMember", HttpMethod.POST, "/rooms/" + roomId + "/members", alice.getString("access_token"),
        new JsonObject().put("user_id", bob.getLong("id"))).expect(201);
    try (Ws sender = open(alice, cluster.a()); Ws reader = open(bob, cluster.a())) {
      reader.request(sub(roomId));
      String body = "b".repeat(3_900);
      int n = 60; // ~240 kB of frames due to one socket at once, well over its 64 kB high-water mark
      for (int i = 0; i < n; i++) {
        sender.sendRaw(new JsonObject().put("type", "message.send").put("room_id", roomId)
            .put("client_msg_id", "burst-" + i).put("body", body).encode());
      }
      List<JsonObject> events = reader.take(n);
      for (int i = 0; i < n; i++) {
        assertEquals("message.created", events.get(i).getString("type"));
        assertEquals(events.get(0).getLong("seq") + i, events.get(i).getLong("seq"));
      }
      assertTrue(!reader.closed.isDone(), "the reader was closed: " + reader.closed.getNow(null));
      reader.assertUsable();
    }
  }

  @Test
  @DisplayName("a client too far behind (or ahead) gets resync_required, then live events")
  void tooFarBehind() {
    JsonObject owner = api.newUser("behind");
    long roomId = api.newRoom(owner, false).getLong("id");
    int maxReplay = 200; // TestCluster's gateway.max_replay
    try (Ws sender = open(owner, cluster.a())) {
      for (int i = 0; i < maxReplay + 5; i++) {
        sender.send(new JsonObject().put("type", "message.send").put("room_id", roomId).put("client_msg_id", "m" + i).put("body", "m" + i));
      }
      assertEquals(maxReplay + 5, sender.take(maxReplay + 5).stream().filter(f -> "message.ack".equals(f.getString("type"))).count());
    }
    try (Ws late = open(owner, cluster.b())) {
      late.send(sub(roomId).put("since_seq", 1).put("ref", "late"));
      JsonObject resync = late.next("resync_required");
      assertEquals(maxReplay + 5, resync.getLong("last_seq"));
      assertEquals(1, resync.getLong("since_seq"));
      assertEquals("late", late.next("subscribed").getString("ref"));
      api.send(owner, roomId, "live");
      assertEquals(maxReplay + 6, late.next("message.created").getLong("seq"));

      late.send(sub(roomId).put("since_seq", 10_000).put("ref", "ahead"));
      assertEquals("resync_required", late.next("resync_required").getString("type"));
      assertEquals("ahead", late.next("subscribed").getString("ref"));
    }
  }

  @Test
  @DisplayName("a node shutting down closes its sockets with 1001 at once, and the client resumes on another node")
  void gracefulShutdown() throws Exception {
    JsonObject user = api.newUser("bye");
    long roomId = api.newRoom(user, false).getLong("id");
    int port = TestCluster.freePort();
    JsonObject cfg = TestCluster.config(cluster.databaseUrl, cluster.clusterName, "node-gw", TestCluster.freePort(), port);
    cfg.getJsonObject("node").put("roles", new io.vertx.core.json.JsonArray().add("gateway"));
    io.parley.ParleyNode gatewayOnly = Api.await(io.parley.ParleyNode.start(io.parley.config.ParleyConfig.of(cfg)));
    long seq;
    try (Ws ws = Ws.open(vertx, port, user.getString("access_token"))) {
      seq = ws.request(sub(roomId)).getLong("last_seq");
      long started = System.nanoTime();
      Api.await(gatewayOnly.close());
      assertEquals((short) 1001, ws.closed.get(10, TimeUnit.SECONDS));
      assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10), "closed without waiting for clients");
    }
    api.send(user, roomId, "while away");
    try (Ws again = open(user, cluster.b())) {
      again.send(sub(roomId).put("since_seq", seq));
      assertEquals("while away", again.next("message.created").getJsonObject("message").getString("body"));
      assertEquals("subscribed", again.next("subscribed").getString("type"));
    }
  }

}
