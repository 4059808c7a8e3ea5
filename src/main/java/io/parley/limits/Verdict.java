package io.parley.limits;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The answer of one {@link RateLimiter#check}: allowed or not, how long to wait, and each checked
 * policy's state, ready for the header fields of draft-ietf-httpapi-ratelimit-headers-11
 * (https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/11/).
 *
 * @param allowed whether the request may go ahead (it was counted against every policy)
 * @param retryAfterMs when refused, ms until every policy would allow it; 0 when allowed
 * @param states one per checked policy, in the order asked; empty when nothing was checked or
 *     Redis could not be asked (failing open: allowed, and no header is sent)
 */
public record Verdict(boolean allowed, long retryAfterMs, List<State> states) {
  /** Allowed without a check: no policy applies, or Redis is unreachable (limits fail open). */
  public static final Verdict UNCHECKED = new Verdict(true, 0, List.of());

  /**
   * One policy's service limit after the check.
   *
   * @param remaining requests allowed right now under the policy ({@code r})
   * @param windowMs ms within which no more than {@code remaining} can be used: until the next
   *     request is freed ({@code t}, rounded up to seconds on the wire)
   */
  public record State(Policy policy, long remaining, long windowMs) {}

  /** {@code retryAfterMs} in whole seconds, rounded up (at least 1 when refused), for {@code Retry-After}. */
  public long retryAfterS() {
    return allowed ? 0 : Math.max(1, (retryAfterMs + 999) / 1000);
  }

  /** The {@code RateLimit-Policy} field value, e.g. {@code "user";q=1000;w=3600}; null when no state. */
  public String policyField() {
    return states.isEmpty() ? null : states.stream().map(s -> s.policy().item()).collect(Collectors.joining(", "));
  }

  /**
   * The {@code RateLimit} field value, e.g. {@code "user";r=998;t=4}; null when no state. When
   * refused, {@code t} of an exhausted policy is the {@code Retry-After} value, so that
   * Retry-After never points before the end of the effective window (the draft's section 6).
   */
  public String limitField() {
    return states.isEmpty() ? null : states.stream()
        .map(s -> "\"" + s.policy().name() + "\";r=" + s.remaining() + ";t=" + (s.windowMs() + 999) / 1000)
        .collect(Collectors.joining(", "));
  }
}
