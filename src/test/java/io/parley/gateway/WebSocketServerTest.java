package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parley.support.Api;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.parley.support.Await;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("The gateway's WebSocket server on its own")
class WebSocketServerTest {

  /** Never gets as far as a user: these tests stay below the upgrade. */
  private static final WebSocketServer.Upgrades NOBODY = new WebSocketServer.Upgrades() {
    @Override
    public Future<JsonObject> authenticate(String token) {
      return Future.failedFuture("no users here");
    }

    @Override
    public Connection open(Socket socket, JsonObject user) {
      throw new IllegalStateException("no users here");
    }

    @Override
    public void reject(Socket socket) {
      socket.close((short) 4401, "unauthorized");
    }
  };

  private interface ServerTest {
    void run(WebSocketServer server, int port) throws Exception;
  }

  /** Runs {@code test} against a server listening on a free port, closed afterwards. */
  private static void withServer(Vertx vertx, long idleTimeoutS, ServerTest test) throws Exception {
    WebSocketServer server = new WebSocketServer(vertx, NOBODY, 65_536, idleTimeoutS);
    int port = Api.await(server.listen("127.0.0.1", 0));
    try {
      test.run(server, port);
    } finally {
      Api.await(server.close());
    }
  }

  /** A raw TCP connection to the server; {@code closed} completes when the server drops it. */
  private static NetSocket connect(Vertx vertx, int port, CompletableFuture<Void> closed) {
    NetSocket socket = Api.await(vertx.createNetClient().connect(port, "127.0.0.1"));
    socket.closeHandler(v -> closed.complete(null));
    return socket;
  }

  @Test
  @DisplayName("a connection that sends nothing is dropped after the idle timeout; closing the server drops the rest")
  void idleAndClose(Vertx vertx) throws Exception {
    withServer(vertx, 1, (server, port) -> {
      CompletableFuture<Void> silentClosed = new CompletableFuture<>();
      connect(vertx, port, silentClosed);
      silentClosed.get(10, TimeUnit.SECONDS); // the sweep runs once a second; idle means more than 1 s

      CompletableFuture<Void> otherClosed = new CompletableFuture<>();
      connect(vertx, port, otherClosed);
      assertFalse(otherClosed.isDone());
      Api.await(server.close());
      otherClosed.get(10, TimeUnit.SECONDS);
    });
  }

  @Test
  @DisplayName("an upgrade without Sec-WebSocket-Version (a pre-RFC 6455 draft) gets 426, not a handshake")
  void draftUpgradeRefused(Vertx vertx) throws Exception {
    withServer(vertx, 30, (server, port) -> {
      NetSocket socket = connect(vertx, port, new CompletableFuture<>());
      CompletableFuture<String> head = new CompletableFuture<>();
      StringBuilder got = new StringBuilder();
      socket.handler(b -> {
        got.append(b.toString());
        if (got.indexOf("\r\n") >= 0) {
          head.complete(got.substring(0, got.indexOf("\r\n")));
        }
      });
      // a Hixie-76 handshake: two keys in headers and eight bytes of body, no version header
      socket.write("GET /ws?token=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n^n:ds[4U");
      assertEquals("HTTP/1.1 426 Upgrade Required", head.get(10, TimeUnit.SECONDS));
    });
  }

  @Test
  @DisplayName("a burst written without flushing past the high-water mark is flushed, not refused as a slow client")
  void burstIsFlushedNotRefused(Vertx vertx) {
    WebSocketServer server = new WebSocketServer(vertx, NOBODY, 65_536, 30);
    EmbeddedChannel channel = new EmbeddedChannel();
    Socket socket = new Socket(server, channel, null);
    ByteBuf wire = Frames.wire(Buffer.buffer("x".repeat(4_000)));
    try {
      for (int i = 0; i < 60; i++) { // 240 kB, the high-water mark is 64 kB
        socket.writeWire(wire, false);
        assertEquals(0, server.slowCloses(), "frame " + i + " refused");
      }
      socket.flush();
      int frames = 0;
      for (ByteBuf out; (out = channel.readOutbound()) != null; frames++) {
        out.release();
      }
      assertEquals(60, frames);
    } finally {
      wire.release();
      channel.finishAndReleaseAll();
    }
  }

  @Test
  @DisplayName("a connection storm is taken in at the configured pace: upgrades beyond the burst get 503 OVERLOADED with Retry-After, and a later one is admitted")
  void upgradesAdmittedAtBoundedRate(Vertx vertx) throws Exception {
    WebSocketServer server = new WebSocketServer(vertx, NOBODY, 65_536, 30);
    server.admitUpgrades(new UpgradeAdmission(1, 3)); // 1 per second, 3 at once
    int port = Api.await(server.listen("127.0.0.1", 0));
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      List<Future<WebSocket>> storm = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        storm.add(client.connect(port, "127.0.0.1", "/ws"));
      }
      Api.await(Future.join(storm).otherwiseEmpty());
      long admitted = storm.stream().filter(Future::succeeded).count();
      List<Long> retryAfter = new ArrayList<>();
      assertEquals(3, admitted, "the burst is admitted");
      for (Future<WebSocket> f : storm.stream().filter(Future::failed).toList()) {
        UpgradeRejectedException refused = (UpgradeRejectedException) f.cause();
        assertEquals(503, refused.getStatus());
        JsonObject problem = refused.getBody().toJsonObject();
        assertEquals("OVERLOADED", problem.getString("code"));
        long retryMs = problem.getJsonObject("details").getLong("retry_after_ms");
        assertEquals(String.valueOf((retryMs + 999) / 1000), refused.getHeaders().get("Retry-After"));
        retryAfter.add(retryMs);
      }
      // the refused are spread over the slots to come, one second apart at 1 per second
      retryAfter.sort(null);
      assertTrue(retryAfter.get(0) > 0 && retryAfter.get(0) <= 2000, "first slot " + retryAfter);
      assertTrue(retryAfter.get(2) - retryAfter.get(0) >= 1500, "later slots later " + retryAfter);
      assertEquals(3, server.upgradesRefused());
      // a token comes back within a second: an upgrade made after it is admitted
      Await.until(() -> Api.await(client.connect(port, "127.0.0.1", "/ws").map(ws -> true).otherwise(false)), "admitted again");
    } finally {
      Api.await(client.close());
      Api.await(server.close());
    }
  }
}
