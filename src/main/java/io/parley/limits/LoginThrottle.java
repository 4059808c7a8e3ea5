package io.parley.limits;

import io.parley.redis.LuaScript;
import io.vertx.core.Future;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Failed-login counting against password guessing, cluster-wide in Redis, in a sliding window of
 * {@link Limits.Login#windowS()}, built so that it cannot be turned against an account's owner:
 *
 * <ul>
 *   <li>per client address: at most {@code perIp} failures, then 429 for that address;
 *   <li>per account and client address: at most {@code perClient} failures, then that client
 *       gets a cool-down on that account (429 with {@code Retry-After}); the owner, coming from
 *       another address, is not locked out;
 *   <li>per account, over all clients: once it has {@code slowAfter} failures in the window,
 *       every further attempt is delayed (100 ms doubling per failure, at most
 *       {@value #MAX_DELAY_MS} ms) before its password is checked: distributed guessing slows
 *       down, the owner's correct password still gets in.
 * </ul>
 *
 * <p>Each key is a sorted set of failures (member: the attempt's id, score: Redis {@code TIME}
 * in ms), trimmed to the window and to the most its limit needs, with an expiry of one window
 * set in the same script. 0 turns a limit off. When Redis is unreachable the throttle fails open
 * (every attempt goes ahead at once), like every limit.
 */
public final class LoginThrottle {
  /** Longest delay of one attempt on an account under attack. */
  public static final long MAX_DELAY_MS = 3000;

  /**
   * KEYS client, ip, account; ARGV perClient, perIp, slowAfter, windowMs, member → {wait ms, the
   * account's failures before this one}. A wait above 0 refuses the attempt (nothing recorded);
   * otherwise it is recorded at once as a failure in every key whose limit is on.
   */
  static final LuaScript ATTEMPT = LuaScript.of("""
      if redis.replicate_commands then redis.replicate_commands() end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local window = tonumber(ARGV[4])
      local caps = {tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]) + 16}
      local wait = 0
      for i = 1, 3 do
        redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
      end
      for i = 1, 2 do
        local n = redis.call('ZCARD', KEYS[i])
        if caps[i] > 0 and n >= caps[i] then
          local oldest = redis.call('ZRANGE', KEYS[i], n - caps[i], n - caps[i], 'WITHSCORES')
          wait = math.max(wait, tonumber(oldest[2]) + window - now, 1)
        end
      end
      if wait > 0 then return {wait, 0} end
      local failures = redis.call('ZCARD', KEYS[3])
      for i = 1, 3 do
        if caps[i] > 0 and (i < 3 or tonumber(ARGV[3]) > 0) then
          redis.call('ZADD', KEYS[i], now, ARGV[5])
          redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -caps[i] - 1)
          redis.call('PEXPIRE', KEYS[i], window)
        end
      end
      return {0, failures}
      """);

  /** KEYS client, ip, account; ARGV member: the attempt was right (forget the account's failures). */
  static final LuaScript SUCCEEDED = LuaScript.of("""
      redis.call('DEL', KEYS[1], KEYS[3])
      redis.call('ZREM', KEYS[2], ARGV[1])
      return 0
      """);

  /**
   * What to do with an attempt: refuse it ({@code retryAfterS} > 0) or check it after
   * {@code delayMs}; {@code attempt} identifies it for {@link #succeeded}.
   */
  public record Decision(long retryAfterS, long delayMs, String attempt) {}

  private final RateLimiter limiter;
  private final Limits.Login login;

  /** A throttle counting in {@code limiter}'s Redis, with its {@link Limits#login()} limits. */
  public LoginThrottle(RateLimiter limiter) {
    this.limiter = limiter;
    this.login = limiter.limits().login();
  }

  /**
   * Decides an attempt on {@code email} from {@code ip}. When it may go ahead it is counted at
   * once as a failure (so concurrent guesses cannot all pass the check); {@link #succeeded} takes
   * it back. Never fails.
   */
  public Future<Decision> tryAttempt(String email, String ip) {
    String attempt = UUID.randomUUID().toString();
    Decision open = new Decision(0, 0, attempt);
    if (!login.on()) {
      return Future.succeededFuture(open);
    }
    return limiter.eval(ATTEMPT, keys(email, ip), login.perClient(), login.perIp(), login.slowAfter(),
            login.windowS() * 1000, attempt)
        .map(r -> {
          long waitMs = r.get(0).toLong();
          if (waitMs > 0) {
            return new Decision((waitMs + 999) / 1000, 0, attempt);
          }
          long failures = r.get(1).toLong();
          long delay = login.slowAfter() <= 0 || failures < login.slowAfter() ? 0
              : Math.min(MAX_DELAY_MS, 100L << Math.min(10, failures - login.slowAfter()));
          return new Decision(0, delay, attempt);
        })
        .otherwise(open);
  }

  /** The attempt was right: forget the account's and this client's failures, and give the address its attempt back. */
  public Future<Void> succeeded(String email, String ip, Decision decision) {
    if (!login.on()) {
      return Future.succeededFuture();
    }
    return limiter.eval(SUCCEEDED, keys(email, ip), decision.attempt()).<Void>mapEmpty().otherwiseEmpty();
  }

  private List<String> keys(String email, String ip) {
    String account = email.toLowerCase(Locale.ROOT);
    return List.of(limiter.key("login-client", account + "|" + ip), limiter.key("login-ip", ip),
        limiter.key("login-account", account));
  }
}
