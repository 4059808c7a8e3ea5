package io.parley.api;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed-login counting against password guessing, per account (e-mail) and per client IP, in a
 * sliding window. One per node, shared by the API verticle instances; it is not cluster-wide
 * (a guesser spreading attempts over N nodes gets N times the allowance) until Redis is in.
 */
final class LoginThrottle implements Shareable {
  private final int maxPerAccount;
  private final int maxPerIp;
  private final long windowMs;
  private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

  private LoginThrottle(int maxPerAccount, int maxPerIp, long windowMs) {
    this.maxPerAccount = maxPerAccount;
    this.maxPerIp = maxPerIp;
    this.windowMs = windowMs;
  }

  static LoginThrottle of(Vertx vertx, int maxPerAccount, int maxPerIp, long windowS) {
    LocalMap<String, LoginThrottle> map = vertx.sharedData().getLocalMap("parley.api");
    LoginThrottle fresh = new LoginThrottle(maxPerAccount, maxPerIp, windowS * 1000);
    LoginThrottle existing = map.putIfAbsent("login-throttle", fresh);
    return existing == null ? fresh : existing;
  }

  /**
   * Seconds until the next attempt is allowed, or 0 when it is allowed now, in which case the
   * attempt is counted at once as a failure (so concurrent guesses cannot all pass the check);
   * {@link #succeeded} takes it back.
   */
  synchronized long tryAttempt(String email, String ip) {
    long now = System.currentTimeMillis();
    long wait = Math.max(wait("a:" + email.toLowerCase(), maxPerAccount, now), wait("i:" + ip, maxPerIp, now));
    if (wait == 0) {
      record("a:" + email.toLowerCase(), now);
      record("i:" + ip, now);
    }
    return wait;
  }

  /** The attempt was right: forget the account's failures and give the IP its attempt back. */
  synchronized void succeeded(String email, String ip) {
    failures.remove("a:" + email.toLowerCase());
    Deque<Long> times = failures.get("i:" + ip);
    if (times != null) {
      times.pollLast();
      if (times.isEmpty()) {
        failures.remove("i:" + ip);
      }
    }
  }

  private long wait(String key, int max, long now) {
    Deque<Long> times = failures.get(key);
    if (times == null) {
      return 0;
    }
    synchronized (times) {
      while (!times.isEmpty() && times.peekFirst() <= now - windowMs) {
        times.pollFirst();
      }
      if (times.isEmpty()) {
        failures.remove(key); // keys do not pile up
        return 0;
      }
      if (times.size() < max) {
        return 0;
      }
      return Math.max(1, (times.peekFirst() + windowMs - now + 999) / 1000);
    }
  }

  private void record(String key, long now) {
    Deque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      times.addLast(now);
    }
  }
}
