package io.parley.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: the node's registry in Prometheus' text format (0.0.4), scraped on a
 * worker thread. Callers outside {@code metrics.allow} (CIDRs of the peer address itself, never
 * of {@code X-Forwarded-For}) get 403; a node without metrics answers 404.
 */
public final class MetricsEndpoint {
  /** Where the metrics are served. */
  public static final String PATH = "/metrics";
  /** The content type of Prometheus' text exposition format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private MetricsEndpoint() {}

  /** The handler for {@code cfg} (section {@code metrics}) of {@code vertx}'s node. */
  public static Handler<RoutingContext> handler(Vertx vertx, JsonObject cfg) {
    CidrList allow = CidrList.parse(cfg.getJsonArray("allow", new JsonArray()));
    return rc -> {
      SocketAddress peer = rc.request().connection().remoteAddress();
      if (!allow.permits(peer == null ? null : peer.hostAddress())) {
        rc.fail(403);
        return;
      }
      PrometheusMeterRegistry registry = Meters.of(vertx).prometheus().orElse(null);
      if (registry == null) {
        rc.fail(404);
        return;
      }
      vertx.executeBlocking(registry::scrape, false).onComplete(ar -> {
        if (ar.failed()) {
          rc.fail(ar.cause());
        } else {
          rc.response().putHeader("Content-Type", CONTENT_TYPE).putHeader("Cache-Control", "no-store").end(ar.result());
        }
      });
    };
  }
}
