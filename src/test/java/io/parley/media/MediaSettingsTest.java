package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The media settings")
class MediaSettingsTest {

  @Test
  @DisplayName("an empty section gives the defaults")
  void defaults() {
    MediaSettings s = MediaSettings.from(new JsonObject());
    assertEquals("data/media", s.dir());
    assertEquals(10_485_760L, s.maxBytes());
    assertEquals(40_000_000L, s.maxImagePixels());
    assertEquals(320, s.thumbnailPx());
    assertEquals("filesystem", s.storage());
    assertEquals(24, s.unattachedTtlHours());
    assertEquals(new MediaSettings.S3("", "", "us-east-1", false, ""), s.s3());
    assertTrue(s.allows("image/png"));
    assertTrue(s.allows("audio/webm"));
    assertFalse(s.allows("text/html"));
    assertFalse(s.allows("image/svg+xml"));
    assertFalse(s.allows("application/octet-stream"));
  }

  @Test
  @DisplayName("values are read, from numbers or strings, and families match by wildcard")
  void values() {
    MediaSettings s = MediaSettings.from(new JsonObject()
        .put("dir", "/srv/media").put("max_bytes", "2048").put("thumbnail_px", 128)
        .put("allowed_types", new JsonArray().add("image/*").add("Application/PDF"))
        .put("storage", "s3").put("s3_bucket", "b").put("s3_path_style", "true")
        .put("s3_endpoint", "http://localhost:9000").put("s3_prefix", "p/"));
    assertEquals(2048, s.maxBytes());
    assertEquals(128, s.thumbnailPx());
    assertTrue(s.allows("image/gif"));
    assertTrue(s.allows("application/pdf"));
    assertFalse(s.allows("audio/ogg"));
    assertEquals(new MediaSettings.S3("http://localhost:9000", "b", "us-east-1", true, "p/"), s.s3());
    assertTrue(MediaSettings.from(new JsonObject().put("allowed_types", "text/plain, audio/*")).allows("audio/ogg"));
  }

  @Test
  @DisplayName("malformed values are refused with the key's name")
  void invalid() {
    for (JsonObject bad : new JsonObject[] {
        new JsonObject().put("max_bytes", 0),
        new JsonObject().put("max_image_pixels", -1),
        new JsonObject().put("thumbnail_px", "big"),
        new JsonObject().put("unattached_ttl_hours", 0),
        new JsonObject().put("storage", "ftp"),
        new JsonObject().put("storage", "s3"),
        new JsonObject().put("allowed_types", new JsonArray().add("png")),
        new JsonObject().put("dir", ""),
        new JsonObject().put("s3_path_style", "yes")}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MediaSettings.from(bad),
          bad.encode());
      assertTrue(e.getMessage().startsWith("media."), e.getMessage());
    }
  }
}
