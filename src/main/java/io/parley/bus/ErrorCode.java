package io.parley.bus;

import java.util.HashMap;
import java.util.Map;

/**
 * The one table of Parley's stable error codes.
 *
 * <p>Each code has a string name (the {@code code} field of every error body: HTTP problem+json,
 * WebSocket {@code error} frames, event-bus failure bodies), a stable numeric code (the
 * {@code failureCode} of event-bus failures) and the HTTP status it maps to. Numbers and names
 * never change once released; add new codes at the end with new numbers.
 */
public enum ErrorCode {
  VALIDATION_FAILED(4000, 400),
  /** A mailed link token that does not exist. */
  TOKEN_INVALID(4002, 400),
  /** A mailed link token past its expiry. */
  TOKEN_EXPIRED(4003, 400),
  /** A mailed link token that was already used. */
  TOKEN_USED(4004, 400),
  UNAUTHORIZED(4010, 401),
  FORBIDDEN(4030, 403),
  EMAIL_NOT_VERIFIED(4031, 403),
  NOT_FOUND(4040, 404),
  METHOD_NOT_ALLOWED(4050, 405),
  CONFLICT(4090, 409),
  PAYLOAD_TOO_LARGE(4130, 413),
  UNSUPPORTED_MEDIA_TYPE(4150, 415),
  RATE_LIMITED(4290, 429),
  MESSAGE_LIMIT_EXCEEDED(4291, 429),
  INTERNAL(5000, 500),
  UNAVAILABLE(5030, 503),
  TIMEOUT(5040, 504),
  /** The HTTP request line (method, path and query) is longer than the server reads. */
  URI_TOO_LONG(4140, 414),
  /** The HTTP request headers are larger than the server reads. */
  HEADERS_TOO_LARGE(4310, 431),
  /** The assistant is switched off on this deployment (no {@code assistant.base_url}). */
  ASSISTANT_NOT_CONFIGURED(5031, 503),
  /** Over the user's daily assistant replies ({@code daily_assistant_limit} of their plan). */
  ASSISTANT_LIMIT_EXCEEDED(4292, 429),
  /** The assistant is already answering in that room (one reply in flight per room). */
  ASSISTANT_BUSY(4091, 409),
  /**
   * The send pipeline is behind (too many sends waiting, or waiting too long): refused at once,
   * nothing stored; retry the same client_msg_id after {@code details.retry_after_ms}.
   */
  OVERLOADED(5032, 503);

  private static final Map<Integer, ErrorCode> BY_NUMBER = new HashMap<>();

  static {
    for (ErrorCode c : values()) {
      BY_NUMBER.put(c.number, c);
    }
  }

  /** Numeric code carried as the event-bus failure code. */
  public final int number;
  /** HTTP status for problem+json responses. */
  public final int httpStatus;

  ErrorCode(int number, int httpStatus) {
    this.number = number;
    this.httpStatus = httpStatus;
  }

  /** The code for an event-bus failure code, or {@code null} when the number is not ours. */
  public static ErrorCode ofNumber(int number) {
    return BY_NUMBER.get(number);
  }
}
