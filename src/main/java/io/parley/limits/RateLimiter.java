package io.parley.limits;

import io.parley.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cluster-wide rate limits in Redis: every node's limiter counts into the same keys, so two nodes
 * share one budget. One check is one Redis round trip: a single Lua script ({@link #GCRA}) decides
 * all the policies of a request at once, with Redis's {@code TIME} as the clock (no clock skew
 * between nodes) and an expiry ({@code PX}) on every key it writes, in the same script.
 *
 * <p>Never fails and never blocks: when Redis does not answer within {@link Limits#timeoutMs()}
 * the check answers {@link Verdict#UNCHECKED} (fail open) and {@link LimiterHealth} marks the
 * node's limits degraded. Each verticle instance holds its own limiter with one Redis connection
 * of its own; the gateway's is called from the event loop of each socket, so the limiter is
 * thread-safe. Checks are pipelined on the connection (sent without waiting for earlier answers)
 * and Redis runs them in the order they were made, so a socket's sends are counted in order; no
 * check crosses the event bus. A connection that fails or times out is closed and the next check
 * opens another. With every limit off ({@link Limits#anyOn()} false) no Redis client is made.
 */
public final class RateLimiter {
  /**
   * GCRA over several policies. KEYS: one per policy; ARGV: emission interval T (ms) and burst of
   * each, in the same order. A key holds the theoretical arrival time (TAT, epoch ms). A request
   * is allowed when, for every key, {@code max(TAT, now) + T - burst * T <= now}; then every TAT
   * moves to {@code max(TAT, now) + T} and expires when it is reached (nothing else is written).
   * Returns {allowed 1/0, retry-after ms, then per key: remaining, ms until one more is free}.
   */
  static final LuaScript GCRA = LuaScript.of("""
      if redis.replicate_commands then redis.replicate_commands() end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local tats, allowed, retry = {}, 1, 0
      for i = 1, #KEYS do
        local T, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
        local tat = math.max(tonumber(redis.call('GET', KEYS[i]) or 0) or 0, now)
        tats[i] = tat
        local wait = tat + T - burst * T - now
        if wait > 0 then
          allowed = 0
          retry = math.max(retry, wait)
        end
      end
      local out = {allowed, retry}
      for i = 1, #KEYS do
        local T, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
        local tat = tats[i]
        if allowed == 1 then
          tat = tat + T
          redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', string.format('%.0f', tat - now))
        end
        local remaining = math.max(0, math.floor((now + burst * T - tat) / T))
        out[#out + 1] = remaining
        out[#out + 1] = math.max(0, tat - now - (burst - remaining - 1) * T)
      end
      return out
      """);

  /** One policy applied to one partition, e.g. {@code user} for user 42. */
  public record Bucket(Policy policy, String id) {}

  private final Limits limits;
  private final LimiterHealth health;
  private final Redis redis;
  /**
   * The pipelined connection, opened on first use (and again after a failure); null when none.
   * Atomic: the gateway's limiter is called from the event loop of each socket, and two first
   * checks opening a connection each would leave one waiting on the pool of one until it timed
   * out, failing open and marking the node's limits degraded.
   */
  private final AtomicReference<Future<RedisConnection>> connection = new AtomicReference<>();

  private RateLimiter(Limits limits, LimiterHealth health, Redis redis) {
    this.limits = limits;
    this.health = health;
    this.redis = redis;
  }

  /** A limiter with its own Redis client at {@link Limits#redisUrl()} (none when every limit is off). */
  public static RateLimiter create(Vertx vertx, Limits limits) {
    Redis redis = null;
    if (limits.anyOn()) {
      int connectTimeout = (int) Math.max(100, limits.timeoutMs());
      redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(limits.redisUrl())
          .setNetClientOptions(new NetClientOptions().setConnectTimeout(connectTimeout).setTcpNoDelay(true).setTcpKeepAlive(true))
          .setMaxPoolSize(1).setMaxWaitingHandlers(4096).setPoolName("parley-limits"));
    }
    return new RateLimiter(limits, LimiterHealth.of(vertx), redis);
  }

  public Limits limits() {
    return limits;
  }

  /**
   * Checks and counts one request against {@code buckets} (null policies, i.e. limits that are
   * off, are left out): allowed only when every policy allows it, and then counted in all of
   * them; a refused request counts nowhere. Never fails.
   */
  public Future<Verdict> check(List<Bucket> buckets) {
    List<Bucket> on = buckets.stream().filter(b -> b.policy() != null).toList();
    if (on.isEmpty() || redis == null) {
      return Future.succeededFuture(Verdict.UNCHECKED);
    }
    List<String> keys = new ArrayList<>(on.size());
    Object[] args = new Object[on.size() * 2];
    for (int i = 0; i < on.size(); i++) {
      Policy p = on.get(i).policy();
      keys.add(key(p.name(), on.get(i).id()));
      args[2 * i] = p.emissionMs();
      args[2 * i + 1] = p.burst();
    }
    return eval(GCRA, keys, args).map(r -> verdict(on, r)).otherwise(Verdict.UNCHECKED);
  }

  private static Verdict verdict(List<Bucket> on, Response r) {
    List<Verdict.State> states = new ArrayList<>(on.size());
    for (int i = 0; i < on.size(); i++) {
      states.add(new Verdict.State(on.get(i).policy(), r.get(2 + 2 * i).toLong(), r.get(3 + 2 * i).toLong()));
    }
    boolean allowed = r.get(0).toLong() == 1;
    return new Verdict(allowed, allowed ? 0 : r.get(1).toLong(), List.copyOf(states));
  }

  /** The Redis key of a policy's partition, e.g. {@code parley:limits:user:42}. */
  String key(String policy, String id) {
    return limits.keyPrefix() + policy + ":" + id;
  }

  /**
   * Runs a script by its SHA1 (the text once more, with {@code EVAL}, when Redis does not know it),
   * within the timeout; fails at once while Redis is known to be unreachable (but for one probe a
   * second), and keeps {@link LimiterHealth} up to date.
   */
  Future<Response> eval(LuaScript script, List<String> keys, Object... args) {
    if (redis == null) {
      return Future.failedFuture("no limits are on");
    }
    if (health.skip()) {
      return Future.failedFuture("Redis unreachable");
    }
    Request call = script.call(keys, args);
    return send(call)
        .recover(err -> LuaScript.unknown(err) ? send(script.callWithText(keys, args)) : Future.failedFuture(err))
        .andThen(ar -> {
          if (ar.succeeded() || !isUnreachable(ar.cause())) {
            health.reached();
          } else {
            health.unreachable(ar.cause());
          }
        });
  }

  /**
   * Sends one command on the limiter's connection (opening it when there is none), failing after
   * {@link Limits#timeoutMs()}; a failure of the connection itself (not an error answer) closes
   * it, so the next command opens a fresh one.
   */
  private Future<Response> send(Request request) {
    Future<RedisConnection> current = connection();
    return current.compose(c -> c.send(request))
        .timeout(limits.timeoutMs(), TimeUnit.MILLISECONDS)
        .onFailure(err -> {
          if (isUnreachable(err)) {
            forget(current);
          }
        });
  }

  /** The limiter's connection: the one being opened or open, else a new one (only one caller opens it). */
  private Future<RedisConnection> connection() {
    Future<RedisConnection> current = connection.get();
    if (current != null) {
      return current;
    }
    Promise<RedisConnection> opening = Promise.promise();
    if (!connection.compareAndSet(null, opening.future())) {
      Future<RedisConnection> other = connection.get(); // another caller's, unless already forgotten
      return other != null ? other : connection();
    }
    redis.connect().onComplete(opening);
    opening.future().onSuccess(c -> {
      c.exceptionHandler(err -> forget(opening.future()));
      c.endHandler(v -> forget(opening.future()));
    });
    return opening.future();
  }

  /** Drops {@code failed} as the limiter's connection (if it still is) and closes it. */
  private void forget(Future<RedisConnection> failed) {
    connection.compareAndSet(failed, null);
    failed.onSuccess(RedisConnection::close);
  }

  /** A failure of Redis itself (connection, timeout) rather than an error answer of a script. */
  private static boolean isUnreachable(Throwable err) {
    return !(err instanceof io.vertx.redis.client.impl.types.ErrorType);
  }

  /**
   * The state of the limits for readiness: {@code OFF} (no limit on), {@code UP} (Redis answers a
   * PING within the timeout) or {@code DEGRADED} (it does not: limits fail open). Never fails.
   */
  public Future<String> status() {
    if (redis == null) {
      return Future.succeededFuture("OFF");
    }
    return send(Request.cmd(Command.PING))
        .andThen(ar -> {
          if (ar.succeeded()) {
            health.reached();
          } else {
            health.unreachable(ar.cause());
          }
        })
        .map("UP").otherwise("DEGRADED");
  }

  /** Closes the connection and the Redis client. */
  public void close() {
    Future<RedisConnection> current = connection.get();
    if (current != null) {
      forget(current);
    }
    if (redis != null) {
      redis.close();
    }
  }
}
