package io.parley.api;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed-login counting against password guessing, in a sliding window, built so that it cannot
 * be turned against an account's owner:
 *
 * <ul>
 *   <li>per client IP: at most {@code maxPerIp} failures, then 429 for that address;
 *   <li>per account and client IP: at most {@code maxPerClient} failures, then that client gets
 *       a cool-down on that account (429 with {@code Retry-After}); the owner, coming from
 *       another address, is not locked out;
 *   <li>per account, over all clients: once it has {@code slowAfter} failures in the window,
 *       every further attempt is delayed (100 ms doubling per failure, at most
 *       {@value #MAX_DELAY_MS} ms) before its password is checked: distributed guessing slows
 *       down, the owner's correct password still gets in.
 * </ul>
 *
 * One per node, shared by the API verticle instances; not cluster-wide (a guesser spreading
 * attempts over N nodes gets N times the allowance) until Redis is in.
 */
final class LoginThrottle implements Shareable {
  /** Longest delay of one attempt on an account under attack. */
  static final long MAX_DELAY_MS = 3000;

  /** What to do with an attempt: refuse it ({@code retryAfterS} > 0) or check it after {@code delayMs}. */
  record Decision(long retryAfterS, long delayMs) {}

  private final int maxPerClient;
  private final int maxPerIp;
  private final int slowAfter;
  private final long windowMs;
  private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

  private LoginThrottle(int maxPerClient, int maxPerIp, int slowAfter, long windowMs) {
    this.maxPerClient = maxPerClient;
    this.maxPerIp = maxPerIp;
    this.slowAfter = slowAfter;
    this.windowMs = windowMs;
  }

  /**
   * The node's throttle (made by the first API instance to ask).
   *
   * @param maxPerClient failures allowed per account and client IP in the window
   * @param maxPerIp failures allowed per client IP in the window
   * @param slowAfter failures of an account (all clients) after which its attempts are delayed
   */
  static LoginThrottle of(Vertx vertx, int maxPerClient, int maxPerIp, int slowAfter, long windowS) {
    LocalMap<String, LoginThrottle> map = vertx.sharedData().getLocalMap("parley.api");
    LoginThrottle fresh = new LoginThrottle(maxPerClient, maxPerIp, slowAfter, windowS * 1000);
    LoginThrottle existing = map.putIfAbsent("login-throttle", fresh);
    return existing == null ? fresh : existing;
  }

  /**
   * Decides an attempt. When it may go ahead it is counted at once as a failure (so concurrent
   * guesses cannot all pass the check); {@link #succeeded} takes it back.
   */
  synchronized Decision tryAttempt(String email, String ip) {
    long now = System.currentTimeMillis();
    String account = "a:" + email.toLowerCase();
    String client = "c:" + email.toLowerCase() + "|" + ip;
    String address = "i:" + ip;
    long wait = Math.max(wait(client, maxPerClient, now), wait(address, maxPerIp, now));
    if (wait > 0) {
      return new Decision(wait, 0);
    }
    int accountFailures = count(account, now);
    record(account, now);
    record(client, now);
    record(address, now);
    long delay = accountFailures < slowAfter ? 0 : Math.min(MAX_DELAY_MS, 100L << Math.min(10, accountFailures - slowAfter));
    return new Decision(0, delay);
  }

  /** The attempt was right: forget the account's and this client's failures, and give the IP its attempt back. */
  synchronized void succeeded(String email, String ip) {
    failures.remove("a:" + email.toLowerCase());
    failures.remove("c:" + email.toLowerCase() + "|" + ip);
    Deque<Long> times = failures.get("i:" + ip);
    if (times != null) {
      times.pollLast();
      if (times.isEmpty()) {
        failures.remove("i:" + ip);
      }
    }
  }

  /** Seconds until {@code key} is below {@code max} failures again; 0 when it is now. */
  private long wait(String key, int max, long now) {
    Deque<Long> times = expire(key, now);
    if (times == null || times.size() < max) {
      return 0;
    }
    return Math.max(1, (times.peekFirst() + windowMs - now + 999) / 1000);
  }

  private int count(String key, long now) {
    Deque<Long> times = expire(key, now);
    return times == null ? 0 : times.size();
  }

  /** The key's failures within the window (older ones dropped; an empty key removed), or null. */
  private Deque<Long> expire(String key, long now) {
    Deque<Long> times = failures.get(key);
    if (times == null) {
      return null;
    }
    while (!times.isEmpty() && times.peekFirst() <= now - windowMs) {
      times.pollFirst();
    }
    if (times.isEmpty()) {
      failures.remove(key); // keys do not pile up
      return null;
    }
    return times;
  }

  private void record(String key, long now) {
    failures.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(now);
  }
}
