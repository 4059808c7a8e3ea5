package io.parley.persistence.messages;

/**
 * Admission control of a persistence verticle's send pipeline ({@link SendBatcher}): a send is
 * refused with {@code OVERLOADED} when {@code maxQueued} sends already wait to be stored, or the
 * oldest of them has waited more than {@code maxWaitMs} milliseconds. Read from
 * {@code persistence.send_queue_max} and {@code persistence.send_queue_max_wait_ms}.
 */
public record SendAdmission(int maxQueued, long maxWaitMs) {
  /** No bound. */
  public static final SendAdmission NONE = new SendAdmission(Integer.MAX_VALUE, Long.MAX_VALUE / 2_000_000L);

  public SendAdmission {
    if (maxQueued < 1 || maxWaitMs < 1) {
      throw new IllegalArgumentException("send_queue_max and send_queue_max_wait_ms must be at least 1");
    }
  }
}
