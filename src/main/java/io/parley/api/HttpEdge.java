package io.parley.api;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.bus.RequestIds;
import io.parley.bus.StorableText;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request of the API port passes before the router acts on it: a request id (and the
 * client address the logs name), a path
 * and query of well-formed percent-encoded UTF-8 that PostgreSQL can store, and a problem+json
 * answer (with a request id) for requests the HTTP decoder itself refuses.
 *
 * <p>Without these, a malformed {@code %zz} made the router fail with 500, invalid UTF-8 passed on
 * as U+FFFD, and an over-long request line or header block got an empty 414/431 without
 * {@code X-Request-Id}.
 */
final class HttpEdge {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEdge.class);

  /** Routing-context key of the request id. */
  static final String REQUEST_ID = "request_id";

  private HttpEdge() {}

  /**
   * The request id: the request's {@code X-Request-Id} when sane (1 to 128 characters of
   * {@code [A-Za-z0-9._-]}, e.g. from a proxy), else a fresh UUID; put in the routing context, on
   * the response, and on the request's Vert.x context, from where log lines and event-bus
   * messages take it ({@link RequestIds}).
   */
  static void requestId(RoutingContext rc) {
    String id = RequestIds.keepOrNew(rc.request().getHeader("X-Request-Id"));
    rc.put(REQUEST_ID, id);
    rc.response().putHeader("X-Request-Id", id);
    RequestIds.bind(id);
    rc.next();
  }

  /**
   * Refuses with {@code VALIDATION_FAILED} a request whose path or query string is not strictly
   * percent-encoded UTF-8 ({@code %} and two hex digits; no overlong forms or surrogates), or
   * holds text PostgreSQL cannot store ({@link StorableText}: U+0000). {@code details.field}
   * names the query parameter, else {@code path} or {@code query}.
   */
  static void wellFormedUri(RoutingContext rc) {
    try {
      String path = rc.request().path();
      if (path != null) {
        StorableText.require("path", decode(path, "path"));
      }
      String query = rc.request().query();
      if (query != null) {
        for (String pair : query.split("&", -1)) {
          int eq = pair.indexOf('=');
          String name = StorableText.require("query", decode(eq < 0 ? pair : pair.substring(0, eq), "query"));
          if (eq >= 0) {
            StorableText.require(name, decode(pair.substring(eq + 1), name));
          }
        }
      }
    } catch (ParleyException e) {
      rc.fail(e);
      return;
    }
    rc.next();
  }

  /**
   * Percent-decodes one URI component strictly as UTF-8. Characters that are not escaped stand for
   * themselves; the request line arrives one char per byte, so a char up to U+00FF is one byte.
   */
  static String decode(String s, String field) {
    if (isPlainAscii(s)) {
      return s;
    }
    byte[] bytes = new byte[s.length() * 3];
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
        if (lo < 0) {
          throw ParleyException.invalid(field, field + ": malformed percent-encoding (% must be followed by two hex digits)");
        }
        bytes[n++] = (byte) (hi << 4 | lo);
        i += 2;
      } else if (c <= 0xFF) {
        bytes[n++] = (byte) c;
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(utf8, 0, bytes, n, utf8.length);
        n += utf8.length;
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, n)).toString();
    } catch (CharacterCodingException e) {
      throw ParleyException.invalid(field, field + ": percent-encoded bytes that are not UTF-8");
    }
  }

  private static boolean isPlainAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' || c >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /**
   * Answers a request the HTTP decoder refused (Vert.x's {@code invalidRequestHandler}) as a
   * problem with a request id, then closes the connection: an over-long request line is 414
   * {@code URI_TOO_LONG}, an over-large header block 431 {@code HEADERS_TOO_LARGE}, anything else
   * 400 {@code VALIDATION_FAILED}.
   */
  static Handler<HttpServerRequest> invalidRequests() {
    return request -> {
      Throwable cause = request.decoderResult().cause();
      ParleyException pe;
      if (cause instanceof TooLongHttpLineException) {
        pe = new ParleyException(ErrorCode.URI_TOO_LONG, "the request line is too long");
      } else if (cause instanceof TooLongHttpHeaderException) {
        pe = new ParleyException(ErrorCode.HEADERS_TOO_LARGE, "the request headers are too large");
      } else {
        pe = new ParleyException(ErrorCode.VALIDATION_FAILED, "the HTTP request is malformed");
      }
      String id = RequestIds.keepOrNew(request.getHeader("X-Request-Id"));
      LOG.debug("{} refused by the HTTP decoder: {} ({})", id, pe.code().httpStatus, cause == null ? "?" : cause.getMessage());
      AccessLog.refused(request, id, pe.code().httpStatus);
      request.response().putHeader("X-Request-Id", id).putHeader("Connection", "close");
      Problems.write(request.response(), id, pe).onComplete(v -> request.connection().close());
    };
  }
}
