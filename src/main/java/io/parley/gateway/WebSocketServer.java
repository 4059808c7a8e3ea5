package io.parley.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.parley.bus.ErrorCode;
import io.parley.limits.ClientAddress;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's WebSocket server: Netty directly (HTTP/1.1 upgrade on {@code GET /ws}, RFC 6455
 * frames) on the node's Vert.x event loops, one {@link Socket} per TCP connection. Each socket
 * runs on one event loop and dispatches to Parley's code on a Vert.x context bound to that loop,
 * so event-bus replies and timers come back on the socket's thread as they would under Vert.x's
 * own HTTP server.
 *
 * <p>Any other path gets HTTP 404 {@code application/problem+json}; a {@code /ws} request that
 * is not a WebSocket upgrade gets 400 (426 for an unsupported {@code Sec-WebSocket-Version}), one
 * from a browser page of a foreign origin 403 ({@link Upgrades#originAllowed}).
 * A socket with no frame in either direction for {@code idleTimeoutS} seconds is dropped without
 * a close frame; a sweep once a second finds them.
 */
final class WebSocketServer implements io.vertx.core.shareddata.Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketServer.class);
  /** Largest upgrade request (request line and headers), bytes. */
  private static final int MAX_REQUEST_BYTES = 8192;

  /** What the gateway does with an upgrade: authenticate it, then open or reject the socket. */
  interface Upgrades {
    /** The user of the access token (null when the request has none), or a failure. Called on the socket's context. */
    Future<JsonObject> authenticate(String token);

    /** The handshake is done for {@code user}: the socket's connection, started. */
    Connection open(Socket socket, JsonObject user);

    /** The handshake is done, but authentication failed: tell the client and close. */
    void reject(Socket socket);

    /**
     * Whether an upgrade with these {@code Origin} and {@code Host} headers (each null when
     * absent) may proceed; refused ones get 403 before the handshake. Every origin by default.
     */
    default boolean originAllowed(String origin, String host) {
      return true;
    }
  }

  /**
   * The server's limits.
   *
   * @param hardLimitBytes largest WebSocket frame, and largest message its fragments may add up
   *     to: a larger frame closes the socket with 1009, a larger fragmented message is discarded
   * @param idleTimeoutS seconds without traffic in either direction before a socket is dropped
   * @param writeBufferBytes high-water mark of a socket's write buffer: room events are not
   *     written beyond it (the socket is closed as too slow), replays wait below it, replies may
   *     pass it up to four times
   * @param stallTimeoutMs how long a socket may stay over its mark while a replay waits, and how
   *     long a too-slow socket gets to take its close frame
   */
  record Limits(int hardLimitBytes, long idleTimeoutS, int writeBufferBytes, long stallTimeoutMs) {}

  private final VertxInternal vertx;
  private final Upgrades upgrades;
  private final int hardLimitBytes;
  private final long idleTimeoutS;
  private final int writeBufferBytes;
  private final long stallTimeoutMs;
  private final AcceptGuard acceptGuard = new AcceptGuard();
  private final java.util.concurrent.atomic.AtomicLong slowCloses = new java.util.concurrent.atomic.AtomicLong();
  private final WebSocketServerHandshakerFactory handshakers;
  private final Map<EventLoop, ContextInternal> contexts = new ConcurrentHashMap<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile long tick;
  private volatile boolean closing;
  private long sweepTimer = -1;
  private Channel listening;
  /** The pace at which upgrades are taken in (none: every upgrade). */
  private volatile UpgradeAdmission admission;
  private final java.util.concurrent.atomic.AtomicLong upgradesRefused = new java.util.concurrent.atomic.AtomicLong();
  /** Whose {@code X-Forwarded-For} is believed on upgrade requests ({@code api.trusted_proxies}). */
  private volatile ClientAddress addresses = ClientAddress.DIRECT;

  /** A server with the default write buffer (64 KiB) and stall timeout (10 s). */
  WebSocketServer(Vertx vertx, Upgrades upgrades, int hardLimitBytes, long idleTimeoutS) {
    this(vertx, upgrades, new Limits(hardLimitBytes, idleTimeoutS, 65_536, 10_000));
  }

  WebSocketServer(Vertx vertx, Upgrades upgrades, Limits limits) {
    this.vertx = (VertxInternal) vertx;
    this.upgrades = upgrades;
    this.hardLimitBytes = limits.hardLimitBytes();
    this.idleTimeoutS = limits.idleTimeoutS();
    this.writeBufferBytes = limits.writeBufferBytes();
    this.stallTimeoutMs = limits.stallTimeoutMs();
    this.handshakers = new WebSocketServerHandshakerFactory("/ws", null, WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(hardLimitBytes).allowExtensions(false).expectMaskedFrames(true)
        .closeOnProtocolViolation(true).withUTF8Validator(false).build());
  }

  /** Binds {@code host:port}; completes with the bound port. */
  Future<Integer> listen(String host, int port) {
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(vertx.acceptorEventLoopGroup(), vertx.nettyEventLoopGroup())
        .channelFactory(vertx.transport().serverChannelFactory(false))
        .option(ChannelOption.SO_REUSEADDR, true)
        .handler(acceptGuard)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(writeBufferBytes / 2, writeBufferBytes))
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast("http", new HttpServerCodec(4096, MAX_REQUEST_BYTES, 8192))
                .addLast("http-aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast("socket", new Socket(WebSocketServer.this, ch, contextOf(ch.eventLoop())));
          }
        });
    Promise<Integer> bound = Promise.promise();
    bootstrap.bind(host, port).addListener((ChannelFutureListener) f -> {
      if (f.isSuccess()) {
        listening = f.channel();
        sweepTimer = vertx.setPeriodic(1000, t -> sweep());
        bound.complete(((java.net.InetSocketAddress) listening.localAddress()).getPort());
      } else {
        bound.fail(f.cause());
      }
    });
    return bound.future();
  }

  /** Stops accepting new connections (those accepted meanwhile are closed); open sockets stay. */
  Future<Void> stopAccepting() {
    closing = true;
    Promise<Void> done = Promise.promise();
    if (listening == null) {
      done.complete();
    } else {
      listening.close().addListener(f -> done.complete());
    }
    return done.future();
  }

  /** Stops accepting and closes every socket still open (without a close frame). */
  Future<Void> close() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    return stopAccepting().compose(v -> Future.join(sockets.stream().map(s -> {
      Promise<Void> closed = Promise.promise();
      s.channel.close().addListener(f -> closed.complete());
      return closed.future();
    }).toList()).mapEmpty());
  }

  /** Believes {@code X-Forwarded-For} of upgrade requests from these proxies ({@link ClientAddress}). */
  void trustProxies(ClientAddress addresses) {
    this.addresses = addresses;
  }

  /** Takes upgrades in at the pace of {@code admission} ({@link UpgradeAdmission}); refused ones get 503 OVERLOADED. */
  void admitUpgrades(UpgradeAdmission admission) {
    this.admission = admission;
  }

  /** Upgrades refused with 503 OVERLOADED since the server started (a connection storm taken in slower). */
  long upgradesRefused() {
    return upgradesRefused.get();
  }

  /** Accepts that failed (e.g. out of file descriptors), and whether they fail now ({@link AcceptGuard}). */
  AcceptGuard acceptGuard() {
    return acceptGuard;
  }

  /** Sockets open now (upgraded or not). */
  int sockets() {
    return sockets.size();
  }

  /** Sockets closed with 4008 because they did not read what they were sent. */
  long slowCloses() {
    return slowCloses.get();
  }

  void countSlowClose() {
    slowCloses.incrementAndGet();
  }

  /** Replies may pass the write buffer's mark up to this many bytes (four times the mark). */
  long hardCapBytes() {
    return 4L * writeBufferBytes;
  }

  long stallTimeoutMs() {
    return stallTimeoutMs;
  }

  Vertx vertx() {
    return vertx;
  }

  /** Bytes queued for sockets and not yet taken by the kernel, over all sockets (tests, health). */
  long pendingBytes() {
    long total = 0;
    for (Socket s : sockets) {
      total += s.pendingBytes();
    }
    return total;
  }

  /** The current tick: seconds since the server started, advanced by the sweep. */
  long tick() {
    return tick;
  }

  void register(Socket socket) {
    sockets.add(socket);
    if (closing) { // accepted while the server was closing
      socket.channel.close();
    }
  }

  void unregister(Socket socket) {
    sockets.remove(socket);
  }

  /** One Vert.x event-loop context per Netty event loop, made on first use. */
  private ContextInternal contextOf(EventLoop loop) {
    return contexts.computeIfAbsent(loop, l -> vertx.contextBuilder().withEventLoop(l)
        .withThreadingModel(ThreadingModel.EVENT_LOOP).build());
  }

  private void sweep() {
    long now = ++tick;
    for (Socket s : sockets) {
      if (now - s.lastTraffic > idleTimeoutS) {
        LOG.debug("socket idle for {} s: dropped", idleTimeoutS);
        s.channel.close();
      }
    }
  }

  // ---- the upgrade (on the socket's event loop) ----------------------------------------------

  /**
   * The HTTP request on a socket not yet upgraded: refuses what is not a WebSocket upgrade on
   * {@code /ws}; otherwise stops reading, authenticates, completes the handshake and opens or
   * rejects the socket, then reads on.
   */
  void upgrade(Socket socket, ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      UpgradeRequests.problem(ctx, req, HttpResponseStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, "malformed HTTP request");
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    try {
      uri.path();
      uri.parameters(); // decoded lazily: a malformed %-escape throws here, not later
    } catch (IllegalArgumentException e) {
      UpgradeRequests.problem(ctx, req, HttpResponseStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, "malformed percent-encoding in the URI");
      return;
    }
    if (!"/ws".equals(uri.path())) {
      UpgradeRequests.problem(ctx, req, HttpResponseStatus.NOT_FOUND, ErrorCode.NOT_FOUND, "the WebSocket endpoint is /ws");
      return;
    }
    if (req.method() != HttpMethod.GET || !req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      UpgradeRequests.problem(ctx, req, HttpResponseStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED,
          "expected a WebSocket upgrade: GET /ws with Upgrade: websocket");
      return;
    }
    if (!upgrades.originAllowed(req.headers().get(HttpHeaderNames.ORIGIN), req.headers().get(HttpHeaderNames.HOST))) {
      UpgradeRequests.problem(ctx, req, HttpResponseStatus.FORBIDDEN, ErrorCode.FORBIDDEN,
          "this page's origin may not open WebSockets here (gateway: api.cors_origins)");
      return;
    }
    UpgradeAdmission pace = admission;
    long retryMs = pace == null ? 0 : pace.admit();
    if (retryMs > 0) {
      upgradesRefused.incrementAndGet();
      long retryS = (retryMs + 999) / 1000;
      UpgradeRequests.problem(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, ErrorCode.OVERLOADED,
          "this node takes new WebSockets in at a bounded rate; retry after " + retryMs + " ms",
          new JsonObject().put("retry_after_ms", retryMs).put("retry_after_s", retryS), Map.of("Retry-After", String.valueOf(retryS)));
      return;
    }
    // without a version Netty would fall back to the pre-RFC drafts (Hixie-76): refuse those too
    WebSocketServerHandshaker handshaker = req.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_VERSION)
        ? handshakers.newHandshaker(req) : null;
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      req.release();
      return;
    }
    ctx.channel().config().setAutoRead(false);
    java.net.SocketAddress peer = ctx.channel().remoteAddress();
    socket.clientIp = addresses.of(peer instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : null, req.headers().getAll("X-Forwarded-For"));
    String token = UpgradeRequests.token(uri, req);
    socket.context.emit(v -> upgrades.authenticate(token).onComplete(user -> {
      try {
        ctx.pipeline().addBefore(ctx.name(), "ws-utf8", new Utf8FrameValidator(true))
            .addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(hardLimitBytes));
        handshaker.handshake(ctx.channel(), req).addListener(f -> socket.context.emit(x -> {
          try {
            if (!f.isSuccess()) {
              LOG.debug("handshake failed: {}", f.cause().toString());
              ctx.close();
            } else if (user.succeeded()) {
              socket.attach(upgrades.open(socket, user.result()));
            } else {
              upgrades.reject(socket);
            }
          } catch (RuntimeException e) {
            LOG.error("opening a socket failed", e);
            ctx.close();
          } finally {
            ctx.channel().config().setAutoRead(true);
          }
        }));
      } catch (WebSocketHandshakeException e) {
        UpgradeRequests.problem(ctx, null, HttpResponseStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, e.getMessage());
      } finally {
        req.release();
      }
    }));
  }
}
