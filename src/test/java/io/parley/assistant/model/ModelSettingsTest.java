package io.parley.assistant.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ModelSettings and ChatMessage check their values")
class ModelSettingsTest {
  @Test
  @DisplayName("a trailing slash is dropped, a blank key means no key, toString hides the key")
  void normalised() {
    ModelSettings s = new ModelSettings("http://127.0.0.1:11434/v1/", "llama3.2", " ", 30_000, 10_000, null);
    assertEquals("http://127.0.0.1:11434/v1/chat/completions", s.completionsUrl());
    assertNull(s.apiKey());
    ModelSettings keyed = new ModelSettings("https://api.example.com/v1", "m", "sk-secret", 1, 1, 5);
    assertFalse(keyed.toString().contains("sk-secret"), keyed.toString());
  }

  @Test
  @DisplayName("a base URL that is not http(s), a blank model, a timeout ≤ 0 or max tokens ≤ 0 are refused")
  void refused() {
    assertThrows(IllegalArgumentException.class, () -> ModelSettings.of("ftp://host/v1", "m", 1, 1));
    assertThrows(IllegalArgumentException.class, () -> ModelSettings.of("localhost:11434", "m", 1, 1));
    assertThrows(IllegalArgumentException.class, () -> ModelSettings.of("http://h/v1", " ", 1, 1));
    assertThrows(IllegalArgumentException.class, () -> ModelSettings.of("http://h/v1", "m", 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new ModelSettings("http://h/v1", "m", null, 1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new ChatMessage("tool", "x"));
  }

  @Test
  @DisplayName("durations in messages read as people write them")
  void durations() {
    assertEquals("300 ms", ModelStream.duration(300));
    assertEquals("30 s", ModelStream.duration(30_000));
    assertEquals("1.5 s", ModelStream.duration(1_500));
  }
}
