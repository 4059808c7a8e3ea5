package io.parley.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Site addresses and allowed origins in the configuration")
class PublicUrlConfigTest {
  @Test
  @DisplayName("mail.public_url follows api.port unless set; billing.public_url follows mail.public_url")
  void publicUrlFollowsApiPort() {
    ParleyConfig defaults = ParleyConfig.load(Map.of());
    assertEquals("http://localhost:8080", defaults.section("mail").getString("public_url"));
    assertEquals("http://localhost:8080", defaults.section("billing").getString("public_url"));

    ParleyConfig moved = ParleyConfig.load(Map.of("PARLEY_API_PORT", "9090"));
    assertEquals("http://localhost:9090", moved.section("mail").getString("public_url"));
    assertEquals("http://localhost:9090", moved.section("billing").getString("public_url"));

    ParleyConfig proxied = ParleyConfig.load(Map.of("PARLEY_API_PORT", "9090", "PARLEY_MAIL_PUBLIC_URL", "https://chat.example.com"));
    assertEquals("https://chat.example.com", proxied.section("mail").getString("public_url"));
    assertEquals("https://chat.example.com", proxied.section("billing").getString("public_url"));

    ParleyConfig ownBilling = ParleyConfig.load(Map.of("PARLEY_BILLING_PUBLIC_URL", "https://pay.example.com"));
    assertEquals("https://pay.example.com", ownBilling.section("billing").getString("public_url"));
    assertEquals("http://localhost:8080", ownBilling.section("mail").getString("public_url"));

    JsonObject tree = ParleyConfig.defaults();
    tree.getJsonObject("api").put("port", 8123);
    assertEquals("http://localhost:8123", ParleyConfig.of(tree).section("mail").getString("public_url"));
  }

  @Test
  @DisplayName("logging.format and api.cors_origins come from the environment too")
  void loggingAndOrigins() {
    assertEquals("text", ParleyConfig.load(Map.of()).section("logging").getString("format"));
    assertEquals("json", ParleyConfig.load(Map.of("PARLEY_LOGGING_FORMAT", "json")).section("logging").getString("format"));
    JsonArray origins = ParleyConfig.load(Map.of("PARLEY_API_CORS_ORIGINS", "https://a.example, http://b.example:8000"))
        .section("api").getJsonArray("cors_origins");
    assertEquals(new JsonArray().add("https://a.example").add("http://b.example:8000"), origins);
  }

  @Test
  @DisplayName("origins compare exactly; a socket may also come from a page on its own host, or without Origin")
  void origins() {
    Origins o = Origins.of(new JsonArray().add("https://App.Example.com:443/").add("http://localhost:3000"));
    assertEquals(java.util.List.of("https://app.example.com", "http://localhost:3000"), o.list());
    assertTrue(o.listed("https://app.example.com"));
    assertFalse(o.listed("https://app.example.com:8443"));
    assertFalse(o.listed("http://app.example.com"));
    assertFalse(o.listed("null"));
    assertTrue(o.allowsSocket(null, "chat.example.com:8081"));
    assertTrue(o.allowsSocket("http://chat.example.com:8080", "chat.example.com:8081"));
    assertTrue(o.allowsSocket("http://localhost:3000", "chat.example.com:8081"));
    assertFalse(o.allowsSocket("https://evil.example", "chat.example.com:8081"));
    assertFalse(o.allowsSocket("null", "chat.example.com"));
    assertTrue(Origins.of(new JsonArray()).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> Origins.of(new JsonArray().add("app.example.com")));
    assertThrows(IllegalArgumentException.class, () -> Origins.of(new JsonArray().add("https://a.example/path")));
  }
}
