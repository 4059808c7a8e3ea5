package io.parley.limits;

import io.vertx.core.json.JsonObject;

/**
 * Every limit of Parley, named once with its defaults (the {@code limits} config section); callers
 * never spell a policy's numbers. A policy is null when its limit is 0 (off).
 *
 * @param anonymous HTTP requests without a valid access token, per client address
 *     ({@code anonymous_per_hour}, default 100 an hour)
 * @param user HTTP requests with a valid access token, per user ({@code user_per_hour}, 1000 an hour)
 * @param send message sends over HTTP and WebSocket together, per user ({@code sends_per_minute}
 *     60 a minute, {@code sends_burst} 20 at once)
 * @param login failed logins ({@code login_*}; see {@link LoginThrottle})
 * @param redisUrl the Redis of the limits (resolved by the node: {@code redis_url}, else presence's)
 * @param keyPrefix prefix of every key the limiters write ({@code key_prefix})
 * @param timeoutMs longest wait for Redis per check before failing open ({@code redis_timeout_ms})
 */
public record Limits(Policy anonymous, Policy user, Policy send, Login login, String redisUrl, String keyPrefix,
                     long timeoutMs) {
  /**
   * The failed-login limits (0 turns one off), counted over {@code windowS} seconds.
   *
   * @param perClient failures per account from one client address before that client's cool-down
   * @param perIp failures per client address (all accounts) before 429
   * @param slowAfter failures per account (all addresses) after which each attempt is delayed
   */
  public record Login(int perClient, int perIp, int slowAfter, long windowS) {
    boolean on() {
      return perClient > 0 || perIp > 0 || slowAfter > 0;
    }
  }

  /** The limits of a {@code limits} config section (defaults for missing keys). */
  public static Limits from(JsonObject cfg) {
    Policy send = null;
    int perMinute = cfg.getInteger("sends_per_minute", 60);
    if (perMinute > 0) {
      send = new Policy("send", perMinute, 60, Math.max(1, cfg.getInteger("sends_burst", 20)));
    }
    return new Limits(
        Policy.of("anon", cfg.getInteger("anonymous_per_hour", 100), 3600),
        Policy.of("user", cfg.getInteger("user_per_hour", 1000), 3600),
        send,
        new Login(cfg.getInteger("login_failures_per_account", 5), cfg.getInteger("login_failures_per_ip", 30),
            cfg.getInteger("login_slowdown_after", 10), Math.max(1, cfg.getLong("login_window_s", 900L))),
        cfg.getString("redis_url", ""),
        cfg.getString("key_prefix", "parley:limits:"),
        Math.max(10, cfg.getLong("redis_timeout_ms", 250L)));
  }

  /** Whether any limit is on (otherwise no Redis is used at all). */
  public boolean anyOn() {
    return anonymous != null || user != null || send != null || login.on();
  }
}
