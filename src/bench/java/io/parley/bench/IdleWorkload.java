package io.parley.bench;

import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The idle workload of {@link LoadGenerator}: {@code --sockets} sockets of {@code --users}
 * distinct users opened at most {@code --connect-parallel} at once (the connection storm), then
 * held: reports the storm's cost, the server's resident memory per socket and the server side's
 * CPU while nothing is sent ({@code --settle S}, {@code --idle-measure S}, {@code --hold S}).
 */
final class IdleWorkload {
  private final LoadGenerator gen;

  IdleWorkload(LoadGenerator gen) {
    this.gen = gen;
  }

  /** Opens and holds the sockets; one result with the storm's cost, memory per socket and the idle CPU. */
  JsonObject run() throws Exception {
    int sockets = gen.intOpt("sockets", 10_000);
    int distinctUsers = Math.min(sockets, gen.intOpt("users", 100));
    long pid = Long.parseLong(gen.opt.getOrDefault("server-pid", "0"));
    List<JsonObject> users = gen.parallel(distinctUsers, 16, gen::user);
    List<URI> urls = gen.wsUrls();
    long rssBefore = LoadGenerator.rssKb(pid);
    long start = System.nanoTime();
    ServerCost storm = new ServerCost(pid, gen.opt.containsKey("profile") ? gen.opt.get("profile") + "-storm" : null);
    storm.start();
    List<WebSocket> open = gen.parallel(sockets, gen.intOpt("connect-parallel", 256), k -> gen.connect(urls.get(k % urls.size()), users.get(k % distinctUsers).getString("token"), t -> { }));
    double connectS = (System.nanoTime() - start) / 1e9;
    storm.stop();
    Thread.sleep(TimeUnit.SECONDS.toMillis(gen.intOpt("settle", 2))); // --settle S before reading memory and idle CPU
    long rssAfter = LoadGenerator.rssKb(pid);
    // --idle-measure S: the server side's CPU with every socket open and nothing sent
    ServerCost idle = new ServerCost(pid);
    idle.start();
    Thread.sleep(TimeUnit.SECONDS.toMillis(gen.intOpt("idle-measure", 10)));
    idle.stop();
    JsonObject result = new JsonObject().put("workload", "idle").put("label", gen.opt.getOrDefault("label", ""))
        .put("sockets", sockets).put("users", distinctUsers).put("connect_all_s", connectS)
        .put("connect_parallel", gen.intOpt("connect-parallel", 256)).put("upgrade_refusals", gen.upgradeRefusals.get())
        .put("server_rss_kb_before", rssBefore).put("server_rss_kb_after", rssAfter)
        .put("rss_kb_per_socket", rssBefore > 0 ? (rssAfter - rssBefore) / (double) sockets : -1)
        .put("connect_cost", storm.report(0, 0)).put("idle_cost", idle.report(0, 0));
    Thread.sleep(TimeUnit.SECONDS.toMillis(gen.intOpt("hold", 0))); // --hold S: keep them open to inspect the server
    open.forEach(WebSocket::close);
    return result;
  }
}
