package io.parley.gateway;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards the gateway's listening socket against failing accepts, e.g. when the process has run
 * out of file descriptors (EMFILE, "Too many open files") or the system has (ENFILE).
 *
 * <p>Netty reports a failed accept as an exception on the server channel; left alone, its
 * acceptor pauses one second and the pipeline's tail logs a warning and stack trace for every
 * failure. Here the failure is consumed instead: accepting pauses with a growing back-off
 * ({@value #FIRST_BACKOFF_MS} ms doubling up to {@value #MAX_BACKOFF_MS} ms; pending
 * connections wait in the kernel's backlog), one warning is logged when the trouble starts and
 * one line when an accept succeeds again, and the failures are counted for health. Failures
 * within {@value #QUIET_MS} ms of a recovery continue the same episode (a descriptor freed for
 * a moment lets one accept through): no second warning.
 *
 * <p>Installed as the server channel's handler ({@code ServerBootstrap.handler}), so it sits
 * before Netty's acceptor. Its state is touched on the acceptor's event loop; counters are read
 * from any thread.
 */
@ChannelHandler.Sharable
final class AcceptGuard extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(AcceptGuard.class);
  static final long FIRST_BACKOFF_MS = 50;
  static final long MAX_BACKOFF_MS = 2000;
  static final long QUIET_MS = 5000;

  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong episodes = new AtomicLong();
  private volatile boolean failing;
  private long backoffMs = FIRST_BACKOFF_MS;
  private long failingSince;
  private long failuresThisEpisode;
  private long recoveredAt = Long.MIN_VALUE / 2;
  private final long quietMs;

  AcceptGuard() {
    this(QUIET_MS);
  }

  /** With another quiet period than {@value #QUIET_MS} ms (tests). */
  AcceptGuard(long quietMs) {
    this.quietMs = quietMs;
  }

  /** Accepts that failed since the server started. */
  long failures() {
    return failures.get();
  }

  /** Periods of failing accepts since the server started (each logged once). */
  long episodes() {
    return episodes.get();
  }

  /** Whether accepting is failing now (the last accept failed and none succeeded since). */
  boolean failing() {
    return failing;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object child) {
    if (failing) {
      failing = false;
      recoveredAt = System.currentTimeMillis();
      LOG.warn("gateway accepts connections again after {} ms and {} failed accept(s)",
          System.currentTimeMillis() - failingSince, failuresThisEpisode);
      backoffMs = FIRST_BACKOFF_MS;
    }
    ctx.fireChannelRead(child);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    failures.incrementAndGet();
    if (!failing && System.currentTimeMillis() - recoveredAt < quietMs) {
      failing = true; // the episode goes on: accepting recovered only for a moment
      LOG.debug("gateway cannot accept connections again ({})", cause.getMessage());
    } else if (!failing) {
      failing = true;
      failingSince = System.currentTimeMillis();
      failuresThisEpisode = 0;
      episodes.incrementAndGet();
      LOG.warn("gateway cannot accept connections ({}); pausing accepts and retrying with back-off, "
          + "check the file-descriptor limit (ulimit -n)", cause.getMessage());
    }
    failuresThisEpisode++;
    if (ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(false);
      long wait = backoffMs;
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      ctx.channel().eventLoop().schedule(() -> {
        if (ctx.channel().isOpen()) {
          ctx.channel().config().setAutoRead(true);
        }
      }, wait, TimeUnit.MILLISECONDS);
    }
  }
}
