package io.parley.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one room event to many sockets of a node: the frame is encoded for the wire once
 * ({@link Frames#wire}), and each event loop gets one task that writes it to all of its sockets,
 * instead of one cross-thread hand-off per socket.
 *
 * <p>Order: every write goes through a task, even on the caller's own loop, and a loop runs its
 * tasks in the order they were queued. Calls made in seq order (a {@link RoomChannel} makes them
 * under its lock) therefore reach each socket in seq order, whichever thread makes them.
 *
 * <p>Flushing: a task writes without flushing and queues one flush task per loop behind it, so
 * frames for the same socket that are already queued (a group commit publishes its events
 * back to back) leave in one system call. Nothing waits for more: the flush runs as soon as the
 * loop reaches it.
 */
final class Fanout {
  private Fanout() {}

  /** Each event loop's sockets written to since its last flush; touched only on that loop. */
  private static final FastThreadLocal<Flusher> FLUSHERS = new FastThreadLocal<>() {
    @Override
    protected Flusher initialValue() {
      return new Flusher();
    }
  };

  /** Marks {@code socket} as written and not flushed; it is flushed by the loop's next flush task. */
  static void flushLater(Socket socket) {
    FLUSHERS.get().pending.add(socket);
  }

  private static final class Flusher implements Runnable {
    private final List<Socket> pending = new ArrayList<>();
    private boolean scheduled;

    void schedule() {
      if (!scheduled && !pending.isEmpty()) {
        scheduled = true;
        pending.get(0).eventLoop().execute(this);
      }
    }

    @Override
    public void run() {
      scheduled = false;
      for (Socket s : pending) {
        s.flush();
      }
      pending.clear();
    }
  }

  /** Writes {@code json} (one encoded event) as a text frame to each of {@code targets}. */
  static void write(Buffer json, List<Connection> targets) {
    if (targets.isEmpty()) {
      return;
    }
    List<EventLoop> loops = new ArrayList<>(2);
    List<List<Connection>> groups = new ArrayList<>(2);
    for (Connection c : targets) {
      EventLoop loop = c.eventLoop();
      int i = loops.indexOf(loop);
      if (i < 0) {
        loops.add(loop);
        groups.add(new ArrayList<>(targets.size()));
        i = loops.size() - 1;
      }
      groups.get(i).add(c);
    }
    ByteBuf wire = Frames.wire(json);
    try {
      for (int i = 0; i < loops.size(); i++) {
        List<Connection> group = groups.get(i);
        wire.retain();
        try {
          loops.get(i).execute(() -> {
            try {
              for (Connection c : group) {
                c.writeWire(wire, false);
              }
            } finally {
              wire.release();
              FLUSHERS.get().schedule();
            }
          });
        } catch (RuntimeException e) { // the loop is shutting down: its sockets are closing
          wire.release();
        }
      }
    } finally {
      wire.release();
    }
  }
}
