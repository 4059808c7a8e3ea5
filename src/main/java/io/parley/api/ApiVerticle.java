package io.parley.api;

import io.parley.auth.AccessTokens;
import io.parley.bus.Bus;
import io.parley.config.Origins;
import io.parley.limits.ClientAddress;
import io.parley.limits.Limits;
import io.parley.limits.LoginThrottle;
import io.parley.limits.RateLimiter;
import io.parley.media.MediaSettings;
import io.parley.media.MediaStorage;
import io.parley.media.SignedUrls;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API: a router built from {@code openapi.yaml} (vertx-web-openapi-router) mounted at
 * {@code /api/v1}, with the routes of each aggregate ({@link AuthRoutes}, {@link UserRoutes},
 * {@link RoomRoutes}, {@link MessageRoutes}, {@link BillingRoutes}, {@link SearchRoutes}) bound to its operations, and the operations routes
 * ({@link OpsRoutes}: health, metrics, the contract, Swagger UI, the web client) beside it.
 *
 * <p>Every request first passes {@link HttpEdge} (request id, well-formed URI), {@link AccessLog}
 * (its line when it ends), with {@code cors_origins} {@link Cors}, and, under {@code /api/v1},
 * {@link HttpLimits} (the rate limits, in Redis); handlers
 * validate nothing by hand that the contract already checks: they translate a validated request
 * into an event-bus request and the reply into the response. Errors are problem+json via
 * {@link Problems}.
 *
 * <p>Config (section {@code api}): {@code host}, {@code port}, {@code body_limit_bytes},
 * {@code secure_cookies}, {@code public_ws_url}, {@code request_timeout_ms}, {@code auth} (with
 * {@code jwt_secret}), {@code gateway_port}, {@code max_body_chars}, {@code node_name},
 * {@code cluster_enabled}, {@code cors_origins}, {@code media} (the {@code media} section: {@link MediaRoutes}),
 * {@code trusted_proxies} (CIDRs whose
 * {@code X-Forwarded-For} is believed), {@code limits} (the {@code limits} section, its
 * {@code redis_url} resolved), {@code metrics} (the {@code metrics} section when {@code /metrics} is served on this port).
 */
public class ApiVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);
  private static final String BASE = "/api/v1";

  private HttpServer server;
  private RateLimiter limiter;
  private MediaStorage storage;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    JsonObject auth = cfg.getJsonObject("auth");
    AccessTokens tokens = new AccessTokens(vertx, auth);
    RouteSupport api = new RouteSupport(new Bus(vertx, cfg.getLong("request_timeout_ms", 5000L)));
    String wsUrl = cfg.getString("public_ws_url", "");
    JsonObject clientConfig = new JsonObject()
        .put("ws_url", wsUrl.isBlank() ? null : wsUrl)
        .put("gateway_port", cfg.getInteger("gateway_port", 8081))
        .put("max_body_chars", cfg.getInteger("max_body_chars", 4000))
        .put("node", cfg.getString("node_name", ""));
    limiter = RateLimiter.create(vertx, Limits.from(cfg.getJsonObject("limits", new JsonObject())));
    AuthRoutes authRoutes = new AuthRoutes(vertx, api, tokens, auth, cfg.getBoolean("secure_cookies", false),
        new LoginThrottle(limiter));
    UserRoutes users = new UserRoutes(api, auth, clientConfig);
    RoomRoutes rooms = new RoomRoutes(api);
    MessageRoutes messages = new MessageRoutes(api);
    BillingRoutes billing = new BillingRoutes(api);
    MediaSettings mediaSettings = MediaSettings.from(cfg.getJsonObject("media", new JsonObject()));
    storage = MediaStorage.create(vertx, mediaSettings);
    if (cfg.getBoolean("cluster_enabled", true) && "filesystem".equals(mediaSettings.storage())) {
      LOG.warn("media.storage is filesystem on a clustered node: attachments are written to {} on this node only; "
          + "use media.storage=s3, or a media.dir that every API node shares", mediaSettings.dir());
    }
    MediaRoutes media = new MediaRoutes(vertx, api, tokens, mediaSettings, storage, SignedUrls.derive(auth.getString("jwt_secret")),
        cfg.getLong("body_limit_bytes", 65536L));
    clientConfig.put("max_upload_bytes", mediaSettings.maxBytes());
    OpsRoutes ops = new OpsRoutes(vertx, api, cfg.getBoolean("cluster_enabled", true), limiter, cfg.getJsonObject("metrics"));
    HttpLimits httpLimits = new HttpLimits(limiter, tokens, ClientAddress.trusting(cfg.getJsonArray("trusted_proxies", new JsonArray())));

    AccessLog access = new AccessLog();
    Router router = Router.router(vertx);
    router.route().handler(HttpEdge::requestId).handler(access::begin);
    io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> cors = Cors.handler(Origins.of(cfg.getJsonArray("cors_origins")));
    if (cors != null) {
      router.route().handler(cors);
    }
    router.route().handler(HttpEdge::wellFormedUri).handler(httpLimits::noteClient);
    router.route(BASE + "/*").handler(httpLimits::handle);
    media.mount(router);
    return authRoutes.prepare()
        .compose(x -> Contract.load(vertx))
        .compose(contract -> {
          access.contract(contract);
          RouterBuilder rb = routerBuilder(contract, tokens, cfg.getLong("body_limit_bytes", 65536L));
          authRoutes.mount(rb);
          users.mount(rb);
          rooms.mount(rb);
          messages.mount(rb);
          billing.mount(rb);
          media.mount(rb);
          new AssistantRoutes(api).mount(rb);
          new AdminRoutes(api, tokens.jwt()).mount(rb);
          new SearchRoutes(api).mount(rb);
          Router apiRouter = rb.createRouter();
          apiRouter.route().last().handler(rc -> rc.fail(404));
          router.route(BASE + "/*").subRouter(apiRouter);
          billing.mountDevPages(router);
          return ops.mount(router).map(contract);
        })
        .compose(contract -> {
          for (int status = 400; status < 600; status++) { // every failure answers problem+json
            router.errorHandler(status, rc -> Problems.handle(rc, contract)); // refusals name the field: the contract's bounds
          }
          server = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true)
                  .setMaxInitialLineLength(65_536).setMaxHeaderSize(8192)) // 414 and 431 beyond: the contract states both
              .invalidRequestHandler(HttpEdge.invalidRequests());
          return server.requestHandler(router).listen(cfg.getInteger("port", 8080), cfg.getString("host", "0.0.0.0"));
        })
        .onSuccess(s -> {
          LOG.info("HTTP API on port {}: /api/v1, Swagger UI /docs/, contract /openapi.yaml", s.actualPort());
          media.sweepEveryHour();
        });
  }

  private RouterBuilder routerBuilder(OpenAPIContract contract, AccessTokens tokens, long bodyLimit) {
    RouterBuilder rb = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    rb.rootHandler(BodyHandler.create(false).setBodyLimit(bodyLimit));
    rb.security("bearerAuth").httpHandler(JWTAuthHandler.create(tokens.jwt()));
    return rb;
  }

  @Override
  public Future<?> stop() {
    if (limiter != null) {
      limiter.close();
    }
    if (storage != null) {
      storage.close();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }
}
