package io.parley.bench;

import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The fan-out workload of {@link LoadGenerator} (also one-to-one, cross-node and the raw
 * baseline): one sender per room (both sides of a conversation, alternating), open loop on the
 * total rate; every delivery is counted per message, so each step reports latency (send to
 * delivery, HdrHistogram), losses, duplicates, refusals ({@code OVERLOADED}) and, with
 * {@code --server-pid}, the server side's cost ({@link ServerCost}).
 */
final class FanoutWorkload {
  private final LoadGenerator gen;

  FanoutWorkload(LoadGenerator gen) {
    this.gen = gen;
  }

  /** A room of the run: its id, its members' sockets, and how often each message arrived. */
  private static final class Room {
    long id;
    final List<WebSocket> sockets = new ArrayList<>();
    volatile AtomicIntegerArray received;
    final AtomicLong nextIndex = new AtomicLong();
  }

  /**
   * Sets up {@code roomCount} rooms of {@code members} (conversations of two with {@code oneToOne};
   * numbered rooms of the raw server with {@code baseline}), subscribes every member, then sends at
   * each rate of {@code --rates}; one result per measured step.
   */
  List<JsonObject> run(boolean baseline, int roomCount, int members, boolean oneToOne) throws Exception {
    List<URI> urls = gen.wsUrls();
    long pid = Long.parseLong(gen.opt.getOrDefault("server-pid", "0"));
    List<Room> rooms = new ArrayList<>();
    Map<Long, Room> byId = new HashMap<>();
    List<JsonObject> users = new ArrayList<>();
    long setupStart = System.nanoTime();
    if (!baseline) {
      users = gen.parallel(roomCount * members, 16, gen::user);
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
      List<JsonObject> convs = gen.parallel(roomCount, 16, r -> gen.call(HttpMethod.POST, "/conversations",
          u.get(2 * r).getString("token"), new JsonObject().put("user_id", u.get(2 * r + 1).getLong("id"))));
      for (int r = 0; r < roomCount; r++) {
        rooms.get(r).id = convs.get(r).getLong("id");
      }
    } else {
      List<JsonObject> u = users;
      List<JsonObject> made = gen.parallel(roomCount, 8, r -> gen.call(HttpMethod.POST, "/rooms", u.get(r * members).getString("token"),
          new JsonObject().put("name", "bench " + gen.run + " " + r)));
      for (int r = 0; r < roomCount; r++) {
        rooms.get(r).id = made.get(r).getLong("id");
      }
      gen.parallel(roomCount * (members - 1), 16, k -> {
        int r = k / (members - 1);
        int m = k % (members - 1) + 1;
        return gen.call(HttpMethod.POST, "/rooms/" + rooms.get(r).id + "/join", u.get(r * members + m).getString("token"), new JsonObject());
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
    long rssBefore = LoadGenerator.rssKb(pid);
    List<JsonObject> u = users;
    gen.parallel(roomCount * members, 64, k -> {
      Room room = rooms.get(k / members);
      URI url = urls.get(k % urls.size());
      String token = baseline ? null : u.get(k).getString("token");
      return gen.connect(url, token, onText).compose(socket -> {
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
    long rssAfter = LoadGenerator.rssKb(pid);
    double setupS = (System.nanoTime() - setupStart) / 1e9;

    List<JsonObject> results = new ArrayList<>();
    // --profile PATH: each step recorded with JFR's profile settings, kept as PATH-<step>.jfr
    ServerCost cost = new ServerCost(pid, gen.opt.get("profile"));
    // --warmup S: first S seconds at the first rate, not measured (JIT, the login storm settling)
    String[] rates = gen.opt.getOrDefault("rates", gen.opt.getOrDefault("rate", "100")).split(",");
    record Step(double rate, int duration, boolean measured) {}
    List<Step> steps = new ArrayList<>();
    if (gen.intOpt("warmup", 0) > 0) {
      steps.add(new Step(Double.parseDouble(rates[0].trim()), gen.intOpt("warmup", 0), false));
    }
    for (String r : rates) {
      steps.add(new Step(Double.parseDouble(r.trim()), gen.intOpt("duration", 10), true));
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
      long timer = gen.vertx.setPeriodic(1, t -> {
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
          sender.writeTextMessage("{\"type\":\"message.send\",\"room_id\":" + room.id + ",\"client_msg_id\":\"" + gen.run + "-"
              + room.id + "-" + step + "-" + index + "\",\"body\":\"t=" + System.nanoTime() + ";i=" + index + "\"}");
        }
      });
      sending.future().await();
      gen.vertx.cancelTimer(timer);
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
            .put("label", gen.opt.getOrDefault("label", ""))
            .put("rooms", roomCount).put("members", members).put("nodes", urls.size())
            .put("rate", rate).put("duration_s", duration)
            .put("sent", sentCount).put("acks", acks.get()).put("send_errors", errors.get()).put("refused", refused.get())
            .put("expected_deliveries", expected).put("delivered", delivered.get())
            .put("lost", lost).put("duplicates", dups).put("resyncs", resyncs.get())
            .put("messages_per_s", sentCount / (double) duration)
            .put("deliveries_per_s", delivered.get() / Math.max(elapsed, duration))
            .put("latency_ms", Results.latency(hist))
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
}
