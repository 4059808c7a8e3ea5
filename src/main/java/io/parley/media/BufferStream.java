package io.parley.media;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A {@link ReadStream} over one buffer already in memory, emitted in chunks of 64 KiB on a Vert.x
 * context, with back-pressure ({@code pause}/{@code fetch}). Nothing is emitted before a handler is
 * set; the end follows the last chunk. Used for S3 ranges, which are read whole (bounded by
 * {@code media.max_bytes}).
 */
final class BufferStream implements ReadStream<Buffer> {
  private static final int CHUNK = 64 * 1024;

  private final Context context;
  private final Buffer data;
  private int pos;
  private long demand = Long.MAX_VALUE;
  private boolean scheduled;
  private boolean ended;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;

  BufferStream(Context context, Buffer data) {
    this.context = context;
    this.data = data;
  }

  @Override
  public synchronized ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this; // an in-memory buffer has no errors to report
  }

  @Override
  public synchronized ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    schedule();
    return this;
  }

  @Override
  public synchronized ReadStream<Buffer> pause() {
    demand = 0;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public synchronized ReadStream<Buffer> fetch(long amount) {
    if (amount > 0) {
      demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
      schedule();
    }
    return this;
  }

  @Override
  public synchronized ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  private void schedule() {
    if (!scheduled && !ended && handler != null && demand > 0) {
      scheduled = true;
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    while (true) {
      Handler<Buffer> h;
      Buffer chunk = null;
      Handler<Void> end = null;
      synchronized (this) {
        scheduled = false;
        h = handler;
        if (ended || h == null || demand <= 0) {
          return;
        }
        if (pos < data.length()) {
          int next = Math.min(data.length(), pos + CHUNK);
          chunk = data.slice(pos, next);
          pos = next;
          if (demand != Long.MAX_VALUE) {
            demand--;
          }
        } else {
          ended = true;
          end = endHandler;
        }
        scheduled = true; // while this loop runs, fetch() from a handler must not schedule another
      }
      if (chunk != null) {
        h.handle(chunk);
      } else {
        if (end != null) {
          end.handle(null);
        }
        return;
      }
    }
  }
}
