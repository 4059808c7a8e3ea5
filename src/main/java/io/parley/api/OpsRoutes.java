package io.parley.api;

import static io.parley.api.RouteSupport.json;
import static io.parley.bus.Addresses.*;

import io.parley.bus.Bus;
import io.parley.bus.ParleyException;
import io.parley.limits.RateLimiter;
import io.parley.metrics.MetricsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The operations routes, outside {@code /api/v1}: liveness and readiness, Prometheus metrics at
 * {@code /metrics} (unless {@code metrics.port} moves them to a server of their own), the contract at
 * {@code /openapi.yaml}, Swagger UI at {@code /docs/}, and the web client's static files at
 * {@code /} with a strict Content Security Policy.
 */
final class OpsRoutes {
  private final Vertx vertx;
  private final RouteSupport api;
  private final boolean clusterEnabled;
  private final RateLimiter limiter;
  private final JsonObject metrics;

  /** @param metrics the {@code metrics} section when {@code /metrics} is served here (on the API port), else null */
  OpsRoutes(Vertx vertx, RouteSupport api, boolean clusterEnabled, RateLimiter limiter, JsonObject metrics) {
    this.vertx = vertx;
    this.api = api;
    this.clusterEnabled = clusterEnabled;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  /** Mounts everything; reads the Swagger UI webjar's version first (a classpath read, on a worker thread). */
  Future<Void> mount(Router router) {
    router.get("/health/live").handler(rc -> json(rc, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
    if (metrics != null) {
      router.get(MetricsEndpoint.PATH).handler(MetricsEndpoint.handler(vertx, metrics));
    }
    router.get("/openapi.yaml").handler(rc -> rc.response().putHeader("Content-Type", "application/yaml").sendFile("openapi.yaml"));
    return vertx.executeBlocking(OpsRoutes::webjarVersion).map(version -> {
      mountSwaggerUi(router, version);
      mountWebClient(router);
      return null;
    });
  }

  /**
   * Ready when the database and the cluster answer. Presence is reported but not required (chat
   * works without Redis): UP, DEGRADED (Redis unreachable) or ABSENT (no presence verticle). So
   * is this node's gateway: UP, DEGRADED (it cannot accept connections, e.g. out of file
   * descriptors) or ABSENT, with its counters under {@code gateway}. So are the rate limits:
   * UP, DEGRADED (their Redis is unreachable: limits are not enforced, traffic flows) or OFF
   * (every limit is 0). Neither DEGRADED makes the node unready: refusing traffic because a
   * protection is missing would turn a Redis outage into a full one.
   */
  private void ready(RoutingContext rc) {
    Future<?> db = api.request(rc, PERSISTENCE_HEALTH, new JsonObject());
    Future<?> cluster = clusterEnabled
        ? vertx.sharedData().getAsyncMap("parley.health").compose(m -> m.get("ping")).timeout(2, TimeUnit.SECONDS)
        : Future.succeededFuture();
    Future<String> presence = api.request(rc, PRESENCE_HEALTH, new JsonObject()).timeout(1, TimeUnit.SECONDS).map("UP")
        .otherwise(err -> {
          ParleyException pe = Bus.toParley(err);
          return pe.details() != null && "no_handlers".equals(pe.details().getString("reason")) ? "ABSENT" : "DEGRADED";
        });
    Future<JsonObject> gateway = vertx.eventBus().<JsonObject>request(GATEWAY_HEALTH, new JsonObject(),
            new DeliveryOptions().setLocalOnly(true).setSendTimeout(1000))
        .map(Message::body);
    Future<String> limits = limiter.status();
    Future.join(List.of(db, cluster, presence, gateway, limits)).onComplete(done -> {
      boolean up = db.succeeded() && cluster.succeeded();
      JsonObject checks = new JsonObject()
          .put("database", db.succeeded() ? "UP" : "DOWN")
          .put("cluster", cluster.succeeded() ? "UP" : "DOWN")
          .put("presence", presence.result())
          .put("gateway", gateway.failed() ? "ABSENT" : gateway.result().getBoolean("accept_failing") ? "DEGRADED" : "UP")
          .put("limits", limits.result());
      JsonObject answer = new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks);
      if (gateway.succeeded()) {
        answer.put("gateway", gateway.result());
      }
      json(rc, up ? 200 : 503, answer);
    });
  }

  private void mountSwaggerUi(Router router, String version) {
    router.get("/docs").handler(rc -> {
      if (rc.request().path().equals("/docs")) {
        rc.redirect("/docs/");
      } else {
        rc.next();
      }
    });
    router.get("/docs/swagger-initializer.js").handler(rc -> rc.response()
        .putHeader("Content-Type", "application/javascript")
        .end("window.onload = function () {\n"
            + "  window.ui = SwaggerUIBundle({ url: '/openapi.yaml', dom_id: '#swagger-ui', deepLinking: true,\n"
            + "    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });\n"
            + "};\n"));
    router.route("/docs/*").handler(StaticHandler.create("META-INF/resources/webjars/swagger-ui/" + version));
  }

  /**
   * The web client (static files in {@code webroot/}) at {@code /}, with a Content Security
   * Policy that allows only our own scripts and styles, and WebSocket connections.
   */
  private void mountWebClient(Router router) {
    router.route("/*").handler(rc -> {
      rc.response()
          .putHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
              + "img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'")
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Referrer-Policy", "no-referrer")
          .putHeader("Cache-Control", "no-cache");
      rc.next();
    });
    router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html").setDefaultContentEncoding("UTF-8")
        .setCachingEnabled(false));
  }

  private static String webjarVersion() {
    try (InputStream in = OpsRoutes.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the swagger-ui webjar is missing", e);
    }
  }

}
