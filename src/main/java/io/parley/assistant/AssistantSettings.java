package io.parley.assistant;

import io.parley.assistant.model.ModelSettings;
import io.vertx.core.json.JsonObject;

/**
 * The {@code assistant} section, read once: {@code base_url} (an OpenAI-compatible {@code /v1}
 * base; empty: the assistant is off), {@code model}, {@code system_prompt},
 * {@code max_context_messages}, {@code context_chars} (the turns' budget, about four characters to
 * a token), {@code timeout_s} (a whole reply), {@code idle_timeout_s} (between two chunks) and the
 * key {@code api_key} (filled from {@code PARLEY_ASSISTANT_API_KEY} only).
 */
record AssistantSettings(ModelSettings model, String systemPrompt, int maxContextMessages, int contextChars) {
  static final String DEFAULT_PROMPT = "You are Assistant, a helpful participant in a team chat. Answer briefly and "
      + "clearly in the language you are addressed in. Messages from people come as user turns.";

  /** The settings, or null when {@code base_url} is empty (the assistant is off). */
  static AssistantSettings from(JsonObject cfg) {
    String baseUrl = cfg.getString("base_url", "");
    if (baseUrl.isBlank()) {
      return null;
    }
    String prompt = cfg.getString("system_prompt", "");
    ModelSettings model = new ModelSettings(baseUrl, cfg.getString("model", "llama3.2"), cfg.getString("api_key"),
        Math.max(1, cfg.getLong("timeout_s", 120L)) * 1000, Math.max(1, cfg.getLong("idle_timeout_s", 30L)) * 1000, null);
    return new AssistantSettings(model, prompt.isBlank() ? DEFAULT_PROMPT : prompt,
        Math.max(1, cfg.getInteger("max_context_messages", 20)), Math.max(200, cfg.getInteger("context_chars", 12_000)));
  }
}
