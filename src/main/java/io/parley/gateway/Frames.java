package io.parley.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.parley.bus.ParleyException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;

/**
 * WebSocket frames of the client protocol ({@code docs/websocket-protocol.md}): JSON text
 * frames with a {@code type}; replies echo the client's {@code ref}.
 */
final class Frames {
  private Frames() {}

  /**
   * A whole server-to-client WebSocket text frame around already-encoded UTF-8 JSON, as the
   * bytes that go on the wire (RFC 6455 §5.2: FIN and opcode 1, no mask, then the payload length
   * in 7 bits, or 126 and 16 bits, or 127 and 64 bits, then the payload). Server frames are not
   * masked, so one encoding serves every socket: {@link Socket#writeWire} writes shared slices of
   * it. A direct buffer from Netty's pooled allocator; the caller releases it.
   */
  static ByteBuf wire(Buffer json) {
    ByteBuf payload = ((BufferInternal) json).getByteBuf();
    int n = payload.readableBytes();
    ByteBuf out = ByteBufAllocator.DEFAULT.directBuffer((n <= 125 ? 2 : n <= 0xFFFF ? 4 : 10) + n);
    out.writeByte(0x81);
    if (n <= 125) {
      out.writeByte(n);
    } else if (n <= 0xFFFF) {
      out.writeByte(126).writeShort(n);
    } else {
      out.writeByte(127).writeLong(n);
    }
    return out.writeBytes(payload, payload.readerIndex(), n);
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

  // ---- field checks of client frames -------------------------------------------------------

  /** A positive integer field (ids); VALIDATION_FAILED naming the field otherwise. */
  static long positiveLong(JsonObject f, String field) {
    Object v = f.getValue(field);
    if (v instanceof Number n && n.longValue() > 0 && n.doubleValue() == n.longValue()) {
      return n.longValue();
    }
    throw ParleyException.invalid(field, v == null ? field + " is required" : field + " must be a positive integer");
  }

  /** {@code since_seq}: absent (null) or a non-negative integer. */
  static Long optionalSeq(JsonObject f) {
    Object v = f.getValue("since_seq");
    if (v == null) {
      return null;
    }
    if (v instanceof Number n && n.longValue() >= 0 && n.doubleValue() == n.longValue()) {
      return n.longValue();
    }
    throw ParleyException.invalid("since_seq", "since_seq must be a non-negative integer");
  }

  /** A non-empty string field. */
  static String string(JsonObject f, String field) {
    Object v = f.getValue(field);
    if (v instanceof String s && !s.isEmpty()) {
      return s;
    }
    throw ParleyException.invalid(field, v == null ? field + " is required" : field + " must be a non-empty string");
  }
}
