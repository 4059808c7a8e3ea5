package io.parley.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A WebSocket test client of the gateway: frames are queued and awaited, never slept for. */
public final class Ws implements AutoCloseable {
  private static final AtomicInteger REFS = new AtomicInteger();

  private final WebSocket ws;
  private final WebSocketClient client;
  private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  /** Completes with the close status code when the server closes the socket. */
  public final CompletableFuture<Short> closed = new CompletableFuture<>();

  /**
   * Live signals that come at any time (presence of other test users, typing, read markers,
   * notifications): dropped unless a test watches them, so frame-order assertions stay exact.
   */
  private final java.util.Set<String> ignored = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Ws(WebSocketClient client, WebSocketConnectOptions options) {
    this.client = client;
    ignored.addAll(List.of("presence", "presence.count", "typing", "read", "notification"));
    WebSocket connected = null;
    for (int attempt = 1; connected == null; attempt++) {
      try {
        connected = Api.await(attempt(options));
      } catch (IllegalStateException e) {
        // Vert.x's ClientWebSocket applies its handlers on the caller's context after the upgrade;
        // when the server closes at once (a refused token) and the socket's own event loop has
        // already taken the close, that throws "WebSocket is closed" and the frames are not seen.
        // Nothing reached the queue: connect again (the server answers the same way).
        if (attempt == 3 || !"WebSocket is closed".equals(e.getMessage())) {
          throw e;
        }
      }
    }
    this.ws = connected;
  }

  /** One connection, its handlers set before connecting so that no frame is missed. */
  private io.vertx.core.Future<WebSocket> attempt(WebSocketConnectOptions options) {
    ClientWebSocket socket = client.webSocket();
    socket.textMessageHandler(t -> {
      JsonObject f = new JsonObject(t);
      if (!ignored.contains(f.getString("type"))) {
        frames.add(f);
      }
    });
    socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
    return socket.connect(options);
  }

  /** Connects with {@code ?token=}. */
  public static Ws connect(Vertx vertx, int port, String token) {
    return connect(vertx, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/ws" + (token == null ? "" : "?token=" + token)));
  }

  public static Ws connect(Vertx vertx, WebSocketConnectOptions options) {
    return new Ws(vertx.createWebSocketClient(), options);
  }

  /** Connects and consumes the welcome frame. */
  public static Ws open(Vertx vertx, int port, String token) {
    Ws ws = connect(vertx, port, token);
    ws.next("welcome");
    return ws;
  }

  /** Keeps frames of these types from now on (they are dropped by default). */
  public Ws watching(String... types) {
    for (String t : types) {
      ignored.remove(t);
    }
    return this;
  }

  public void send(JsonObject frame) {
    Api.await(ws.writeTextMessage(frame.encode()));
  }

  /** The underlying socket, for frame-level tests (control frames, fragments, binary). */
  public WebSocket socket() {
    return ws;
  }

  public void sendRaw(String text) {
    Api.await(ws.writeTextMessage(text));
  }

  /** Sends {@code frame} with a fresh ref and returns the reply (or error) carrying that ref. */
  public JsonObject request(JsonObject frame) {
    String ref = "r" + REFS.incrementAndGet();
    send(frame.copy().put("ref", ref));
    return next(f -> ref.equals(f.getValue("ref")), "reply to " + frame.encode());
  }

  /** The next frame of this type, skipping nothing: fails if another type comes first. */
  public JsonObject next(String type) {
    JsonObject f = poll(10);
    assertNotNull(f, "no frame, expected " + type);
    assertEquals(type, f.getString("type"), "unexpected frame " + f.encode());
    return f;
  }

  /** The next frame matching {@code p}; frames before it are discarded. */
  public JsonObject next(Predicate<JsonObject> p, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      JsonObject f = poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000));
      if (f != null && p.test(f)) {
        return f;
      }
    }
    fail("timed out waiting for " + what);
    return null;
  }

  /** Collects the next {@code n} frames in order. */
  public List<JsonObject> take(int n) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonObject f = poll(10);
      assertNotNull(f, "only " + i + " of " + n + " frames arrived: " + out);
      out.add(f);
    }
    return out;
  }

  /** The next frame, or null after {@code seconds}. */
  public JsonObject poll(long seconds) {
    try {
      return frames.poll(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Proves the socket still works (round trip of a ping) and that nothing else came before. */
  public void assertUsable() {
    JsonObject pong = request(new JsonObject().put("type", "ping"));
    assertEquals("pong", pong.getString("type"));
  }

  /** The next frame, or null after {@code millis}. */
  public JsonObject pollMillis(long millis) {
    try {
      return frames.poll(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Frames received and not yet consumed. */
  public List<JsonObject> pending() {
    List<JsonObject> out = new ArrayList<>();
    frames.drainTo(out);
    return out;
  }

  @Override
  public void close() {
    try {
      Api.await(ws.close());
    } catch (RuntimeException ignored) {
      // already closed
    }
    client.close();
  }
}
