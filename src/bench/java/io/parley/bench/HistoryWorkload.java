package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The history workload of {@link LoadGenerator}: concurrent {@code GET /rooms/{id}/messages}
 * pages of one seeded room, closed loop; with {@code --seed-only true} it only seeds the room and
 * names the request for an external HTTP load tool ({@code bench/run.sh} drives wrk with it).
 */
final class HistoryWorkload {
  private final LoadGenerator gen;

  HistoryWorkload(LoadGenerator gen) {
    this.gen = gen;
  }

  /** Seeds a room ({@code --seed} messages), then {@code --clients} loops read its newest page for {@code --duration} s. */
  JsonObject run() throws Exception {
    JsonObject owner = gen.user(0).await();
    String token = owner.getString("token");
    long roomId = gen.call(HttpMethod.POST, "/rooms", token, new JsonObject().put("name", "history " + gen.run)).await().getLong("id");
    gen.parallel(gen.intOpt("seed", 500), 16, i -> gen.call(HttpMethod.POST, "/rooms/" + roomId + "/messages", token,
        new JsonObject().put("body", "history message " + i)));
    if (Boolean.parseBoolean(gen.opt.getOrDefault("seed-only", "false"))) {
      // for an external HTTP load tool (bench/run.sh drives wrk with these)
      return new JsonObject().put("workload", "history-seed").put("room_id", roomId).put("token", token)
          .put("path", "/api/v1/rooms/" + roomId + "/messages?limit=50");
    }
    int clients = gen.intOpt("clients", 64);
    int duration = gen.intOpt("duration", 10);
    Histogram hist = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(duration);
    List<Future<Void>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Promise<Void> finished = Promise.promise();
      loops.add(finished.future());
      gen.vertx.runOnContext(v -> loop(roomId, token, end, hist, done, failed, finished));
    }
    Future.all(loops).await();
    return new JsonObject().put("workload", "history").put("label", gen.opt.getOrDefault("label", ""))
        .put("clients", clients).put("duration_s", duration).put("requests", done.get()).put("errors", failed.get())
        .put("requests_per_s", done.get() / (double) duration).put("latency_ms", Results.latency(hist));
  }

  private void loop(long roomId, String token, long end, Histogram hist, AtomicLong done, AtomicLong failed,
                           Promise<Void> finished) {
    if (System.nanoTime() >= end) {
      finished.tryComplete();
      return;
    }
    long start = System.nanoTime();
    gen.call(HttpMethod.GET, "/rooms/" + roomId + "/messages?limit=50", token, null).onComplete(ar -> {
      if (ar.succeeded()) {
        synchronized (hist) {
          hist.recordValue(Math.min(hist.getHighestTrackableValue(), System.nanoTime() - start));
        }
        done.incrementAndGet();
      } else {
        failed.incrementAndGet();
      }
      loop(roomId, token, end, hist, done, failed, finished);
    });
  }
}
