package io.parley.metrics;

import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.Match;
import io.vertx.micrometer.MatchType;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's metrics set-up (config section {@code metrics}): a Prometheus registry of its own
 * (never Micrometer's global one: two nodes in one JVM keep their values apart), Vert.x's meters
 * in it (HTTP server and client, event bus, pools) with JVM meters, and, when {@code port} is
 * not 0, a small HTTP server of its own for {@code /metrics}.
 *
 * <p>Labels: HTTP meters carry the method, the status code and the route template (never the
 * path, which holds ids); event-bus meters carry the address, with every per-room fan-out
 * address ({@code parley.rooms.<id>}) folded into one value, {@value #ROOMS_ALIAS}.
 */
public final class NodeMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(NodeMetrics.class);
  /** The label value that stands for every per-room address. */
  public static final String ROOMS_ALIAS = "parley.rooms.*";

  private final JsonObject cfg;
  private final PrometheusMeterRegistry registry;
  private final String registryName;

  private NodeMetrics(JsonObject cfg, PrometheusMeterRegistry registry, String registryName) {
    this.cfg = cfg;
    this.registry = registry;
    this.registryName = registryName;
  }

  /** The set-up for {@code cfg} (section {@code metrics}); nothing is recorded when {@code enabled} is false. */
  public static NodeMetrics create(JsonObject cfg, String nodeName) {
    boolean enabled = cfg.getBoolean("enabled", true);
    CidrList.parse(cfg.getJsonArray("allow", new JsonArray())); // a bad entry fails the start, not the first scrape
    return new NodeMetrics(cfg, enabled ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null,
        "parley-" + nodeName + "-" + UUID.randomUUID());
  }

  /** Whether metrics are recorded ({@code metrics.enabled}). */
  public boolean enabled() {
    return registry != null;
  }

  /** Sets up Vert.x's metrics in {@code options} and {@code builder}; both unchanged when disabled. */
  public VertxBuilder configure(VertxOptions options, VertxBuilder builder) {
    if (registry == null) {
      return builder;
    }
    options.setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName(registryName)
        .setJvmMetricsEnabled(true) // memory, GC, threads, class loading, processor, uptime
        .addLabels(Label.EB_ADDRESS, Label.EB_FAILURE, Label.HTTP_ROUTE)
        .addLabelMatch(new Match().setDomain(MetricsDomain.EVENT_BUS).setLabel(Label.EB_ADDRESS.toString())
            .setType(MatchType.REGEX).setValue("parley\\.rooms\\..*").setAlias(ROOMS_ALIAS)));
    return builder.with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** Makes the node's {@link Meters} known to its verticles ({@link Meters#of}); before they deploy. */
  public void install(Vertx vertx) {
    if (registry != null) {
      new FileDescriptorMetrics().bindTo(registry);
      Meters.install(vertx, Meters.over(registry));
    }
  }

  /** Whether {@code /metrics} is served on the API port (beside {@code /health}). */
  public boolean onApiPort() {
    return registry != null && cfg.getInteger("port", 0) == 0;
  }

  /**
   * Starts the separate {@code /metrics} server when {@code port} is not 0 (closed with
   * {@code vertx}); nothing otherwise.
   */
  public Future<Void> listen(Vertx vertx) {
    int port = cfg.getInteger("port", 0);
    if (registry == null || port == 0) {
      return Future.succeededFuture();
    }
    Router router = Router.router(vertx);
    router.get(MetricsEndpoint.PATH).handler(MetricsEndpoint.handler(vertx, cfg));
    for (int status : new int[] {403, 404, 405, 500}) { // plain answers, no error log for a refused scraper
      router.errorHandler(status, rc -> rc.response().setStatusCode(status).end());
    }
    HttpServer server = vertx.createHttpServer();
    return server.requestHandler(router).listen(port, cfg.getString("host", "0.0.0.0"))
        .onSuccess(s -> LOG.info("metrics on port {}: {}", s.actualPort(), MetricsEndpoint.PATH))
        .mapEmpty();
  }

  /** Closes the registry (after Vert.x has closed). */
  public void close() {
    if (registry != null) {
      registry.close();
    }
  }
}
