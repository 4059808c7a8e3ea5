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
  /** Close code for a client that does not read what it is sent (RFC 6455 range 4000-4999). */
  static final short CLOSE_TOO_SLOW = 4008;
  /** Requests of one socket in flight at once; beyond, the socket is not read. */
  static final int MAX_IN_FLIGHT = 64;

  final Channel channel;
  final ContextInternal context;
  private final WebSocketServer server;
  /** The client's address (after the trusted-proxy rule, {@link io.parley.limits.ClientAddress}), set by the upgrade. */
  volatile String clientIp;
  /** Set on the event loop once the upgrade is done and the user is known. */
  private Connection connection;
  /** A close frame was sent or received: nothing more is written (event loop; read anywhere). */
  private volatile boolean closeSent;
  /** Written without a flush, waiting for the loop's flush task (event loop only). */
  private boolean flushPending;
  /** The server's tick (seconds) of the last frame read or written, for the idle sweep. */
  volatile long lastTraffic;
  /** Completed when the channel becomes writable again (event loop only); null when nobody waits. */
  private Promise<Void> writable;
  /** Requests of this socket in flight, and whether reading is paused for them (context only). */
  private int inFlight;
  private boolean readingPaused;

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
  //
  // Every write path is bounded per socket. Netty queues what the kernel does not take yet; the
  // queue's high-water mark (gateway.write_buffer_bytes) makes the channel unwritable:
  // - room events (fan-out) are not written to an unwritable socket: it is closed as too slow;
  // - replays wait for writability between events (whenWritable), so they never add more than
  //   one event beyond the mark; a socket that stays unwritable for stall_timeout_ms is closed;
  // - replies (pong, acks, errors, notifications) are small and may pass the mark, up to a hard
  //   cap of four times it; beyond, the socket is closed as too slow.

  /** Writes one text frame of the given JSON text (any thread); closes the socket when over its hard cap. */
  void sendText(String text) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> sendText(text));
    } else if (!closeSent) {
      if (!channel.isWritable() && pendingBytes() > server.hardCapBytes()) {
        tooSlow("replies not read");
        return;
      }
      lastTraffic = server.tick();
      channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
    }
  }

  /**
   * Writes a frame already encoded for the wire ({@link Frames#wire}), sharing its bytes; the
   * caller keeps its reference. A socket whose write buffer is over its high-water mark (the
   * client does not keep up) gets nothing more: it is closed with {@value #CLOSE_TOO_SLOW}.
   * Without {@code flush} the frame leaves with the loop's next {@link Fanout} flush. Event loop
   * only (its callers are {@link Fanout}'s tasks and a subscription going live, both on the
   * socket's loop).
   */
  void writeWire(ByteBuf wire, boolean flush) {
    if (closeSent) {
      return;
    }
    if (!channel.isWritable() && flushPending) {
      flush(); // the loop's own unflushed frames (a burst) count against the limit too
    }
    if (!channel.isWritable()) {
      tooSlow("room events not read");
      return;
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
  }

  /** Flushes what {@link #writeWire} left unflushed (event loop). */
  void flush() {
    flushPending = false;
    channel.flush();
  }

  /** Whether the write buffer is below its high-water mark (event loop). */
  boolean writable() {
    return channel.isWritable();
  }

  /** Bytes written to this socket that the kernel has not taken yet (event loop). */
  long pendingBytes() {
    io.netty.channel.ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    return out == null ? 0 : out.totalPendingWriteBytes();
  }

  /**
   * Completes when the socket may be written to again (at once when it may now); fails when it
   * closes. A socket that stays unwritable for {@code stall_timeout_ms} is closed as too slow.
   * Event loop only.
   */
  Future<Void> whenWritable() {
    if (closeSent) {
      return Future.failedFuture("socket closed");
    }
    if (channel.isWritable()) {
      return Future.succeededFuture();
    }
    if (flushPending) {
      flush();
    }
    if (writable == null) {
      writable = Promise.promise();
      Promise<Void> waiting = writable;
      long timer = server.vertx().setTimer(server.stallTimeoutMs(), t -> {
        if (writable == waiting) {
          tooSlow("stalled for " + server.stallTimeoutMs() + " ms");
        }
      });
      waiting.future().onComplete(x -> server.vertx().cancelTimer(timer));
    }
    return writable.future();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (channel.isWritable() && writable != null) {
      Promise<Void> waiting = writable;
      writable = null;
      waiting.tryComplete();
    }
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * Counts a request of this socket while it is in flight (on the socket's context): at
   * {@value #MAX_IN_FLIGHT} the socket is not read until half of them are answered, so a client
   * that sends faster than it is answered is slowed down by TCP instead of queueing work and
   * replies without bound.
   */
  <T> Future<T> tracked(Future<T> request) {
    if (++inFlight >= MAX_IN_FLIGHT && !readingPaused) {
      readingPaused = true;
      channel.config().setAutoRead(false);
    }
    return request.andThen(ar -> { // replies come back on this socket's context
      if (--inFlight <= MAX_IN_FLIGHT / 2 && readingPaused) {
        readingPaused = false;
        channel.config().setAutoRead(true);
      }
    });
  }

  /**
   * Closes a socket that does not read what it is sent with {@value #CLOSE_TOO_SLOW}: nothing
   * more is written, the close frame goes out behind what is already queued (at most the
   * buffer's cap), and the sending side of TCP is shut as soon as the close frame has reached
   * the kernel, so a slow reader still reads it, then the end of the stream; the connection
   * closes when the client closes its side, or after {@code stall_timeout_ms} for a client that
   * reads nothing. Logged and counted ({@link WebSocketServer#slowCloses}).
   */
  void tooSlow(String why) {
    if (closeSent) {
      return;
    }
    closeSent = true;
    server.countSlowClose();
    LOG.info("socket {} of {} closed with {} (too slow: {}; {} bytes unread)", connection == null ? "?" : connection.id(), clientIp,
        CLOSE_TOO_SLOW, why, pendingBytes());
    failWritable();
    // once the close frame is in the kernel: FIN behind it (a half-close, so input the client
    // sent meanwhile cannot turn the close into a reset that discards what it has not read yet)
    channel.writeAndFlush(new CloseWebSocketFrame(CLOSE_TOO_SLOW, "too slow: reconnect and resume with since_seq"))
        .addListener(f -> {
          if (f.isSuccess() && channel instanceof io.netty.channel.socket.SocketChannel tcp) {
            tcp.shutdownOutput();
          } else {
            channel.close();
          }
        });
    channel.eventLoop().schedule(() -> channel.close(), server.stallTimeoutMs(), TimeUnit.MILLISECONDS);
  }

  private void failWritable() {
    if (writable != null) {
      Promise<Void> waiting = writable;
      writable = null;
      waiting.tryFail("socket closed");
    }
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
      failWritable();
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
    failWritable();
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
