package io.parley.gateway;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.limits.Policy;
import io.parley.limits.RateLimiter;
import io.parley.limits.Verdict;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The {@code send} rate limit of WebSocket {@code message.send} frames: the same policy and Redis
 * keys as HTTP sends ({@code limits.sends_per_minute}, {@code limits.sends_burst}), so both
 * transports and every node share one budget per user. A refused send fails with
 * {@code RATE_LIMITED} and {@code details.retry_after_ms}; the socket stays open. When Redis does
 * not answer, sends go ahead (fail open).
 */
final class SendLimit {
  private final RateLimiter limiter;
  private final Policy policy;

  SendLimit(RateLimiter limiter) {
    this.limiter = limiter;
    this.policy = limiter.limits().send();
  }

  /** Counts one send of {@code userId}; completes on {@code context}: allowed, or failed with RATE_LIMITED. */
  Future<Void> check(long userId, Context context) {
    if (policy == null) {
      return Future.succeededFuture();
    }
    Future<Verdict> verdict = limiter.check(List.of(new RateLimiter.Bucket(policy, Long.toString(userId))));
    return Future.fromCompletionStage(verdict.toCompletionStage(), context).compose(v -> {
      if (v.allowed()) {
        return Future.succeededFuture();
      }
      io.parley.metrics.Meters.rateLimitRefused(context.owner(), policy.name());
      return Future.failedFuture(new ParleyException(ErrorCode.RATE_LIMITED, "too many messages; try again in "
          + v.retryAfterMs() + " ms", new JsonObject().put("retry_after_ms", v.retryAfterMs())
          .put("retry_after_s", v.retryAfterS()).put("policies", new JsonArray().add(policy.name()))));
    });
  }
}
