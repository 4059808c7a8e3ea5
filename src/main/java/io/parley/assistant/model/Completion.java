package io.parley.assistant.model;

import java.util.Objects;

/**
 * How one streamed completion ended, with everything the model sent until then.
 *
 * @param outcome how it ended
 * @param text the concatenated {@code choices[0].delta.content} pieces received (possibly empty,
 *     also for FAILED and CANCELLED: what arrived is kept)
 * @param finishReason the last {@code choices[0].finish_reason} received ({@code "stop"},
 *     {@code "length"}, ...), null if none came
 * @param error for FAILED, a sentence for logs and users (e.g. {@code "model API answered 401:
 *     invalid key"}); null otherwise
 */
public record Completion(Outcome outcome, String text, String finishReason, String error) {
  /** How a completion ended. */
  public enum Outcome {
    /** The model sent {@code data: [DONE]}, or the stream ended after a {@code finish_reason}. */
    COMPLETED,
    /**
     * The model API answered an HTTP error, the connection failed or ended early, a chunk was
     * malformed or carried an {@code error} object, or a timeout (total or idle) expired.
     */
    FAILED,
    /** {@link ModelStream#cancel()} was called first. */
    CANCELLED
  }

  public Completion {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(text, "text");
  }

  /** True when the model finished its answer. */
  public boolean completed() {
    return outcome == Outcome.COMPLETED;
  }
}
