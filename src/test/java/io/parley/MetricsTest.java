package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.metrics.Meters;
import io.parley.metrics.MetricsEndpoint;
import io.parley.metrics.NodeMetrics;
import io.parley.support.Api;
import io.parley.support.Scrape;
import io.parley.support.TestCluster;
import io.parley.support.Ws;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /metrics} on two clustered nodes of their own (persistence, mail and quotas on both):
 * node A serves it on its API port, node B on a port of its own restricted to 127.0.0.1. After
 * traffic over HTTP and WebSocket the scrapes show Parley's meters with that traffic's values,
 * Vert.x's and the JVM's meters, and no label that holds a room id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Prometheus metrics")
class MetricsTest {
  private static final Pattern ROOM_ADDRESS = Pattern.compile(".*parley\\.rooms\\.\\d+.*");

  private TestCluster cluster;
  private Vertx vertx;
  private WebClient web;
  private Api a;
  private Api b;
  private int metricsPortB;

  @BeforeAll
  void start() {
    metricsPortB = TestCluster.freePort();
    AtomicInteger node = new AtomicInteger();
    cluster = TestCluster.start(2, root -> {
      root.getJsonObject("billing").put("enforce_quotas", true);
      root.getJsonObject("node").getJsonArray("roles").add("mail");
      root.getJsonObject("mail").put("stats_interval_ms", 200);
      if (node.getAndIncrement() == 1) {
        root.getJsonObject("metrics").put("port", metricsPortB).put("host", "127.0.0.1")
            .put("allow", new JsonArray().add("127.0.0.1/32").add("::1"));
      }
    });
    vertx = Vertx.vertx();
    web = WebClient.create(vertx);
    a = new Api(vertx, cluster.a().apiPort());
    b = new Api(vertx, cluster.b().apiPort());
  }

  @AfterAll
  void stop() {
    cluster.close();
    Api.await(vertx.close());
  }

  private Scrape scrape(int port) {
    HttpResponse<Buffer> r = Api.await(web.get(port, "127.0.0.1", MetricsEndpoint.PATH).send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return Scrape.parse(r.getHeader("Content-Type"), r.bodyAsString());
  }

  private Scrape scrapeA() {
    return scrape(cluster.a().apiPort());
  }

  private Scrape scrapeB() {
    return scrape(metricsPortB);
  }

  /** Sum of {@code name} over both nodes. */
  private double both(String name) {
    return scrapeA().sum(name) + scrapeB().sum(name);
  }

  /** Polls {@code problem} (null when all is well) every 20 ms until it is null; fails with its last answer after 15 s. */
  private static void eventually(Supplier<String> problem) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String last;
    while ((last = problem.get()) != null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + last);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private static String expect(String what, double expected, double actual) {
    return expected == actual ? null : what + ": expected " + expected + ", got " + actual;
  }

  private static JsonObject wsSend(Ws ws, long room, String body) {
    JsonObject ack = ws.request(new JsonObject().put("type", "message.send").put("room_id", room)
        .put("client_msg_id", java.util.UUID.randomUUID().toString()).put("body", body));
    assertEquals("message.ack", ack.getString("type"), ack.encode());
    return ack;
  }

  @Test
  @DisplayName("after sends over HTTP and WebSocket, subscriptions, a replay and a quota refusal, both nodes' scrapes add up")
  void meterValuesFollowTraffic() {
    Scrape a0 = scrapeA();
    Scrape b0 = scrapeB();
    assertTrue(a0.contentType.startsWith("text/plain; version=0.0.4"), a0.contentType);
    double stored0 = a0.sum("parley_messages_stored_total") + b0.sum("parley_messages_stored_total");
    double latency0 = a0.sum("parley_send_latency_seconds_count") + b0.sum("parley_send_latency_seconds_count");
    double batches0 = a0.sum("parley_send_batch_size_count") + b0.sum("parley_send_batch_size_count");
    double replayed0 = a0.sum("parley_gateway_replayed_events_total") + b0.sum("parley_gateway_replayed_events_total");
    double deliveries0 = a0.sum("parley_gateway_deliveries_total") + b0.sum("parley_gateway_deliveries_total");
    double quota0 = a0.sum("parley_quota_refusals_total") + b0.sum("parley_quota_refusals_total");

    JsonObject ada = a.newUser("m_ada");
    JsonObject bob = b.newUser("m_bob");
    JsonObject carol = a.newUser("m_carol");
    JsonObject dave = b.newUser("m_dave");
    long room = a.sharedRoom(ada, bob, carol, dave);
    int sends = 0;
    try (Ws wsAda = Ws.open(vertx, cluster.a().gatewayPort(), ada.getString("access_token"));
         Ws wsBob = Ws.open(vertx, cluster.b().gatewayPort(), bob.getString("access_token"));
         Ws wsCarol = Ws.open(vertx, cluster.a().gatewayPort(), carol.getString("access_token"))) {
      JsonObject sub = new JsonObject().put("type", "subscribe").put("room_id", room);
      assertEquals("subscribed", wsAda.request(sub).getString("type"));
      assertEquals("subscribed", wsBob.request(sub).getString("type"));
      for (int i = 0; i < 3; i++) {
        a.send(ada, room, "http on a " + i);
        b.send(bob, room, "http on b " + i);
        wsSend(wsAda, room, "ws on a " + i);
        wsSend(wsBob, room, "ws on b " + i);
        sends += 4;
      }
      for (int i = 1; i <= 10; i++) { // dave's daily quota (the free plan's 10), then one more
        (i % 2 == 0 ? a : b).send(dave, room, "dave " + i);
        sends++;
      }
      a.call("sendMessage", HttpMethod.POST, "/rooms/" + room + "/messages", dave.getString("access_token"),
          new JsonObject().put("body", "over the limit")).problem(429, "MESSAGE_LIMIT_EXCEEDED");
      // carol's subscription replays the room from its start
      wsCarol.send(sub.copy().put("since_seq", 0).put("ref", "replay"));
      JsonObject subscribed = wsCarol.next(f -> "subscribed".equals(f.getString("type")), "carol's subscribed");
      long replayedEvents = subscribed.getLong("last_seq");
      assertTrue(replayedEvents >= sends, "the room's stream holds the sends and the joins");

      int made = sends;
      eventually(() -> {
        Scrape sa = scrapeA();
        Scrape sb = scrapeB();
        String p = expect("messages stored (sum over the nodes)", stored0 + made,
            sa.sum("parley_messages_stored_total") + sb.sum("parley_messages_stored_total"));
        p = p != null ? p : expect("sockets on A", 2, sa.sum("parley_gateway_sockets"));
        p = p != null ? p : expect("sockets on B", 1, sb.sum("parley_gateway_sockets"));
        p = p != null ? p : expect("subscriptions on A", 2, sa.sum("parley_gateway_subscriptions"));
        p = p != null ? p : expect("subscriptions on B", 1, sb.sum("parley_gateway_subscriptions"));
        p = p != null ? p : expect("rooms on A", 1, sa.sum("parley_gateway_rooms"));
        p = p != null ? p : expect("quota refusals", quota0 + 1,
            sa.sum("parley_quota_refusals_total") + sb.sum("parley_quota_refusals_total"));
        p = p != null ? p : expect("replayed events", replayed0 + replayedEvents,
            sa.sum("parley_gateway_replayed_events_total") + sb.sum("parley_gateway_replayed_events_total"));
        double latencies = sa.sum("parley_send_latency_seconds_count") + sb.sum("parley_send_latency_seconds_count");
        p = p != null ? p : latencies >= latency0 + made ? null : "send latencies recorded: " + latencies;
        double deliveries = sa.sum("parley_gateway_deliveries_total") + sb.sum("parley_gateway_deliveries_total");
        // each message reaches ada's and bob's sockets (an ack may come before the other node's fan-out)
        return p != null ? p : deliveries >= deliveries0 + 2.0 * made ? null : "deliveries: " + deliveries;
      });
    }
    Scrape sa = scrapeA();
    Scrape sb = scrapeB();
    assertEquals(stored0 + sends, sa.sum("parley_messages_stored_total") + sb.sum("parley_messages_stored_total"),
        "stored equals the sends made, no more");
    assertTrue(sa.has("parley_send_latency_seconds_bucket"), "latency is a histogram with buckets");
    assertTrue(sa.sum("parley_send_batch_size_count") + sb.sum("parley_send_batch_size_count") > batches0);
    assertEquals(0, sa.sum("parley_gateway_fanout_queued_events") + sb.sum("parley_gateway_fanout_queued_events"));
    eventually(() -> expect("sockets after closing", 0, both("parley_gateway_sockets")));
    eventually(() -> both("parley_presence_transitions_total") >= 3 ? null : "ada, bob and carol came online");
    eventually(() -> Double.isNaN(scrapeA().sum("parley_mail_outbox_pending"))
        || Double.isNaN(scrapeA().sum("parley_mail_outbox_failed")) ? "the outbox was not counted yet" : null);
  }

  @Test
  @DisplayName("Vert.x's HTTP, event-bus and pool meters and the JVM's are there, and no label holds a room id")
  void vertxAndJvmMetersWithoutRoomLabels() {
    JsonObject ada = a.newUser("m_labels");
    long room = a.newRoom(ada, false).getLong("id");
    try (Ws ws = Ws.open(vertx, cluster.b().gatewayPort(), ada.getString("access_token"))) {
      assertEquals("subscribed", ws.request(new JsonObject().put("type", "subscribe").put("room_id", room)).getString("type"));
      a.send(ada, room, "labelled?");
      b.history(ada, room, "?limit=5"); // both nodes' APIs have served a request with an id in its path
      ws.next(f -> "message.created".equals(f.getString("type")), "the message");
    }
    if (Boolean.getBoolean("parley.metrics.dump")) {
      System.out.println("SCRAPE-A\n" + Api.await(web.get(cluster.a().apiPort(), "127.0.0.1", "/metrics").send()).bodyAsString());
    }
    for (Scrape s : new Scrape[] {scrapeA(), scrapeB()}) {
      for (String name : new String[] {"vertx_http_server_requests_total", "vertx_eventbus_handlers",
          "jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_gc_memory_allocated_bytes_total", "jvm_classes_loaded_classes",
          "system_cpu_count", "process_files_open_files", "parley_messages_stored_total", "parley_gateway_sockets"}) {
        assertTrue(s.has(name), name + " missing");
      }
      assertTrue(s.samples.stream().anyMatch(x -> "parley-persistence".equals(x.labels().get("pool_name"))),
          "the persistence pool is named");
      for (String value : s.labelValues()) {
        assertFalse(ROOM_ADDRESS.matcher(value).matches(), "a label holds a room address: " + value);
        assertFalse(value.contains("/rooms/" + room), "a label holds a path with an id: " + value);
      }
    }
    assertTrue((scrapeA().samples.stream().anyMatch(x -> NodeMetrics.ROOMS_ALIAS.equals(x.labels().get("address")))
        || scrapeB().samples.stream().anyMatch(x -> NodeMetrics.ROOMS_ALIAS.equals(x.labels().get("address")))),
        "room fan-out addresses are folded into " + NodeMetrics.ROOMS_ALIAS);
  }

  @Test
  @DisplayName("a separate metrics port answers only metrics.allow; that node's API port has no /metrics")
  void separatePortAndAllowList() {
    WebClient elsewhere = WebClient.create(vertx, new WebClientOptions().setLocalAddress("127.0.0.2"));
    try {
      HttpResponse<Buffer> refused = Api.await(elsewhere.get(metricsPortB, "127.0.0.1", MetricsEndpoint.PATH).send());
      assertEquals(403, refused.statusCode());
    } finally {
      elsewhere.close();
    }
    HttpResponse<Buffer> none = Api.await(web.get(cluster.b().apiPort(), "127.0.0.1", MetricsEndpoint.PATH).send());
    assertEquals(404, none.statusCode());
    assertEquals(200, Api.await(web.get(metricsPortB, "127.0.0.1", MetricsEndpoint.PATH).send()).statusCode());
  }

  @Test
  @DisplayName("rate-limit refusals are counted per limit on the node that refused")
  void rateLimitRefusals() {
    Vertx nodeA = cluster.a().node().vertx();
    Meters.rateLimitRefused(nodeA, "anonymous");
    Promise<Void> counted = Promise.promise();
    nodeA.runOnContext(v -> {
      Meters.rateLimitRefused("send"); // the node of the calling Vert.x thread
      counted.complete();
    });
    Api.await(counted.future());
    Scrape sa = scrapeA();
    assertEquals(1, sa.sum("parley_rate_limit_refusals_total", l -> "anonymous".equals(l.get("limit"))));
    assertEquals(1, sa.sum("parley_rate_limit_refusals_total", l -> "send".equals(l.get("limit"))));
    assertEquals(0, scrapeB().sum("parley_rate_limit_refusals_total"));
  }
}
