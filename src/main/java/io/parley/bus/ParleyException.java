package io.parley.bus;

import io.vertx.core.json.JsonObject;

/**
 * A refusal with a stable {@link ErrorCode}, a human-readable message and optional details
 * (a JSON object, e.g. {@code {"field": "body"}}). Thrown or failed with anywhere in Parley and
 * turned into an event-bus failure, a problem+json response or a WebSocket {@code error} frame.
 */
public class ParleyException extends RuntimeException {
  private final ErrorCode code;
  private final JsonObject details;

  public ParleyException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ParleyException(ErrorCode code, String message, JsonObject details) {
    super(message, null, false, false);
    this.code = code;
    this.details = details;
  }

  public ErrorCode code() {
    return code;
  }

  /** Extra machine-readable context, or {@code null}. */
  public JsonObject details() {
    return details;
  }

  /** The wire body: {@code {"code": "...", "message": "...", "details": {...}?}}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("code", code.name()).put("message", getMessage());
    if (details != null) {
      json.put("details", details);
    }
    return json;
  }

  public static ParleyException notFound(String what) {
    return new ParleyException(ErrorCode.NOT_FOUND, what + " not found");
  }

  public static ParleyException forbidden(String message) {
    return new ParleyException(ErrorCode.FORBIDDEN, message);
  }

  public static ParleyException invalid(String field, String message) {
    return new ParleyException(ErrorCode.VALIDATION_FAILED, message, new JsonObject().put("field", field));
  }
}
