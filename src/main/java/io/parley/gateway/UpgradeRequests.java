package io.parley.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.bus.ErrorCode;
import io.parley.bus.RequestIds;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The HTTP side of a WebSocket upgrade on the gateway port ({@link WebSocketServer#upgrade}):
 * where the access token is read from, and the RFC 9457 {@code application/problem+json}
 * answer to an upgrade that is refused before the handshake (the same shape as the API's
 * problems, with {@code code} and {@code request_id}).
 */
final class UpgradeRequests {
  private UpgradeRequests() {}

  /** {@code ?token=} when present and not empty, else an {@code Authorization: Bearer} token, else null. */
  static String token(QueryStringDecoder uri, FullHttpRequest req) {
    List<String> query = uri.parameters().get("token");
    if (query != null && !query.isEmpty() && !query.get(0).isEmpty()) {
      return query.get(0);
    }
    String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && !header.substring(7).isBlank()) {
      return header.substring(7).trim();
    }
    return null;
  }

  /** Answers with an RFC 9457 problem (with a request id, as the API's) and closes the connection. */
  static void problem(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, ErrorCode code,
                              String detail) {
    problem(ctx, req, status, code, detail, null, Map.of());
  }

  /** As above, with the problem's {@code details} (null: none) and extra response headers. */
  static void problem(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, ErrorCode code,
                              String detail, JsonObject details, Map<String, String> headers) {
    String requestId = RequestIds.keepOrNew(req == null ? null : req.headers().get("X-Request-Id"));
    if (req != null) {
      req.release();
    }
    JsonObject problem = new JsonObject().put("type", "about:blank").put("title", status.reasonPhrase())
        .put("status", status.code()).put("code", code.name()).put("detail", detail).put("request_id", requestId);
    if (details != null) {
      problem.put("details", details);
    }
    byte[] body = problem.encode().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
        .set("X-Request-Id", requestId)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    headers.forEach(res.headers()::set);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }
}
