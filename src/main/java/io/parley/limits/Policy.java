package io.parley.limits;

/**
 * One rate-limit policy, enforced with GCRA (the generic cell rate algorithm, ITU-T I.371; as
 * described for rate limiting by Brandur Leach, "Rate limiting, cells, and GCRA", and used by
 * redis-cell): {@code quota} requests per {@code windowS} seconds in the long run, one every
 * {@link #emissionMs()} ms, with up to {@code burst} of them at once after a quiet time.
 *
 * <p>So "100 per hour, burst 100" allows 100 requests at once, then one more every 36 s: it never
 * allows more than {@code burst + quota} in any one window. A key's only state is its theoretical
 * arrival time (TAT), kept by {@link RateLimiter}'s script.
 *
 * <p>On the wire (draft-ietf-httpapi-ratelimit-headers-11) the policy is
 * {@code "name";q=quota;w=windowS}, with {@code parley-burst} when the burst differs from the quota.
 *
 * @param name the policy's name in headers and Redis keys: {@code anon}, {@code user}, {@code send}
 * @param quota requests per window, at least 1
 * @param windowS the window, seconds, at least 1
 * @param burst requests allowed at once, at least 1
 */
public record Policy(String name, int quota, long windowS, int burst) {
  public Policy {
    if (quota < 1 || windowS < 1 || burst < 1) {
      throw new IllegalArgumentException("policy " + name + ": quota, window and burst must be positive");
    }
  }

  /** The policy "quota per window", bursting up to the quota; null when {@code quota} is 0 or less (off). */
  public static Policy of(String name, int quota, long windowS) {
    return quota <= 0 ? null : new Policy(name, quota, windowS, quota);
  }

  /** The emission interval T: ms between two requests in the long run ({@code windowS * 1000 / quota}, at least 1). */
  public long emissionMs() {
    return Math.max(1, windowS * 1000 / quota);
  }

  /** This policy as an Item of the {@code RateLimit-Policy} field, e.g. {@code "send";q=60;w=60;parley-burst=20}. */
  public String item() {
    String item = "\"" + name + "\";q=" + quota + ";w=" + windowS;
    return burst == quota ? item : item + ";parley-burst=" + burst;
  }
}
