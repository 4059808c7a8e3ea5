package io.parley.assistant.model;

import java.net.URI;
import java.util.Objects;

/**
 * Where and how to reach an OpenAI-compatible chat-completions endpoint.
 *
 * @param baseUrl the API base including its version, e.g. {@code http://127.0.0.1:11434/v1}
 *     (Ollama) or {@code https://api.openai.com/v1}; requests go to
 *     {@code baseUrl + "/chat/completions"}. http or https; a trailing {@code /} is dropped.
 * @param model the model name sent as {@code model}, e.g. {@code llama3.2}
 * @param apiKey sent as {@code Authorization: Bearer <apiKey>}; null or blank: no header
 * @param timeout the longest a whole completion may take, in ms (> 0), from the request to the
 *     last byte
 * @param idleTimeout the longest wait for the response or the next chunk, in ms (> 0); a model
 *     that stalls longer fails
 * @param maxTokens sent as {@code max_tokens} when not null (> 0)
 * @throws IllegalArgumentException for a missing or malformed value
 */
public record ModelSettings(String baseUrl, String model, String apiKey, long timeout, long idleTimeout, Integer maxTokens) {
  public ModelSettings {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(model, "model");
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
    URI uri;
    try {
      uri = URI.create(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("baseUrl is not a URL: " + baseUrl, e);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("baseUrl must be an http or https URL: " + baseUrl);
    }
    if (model.isBlank()) {
      throw new IllegalArgumentException("model must not be blank");
    }
    if (timeout <= 0 || idleTimeout <= 0) {
      throw new IllegalArgumentException("timeout and idleTimeout must be positive (ms): " + timeout + ", " + idleTimeout);
    }
    if (maxTokens != null && maxTokens <= 0) {
      throw new IllegalArgumentException("maxTokens must be positive: " + maxTokens);
    }
    if (apiKey != null && apiKey.isBlank()) {
      apiKey = null;
    }
  }

  /** The URL completions are posted to. */
  public String completionsUrl() {
    return baseUrl + "/chat/completions";
  }

  /** Settings without a key or token cap, with a total and an idle timeout in ms. */
  public static ModelSettings of(String baseUrl, String model, long timeout, long idleTimeout) {
    return new ModelSettings(baseUrl, model, null, timeout, idleTimeout, null);
  }

  /** Hides the key: records print themselves into logs. */
  @Override
  public String toString() {
    return "ModelSettings[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey == null ? "none" : "***")
        + ", timeout=" + timeout + " ms, idleTimeout=" + idleTimeout + " ms, maxTokens=" + maxTokens + "]";
  }
}
