package io.parley.api;

import io.parley.auth.AccessTokens;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.limits.ClientAddress;
import io.parley.limits.Limits;
import io.parley.limits.RateLimiter;
import io.parley.limits.Verdict;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rate limits of {@code /api/v1}, checked before routing, validation and authentication (so
 * malformed and unauthenticated requests count too) in one Redis round trip:
 *
 * <ul>
 *   <li>a request with a valid access token counts against its user's {@code user} policy; any
 *       other against its client address's {@code anon} policy ({@link ClientAddress}: the
 *       trusted-proxy rule);
 *   <li>a message send ({@code POST /rooms/{id}/messages}) also against the user's {@code send}
 *       policy, which WebSocket sends share;
 *   <li>Stripe's webhook ({@code POST /billing/webhook}) is not limited; neither are media fetched
 *       without a token by their signed or avatar URL (a page of images would spend an address's
 *       anonymous budget; each URL authorizes itself), nor anything outside {@code /api/v1}
 *       (health, the contract, Swagger UI, the web client).
 * </ul>
 *
 * Every checked response carries {@code RateLimit-Policy} and {@code RateLimit}
 * (draft-ietf-httpapi-ratelimit-headers-11); a refused one is 429 {@code RATE_LIMITED} with
 * {@code Retry-After} (whole seconds, rounded up) and {@code details} {@code retry_after_s},
 * {@code retry_after_ms} and {@code policies} (the exhausted ones). When Redis does not answer
 * the request goes ahead without headers (fail open).
 */
final class HttpLimits {
  /** Routing-context key of the client's address (after the trusted-proxy rule). */
  static final String CLIENT_IP = "client_ip";
  private static final Pattern SEND = Pattern.compile("/api/v1/rooms/[^/]+/messages/?");
  private static final String WEBHOOK = "/api/v1/billing/webhook";
  /** Media fetched by signed URL or avatar URL: {@code <img>} and {@code <audio>} send no token, each is authorized by its URL. */
  private static final Pattern MEDIA = Pattern.compile("/api/v1/(attachments/\\d{1,19}/(content|thumbnail)|users/\\d{1,19}/avatar/\\d{1,19})");

  private final RateLimiter limiter;
  private final AccessTokens tokens;
  private final ClientAddress addresses;
  private final Limits limits;

  HttpLimits(RateLimiter limiter, AccessTokens tokens, ClientAddress addresses) {
    this.limiter = limiter;
    this.tokens = tokens;
    this.addresses = addresses;
    this.limits = limiter.limits();
  }

  /** The client's address of a request (after the trusted-proxy rule), as the limits and the login throttle see it. */
  static String clientIp(RoutingContext rc) {
    String ip = rc.get(CLIENT_IP);
    return ip != null ? ip : rc.request().remoteAddress() == null ? "unknown" : rc.request().remoteAddress().hostAddress();
  }

  /** The handler of every request: notes the client's address ({@link #clientIp}). */
  void noteClient(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    rc.put(CLIENT_IP, addresses.of(request.remoteAddress() == null ? null : request.remoteAddress().hostAddress(),
        request.headers().getAll("X-Forwarded-For")));
    rc.next();
  }

  /** The handler on {@code /api/v1/*}: checks the limits, then goes on or refuses. */
  void handle(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    String ip = clientIp(rc);
    String path = request.path();
    if (request.method() == HttpMethod.POST && WEBHOOK.equals(path)
        || (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) && MEDIA.matcher(path).matches()
        && request.getHeader("Authorization") == null) {
      rc.next();
      return;
    }
    boolean send = request.method() == HttpMethod.POST && SEND.matcher(path).matches();
    if (limits.anonymous() == null && limits.user() == null && (!send || limits.send() == null)) {
      rc.next();
      return;
    }
    if (!request.isEnded()) {
      request.pause(); // the body handler resumes it: the body must not arrive before it is there
      rc.addEndHandler(v -> request.resume()); // a route without a body handler: drain what is left
    }
    user(request).compose(userId -> {
      List<RateLimiter.Bucket> buckets = new ArrayList<>(2);
      if (userId == null) {
        buckets.add(new RateLimiter.Bucket(limits.anonymous(), ip));
      } else {
        buckets.add(new RateLimiter.Bucket(limits.user(), userId.toString()));
        if (send) {
          buckets.add(new RateLimiter.Bucket(limits.send(), userId.toString()));
        }
      }
      return limiter.check(buckets);
    }).onComplete(ar -> decide(rc, ar.succeeded() ? ar.result() : Verdict.UNCHECKED));
  }

  /** The user of a valid bearer token, or null (no token, or one that does not verify). */
  private Future<Long> user(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 4096) {
      return Future.succeededFuture(null);
    }
    return tokens.verify(header.substring(7).trim()).map(u -> u.getLong("id")).otherwise((Long) null);
  }

  private static void decide(RoutingContext rc, Verdict verdict) {
    String policy = verdict.policyField();
    if (policy != null) {
      rc.response().putHeader("RateLimit-Policy", policy).putHeader("RateLimit", verdict.limitField());
    }
    if (verdict.allowed()) {
      rc.next();
      return;
    }
    long seconds = verdict.retryAfterS();
    List<String> exhausted = verdict.states().stream().filter(s -> s.remaining() == 0).map(s -> s.policy().name()).toList();
    exhausted.forEach(io.parley.metrics.Meters::rateLimitRefused);
    rc.fail(new ParleyException(ErrorCode.RATE_LIMITED, "too many requests; try again in " + seconds + " s",
        new JsonObject().put("retry_after_s", seconds).put("retry_after_ms", verdict.retryAfterMs())
            .put("policies", new io.vertx.core.json.JsonArray(exhausted))));
  }
}
