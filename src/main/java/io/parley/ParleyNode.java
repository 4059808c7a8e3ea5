package io.parley;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.parley.api.ApiVerticle;
import io.parley.billing.BillingVerticle;
import io.parley.bus.RequestIds;
import io.parley.config.ParleyConfig;
import io.parley.gateway.GatewayVerticle;
import io.parley.limits.Limits;
import io.parley.mail.MailVerticle;
import io.parley.metrics.NodeMetrics;
import io.parley.presence.EmbeddedRedis;
import io.parley.presence.PresenceVerticle;
import io.parley.persistence.Database;
import io.parley.persistence.PersistenceVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Parley node: a (clustered) Vert.x instance with the verticles of its roles deployed.
 *
 * <p>Start order: cluster join, the event bus's request-id interceptors ({@link RequestIds}), shared
 * secrets, database preparation (embedded PostgreSQL and
 * Flyway, on a worker thread), then persistence, mail, presence, billing, assistant, gateway and api, each with its own config
 * section (gateway and api also get the {@code limits} section, with the limits' Redis resolved,
 * and {@code api.trusted_proxies}), then the separate metrics server when {@code metrics.port} is
 * set. Metrics ({@link NodeMetrics}) are set up with the Vert.x instance: a registry per node.
 * {@link #close()} undeploys everything (sockets are closed) and leaves the cluster.
 */
public final class ParleyNode {
  private static final Logger LOG = LoggerFactory.getLogger(ParleyNode.class);

  private final Vertx vertx;
  private final String name;
  private final HazelcastClusterManager clusterManager;
  private final NodeMetrics metrics;

  private ParleyNode(Vertx vertx, String name, HazelcastClusterManager clusterManager, NodeMetrics metrics) {
    this.vertx = vertx;
    this.name = name;
    this.clusterManager = clusterManager;
    this.metrics = metrics;
  }

  /** The Hazelcast cluster manager; empty when clustering is disabled. */
  public java.util.Optional<HazelcastClusterManager> clusterManager() {
    return java.util.Optional.ofNullable(clusterManager);
  }

  public Vertx vertx() {
    return vertx;
  }

  public String name() {
    return name;
  }

  /** Starts a node with {@code cfg}; fails if any role cannot start. */
  public static Future<ParleyNode> start(ParleyConfig cfg) {
    JsonObject node = cfg.section("node");
    JsonObject cluster = cfg.section("cluster");
    String name = node.getString("name", "");
    if (name.isBlank()) {
      name = ManagementFactory.getRuntimeMXBean().getName();
    }
    String nodeName = name;
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions()
        .setHost(cluster.getString("bus_host", "127.0.0.1"))
        .setPort(cluster.getInteger("bus_port", 0))
        .setClusterPublicHost(cluster.getString("bus_host", "127.0.0.1")));
    HazelcastClusterManager clusterManager = cluster.getBoolean("enabled", true)
        ? new HazelcastClusterManager(hazelcast(cluster)) : null;
    NodeMetrics metrics = NodeMetrics.create(cfg.section("metrics"), nodeName);
    VertxBuilder builder = metrics.configure(options, Vertx.builder().with(options));
    Future<Vertx> started = clusterManager != null
        ? builder.withClusterManager(clusterManager).buildClustered()
        : Future.succeededFuture(builder.build());
    return started.map(RequestIds::install).compose(vertx -> {
      metrics.install(vertx);
      return jwtSecret(vertx)
          .compose(secret -> deployRoles(vertx, cfg, nodeName, secret, metrics))
          .compose(v -> metrics.listen(vertx))
          .onSuccess(v -> LOG.info("Parley node {} up with roles {}; cluster: {}", nodeName, cfg.roles(),
              clusterManager == null ? "disabled" : clusterManager.getNodes().size() + " member(s)"))
          .map(v -> new ParleyNode(vertx, nodeName, clusterManager, metrics))
          .recover(err -> vertx.close().andThen(x -> metrics.close()).transform(x -> Future.failedFuture(err)));
    });
  }

  /** Undeploys the verticles (closing sockets and pools), leaves the cluster, closes the metrics registry. */
  public Future<Void> close() {
    return vertx.close().andThen(x -> metrics.close());
  }

  /**
   * The access-token secret: {@code PARLEY_JWT_SECRET}, else a random development secret shared
   * through the cluster so that every node of a development cluster accepts the same tokens.
   */
  private static Future<String> jwtSecret(Vertx vertx) {
    String env = System.getenv(ParleyConfig.ENV_JWT_SECRET);
    if (env != null && !env.isBlank()) {
      return Future.succeededFuture(env);
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String candidate = Base64.getEncoder().encodeToString(random);
    LOG.warn("{} is not set: using a random development secret shared within this cluster; "
        + "tokens stop working when the whole cluster restarts", ParleyConfig.ENV_JWT_SECRET);
    return vertx.sharedData().<String, String>getAsyncMap("parley.dev")
        .compose(map -> map.putIfAbsent("jwt_secret", candidate).map(prev -> prev == null ? candidate : prev));
  }

  private static Future<Void> deployRoles(Vertx vertx, ParleyConfig cfg, String nodeName, String jwtSecret,
                                          NodeMetrics metrics) {
    List<String> roles = cfg.roles();
    JsonObject auth = cfg.section("auth").put("jwt_secret", jwtSecret);
    long timeout = cfg.section("cluster").getLong("request_timeout_ms", 5000L);
    Future<?> chain = Future.succeededFuture();

    if (roles.contains("persistence")) {
      JsonObject p = cfg.section("persistence")
          .put("max_body_chars", cfg.section("messages").getInteger("max_body_chars", 4000))
          .put("max_replay", cfg.section("gateway").getInteger("max_replay", 1000))
          .put("require_verified_email", cfg.section("auth").getBoolean("require_verified_email", true))
          .put("enforce_quotas", cfg.section("billing").getBoolean("enforce_quotas", true))
          .put("url_secret", jwtSecret); // attachments' signed URLs (SignedUrls.derive)
      chain = vertx.executeBlocking(() -> {
        String url = Database.resolveUrl(p.getString("database_url"), p.getString("embedded_data_dir"));
        Database.migrate(url, cfg.section("search").getString("text_search_config", "simple"));
        return url;
      }, false).compose(url -> deploy(vertx, PersistenceVerticle.class, p.put("database_url", url), "persistence"));
    }
    if (roles.contains("mail")) {
      JsonObject m = cfg.section("mail").put("request_timeout_ms", timeout)
          .put("smtp_password", System.getenv().getOrDefault(ParleyConfig.ENV_SMTP_PASSWORD, ""));
      chain = chain.compose(x -> deploy(vertx, MailVerticle.class, m, "mail"));
    }
    JsonObject presence = cfg.section("presence");
    if (roles.contains("presence")) {
      JsonObject pr = presence.copy().put("request_timeout_ms", timeout);
      chain = chain.compose(x -> vertx.executeBlocking(() -> EmbeddedRedis.resolveUrl(pr.getString("redis_url")), false))
          .compose(url -> deploy(vertx, PresenceVerticle.class, pr.put("redis_url", url), "presence"));
    }
    if (roles.contains("billing")) {
      JsonObject bi = cfg.section("billing").put("request_timeout_ms", timeout); // public_url: ParleyConfig fills it
      chain = chain.compose(x -> deploy(vertx, BillingVerticle.class, bi, "billing"));
    }
    if (roles.contains("assistant")) {
      JsonObject as = cfg.section("assistant").put("request_timeout_ms", timeout);
      chain = chain.compose(x -> deploy(vertx, io.parley.assistant.AssistantVerticle.class, as, "assistant"));
    }
    JsonObject limits = cfg.section("limits");
    JsonArray trustedProxies = cfg.section("api").getJsonArray("trusted_proxies", new JsonArray());
    if ((roles.contains("api") || roles.contains("gateway")) && Limits.from(limits).anyOn()) {
      // the limits' Redis: their own URL, else presence's, else the embedded one (shared with presence);
      // resolved before gateway and api deploy, which get this very object in their config
      String own = limits.getString("redis_url", "");
      String configured = own.isBlank() ? presence.getString("redis_url", "") : own;
      chain = chain.compose(x -> vertx.executeBlocking(() -> EmbeddedRedis.resolveUrl(configured), false))
          .map(url -> limits.put("redis_url", url));
    }
    if (roles.contains("gateway")) {
      JsonObject g = cfg.section("gateway").put("auth", auth).put("node_name", nodeName).put("request_timeout_ms", timeout)
          .put("limits", limits).put("trusted_proxies", trustedProxies)
          .put("presence_heartbeat_ms", Math.max(1000L, presence.getLong("ttl_s", 30L) * 1000 / 3))
          .put("typing_ttl_ms", presence.getLong("typing_ttl_ms", 5000L))
          .put("cors_origins", cfg.section("api").getJsonArray("cors_origins", new JsonArray()))
          .put("instances", 1); // one owns the port; its sockets are spread over all event loops
      chain = chain.compose(x -> deploy(vertx, GatewayVerticle.class, g, "gateway"));
    }
    if (roles.contains("api")) {
      JsonObject a = cfg.section("api").put("auth", auth).put("node_name", nodeName).put("request_timeout_ms", timeout)
          .put("limits", limits)
          .put("cluster_enabled", cfg.section("cluster").getBoolean("enabled", true))
          .put("gateway_port", cfg.section("gateway").getInteger("port", 8081))
          .put("max_body_chars", cfg.section("messages").getInteger("max_body_chars", 4000))
          .put("metrics", metrics.onApiPort() ? cfg.section("metrics") : null) // /metrics beside /health
          .put("media", cfg.section("media"));
      chain = chain.compose(x -> deploy(vertx, ApiVerticle.class, a, "api"));
    }
    return chain.mapEmpty();
  }

  private static Future<String> deploy(Vertx vertx, Class<? extends io.vertx.core.Deployable> verticle, JsonObject config, String role) {
    int instances = Math.max(1, config.getInteger("instances", 1));
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config).setInstances(instances))
        .onFailure(err -> LOG.error("role {} failed to start", role, err));
  }

  /** Hazelcast: vertx-hazelcast's default maps plus TCP-IP join on the configured members. */
  static Config hazelcast(JsonObject cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.getString("name", "parley"));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(cluster.getInteger("max_no_heartbeat_s", 15)));
    config.setProperty("hazelcast.logging.type", "slf4j");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.getInteger("port", 5701)).setPortAutoIncrement(true);
    String host = cluster.getString("host", "");
    if (!host.isBlank()) {
      network.getInterfaces().setEnabled(true).addInterface(host); // an IPv4 address or pattern (10.0.*.*)
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    String serviceDns = cluster.getString("kubernetes_service_dns", "");
    if (!serviceDns.isBlank()) {
      // Hazelcast's built-in Kubernetes discovery, DNS lookup mode (a headless service)
      join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", serviceDns);
    } else {
      join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(1);
      for (Object m : cluster.getJsonArray("members", new JsonArray())) {
        join.getTcpIpConfig().addMember(m.toString());
      }
    }
    return config;
  }
}
