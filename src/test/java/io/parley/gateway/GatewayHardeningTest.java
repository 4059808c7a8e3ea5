package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.support.Api;
import io.parley.support.Await;
import io.parley.support.ClusterExtension;
import io.parley.support.RawWs;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hostile sockets: typing into strangers' rooms, and clients that send but never read. */
@ExtendWith({VertxExtension.class, ClusterExtension.class})
@DisplayName("The gateway against hostile sockets")
class GatewayHardeningTest {
  private TestCluster cluster;
  private Vertx vertx;
  private Api api;

  @BeforeEach
  void setUp(Vertx vertx, TestCluster cluster) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.api = new Api(vertx, cluster.a().apiPort());
  }

  @Test
  @DisplayName("subscribe then typing back to back by a non-member never reaches a private room's members")
  void noTypingBeforeMembershipIsConfirmed() {
    JsonObject owner = api.newUser("priv_owner");
    JsonObject member = api.newUser("priv_member");
    JsonObject stranger = api.newUser("stranger");
    long roomId = api.newRoom(owner, true).getLong("id");
    api.call("addMember", io.vertx.core.http.HttpMethod.POST, "/rooms/" + roomId + "/members",
        owner.getString("access_token"), new JsonObject().put("user_id", member.getLong("id"))).expect(201);
    // the watcher on node A; the stranger and a member who types for real on node B (one bus
    // connection from B to A: B's publishes reach A in the order B made them)
    try (Ws watcher = Ws.open(vertx, cluster.a().gatewayPort(), owner.getString("access_token")).watching("typing");
         Ws typist = Ws.open(vertx, cluster.b().gatewayPort(), member.getString("access_token"));
         Ws intruder = Ws.open(vertx, cluster.b().gatewayPort(), stranger.getString("access_token"))) {
      assertEquals("subscribed", watcher.request(sub(roomId)).getString("type"));
      assertEquals("subscribed", typist.request(sub(roomId)).getString("type"));
      for (int i = 0; i < 30; i++) {
        intruder.send(sub(roomId).put("ref", "s" + i)); // back to back: the typing comes before the answer
        intruder.send(new JsonObject().put("type", "typing").put("room_id", roomId).put("state", "start").put("ref", "t" + i));
        JsonObject typed = null;
        JsonObject subscribed = null;
        while (typed == null || subscribed == null) { // the two answers, in whichever order they come
          JsonObject f = intruder.next(x -> x.getValue("ref") != null, "answers of try " + i);
          if (("t" + i).equals(f.getValue("ref"))) {
            typed = f;
          } else if (("s" + i).equals(f.getValue("ref"))) {
            subscribed = f;
          }
        }
        assertEquals("error", typed.getString("type"), "typing before membership is confirmed is refused");
        assertEquals("NOT_FOUND", subscribed.getString("code"), "a private room is not found by strangers");
      }
      typist.request(new JsonObject().put("type", "typing").put("room_id", roomId).put("state", "start"));
      JsonObject first = watcher.next("typing");
      assertEquals(member.getLong("id"), first.getLong("user_id"), "the first typing the members see is a member's");
    }
  }

  @Test
  @DisplayName("a socket that floods pings and never reads is closed with 4008; its buffer stays bounded")
  void pingFloodFromSocketThatNeverReads() throws Exception {
    JsonObject user = api.newUser("flood");
    WebSocketServer server = GatewayVerticle.serverOf(cluster.b().node().vertx()).orElseThrow();
    long slowBefore = server.slowCloses();
    String ref = "x".repeat(7000); // each pong carries it back: 2,000 of them are 14 MB
    try (RawWs ws = RawWs.connect(cluster.b().gatewayPort(), user.getString("access_token"), 8192);
         PendingSampler pending = new PendingSampler(server)) {
      String ping = new JsonObject().put("type", "ping").put("ref", ref).encode();
      try {
        for (int sent = 0; sent < 2000 && server.slowCloses() == slowBefore; sent++) {
          ws.sendText(ping);
        }
      } catch (IOException closedMeanwhile) {
        // the server gave up on the connection while we were still writing: fine
      }
      Await.until(() -> server.slowCloses() > slowBefore, "the server to close the socket as too slow");
      Outcome out = readAll(ws); // reads only now
      assertEquals(4008, out.closeCode, "closed as too slow, with the close frame delivered: " + out);
      assertTrue(out.texts < 2000, "the server did not queue a pong for every ping: " + out);
      System.out.println("ping flood: " + out + ", most buffered " + pending.max());
      long cap = 4L * 65_536 + 16_384;
      assertTrue(pending.max() <= cap, "buffered at most " + cap + " bytes, was " + pending.max());
    }
    assertTrue(server.slowCloses() > slowBefore, "the close was counted");
  }

  @Test
  @DisplayName("deep replays for a socket that never reads are paged behind its buffer; it is closed with 4008")
  void deepReplaysForSocketThatNeverReads() throws Exception {
    JsonObject user = api.newUser("replayer");
    // 10 rooms of 120 messages of 3.9 kB: 4.7 MB of replays, more than the kernel's buffers take
    long[] rooms = new long[10];
    String body = "y".repeat(3900);
    try (Ws seeder = Ws.open(vertx, cluster.a().gatewayPort(), user.getString("access_token"))) {
      for (int r = 0; r < rooms.length; r++) {
        rooms[r] = api.newRoom(user, false).getLong("id");
        for (int i = 0; i < 120; i++) { // sent back to back: they share group commits
          seeder.send(new JsonObject().put("type", "message.send").put("room_id", rooms[r]).put("body", body)
              .put("client_msg_id", "seed-" + i).put("ref", "seed-" + r + "-" + i));
        }
      }
      for (int n = 0; n < rooms.length * 120; n++) {
        assertEquals("message.ack", seeder.next(f -> "message.ack".equals(f.getString("type")), "seed acks").getString("type"));
      }
    }
    WebSocketServer server = GatewayVerticle.serverOf(cluster.a().node().vertx()).orElseThrow();
    long slowBefore = server.slowCloses();
    try (RawWs ws = RawWs.connect(cluster.a().gatewayPort(), user.getString("access_token"), 8192);
         PendingSampler pending = new PendingSampler(server)) {
      for (long roomId : rooms) { // each a full replay of about 470 kB
        ws.sendText(new JsonObject().put("type", "subscribe").put("room_id", roomId).put("since_seq", 0).encode());
      }
      Await.until(() -> server.slowCloses() > slowBefore, "the server to give up on the stalled socket");
      Outcome out = readAll(ws); // reads only now: the replays waited, then the socket was closed
      assertEquals(4008, out.closeCode, "a socket that stays over its buffer is closed as too slow: " + out);
      assertTrue(out.texts < rooms.length * 120, "not every replay was written: " + out);
      System.out.println("deep replays: " + out + ", most buffered " + pending.max());
      long cap = 65_536 + 16_384 + 8_192;
      assertTrue(pending.max() <= cap, "replays added at most one event beyond the mark: " + pending.max());
    }
  }

  @Test
  @DisplayName("a malformed percent-escape in the upgrade's path or query gets a 400 problem, not a silent close")
  void malformedUpgradeUri() throws Exception {
    for (String target : new String[] {"/ws%zz", "/ws?token=%zz", "/ws?token=%2"}) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", cluster.a().gatewayPort())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(answer.startsWith("HTTP/1.1 400 "), target + ": " + answer);
        assertTrue(answer.contains("application/problem+json") && answer.contains("VALIDATION_FAILED"), answer);
      }
    }
  }

  private static JsonObject sub(long roomId) {
    return new JsonObject().put("type", "subscribe").put("room_id", roomId);
  }

  private record Outcome(int texts, int closeCode) {}

  /** Reads frames until the server closes: how many text frames came, and the close code. */
  private static Outcome readAll(RawWs ws) throws IOException {
    int texts = 0;
    int code = -1;
    RawWs.Frame f;
    while ((f = ws.read()) != null) {
      if (f.opcode() == 1) {
        texts++;
      } else if (f.opcode() == 8) {
        code = f.closeCode();
        break;
      }
    }
    return new Outcome(texts, code);
  }

  /** Samples the gateway's buffered bytes (all sockets) every millisecond while open; keeps the highest. */
  private static final class PendingSampler implements AutoCloseable {
    private final AtomicLong max = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    PendingSampler(WebSocketServer server) {
      thread = new Thread(() -> {
        while (running.get()) {
          max.accumulateAndGet(server.pendingBytes(), Math::max);
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
      }, "pending-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    long max() {
      return max.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join();
    }
  }
}
