package io.parley.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client socket of the gateway, the last handler of its Netty pipeline: first the HTTP
 * upgrade request (handed to {@link WebSocketServer}), then WebSocket frames (RFC 6455), handed
 * to the socket's {@link Connection} on the socket's Vert.x context. Control frames are answered
 * here: a ping gets its pong, a close is echoed (or ends a close we started) and the TCP
 * connection is closed.
 *
 * <p>This thin layer replaces Vert.x's {@code ServerWebSocket}, which keeps two message queues
 * of 1,024 slots per socket and a promise per write (docs/benchmarks.md, step 8).
 *
 * <p>Thread-safety: {@link #sendText} and {@link #close} may be called from any thread: off the
 * socket's event loop they hand themselves to it, so the close frame is always the last frame
 * written. The rest, {@link #writeWire} included, runs on the event loop.
 */
final class Socket extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(Socket.class);
  /** How long a close we started waits for the client's close frame before dropping TCP. */
  private static final long CLOSE_WAIT_MS = 2000;

  final Channel channel;
  final ContextInternal context;
  private final WebSocketServer server;
  /** Set on the event loop once the upgrade is done and the user is known. */
  private Connection connection;
  /** A close frame was sent or received: nothing more is written (event loop; read anywhere). */
  private volatile boolean closeSent;
  /** Written without a flush, waiting for the loop's flush task (event loop only). */
  private boolean flushPending;
  /** The server's tick (seconds) of the last frame read or written, for the idle sweep. */
  volatile long lastTraffic;

  Socket(WebSocketServer server, Channel channel, ContextInternal context) {
    this.server = server;
    this.channel = channel;
    this.context = context;
    this.lastTraffic = server.tick();
  }

  EventLoop eventLoop() {
    return channel.eventLoop();
  }

  void attach(Connection connection) {
    this.connection = connection;
  }

  // ---- writing -----------------------------------------------------------------------------

  /** Writes one text frame of the given JSON text. */
  void sendText(String text) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> sendText(text));
    } else if (!closeSent) {
      lastTraffic = server.tick();
      channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
    }
  }

  /**
   * Writes a frame already encoded for the wire ({@link Frames#wire}), sharing its bytes; the
   * caller keeps its reference. False when the socket's write buffer is over its high-water mark
   * (the client does not keep up): nothing is written then. Without {@code flush} the frame
   * leaves with the loop's next {@link Fanout} flush. Event loop only (its callers are
   * {@link Fanout}'s tasks and a subscription going live, both on the socket's loop).
   */
  boolean writeWire(ByteBuf wire, boolean flush) {
    if (closeSent) {
      return true;
    }
    if (!channel.isWritable() && flushPending) {
      flush(); // the loop's own unflushed frames (a burst) count against the limit too
    }
    if (!channel.isWritable()) {
      return false;
    }
    lastTraffic = server.tick();
    if (flush) {
      channel.writeAndFlush(wire.retainedDuplicate(), channel.voidPromise());
    } else {
      channel.write(wire.retainedDuplicate(), channel.voidPromise());
      if (!flushPending) {
        flushPending = true;
        Fanout.flushLater(this);
      }
    }
    return true;
  }

  /** Flushes what {@link #writeWire} left unflushed (event loop). */
  void flush() {
    flushPending = false;
    channel.flush();
  }

  /**
   * Starts the closing handshake (RFC 6455 §7): sends a close frame with {@code code} and
   * {@code reason}, and closes TCP when the client answers, or after {@value #CLOSE_WAIT_MS} ms.
   * Completes when the TCP connection is closed.
   */
  Future<Void> close(short code, String reason) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> close(code, reason));
    } else if (!closeSent) {
      closeSent = true;
      channel.writeAndFlush(new CloseWebSocketFrame(code, reason));
      // a client that does not read never gets the frame: the timer runs from now, not from the write
      channel.eventLoop().schedule(() -> channel.close(), CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
    }
    Promise<Void> closed = Promise.promise();
    channel.closeFuture().addListener(f -> closed.tryComplete());
    return closed.future();
  }

  // ---- reading (event loop) ----------------------------------------------------------------

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    server.register(this);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastTraffic = server.tick();
    if (msg instanceof WebSocketFrame frame) {
      onFrame(frame);
    } else if (msg instanceof FullHttpRequest req) {
      server.upgrade(this, ctx, req);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onFrame(WebSocketFrame frame) {
    try {
      if (frame instanceof TextWebSocketFrame) {
        if (connection != null && !closeSent) {
          ByteBuf bytes = frame.content();
          int length = bytes.readableBytes();
          String text = bytes.toString(StandardCharsets.UTF_8);
          context.emit(v -> connection.onText(text, length));
        }
      } else if (frame instanceof BinaryWebSocketFrame) {
        if (connection != null && !closeSent) {
          context.emit(v -> connection.onBinary());
        }
      } else if (frame instanceof PingWebSocketFrame) {
        channel.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), channel.voidPromise());
      } else if (frame instanceof CloseWebSocketFrame close) {
        if (closeSent) {
          channel.close(); // the client answered our close
        } else {
          closeSent = true; // echo the client's close, then close TCP (RFC 6455 §5.5.1)
          int code = close.statusCode();
          CloseWebSocketFrame echo = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, "");
          channel.writeAndFlush(echo).addListener(ChannelFutureListener.CLOSE);
          channel.eventLoop().schedule(() -> channel.close(), CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        }
      }
    } finally {
      frame.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeSent = true;
    server.unregister(this);
    if (connection != null) {
      context.emit(v -> connection.onClose());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException) {
      // the decoder or the UTF-8 validator sends the close frame (1002, 1007, 1009) and closes
      LOG.debug("socket: bad frame, closing: {}", cause.getMessage());
      return;
    }
    if (cause instanceof TooLongFrameException) {
      // a fragmented message beyond the hard limit: the aggregator discards it, the socket stays
      LOG.debug("socket: message over the hard limit discarded: {}", cause.getMessage());
      return;
    }
    LOG.debug("socket error, closing: {}", cause.toString());
    ctx.close();
  }
}
