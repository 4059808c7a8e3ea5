package io.parley.support;

import io.parley.ParleyNode;
import io.parley.config.ParleyConfig;
import io.parley.persistence.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two clustered Parley nodes (separate Vert.x and Hazelcast instances on loopback) shared by the
 * whole test run, against a real PostgreSQL: {@code PARLEY_PERSISTENCE_DATABASE_URL} when set
 * (as {@code .ci/run} does), an embedded one otherwise. Each test makes its own users and rooms,
 * so tests never see each other's data.
 */
public final class TestCluster implements AutoCloseable {
  /** Started nodes, A and B. */
  public final List<Node> nodes = new ArrayList<>();
  public final String databaseUrl;
  public final String clusterName = "parley-test-" + UUID.randomUUID();

  /** One started node and the ports it listens on. */
  public record Node(ParleyNode node, int apiPort, int gatewayPort) {}

  private TestCluster(String databaseUrl) {
    this.databaseUrl = databaseUrl;
  }

  /** The run's cluster, started on first use and stopped when the run ends. */
  public static TestCluster get(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(TestCluster.class, k -> start(2), TestCluster.class);
  }

  public Node a() {
    return nodes.get(0);
  }

  public Node b() {
    return nodes.get(1);
  }

  private static TestCluster start(int count) {
    return start(count, root -> { });
  }

  /**
   * Starts a cluster of its own ({@code count} nodes, the caller closes it) whose configuration
   * is {@link #config} changed by {@code configure} (e.g. quotas on, the billing role).
   */
  public static TestCluster start(int count, java.util.function.Consumer<JsonObject> configure) {
    String env = System.getenv("PARLEY_PERSISTENCE_DATABASE_URL");
    String url = Database.resolveUrl(env, "target/test-db");
    TestCluster cluster = new TestCluster(url);
    for (int i = 0; i < count; i++) {
      int api = freePort();
      int gateway = freePort();
      JsonObject root = config(url, cluster.clusterName, "node-" + (char) ('a' + i), api, gateway);
      configure.accept(root);
      ParleyConfig cfg = ParleyConfig.of(root);
      try {
        ParleyNode node = ParleyNode.start(cfg).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        cluster.nodes.add(new Node(node, api, gateway));
      } catch (Exception e) {
        cluster.close();
        throw new IllegalStateException("node " + i + " failed to start", e);
      }
    }
    return cluster;
  }

  /** The defaults with the test's ports, database, cluster name and a fast bcrypt cost. */
  public static JsonObject config(String url, String clusterName, String nodeName, int api, int gateway) {
    JsonObject root = ParleyConfig.defaults();
    root.getJsonObject("node").put("name", nodeName)
        .put("roles", new JsonArray().add("api").add("gateway").add("persistence").add("presence").add("billing").add("assistant"));
    // the assistant asks the run's fake model (AssistantTest scripts it); a stall ends after a second
    root.getJsonObject("assistant").put("base_url", model().baseUrl()).put("model", "fake-model").put("idle_timeout_s", 1)
        .put("timeout_s", 10);
    root.getJsonObject("api").put("port", api).put("host", "127.0.0.1");
    root.getJsonObject("gateway").put("port", gateway).put("host", "127.0.0.1")
        .put("max_frame_bytes", 8192).put("max_replay", 200).put("stall_timeout_ms", 2000);
    root.getJsonObject("persistence").put("database_url", url).put("pool_size", 8);
    root.getJsonObject("auth").put("bcrypt_cost", 4).put("require_verified_email", false)
        .put("admin_emails", new JsonArray().add(ADMIN_EMAIL).add(CONTRACT_ADMIN_EMAIL));
    // quotas are tested by QuotaTest's own cluster; here every user may send freely
    root.getJsonObject("billing").put("enforce_quotas", false)
        .put("public_url", "http://127.0.0.1:" + api); // the Stripe simulator posts its events to this node
    root.getJsonObject("presence").put("redis_url", redisUrl()).put("ttl_s", 3).put("grace_ms", 300).put("sweep_ms", 300)
        .put("typing_ttl_ms", 600);
    // tests make many requests, all from 127.0.0.1: request, send and per-address login limits are
    // off here (LimitsTest runs a cluster of its own with them on); per-account login limits stay
    root.getJsonObject("limits").put("anonymous_per_hour", 0).put("user_per_hour", 0).put("sends_per_minute", 0)
        .put("login_failures_per_ip", 0).put("key_prefix", "parley:limits:" + clusterName + ":");
    // both nodes share one media folder, as API nodes behind one balancer share theirs (or S3)
    root.getJsonObject("media").put("dir", "target/test-media/" + clusterName);
    root.getJsonObject("mail").put("dev_sink_port", freePort()).put("poll_interval_ms", 200)
        .put("backoff_base_ms", 100).put("backoff_max_ms", 500);
    JsonArray members = new JsonArray();
    for (int p = 5801; p <= 5812; p++) {
      members.add("127.0.0.1:" + p);
    }
    root.getJsonObject("cluster").put("name", clusterName).put("port", 5801).put("members", members);
    return root;
  }

  /** Made an admin by auth.admin_emails once verified (AdminTest's). */
  public static final String ADMIN_EMAIL = "root-admin@example.test";
  /** The same, for ApiContractTest's calls. */
  public static final String CONTRACT_ADMIN_EMAIL = "contract-admin@example.test";

  private static String redisUrl;
  private static FakeModel model;

  /** The run's fake of an OpenAI-compatible model API, which every test cluster's assistant asks. */
  public static synchronized FakeModel model() {
    if (model == null) {
      model = FakeModel.start(io.vertx.core.Vertx.vertx());
    }
    return model;
  }

  /**
   * Redis for the run: {@code PARLEY_PRESENCE_REDIS_URL} (as {@code .ci/run} sets, a database of
   * its own), emptied first; else an embedded Redis.
   */
  public static synchronized String redisUrl() {
    if (redisUrl == null) {
      String env = System.getenv("PARLEY_PRESENCE_REDIS_URL");
      redisUrl = io.parley.presence.EmbeddedRedis.resolveUrl(env);
      io.vertx.core.Vertx v = io.vertx.core.Vertx.vertx();
      try {
        io.vertx.redis.client.Redis redis = io.vertx.redis.client.Redis.createClient(v, redisUrl);
        Api.await(redis.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.FLUSHDB)));
        redis.close();
      } finally {
        v.close();
      }
    }
    return redisUrl;
  }

  /** The cluster's access-token secret: {@code PARLEY_JWT_SECRET}, else the development secret the nodes share. */
  public String jwtSecret() {
    String secret = System.getenv(io.parley.config.ParleyConfig.ENV_JWT_SECRET);
    return secret != null && !secret.isBlank() ? secret
        : Api.await(a().node().vertx().sharedData().<String, String>getAsyncMap("parley.dev").compose(m -> m.get("jwt_secret")));
  }

  /**
   * An access token signed with the cluster's secret carrying exactly {@code claims} (plus
   * {@code iat} and {@code exp}), for tests of validly signed tokens the server would never issue.
   */
  public String signedToken(io.vertx.core.Vertx vertx, JsonObject claims) {
    io.vertx.ext.auth.jwt.JWTAuth signer = io.vertx.ext.auth.jwt.JWTAuth.create(vertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
        .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("HS256").setBuffer(jwtSecret())));
    return signer.generateToken(claims, new io.vertx.ext.auth.JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(300));
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (Node n : nodes) {
      closing.add(n.node().close());
    }
    try {
      Future.join(closing).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort at the end of the run
    }
  }
}
