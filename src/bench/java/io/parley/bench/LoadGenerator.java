package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Parley's load generator: speaks the real HTTP API and WebSocket protocol against running
 * nodes, on loopback only, and always stops by itself.
 *
 * <pre>
 * java -cp target/parley-bench.jar io.parley.bench.LoadGenerator --workload fanout \
 *   --api http://127.0.0.1:8080 --ws ws://127.0.0.1:8081/ws --rooms 10 --members 100 \
 *   --rates 500,1000,2000 --duration 15 --warmup 10 --server-pid 1234
 * </pre>
 *
 * Workloads: {@code fanout} (rooms × members, one sender per room, open-loop total rate; with
 * two {@code --ws} URLs the members alternate between nodes), {@code one-to-one} (conversations
 * of two, both sides sending), {@code history} (concurrent {@code GET /rooms/{id}/messages}),
 * {@code idle} (sockets held), and {@code baseline} (the fan-out against
 * {@link BaselineServer}). {@code --warmup S} first sends S seconds at the first rate without
 * measuring (JIT compilation, the login storm). Each run prints one JSON line (prefixed {@code RESULT }) and a human
 * summary. Latencies are measured end to end, send to delivery, in this JVM
 * ({@code System.nanoTime} in the message body), with HdrHistogram. With {@code --server-pid}
 * each step also reports what the server side spent ({@link ServerCost}: CPU of Parley,
 * PostgreSQL and Redis per stored message and per delivery, bytes allocated per message); the
 * idle workload ({@code --users N} distinct users, {@code --settle S}, {@code --idle-measure S}, {@code --connect-parallel N} upgrades at once)
 * reports the connection storm's cost and the server side's CPU while the sockets sit idle.
 */
public final class LoadGenerator {
  private final Map<String, String> opt;
  private final Vertx vertx;
  private final WebClient http;
  private final WebSocketClient ws;
  private final String run = UUID.randomUUID().toString().substring(0, 6);

  private LoadGenerator(Map<String, String> opt) {
    this.opt = opt;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(intOpt("loops", 2)));
    this.http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(200_000)
        .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    for (String key : List.of("api", "ws")) {
      for (String url : opt.getOrDefault(key, "").split(",")) {
        if (!url.isBlank() && !InetAddress.getByName(URI.create(url).getHost()).isLoopbackAddress()) {
          throw new IllegalArgumentException("the load generator only targets loopback addresses, not " + url);
        }
      }
    }
    LoadGenerator gen = new LoadGenerator(opt);
    int code = 0;
    try {
      for (JsonObject result : gen.runWorkload()) {
        System.out.println("RESULT " + result.encode());
        System.out.println(summary(result));
      }
    } catch (Exception e) {
      System.err.println("load generator failed: " + e);
      code = 1;
    } finally {
      gen.vertx.close().await();
    }
    System.exit(code);
  }

  /** Runs the configured workload; one result per rate. Public for the smoke test. */
  public static List<JsonObject> run(Map<String, String> options) throws Exception {
    LoadGenerator gen = new LoadGenerator(options);
    try {
      return gen.runWorkload();
    } finally {
      gen.vertx.close().await();
    }
  }

  private List<JsonObject> runWorkload() throws Exception {
    String workload = opt.getOrDefault("workload", "fanout");
    return switch (workload) {
      case "fanout", "baseline" -> fanout(workload.equals("baseline"), intOpt("rooms", 10), intOpt("members", 100), false);
      case "one-to-one" -> fanout(false, intOpt("rooms", 500), 2, true);
      case "history" -> List.of(history());
      case "idle" -> List.of(idle());
      default -> throw new IllegalArgumentException("unknown workload " + workload);
    };
  }

  // ---- helpers -----------------------------------------------------------------------------

  private int intOpt(String key, int fallback) {
    return Integer.parseInt(opt.getOrDefault(key, String.valueOf(fallback)));
  }

  private URI api() {
    return URI.create(opt.getOrDefault("api", "http://127.0.0.1:8080"));
  }

  private List<URI> wsUrls() {
    List<URI> out = new ArrayList<>();
    for (String u : opt.getOrDefault("ws", "ws://127.0.0.1:8081/ws").split(",")) {
      out.add(URI.create(u.trim()));
    }
    return out;
  }

  private Future<JsonObject> call(HttpMethod method, String path, String token, JsonObject body) {
    URI api = api();
    var req = http.request(method, api.getPort(), api.getHost(), "/api/v1" + path).timeout(30_000);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    Future<HttpResponse<Buffer>> sent = body == null ? req.send() : req.sendJsonObject(body);
    return sent.compose(r -> r.statusCode() < 300
        ? Future.succeededFuture(r.bodyAsBuffer() == null || r.bodyAsBuffer().length() == 0 ? new JsonObject() : r.bodyAsJsonObject())
        : Future.failedFuture(method + " " + path + " answered " + r.statusCode() + " " + r.bodyAsString()));
  }

  /** Runs {@code task(i)} for i in [0, n) with at most {@code parallel} at once. */
  private <T> List<T> parallel(int n, int parallel, Function<Integer, Future<T>> task) {
    List<T> results = new ArrayList<>(java.util.Collections.nCopies(n, null));
    AtomicLong next = new AtomicLong();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(parallel, n); w++) {
      Promise<Void> done = Promise.promise();
      workers.add(done.future());
      vertx.runOnContext(v -> step(next, n, task, results, done));
    }
    Future.all(workers).await();
    return results;
  }

  private <T> void step(AtomicLong next, int n, Function<Integer, Future<T>> task, List<T> results, Promise<Void> done) {
    int i = (int) next.getAndIncrement();
    if (i >= n) {
      done.tryComplete();
      return;
    }
    task.apply(i).onSuccess(r -> {
      synchronized (results) {
        results.set(i, r);
      }
      step(next, n, task, results, done);
    }).onFailure(done::tryFail);
  }

  /** Registers (e-mail verification must be off on the server) and logs in; returns {id, token}. */
  private Future<JsonObject> user(int i) {
    String name = "b" + run + "_" + i;
    JsonObject reg = new JsonObject().put("email", name + "@bench.test").put("username", name).put("password", "benchmark");
    return call(HttpMethod.POST, "/auth/register", null, reg)
        .compose(u -> call(HttpMethod.POST, "/auth/login", null, new JsonObject().put("email", reg.getString("email"))
            .put("password", "benchmark")))
        .map(l -> new JsonObject().put("id", l.getJsonObject("user").getLong("id")).put("token", l.getString("access_token")));
  }

  /** Upgrades refused with 503 (the gateway's connection admission) and tried again. */
  private final AtomicLong upgradeRefusals = new AtomicLong();

  /** Opens a socket; an upgrade refused with 503 OVERLOADED is tried again after its retry_after_ms (+ up to 10 %). */
  private Future<WebSocket> connect(URI url, String token, java.util.function.Consumer<String> onText) {
    String path = url.getPath() + (token == null ? "" : "?token=" + token);
    var socket = ws.webSocket();
    socket.textMessageHandler(onText::accept);
    return socket.connect(new WebSocketConnectOptions().setHost(url.getHost()).setPort(url.getPort()).setURI(path))
        .<WebSocket>map(v -> socket)
        .recover(err -> {
          if (!(err instanceof io.vertx.core.http.UpgradeRejectedException rejected) || rejected.getStatus() != 503) {
            return Future.failedFuture(err);
          }
          upgradeRefusals.incrementAndGet();
          long waitMs = 1000;
          try {
            waitMs = rejected.getBody().toJsonObject().getJsonObject("details").getLong("retry_after_ms");
          } catch (RuntimeException e) {
            // no problem body: a second
          }
          Promise<WebSocket> again = Promise.promise();
          vertx.setTimer(Math.max(1, waitMs + java.util.concurrent.ThreadLocalRandom.current().nextLong(waitMs / 10 + 1)),
              t -> connect(url, token, onText).onComplete(again));
          return again.future();
        });
  }

  private static long rssKb(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }

  private static JsonObject latency(Histogram h) {
    return new JsonObject()
        .put("p50", h.getValueAtPercentile(50) / 1e6)
        .put("p90", h.getValueAtPercentile(90) / 1e6)
        .put("p99", h.getValueAtPercentile(99) / 1e6)
        .put("p999", h.getValueAtPercentile(99.9) / 1e6)
        .put("max", h.getMaxValue() / 1e6);
  }

  private static long parseLongAfter(String s, String marker, int from) {
    int i = s.indexOf(marker, from);
    if (i < 0) {
      return -1;
    }
    i += marker.length();
    long v = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      v = v * 10 + (s.charAt(i++) - '0');
    }
    return v;
  }

  // ---- fan-out (also one-to-one and baseline) ---------------------------------------------

  /** A room of the run: its id, its members' sockets, and how often each message arrived. */
  private static final class Room {
    long id;
    final List<WebSocket> sockets = new ArrayList<>();
    volatile AtomicIntegerArray received;
    final AtomicLong nextIndex = new AtomicLong();
  }

  private List<JsonObject> fanout(boolean baseline, int roomCount, int members, boolean oneToOne) throws Exception {
    List<URI> urls = wsUrls();
    long pid = Long.parseLong(opt.getOrDefault("server-pid", "0"));
    List<Room> rooms = new ArrayList<>();
    Map<Long, Room> byId = new HashMap<>();
    List<JsonObject> users = new ArrayList<>();
    long setupStart = System.nanoTime();
    if (!baseline) {
      users = parallel(roomCount * members, 16, this::user);
    }
    for (int r = 0; r < roomCount; r++) {
      Room room = new Room();
      rooms.add(room);
    }
    if (baseline) {
      for (int r = 0; r < roomCount; r++) {
        rooms.get(r).id = r + 1;
      }
    } else if (oneToOne) {
      List<JsonObject> u = users;
      List<JsonObject> convs = parallel(roomCount, 16, r -> call(HttpMethod.POST, "/conversations",
          u.get(2 * r).getString("token"), new JsonObject().put("user_id", u.get(2 * r + 1).getLong("id"))));
      for (int r = 0; r < roomCount; r++) {
        rooms.get(r).id = convs.get(r).getLong("id");
      }
    } else {
      List<JsonObject> u = users;
      List<JsonObject> made = parallel(roomCount, 8, r -> call(HttpMethod.POST, "/rooms", u.get(r * members).getString("token"),
          new JsonObject().put("name", "bench " + run + " " + r)));
      for (int r = 0; r < roomCount; r++) {
        rooms.get(r).id = made.get(r).getLong("id");
      }
      parallel(roomCount * (members - 1), 16, k -> {
        int r = k / (members - 1);
        int m = k % (members - 1) + 1;
        return call(HttpMethod.POST, "/rooms/" + rooms.get(r).id + "/join", u.get(r * members + m).getString("token"), new JsonObject());
      });
    }
    rooms.forEach(r -> byId.put(r.id, r));

    Histogram hist = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    AtomicLong delivered = new AtomicLong();
    AtomicLong acks = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong resyncs = new AtomicLong(); // resync_required: the gateway could not replay a gap; a client reads history
    java.util.function.Consumer<String> onText = text -> {
      if (text.startsWith("{\"type\":\"message.created\"")) {
        long now = System.nanoTime();
        long roomId = parseLongAfter(text, "\"room_id\":", 0);
        int b = text.indexOf("\"body\":\"t=");
        if (b < 0) {
          return;
        }
        long sentAt = parseLongAfter(text, "t=", b);
        long index = parseLongAfter(text, ";i=", b);
        Room room = byId.get(roomId);
        if (room != null && room.received != null && index >= 0 && index < room.received.length()) {
          room.received.incrementAndGet((int) index);
        }
        synchronized (hist) {
          hist.recordValue(Math.min(hist.getHighestTrackableValue(), Math.max(0, now - sentAt)));
        }
        delivered.incrementAndGet();
      } else if (text.startsWith("{\"type\":\"resync_required\"")) {
        resyncs.incrementAndGet();
      } else if (text.startsWith("{\"type\":\"message.ack\"")) {
        acks.incrementAndGet();
      } else if (text.startsWith("{\"type\":\"error\"")) {
        errors.incrementAndGet();
        if (text.contains("\"code\":\"OVERLOADED\"")) {
          refused.incrementAndGet(); // admission control: not stored, never delivered
        }
      }
    };

    // sockets: every member subscribes to its room
    long rssBefore = rssKb(pid);
    List<JsonObject> u = users;
    parallel(roomCount * members, 64, k -> {
      Room room = rooms.get(k / members);
      URI url = urls.get(k % urls.size());
      String token = baseline ? null : u.get(k).getString("token");
      return connect(url, token, onText).compose(socket -> {
        synchronized (room.sockets) {
          room.sockets.add(socket);
        }
        Promise<Void> subscribed = Promise.promise();
        socket.textMessageHandler(t -> {
          if (t.startsWith("{\"type\":\"subscribed\"")) {
            subscribed.tryComplete();
          } else if (t.startsWith("{\"type\":\"error\"")) {
            subscribed.tryFail(t);
          }
          onText.accept(t);
        });
        socket.writeTextMessage(new JsonObject().put("type", "subscribe").put("room_id", room.id).encode());
        return subscribed.future().timeout(30, TimeUnit.SECONDS).map(socket);
      });
    });
    long rssAfter = rssKb(pid);
    double setupS = (System.nanoTime() - setupStart) / 1e9;

    List<JsonObject> results = new ArrayList<>();
    // --profile PATH: each step recorded with JFR's profile settings, kept as PATH-<step>.jfr
    ServerCost cost = new ServerCost(pid, opt.get("profile"));
    // --warmup S: first S seconds at the first rate, not measured (JIT, the login storm settling)
    String[] rates = opt.getOrDefault("rates", opt.getOrDefault("rate", "100")).split(",");
    record Step(double rate, int duration, boolean measured) {}
    List<Step> steps = new ArrayList<>();
    if (intOpt("warmup", 0) > 0) {
      steps.add(new Step(Double.parseDouble(rates[0].trim()), intOpt("warmup", 0), false));
    }
    for (String r : rates) {
      steps.add(new Step(Double.parseDouble(r.trim()), intOpt("duration", 10), true));
    }
    for (int stepNo = 0; stepNo < steps.size(); stepNo++) {
      double rate = steps.get(stepNo).rate();
      int duration = steps.get(stepNo).duration();
      boolean measured = steps.get(stepNo).measured();
      int step = stepNo; // part of every client_msg_id: a repeated id would be an idempotent retry
      hist.reset();
      delivered.set(0);
      acks.set(0);
      refused.set(0);
      errors.set(0);
      resyncs.set(0);
      int perRoom = (int) Math.ceil(rate * duration / roomCount) + 16;
      for (Room room : rooms) {
        room.received = new AtomicIntegerArray(perRoom);
        room.nextIndex.set(0);
      }
      // one sender per room (for conversations: both sides, alternating), open loop on the total rate
      AtomicLong sent = new AtomicLong();
      cost.start();
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(duration);
      Promise<Void> sending = Promise.promise();
      long timer = vertx.setPeriodic(1, t -> {
        long now = System.nanoTime();
        if (now >= end) {
          sending.tryComplete();
          return;
        }
        long due = (long) ((now - start) / 1e9 * rate);
        while (sent.get() < due) {
          long n = sent.getAndIncrement();
          Room room = rooms.get((int) (n % roomCount));
          long index = room.nextIndex.getAndIncrement();
          if (index >= perRoom) {
            continue;
          }
          WebSocket sender = room.sockets.get(oneToOne ? (int) (index % room.sockets.size()) : 0);
          sender.writeTextMessage("{\"type\":\"message.send\",\"room_id\":" + room.id + ",\"client_msg_id\":\"" + run + "-"
              + room.id + "-" + step + "-" + index + "\",\"body\":\"t=" + System.nanoTime() + ";i=" + index + "\"}");
        }
      });
      sending.future().await();
      vertx.cancelTimer(timer);
      long sentCount = sent.get();
      long expected = (sentCount - refused.get()) * members; // refused sends (OVERLOADED) are never delivered
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (delivered.get() < expected && System.nanoTime() < waitUntil) {
        Thread.sleep(20); // draining what is in flight, bounded
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      cost.stop();
      long lost = 0;
      long dups = 0;
      long unseen = 0; // sends no member received: refused ones, or lost whole
      for (Room room : rooms) {
        long sentHere = Math.min(room.nextIndex.get(), perRoom);
        for (int i = 0; i < sentHere; i++) {
          int c = room.received.get(i);
          if (c == 0) {
            unseen++;
          } else if (c < members) {
            lost += members - c;
          } else if (c > members) {
            dups += c - members;
          }
        }
      }
      lost += Math.max(0, unseen - refused.get()) * members; // beyond the refused ones, a send no one got is lost
      JsonObject result;
      synchronized (hist) {
        result = new JsonObject()
            .put("workload", baseline ? "baseline" : oneToOne ? "one-to-one" : urls.size() > 1 ? "cross-node" : "fanout")
            .put("label", opt.getOrDefault("label", ""))
            .put("rooms", roomCount).put("members", members).put("nodes", urls.size())
            .put("rate", rate).put("duration_s", duration)
            .put("sent", sentCount).put("acks", acks.get()).put("send_errors", errors.get()).put("refused", refused.get())
            .put("expected_deliveries", expected).put("delivered", delivered.get())
            .put("lost", lost).put("duplicates", dups).put("resyncs", resyncs.get())
            .put("messages_per_s", sentCount / (double) duration)
            .put("deliveries_per_s", delivered.get() / Math.max(elapsed, duration))
            .put("latency_ms", latency(hist))
            .put("setup_s", setupS)
            .put("cost", cost.report(acks.get(), delivered.get()))
            .put("server_rss_kb_before_sockets", rssBefore).put("server_rss_kb_after_sockets", rssAfter);
      }
      if (measured) {
        results.add(result);
      }
    }
    for (Room room : rooms) {
      room.sockets.forEach(WebSocket::close);
    }
    return results;
  }

  // ---- history -----------------------------------------------------------------------------

  private JsonObject history() throws Exception {
    JsonObject owner = user(0).await();
    String token = owner.getString("token");
    long roomId = call(HttpMethod.POST, "/rooms", token, new JsonObject().put("name", "history " + run)).await().getLong("id");
    parallel(intOpt("seed", 500), 16, i -> call(HttpMethod.POST, "/rooms/" + roomId + "/messages", token,
        new JsonObject().put("body", "history message " + i)));
    if (Boolean.parseBoolean(opt.getOrDefault("seed-only", "false"))) {
      // for an external HTTP load tool (bench/run.sh drives wrk with these)
      return new JsonObject().put("workload", "history-seed").put("room_id", roomId).put("token", token)
          .put("path", "/api/v1/rooms/" + roomId + "/messages?limit=50");
    }
    int clients = intOpt("clients", 64);
    int duration = intOpt("duration", 10);
    Histogram hist = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(duration);
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Promise<Void> finished = Promise.promise();
      loops.add(finished.future());
      vertx.runOnContext(v -> historyLoop(roomId, token, end, hist, done, failed, finished));
    }
    Future.all(loops).await();
    return new JsonObject().put("workload", "history").put("label", opt.getOrDefault("label", ""))
        .put("clients", clients).put("duration_s", duration).put("requests", done.get()).put("errors", failed.get())
        .put("requests_per_s", done.get() / (double) duration).put("latency_ms", latency(hist));
  }

  private void historyLoop(long roomId, String token, long end, Histogram hist, AtomicLong done, AtomicLong failed,
                           Promise<Void> finished) {
    if (System.nanoTime() >= end) {
      finished.tryComplete();
      return;
    }
    long start = System.nanoTime();
    call(HttpMethod.GET, "/rooms/" + roomId + "/messages?limit=50", token, null).onComplete(ar -> {
      if (ar.succeeded()) {
        synchronized (hist) {
          hist.recordValue(Math.min(hist.getHighestTrackableValue(), System.nanoTime() - start));
        }
        done.incrementAndGet();
      } else {
        failed.incrementAndGet();
      }
      historyLoop(roomId, token, end, hist, done, failed, finished);
    });
  }

  // ---- idle sockets ------------------------------------------------------------------------

  private JsonObject idle() throws Exception {
    int sockets = intOpt("sockets", 10_000);
    int distinctUsers = Math.min(sockets, intOpt("users", 100));
    long pid = Long.parseLong(opt.getOrDefault("server-pid", "0"));
    List<JsonObject> users = parallel(distinctUsers, 16, this::user);
    List<URI> urls = wsUrls();
    long rssBefore = rssKb(pid);
    long start = System.nanoTime();
    ServerCost storm = new ServerCost(pid, opt.containsKey("profile") ? opt.get("profile") + "-storm" : null);
    storm.start();
    List<WebSocket> open = parallel(sockets, intOpt("connect-parallel", 256), k -> connect(urls.get(k % urls.size()), users.get(k % distinctUsers).getString("token"), t -> { }));
    double connectS = (System.nanoTime() - start) / 1e9;
    storm.stop();
    Thread.sleep(TimeUnit.SECONDS.toMillis(intOpt("settle", 2))); // --settle S before reading memory and idle CPU
    long rssAfter = rssKb(pid);
    // --idle-measure S: the server side's CPU with every socket open and nothing sent
    ServerCost idle = new ServerCost(pid);
    idle.start();
    Thread.sleep(TimeUnit.SECONDS.toMillis(intOpt("idle-measure", 10)));
    idle.stop();
    JsonObject result = new JsonObject().put("workload", "idle").put("label", opt.getOrDefault("label", ""))
        .put("sockets", sockets).put("users", distinctUsers).put("connect_all_s", connectS)
        .put("connect_parallel", intOpt("connect-parallel", 256)).put("upgrade_refusals", upgradeRefusals.get())
        .put("server_rss_kb_before", rssBefore).put("server_rss_kb_after", rssAfter)
        .put("rss_kb_per_socket", rssBefore > 0 ? (rssAfter - rssBefore) / (double) sockets : -1)
        .put("connect_cost", storm.report(0, 0)).put("idle_cost", idle.report(0, 0));
    Thread.sleep(TimeUnit.SECONDS.toMillis(intOpt("hold", 0))); // --hold S: keep them open to inspect the server
    open.forEach(WebSocket::close);
    return result;
  }

  private static String costSummary(JsonObject c) {
    if (c == null || c.isEmpty()) {
      return "";
    }
    return String.format(", server CPU %.0f %% of a core, %s µs/message, %s µs/delivery, %s B allocated/message",
        c.getDouble("server_cpu_share") * 100, round(c.getValue("cpu_us_per_message")), round(c.getValue("cpu_us_per_delivery")),
        round(c.getValue("alloc_bytes_per_message")));
  }

  private static String round(Object v) {
    return v instanceof Number n ? String.format("%.1f", n.doubleValue()) : "-";
  }

  static String summary(JsonObject r) {
    JsonObject l = r.getJsonObject("latency_ms");
    return switch (r.getString("workload")) {
      case "history-seed" -> "history: seeded room " + r.getLong("room_id") + ", GET " + r.getString("path");
      case "history" -> String.format("history: %d clients, %.0f req/s, p50 %.2f ms, p99 %.2f ms, errors %d",
          r.getInteger("clients"), r.getDouble("requests_per_s"), l.getDouble("p50"), l.getDouble("p99"), r.getLong("errors"));
      case "idle" -> String.format("idle: %d sockets in %.1f s, RSS %d → %d kB (%.2f kB per socket), idle server CPU %s",
          r.getInteger("sockets"), r.getDouble("connect_all_s"), r.getLong("server_rss_kb_before"),
          r.getLong("server_rss_kb_after"), r.getDouble("rss_kb_per_socket"),
          r.getJsonObject("idle_cost").getValue("server_cpu_share"));
      default -> String.format("%s %dx%d @ %.0f msg/s: %.0f deliveries/s, p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f ms, "
              + "lost %d, dup %d, acks %d, errors %d",
          r.getString("workload"), r.getInteger("rooms"), r.getInteger("members"), r.getDouble("rate"),
          r.getDouble("deliveries_per_s"), l.getDouble("p50"), l.getDouble("p90"), l.getDouble("p99"), l.getDouble("p999"),
          l.getDouble("max"), r.getLong("lost"), r.getLong("duplicates"), r.getLong("acks"), r.getLong("send_errors"))
          + costSummary(r.getJsonObject("cost"));
    };
  }
}
