package io.parley.gateway;

import io.parley.auth.AccessTokens;
import io.parley.bus.Addresses;
import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.config.Origins;
import io.parley.metrics.Meters;
import io.vertx.core.Future;
import io.parley.limits.ClientAddress;
import io.parley.limits.Limits;
import io.parley.limits.RateLimiter;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket gateway: {@code GET /ws} on its own port, authenticated with an access token
 * ({@code ?token=} or {@code Authorization: Bearer}), speaking the protocol of
 * {@code docs/websocket-protocol.md}. Sockets are served by {@link WebSocketServer} (Netty on the
 * node's event loops, spread over all of them); room events reach them through the node's
 * {@link RoomRegistry}: one event-bus consumer per room per node, never one per connection.
 * One instance per node: it owns the port.
 *
 * <p>Config (section {@code gateway}): {@code host}, {@code port}, {@code max_frame_bytes},
 * {@code heartbeat_s}, {@code gap_timeout_ms}, {@code write_buffer_bytes},
 * {@code stall_timeout_ms}, {@code node_name}, {@code request_timeout_ms}, {@code auth},
 * {@code cors_origins} (from {@code api}: browser origins allowed besides the page's own host,
 * {@link Origins#allowsSocket}), {@code trusted_proxies} (the API's: whose {@code X-Forwarded-For} is believed on the upgrade),
 * {@code limits} (the {@code limits} section: WebSocket sends share the {@code send} limit with
 * HTTP, see {@link SendLimit}).
 */
public class GatewayVerticle extends VerticleBase implements WebSocketServer.Upgrades {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  /** Close code for a missing, invalid or expired token. */
  public static final short CLOSE_UNAUTHORIZED = 4401;
  /** Close code for every socket of a user an admin disabled. */
  public static final short CLOSE_ACCOUNT_DISABLED = 4403;
  /** Close code for the sockets of a session ended by a new password (changed elsewhere, or reset). */
  public static final short CLOSE_SESSION_ENDED = 4410;

  private AccessTokens tokens;
  private Bus bus;
  private RoomRegistry registry;
  private NodeSessions sessions;
  private long typingTtlMs;
  private WebSocketServer server;
  private int maxFrameBytes;
  private int heartbeatS;
  private String nodeName;
  private Origins origins;
  private RateLimiter limiter;
  private SendLimit sendLimit;
  private SendPressure pressure;

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
    origins = Origins.of(cfg.getJsonArray("cors_origins"));
    limiter = RateLimiter.create(vertx, Limits.from(cfg.getJsonObject("limits", new JsonObject())));
    sendLimit = new SendLimit(limiter);
    pressure = new SendPressure(vertx, cfg.getInteger("send_in_flight_min", 256), cfg.getLong("send_target_latency_ms", 500L));
    // the WebSocket layer's own limit sits well above ours, so an oversized frame gets an error
    // frame from us instead of a closed connection; beyond it the socket is closed with 1009
    int hardLimit = Math.max(maxFrameBytes * 4, 262_144);
    server = new WebSocketServer(vertx, this, new WebSocketServer.Limits(hardLimit, heartbeatS * 3L,
        cfg.getInteger("write_buffer_bytes", 65_536), cfg.getLong("stall_timeout_ms", 10_000L)));
    server.trustProxies(ClientAddress.trusting(cfg.getJsonArray("trusted_proxies", new JsonArray())));
    long acceptRate = cfg.getLong("accept_rate_per_s", 0L) > 0 ? cfg.getLong("accept_rate_per_s") : UpgradeAdmission.defaultRate();
    long acceptBurst = cfg.getLong("accept_burst", 0L) > 0 ? cfg.getLong("accept_burst") : acceptRate;
    server.admitUpgrades(new UpgradeAdmission(acceptRate, acceptBurst));
    vertx.sharedData().getLocalMap("parley.gateway").put("server", server);
    registerGauges(Meters.of(vertx));
    Future<Void> health = vertx.eventBus().<JsonObject>localConsumer(Addresses.GATEWAY_HEALTH, m -> m.reply(health()))
        .completion();
    return Future.all(sessions.ready(), health)
        .compose(x -> server.listen(cfg.getString("host", "0.0.0.0"), cfg.getInteger("port", 8081)))
        .onSuccess(port -> LOG.info("WebSocket gateway on port {}: /ws", port));
  }

  /**
   * The gateway's meters that are read at scrape time, from counts it keeps anyway; they follow
   * the node's current server (none: 0).
   */
  private void registerGauges(Meters meters) {
    io.vertx.core.Vertx v = vertx;
    RoomRegistry rooms = registry;
    meters.gauge(Meters.SOCKETS, "WebSocket connections open on this node",
        () -> serverOf(v).map(WebSocketServer::sockets).orElse(0));
    meters.gauge(Meters.SUBSCRIPTIONS, "Room subscriptions of this node's sockets", rooms::subscriptions);
    meters.gauge(Meters.ROOMS, "Rooms with an event-bus consumer on this node", rooms::rooms);
    meters.gauge(Meters.FANOUT_QUEUED, "Room events held by this node's channels, not yet written (gaps, replays)",
        rooms::queuedEvents);
    meters.gauge(Meters.SOCKET_PENDING, "Bytes written to this node's sockets and not yet taken by the kernel",
        () -> serverOf(v).map(WebSocketServer::pendingBytes).orElse(0L));
    meters.functionCounter(Meters.SLOW_CLOSES, "Sockets closed with 4008 (too slow to read their events)",
        () -> serverOf(v).map(WebSocketServer::slowCloses).orElse(0L));
    SendPressure sends = pressure;
    meters.functionCounter(Meters.SEND_PRESSURE_REFUSALS, "message.send frames refused OVERLOADED at the gateway (gateway.send_target_latency_ms)",
        sends::refused);
    meters.gauge(Meters.SENDS_IN_FLIGHT, "message.send frames of this node's sockets in flight (read, not yet answered)",
        sends::inFlight);
    meters.functionCounter(Meters.UPGRADES_REFUSED, "WebSocket upgrades refused with 503 OVERLOADED (gateway.accept_rate_per_s)",
        () -> serverOf(v).map(WebSocketServer::upgradesRefused).orElse(0L));
  }

  /** This node's gateway for {@link Addresses#GATEWAY_HEALTH}: sockets, slow closes, failing accepts. */
  private JsonObject health() {
    return new JsonObject()
        .put("sockets", server.sockets())
        .put("slow_closes", server.slowCloses())
        .put("accept_failures", server.acceptGuard().failures())
        .put("accept_failing", server.acceptGuard().failing())
        .put("pending_bytes", server.pendingBytes());
  }

  /** The gateway's server on this Vert.x instance, if it runs one (tests). */
  static java.util.Optional<WebSocketServer> serverOf(io.vertx.core.Vertx vertx) {
    return java.util.Optional.ofNullable((WebSocketServer) vertx.sharedData().getLocalMap("parley.gateway").get("server"));
  }

  @Override
  public Future<?> stop() {
    vertx.sharedData().getLocalMap("parley.gateway").remove("server");
    limiter.close();
    if (server == null) {
      return sessions.closeAll();
    }
    // no new sockets, then every socket of the node with 1001 (clients reconnect elsewhere and
    // resume with since_seq), then whatever is left (sockets still in their upgrade)
    return server.stopAccepting().transform(x -> sessions.closeAll()).transform(x -> server.close());
  }

  @Override
  public Future<JsonObject> authenticate(String token) {
    return token == null ? Future.failedFuture("no token") : tokens.verify(token);
  }

  @Override
  public Connection open(Socket socket, JsonObject user) {
    String session = (String) user.remove("session"); // the token's sid: not part of the welcome
    Connection conn = new Connection(socket, user.getLong("id"), session, socket.context, bus, registry, sessions,
        maxFrameBytes, typingTtlMs, sendLimit, pressure);
    conn.start(new JsonObject().put("type", "welcome")
        .put("user", user)
        .put("node", nodeName)
        .put("heartbeat_s", heartbeatS)
        .put("max_frame_bytes", maxFrameBytes));
    return conn;
  }

  @Override
  public boolean originAllowed(String origin, String host) {
    return origins.allowsSocket(origin, host);
  }

  @Override
  public void reject(Socket socket) {
    ParleyException e = new ParleyException(ErrorCode.UNAUTHORIZED, "missing, invalid or expired access token");
    socket.sendText(Frames.error(e, null).encode());
    socket.close(CLOSE_UNAUTHORIZED, "unauthorized");
  }
}
