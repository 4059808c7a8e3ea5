package io.parley.mail;

import io.vertx.ext.mail.SMTPException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The back-off of one SMTP server, shared by all the mail of a mail verticle: when the server
 * cannot be reached, no mail is tried for a while ({@code base_ms · 2^(failures-1)}, capped at
 * {@code max_ms}, with "equal jitter" as in AWS's "Exponential Backoff and Jitter": half fixed,
 * half random), then one mail probes it; the first mail that reaches the server ends it.
 *
 * <p>"Cannot be reached" is any failure without an SMTP reply (connection refused or reset,
 * TLS failure, time-out) and reply 421, "service not available" (RFC 5321, section 4.2.3):
 * states of the server, not of the mail. Other replies (a 550 for a mailbox, say) are the mail's
 * own failure and leave the server alone. Used on the verticle's event loop only.
 */
final class ServerBackoff {
  private final String name;
  private final long baseMs;
  private final long maxMs;
  private int failures;
  private long until;

  ServerBackoff(String name, long baseMs, long maxMs) {
    this.name = name;
    this.baseMs = Math.max(1, baseMs);
    this.maxMs = Math.max(this.baseMs, maxMs);
  }

  /**
   * The delay before try {@code n + 1} after {@code n} failures, ms: {@code base · 2^(n-1)} capped
   * at {@code max}, drawn from [d/2, d] ("equal jitter"). The outbox's per-mail backoff too.
   */
  static long delay(long baseMs, long maxMs, int n) {
    long d = Math.min(maxMs, baseMs << Math.min(30, Math.max(0, n - 1)));
    return d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
  }

  /** Whether {@code err}, the failure of a send, says the server could not be reached. */
  static boolean unreachable(Throwable err) {
    return !(err instanceof SMTPException smtp) || smtp.getReplyCode() == 421;
  }

  String name() {
    return name;
  }

  /** Milliseconds before the next try at the server; 0 or less when it may be tried now. */
  long remainingMs() {
    return until - System.currentTimeMillis();
  }

  /** Whether the last try could not reach the server: the next claim is one mail, a probe. */
  boolean probing() {
    return failures > 0;
  }

  /** Records that the server could not be reached; returns the pause before the probe, in ms. */
  long failed() {
    failures++;
    long delay = delay(baseMs, maxMs, failures);
    until = System.currentTimeMillis() + delay;
    return delay;
  }

  /** Records that a mail reached the server: full batches again. */
  void reached() {
    failures = 0;
    until = 0;
  }
}
