package io.parley.gateway;

import io.parley.bus.ParleyException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;

/**
 * WebSocket frames of the client protocol ({@code docs/websocket-protocol.md}): JSON text
 * frames with a {@code type}; replies echo the client's {@code ref}.
 */
final class Frames {
  private Frames() {}

  /**
   * A text frame over already-encoded UTF-8 JSON. Each call takes a new slice of the same bytes,
   * so one encoded event is written to every local subscriber without copying or re-encoding.
   * (Vert.x has no public text-frame factory over a {@link Buffer}; this is the one use of its
   * internal frame class.)
   */
  static WebSocketFrame text(Buffer encoded) {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, ((BufferInternal) encoded).getByteBuf(), true);
  }

  static JsonObject reply(String type, Object ref) {
    JsonObject frame = new JsonObject().put("type", type);
    if (ref != null) {
      frame.put("ref", ref);
    }
    return frame;
  }

  /** {@code error {code, message, ref?, details?}}. */
  static JsonObject error(ParleyException e, Object ref) {
    JsonObject frame = reply("error", ref).put("code", e.code().name()).put("message", e.getMessage());
    if (e.details() != null) {
      frame.put("details", e.details());
    }
    return frame;
  }
}
