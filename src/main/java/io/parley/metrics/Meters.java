package io.parley.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Parley's own meters, one set per node (per Vert.x instance: two nodes in one JVM never mix
 * their values), in the node's Micrometer registry beside Vert.x's and the JVM's. Every meter is
 * named here once; {@code docs/operations.md} says what each means.
 *
 * <p>Verticles find their node's meters with {@link #of(Vertx)}; without metrics (disabled, or a
 * Vert.x instance that no {@code ParleyNode} set up) they get meters that record nothing. The hot
 * paths only increment counters and record into fixed buckets; gauges are read at scrape time.
 */
public final class Meters implements Shareable {
  private static final String LOCAL_MAP = "parley.metrics";
  private static final Meters NOOP = new Meters(new CompositeMeterRegistry(), null);

  // names (Micrometer's dotted form; Prometheus shows them with _ and unit suffixes)
  /** Gauge: WebSocket connections open on this node's gateway. */
  public static final String SOCKETS = "parley.gateway.sockets";
  /** Gauge: room subscriptions of this node's sockets. */
  public static final String SUBSCRIPTIONS = "parley.gateway.subscriptions";
  /** Gauge: rooms with an event-bus consumer on this node (at least one local subscriber). */
  public static final String ROOMS = "parley.gateway.rooms";
  /** Gauge: room events held by this node's room channels and not yet written (gaps, replays). */
  public static final String FANOUT_QUEUED = "parley.gateway.fanout.queued.events";
  /** Gauge: bytes written to sockets and not yet taken by the kernel (the queues behind 4008). */
  public static final String SOCKET_PENDING = "parley.gateway.socket.pending.bytes";
  /** Counter: sockets closed with 4008 because they did not read what they were sent. */
  public static final String SLOW_CLOSES = "parley.gateway.slow.closes";
  public static final String UPGRADES_REFUSED = "parley.gateway.upgrades.refused";
  public static final String SEND_PRESSURE_REFUSALS = "parley.gateway.sends.refused";
  public static final String SENDS_IN_FLIGHT = "parley.gateway.sends.in.flight";
  /** Counter: room events handed to sockets by the fan-out (one per socket and event). */
  public static final String DELIVERIES = "parley.gateway.deliveries";
  /** Counter: stored events written to sockets by replays (subscribe with since_seq). */
  public static final String REPLAYED = "parley.gateway.replayed.events";
  /** Counter: messages stored (each committed send once; retries of a stored send are not counted). */
  public static final String MESSAGES_STORED = "parley.messages.stored";
  /** Timer: a send's receipt at persistence to its commit, for stored sends. */
  public static final String SEND_LATENCY = "parley.send.latency";
  /** Distribution summary: sends per group commit (statement and commit). */
  public static final String SEND_BATCH = "parley.send.batch.size";
  /** Counter: sends refused with MESSAGE_LIMIT_EXCEEDED (daily quota). */
  public static final String QUOTA_REFUSALS = "parley.quota.refusals";
  /** Counter: sends refused with OVERLOADED (the send pipeline was behind: admission control). */
  public static final String OVERLOAD_REFUSALS = "parley.send.overload.refusals";
  /** Counter, tag {@code limit}: requests and sends refused by a rate limit. */
  public static final String RATE_LIMIT_REFUSALS = "parley.rate.limit.refusals";
  /** Gauge: mail in the outbox not sent yet (pending or being sent), cluster-wide. */
  public static final String OUTBOX_PENDING = "parley.mail.outbox.pending";
  /** Gauge: mail in the outbox given up on after its last attempt, cluster-wide. */
  public static final String OUTBOX_FAILED = "parley.mail.outbox.failed";
  /** Gauge: 1 while this node's persistence finds its database unreachable (requests answer UNAVAILABLE), else 0. */
  public static final String DATABASE_UNAVAILABLE = "parley.database.unavailable";
  /** Counter, tag {@code status} (online, offline): presence transitions announced. */
  public static final String PRESENCE_TRANSITIONS = "parley.presence.transitions";

  /** Buckets of the send latency histogram (its {@code le} labels). */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};
  /** Buckets of the group-commit batch size histogram. */
  static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;
  private final Counter messagesStored;
  private final Timer sendLatency;
  private final DistributionSummary sendBatch;
  private final Counter quotaRefusals;
  private final Counter overloadRefusals;
  private final Counter deliveries;
  private final Counter replayed;
  private final Counter online;
  private final Counter offline;
  private final Map<String, Counter> rateLimits = new ConcurrentHashMap<>();
  private final java.util.List<Supplier<Number>> held = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Meters(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
    this.registry = registry;
    this.prometheus = prometheus;
    messagesStored = Counter.builder(MESSAGES_STORED).description("Messages stored (committed sends)").register(registry);
    sendLatency = Timer.builder(SEND_LATENCY)
        .description("From a send's receipt at persistence to its commit (the ack follows at once)")
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    sendBatch = DistributionSummary.builder(SEND_BATCH).description("Sends stored per group commit")
        .serviceLevelObjectives(BATCH_BUCKETS).register(registry);
    quotaRefusals = Counter.builder(QUOTA_REFUSALS).description("Sends refused over the daily message limit")
        .register(registry);
    overloadRefusals = Counter.builder(OVERLOAD_REFUSALS).description("Sends refused because the send pipeline was behind")
        .register(registry);
    deliveries = Counter.builder(DELIVERIES).description("Room events handed to sockets by the fan-out").register(registry);
    replayed = Counter.builder(REPLAYED).description("Stored events written to sockets by replays").register(registry);
    online = transitions("online");
    offline = transitions("offline");
  }

  private Counter transitions(String status) {
    return Counter.builder(PRESENCE_TRANSITIONS).description("Presence transitions announced").tag("status", status)
        .register(registry);
  }

  /** Meters recording into {@code registry}, the node's (its Prometheus registry when it is one). */
  public static Meters over(MeterRegistry registry) {
    return new Meters(registry, registry instanceof PrometheusMeterRegistry p ? p : null);
  }

  /** Makes {@code meters} the node's meters, found by {@link #of(Vertx)}; before any verticle deploys. */
  public static void install(Vertx vertx, Meters meters) {
    vertx.sharedData().<String, Meters>getLocalMap(LOCAL_MAP).put("meters", meters);
  }

  /** The node's meters; meters that record nothing when the node has no metrics. */
  public static Meters of(Vertx vertx) {
    Meters m = vertx.sharedData().<String, Meters>getLocalMap(LOCAL_MAP).get("meters");
    return m == null ? NOOP : m;
  }

  /**
   * Counts a refusal by the rate limit {@code limit} (e.g. {@code anonymous}, {@code user},
   * {@code send}, {@code login}) on the node of the calling Vert.x thread; nothing off a Vert.x
   * thread.
   */
  public static void rateLimitRefused(String limit) {
    Context context = Vertx.currentContext();
    if (context != null) {
      of(context.owner()).rateLimitRefusals(limit).increment();
    }
  }

  /** Counts a refusal by the rate limit {@code limit} on {@code vertx}'s node. */
  public static void rateLimitRefused(Vertx vertx, String limit) {
    of(vertx).rateLimitRefusals(limit).increment();
  }

  /** The counter of refusals by the rate limit {@code limit} (one series per limit name: keep names few and fixed). */
  public Counter rateLimitRefusals(String limit) {
    return rateLimits.computeIfAbsent(limit, l -> Counter.builder(RATE_LIMIT_REFUSALS)
        .description("Requests and sends refused by a rate limit").tag("limit", l).register(registry));
  }

  /** Whether these meters are scraped (false: they record nothing). */
  public boolean enabled() {
    return prometheus != null;
  }

  /** The node's registry (Vert.x's, the JVM's and Parley's meters). */
  public MeterRegistry registry() {
    return registry;
  }

  /** The node's Prometheus registry, for {@code /metrics}; empty without metrics. */
  public Optional<PrometheusMeterRegistry> prometheus() {
    return Optional.ofNullable(prometheus);
  }

  /** Counts each committed send once ({@value #MESSAGES_STORED}). */
  public Counter messagesStored() {
    return messagesStored;
  }

  /** A stored send's receipt at persistence to its commit ({@value #SEND_LATENCY}). */
  public Timer sendLatency() {
    return sendLatency;
  }

  /** Sends per group commit ({@value #SEND_BATCH}). */
  public DistributionSummary sendBatch() {
    return sendBatch;
  }

  /** Sends refused because the send pipeline was behind ({@value #OVERLOAD_REFUSALS}). */
  public Counter overloadRefusals() {
    return overloadRefusals;
  }

  /** Sends refused over the daily message limit ({@value #QUOTA_REFUSALS}). */
  public Counter quotaRefusals() {
    return quotaRefusals;
  }

  /** Room events handed to sockets by the fan-out ({@value #DELIVERIES}). */
  public Counter deliveries() {
    return deliveries;
  }

  /** Stored events written to sockets by replays ({@value #REPLAYED}). */
  public Counter replayed() {
    return replayed;
  }

  /** The counter of presence transitions to {@code online} (true) or {@code offline}. */
  public Counter presenceTransitions(boolean toOnline) {
    return toOnline ? online : offline;
  }

  /** Registers a gauge read at scrape time from {@code value} (kept strongly: it lives as long as the node). */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).strongReference(true).register(registry);
  }

  /** Registers a counter whose total is read at scrape time from {@code total} (a monotonic count kept elsewhere). */
  public void functionCounter(String name, String description, Supplier<Number> total) {
    held.add(total); // Micrometer keeps only a weak reference
    FunctionCounter.builder(name, total, t -> t.get().doubleValue()).description(description).register(registry);
  }
}
