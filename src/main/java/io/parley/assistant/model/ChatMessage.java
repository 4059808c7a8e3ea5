package io.parley.assistant.model;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Set;

/**
 * One message of a conversation sent to the model, as in OpenAI's Chat Completions API
 * ({@code messages[]} of {@code POST /chat/completions}).
 *
 * @param role {@code "system"}, {@code "user"} or {@code "assistant"}
 * @param content the message's text (not null; may be empty)
 * @throws IllegalArgumentException for another role
 */
public record ChatMessage(String role, String content) {
  /** The roles the API accepts from Parley. */
  public static final Set<String> ROLES = Set.of("system", "user", "assistant");

  public ChatMessage {
    if (!ROLES.contains(role)) {
      throw new IllegalArgumentException("role must be system, user or assistant: " + role);
    }
    Objects.requireNonNull(content, "content");
  }

  /** The system prompt. */
  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  /** A message from a person. */
  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  /** An earlier answer of the assistant. */
  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }

  /** {@code {"role": role, "content": content}}. */
  public JsonObject toJson() {
    return new JsonObject().put("role", role).put("content", content);
  }
}
