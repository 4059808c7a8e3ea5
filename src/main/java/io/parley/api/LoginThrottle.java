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

  /** Seconds until the next attempt is allowed, or 0 when it is allowed now. */
  long retryAfterS(String email, String ip) {
    long now = System.currentTimeMillis();
    return Math.max(wait("a:" + email.toLowerCase(), maxPerAccount, now), wait("i:" + ip, maxPerIp, now));
  }

  void failed(String email, String ip) {
    long now = System.currentTimeMillis();
    record("a:" + email.toLowerCase(), now);
    record("i:" + ip, now);
  }

  void succeeded(String email) {
    failures.remove("a:" + email.toLowerCase());
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
