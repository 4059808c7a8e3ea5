package io.parley.assistant.model;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Turns what a model API says about an error into one line. Shapes understood: OpenAI's
 * {@code {"error": {"message": ..., "type": ..., "code": ...}}} (also Ollama's and vLLM's
 * {@code /v1}), {@code {"error": "text"}}, {@code {"message": ...}} or {@code {"detail": ...}},
 * and plain text. Lines are cut to {@value #MAX_CHARS} characters.
 */
final class ModelErrors {
  static final int MAX_CHARS = 300;

  private ModelErrors() {}

  /** The message of an error answer's body; {@code statusMessage} when the body says nothing. */
  static String fromBody(Buffer body, String statusMessage) {
    String text = body.toString().strip();
    if (text.isEmpty()) {
      return statusMessage == null || statusMessage.isBlank() ? "(no message)" : statusMessage;
    }
    return fromData(text);
  }

  /** The message in an error event's data or an error body: JSON if it parses, else the text. */
  static String fromData(String data) {
    if (data.startsWith("{")) {
      try {
        JsonObject json = new JsonObject(data);
        for (String key : new String[] {"error", "message", "detail"}) {
          if (json.getValue(key) != null) {
            return fromValue(json.getValue(key));
          }
        }
      } catch (RuntimeException e) {
        // not JSON: use the text
      }
    }
    return abbreviate(data);
  }

  /** The message of an {@code error} member: its {@code message} (or the text itself, if a string). */
  static String fromValue(Object error) {
    if (error instanceof JsonObject object) {
      Object message = object.getValue("message");
      if (message instanceof String s && !s.isBlank()) {
        return abbreviate(s);
      }
      return abbreviate(object.encode());
    }
    return abbreviate(String.valueOf(error));
  }

  /** {@code text} on one line, cut to {@value #MAX_CHARS} characters with an ellipsis. */
  static String abbreviate(String text) {
    String line = text.strip().replaceAll("\\s+", " ");
    return line.length() <= MAX_CHARS ? line : line.substring(0, MAX_CHARS) + "…";
  }
}
