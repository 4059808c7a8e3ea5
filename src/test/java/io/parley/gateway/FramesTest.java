package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Wire frames encoded once for every socket")
class FramesTest {

  @ParameterizedTest(name = "payload of {0} bytes")
  @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 300_000})
  @DisplayName("Frames.wire gives the bytes Netty's RFC 6455 encoder writes for the same text frame, and they decode back")
  void sameBytesAsNettysEncoder(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) ('a' + i % 26));
    }
    byte[] payload = text.toString().getBytes(StandardCharsets.UTF_8);

    EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
    encoder.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
    ByteBuf expected = Unpooled.buffer();
    for (Object part; (part = encoder.readOutbound()) != null; ) {
      expected.writeBytes((ByteBuf) part);
      ((ByteBuf) part).release();
    }

    ByteBuf wire = Frames.wire(Buffer.buffer(payload));
    try {
      assertArrayEquals(ByteBufUtil.getBytes(expected), ByteBufUtil.getBytes(wire));
      // and a client-side decoder (unmasked frames allowed) reads the same text back
      EmbeddedChannel decoder = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
      decoder.writeInbound(wire.retainedDuplicate());
      TextWebSocketFrame frame = decoder.readInbound();
      assertEquals(text.toString(), frame.text());
      frame.release();
    } finally {
      wire.release();
    }
  }
}
