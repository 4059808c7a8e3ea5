package io.parley.gateway;

import io.parley.auth.AccessTokens;
import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket gateway: {@code GET /ws} on its own port, authenticated with an access token
 * ({@code ?token=} or {@code Authorization: Bearer}), speaking the protocol of
 * {@code docs/websocket-protocol.md}. Room events reach sockets through the node's
 * {@link RoomRegistry}: one event-bus consumer per room per node, never one per connection.
 *
 * <p>Config (section {@code gateway}): {@code host}, {@code port}, {@code max_frame_bytes},
 * {@code heartbeat_s}, {@code gap_timeout_ms}, {@code node_name}, {@code request_timeout_ms},
 * {@code auth}.
 */
public class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  /** Close code for a missing, invalid or expired token. */
  public static final short CLOSE_UNAUTHORIZED = 4401;

  private AccessTokens tokens;
  private Bus bus;
  private RoomRegistry registry;
  private NodeSessions sessions;
  private long typingTtlMs;
  private HttpServer server;
  private int maxFrameBytes;
  private int heartbeatS;
  private String nodeName;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    tokens = new AccessTokens(vertx, cfg.getJsonObject("auth"));
    bus = new Bus(vertx, cfg.getLong("request_timeout_ms", 5000L));
    registry = RoomRegistry.of(vertx, bus, cfg.getLong("gap_timeout_ms", 250L));
    sessions = NodeSessions.of(vertx, bus, cfg.getLong("presence_heartbeat_ms", 10_000L));
    typingTtlMs = cfg.getLong("typing_ttl_ms", 5000L);
    maxFrameBytes = cfg.getInteger("max_frame_bytes", 16384);
    heartbeatS = cfg.getInteger("heartbeat_s", 30);
    nodeName = cfg.getString("node_name", "parley");
    // Netty's own limit sits well above ours, so an oversized frame gets an error frame from us
    // instead of a dropped connection; beyond it Vert.x drops the connection (clients see 1006).
    int hardLimit = Math.max(maxFrameBytes * 4, 262_144);
    server = vertx.createHttpServer(new HttpServerOptions()
        .setMaxWebSocketFrameSize(hardLimit)
        .setMaxWebSocketMessageSize(hardLimit)
        .setIdleTimeout(heartbeatS * 3));
    server.requestHandler(this::onRequest);
    return sessions.ready().compose(x -> server.listen(cfg.getInteger("port", 8081), cfg.getString("host", "0.0.0.0")))
        .onSuccess(s -> LOG.info("WebSocket gateway on port {}: /ws", s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    // every socket of the node, before any instance shuts the shared server down (which would
    // close the others' sockets with 1000): clients reconnect elsewhere and resume with since_seq
    return sessions.closeAll().transform(x -> server == null ? Future.succeededFuture() : server.shutdown(5, TimeUnit.SECONDS));
  }

  private void onRequest(HttpServerRequest req) {
    if (!"/ws".equals(req.path())) {
      req.response().setStatusCode(404).putHeader("Content-Type", "application/problem+json")
          .end(new JsonObject().put("type", "about:blank").put("title", "Not found").put("status", 404)
              .put("code", ErrorCode.NOT_FOUND.name()).put("detail", "the WebSocket endpoint is /ws").encode());
      return;
    }
    String token = req.getParam("token");
    String header = req.getHeader("Authorization");
    if ((token == null || token.isEmpty()) && header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).trim();
    }
    Future<JsonObject> user = token == null || token.isEmpty()
        ? Future.failedFuture("no token")
        : tokens.verify(token);
    user.onComplete(ar -> req.toWebSocket().onSuccess(ws -> {
      if (ar.failed()) {
        reject(ws);
        return;
      }
      Connection conn = new Connection(ws, ar.result().getLong("id"), vertx.getOrCreateContext(), bus, registry, sessions,
          maxFrameBytes, typingTtlMs);
      conn.start(new JsonObject().put("type", "welcome")
          .put("user", ar.result())
          .put("node", nodeName)
          .put("heartbeat_s", heartbeatS)
          .put("max_frame_bytes", maxFrameBytes));
    }).onFailure(err -> LOG.debug("upgrade failed: {}", err.getMessage())));
  }

  private static void reject(ServerWebSocket ws) {
    ParleyException e = new ParleyException(ErrorCode.UNAUTHORIZED, "missing, invalid or expired access token");
    ws.writeTextMessage(Frames.error(e, null).encode())
        .eventually(() -> ws.close(CLOSE_UNAUTHORIZED, "unauthorized"));
  }
}
