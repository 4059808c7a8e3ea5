package io.parley.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;

/**
 * How many replays one socket runs at once ({@value #MAX} ): more subscribes wait their turn, so
 * a socket never makes the node hold more than a few replay pages. Used on the socket's context
 * only.
 */
final class ReplaySlots {
  /** Replays running at once per socket. */
  static final int MAX = 2;

  private int running;
  private final ArrayDeque<Promise<Void>> waiting = new ArrayDeque<>();

  /** Completes when a replay may start; the caller must {@link #release} once it ends. */
  Future<Void> acquire() {
    if (running < MAX) {
      running++;
      return Future.succeededFuture();
    }
    Promise<Void> turn = Promise.promise();
    waiting.addLast(turn);
    return turn.future();
  }

  /** A replay ended: the next waiting one takes its slot. */
  void release() {
    Promise<Void> next = waiting.pollFirst();
    if (next != null) {
      next.complete();
    } else {
      running--;
    }
  }

  /** The socket closed: nobody waits any more. */
  void close() {
    waiting.forEach(turn -> turn.tryFail("socket closed"));
    waiting.clear();
  }
}
