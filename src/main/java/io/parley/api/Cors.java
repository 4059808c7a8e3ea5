package io.parley.api;

import io.parley.config.Origins;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Set;

/**
 * CORS for the origins of {@code api.cors_origins} (vertx-web's {@link CorsHandler} with exact
 * origins): they get {@code Access-Control-Allow-Origin}, preflights are answered (204), and the
 * headers a client needs are allowed and exposed. Requests from any other origin, the page's own
 * included, pass on without CORS headers (the CorsHandler alone would refuse them with 403, and
 * browsers send {@code Origin} on their same-origin POSTs too).
 */
final class Cors {
  /** Request headers a cross-origin page may send. */
  static final Set<String> ALLOWED_HEADERS = Set.of("Authorization", "Content-Type", "X-Request-Id", "Idempotency-Key");
  /** Response headers a cross-origin page may read. */
  static final Set<String> EXPOSED_HEADERS = Set.of("X-Request-Id", "Retry-After", "RateLimit", "RateLimit-Policy");

  private Cors() {}

  /** The route handler for {@code origins}, or null when none is listed (no CORS at all). */
  static Handler<RoutingContext> handler(Origins origins) {
    if (origins.isEmpty()) {
      return null;
    }
    CorsHandler cors = CorsHandler.create().addOrigins(origins.list())
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE))
        .allowedHeaders(ALLOWED_HEADERS)
        .exposedHeaders(EXPOSED_HEADERS)
        .maxAgeSeconds(600);
    return rc -> {
      if (origins.listed(rc.request().getHeader("Origin"))) {
        cors.handle(rc);
      } else {
        rc.next();
      }
    };
  }
}
