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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

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
  final Map<String, String> opt;
  final Vertx vertx;
  private final WebClient http;
  private final WebSocketClient ws;
  /** This run's id: part of every user name, room name and client_msg_id it makes. */
  final String run = UUID.randomUUID().toString().substring(0, 6);

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
        System.out.println(Results.summary(result));
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
      case "fanout", "baseline" -> new FanoutWorkload(this).run(workload.equals("baseline"), intOpt("rooms", 10), intOpt("members", 100), false);
      case "one-to-one" -> new FanoutWorkload(this).run(false, intOpt("rooms", 500), 2, true);
      case "history" -> List.of(new HistoryWorkload(this).run());
      case "idle" -> List.of(new IdleWorkload(this).run());
      default -> throw new IllegalArgumentException("unknown workload " + workload);
    };
  }

  // ---- helpers -----------------------------------------------------------------------------

  int intOpt(String key, int fallback) {
    return Integer.parseInt(opt.getOrDefault(key, String.valueOf(fallback)));
  }

  private URI api() {
    return URI.create(opt.getOrDefault("api", "http://127.0.0.1:8080"));
  }

  List<URI> wsUrls() {
    List<URI> out = new ArrayList<>();
    for (String u : opt.getOrDefault("ws", "ws://127.0.0.1:8081/ws").split(",")) {
      out.add(URI.create(u.trim()));
    }
    return out;
  }

  Future<JsonObject> call(HttpMethod method, String path, String token, JsonObject body) {
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
  <T> List<T> parallel(int n, int parallel, Function<Integer, Future<T>> task) {
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
  Future<JsonObject> user(int i) {
    String name = "b" + run + "_" + i;
    JsonObject reg = new JsonObject().put("email", name + "@bench.test").put("username", name).put("password", "benchmark");
    return call(HttpMethod.POST, "/auth/register", null, reg)
        .compose(u -> call(HttpMethod.POST, "/auth/login", null, new JsonObject().put("email", reg.getString("email"))
            .put("password", "benchmark")))
        .map(l -> new JsonObject().put("id", l.getJsonObject("user").getLong("id")).put("token", l.getString("access_token")));
  }

  /** Upgrades refused with 503 (the gateway's connection admission) and tried again. */
  final AtomicLong upgradeRefusals = new AtomicLong();

  /** Opens a socket; an upgrade refused with 503 OVERLOADED is tried again after its retry_after_ms (+ up to 10 %). */
  Future<WebSocket> connect(URI url, String token, java.util.function.Consumer<String> onText) {
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

  static long rssKb(long pid) {
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
}
