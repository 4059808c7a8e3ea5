package io.parley.api;

import static net.logstash.logback.argument.StructuredArguments.v;

import io.parley.auth.AccessTokens;
import io.parley.bus.RequestIds;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one line per HTTP request on logger {@value #LOGGER}, written when the response
 * ends (or the connection closes first), with the request id, method, path template, status,
 * duration, user id, client address and user agent. In JSON lines each is a field
 * ({@code request_id}, {@code method}, {@code path}, {@code status}, {@code duration_ms},
 * {@code user_id}, {@code client_ip}, {@code user_agent}).
 *
 * <p>The path is never the raw one (it may hold ids, and the query may hold a mailed token): it is
 * the contract's template under {@code /api/v1} ({@code /api/v1/rooms/{room_id}/messages}), else
 * the matched route's ({@code /health/ready}, {@code /dev/billing/checkout/{session}}, {@code /*}
 * for the web client's files), else {@code -}.
 */
final class AccessLog {
  /** The access log's logger name. */
  static final String LOGGER = "parley.access";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
  private static final String API = "/api/v1/";
  private static final int MAX_AGENT_CHARS = 200;

  private volatile OpenAPIContract contract;

  /** The contract whose templates name API paths (until it is set, API paths log as {@code /api/v1/*}). */
  void contract(OpenAPIContract contract) {
    this.contract = contract;
  }

  /** Route handler: logs the request's line when it ends; runs after {@link HttpEdge#requestId}. */
  void begin(RoutingContext rc) {
    long start = System.nanoTime();
    rc.addEndHandler(done -> line(rc.get(HttpEdge.REQUEST_ID), rc.request().method().name(), template(rc),
        rc.response().getStatusCode(), (System.nanoTime() - start) / 1_000_000, userId(rc), HttpLimits.clientIp(rc),
        rc.request().getHeader("User-Agent")));
    rc.next();
  }

  /** The line of a request the HTTP decoder refused (no route ran; the path is not known). */
  static void refused(HttpServerRequest request, String requestId, int status) {
    line(requestId, request.method() == null ? "-" : request.method().name(), "-", status, 0, null,
        request.remoteAddress() == null ? "-" : request.remoteAddress().hostAddress(), request.getHeader("User-Agent"));
  }

  private static void line(String requestId, String method, String path, int status, long ms, Long userId,
                           String clientIp, String userAgent) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    RequestIds.logging(requestId, () -> LOG.info("{} {} {} {}ms user={} ip={} ua=\"{}\"", v("method", method),
        v("path", path), v("status", status), v("duration_ms", ms), userId == null ? "-" : v("user_id", userId),
        v("client_ip", clientIp), v("user_agent", printable(userAgent))));
  }

  /** The path template of the request (see the class comment). */
  String template(RoutingContext rc) {
    String path = rc.request().path();
    OpenAPIContract c = contract;
    if (c != null && path != null && path.startsWith(API)) {
      Path p = c.findPath(path);
      if (p != null && !p.getOperations().isEmpty()) {
        return p.getOperations().get(0).getAbsoluteOpenAPIPath(); // the same for each method of the path
      }
    }
    Route route = rc.currentRoute();
    if (route == null || route.getPath() == null) {
      return "-";
    }
    String template = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
    return route.isExactPath() ? template : template + "*";
  }

  private static Long userId(RoutingContext rc) {
    if (rc.user() == null) {
      return null;
    }
    try {
      return AccessTokens.userId(rc.user().principal());
    } catch (RuntimeException notOurs) {
      return null;
    }
  }

  /** The user agent without control characters (no forged lines), at most 200 characters. */
  private static String printable(String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_AGENT_CHARS));
    for (int i = 0; i < s.length() && b.length() < MAX_AGENT_CHARS; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f || c == '"' ? '?' : c);
    }
    return b.toString();
  }
}
