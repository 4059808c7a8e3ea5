package io.parley.media;

import io.parley.support.MediaFixtures;

import static io.parley.support.MediaFixtures.encode;
import static io.parley.support.MediaFixtures.halves;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The media inspector")
class MediaInspectorTest {
  private final MediaInspector inspector = new MediaInspector(MediaSettings.defaults());
  @TempDir
  Path tmp;

  private Path file(String name, byte[] bytes) throws Exception {
    return Files.write(tmp.resolve(name), bytes);
  }

  private static MediaInspector.Inspection expect(String type, String kind, Integer w, Integer h, Long ms,
      MediaInspector.Inspection actual) {
    assertEquals(new MediaInspector.Inspection(type, kind, w, h, ms), actual);
    return actual;
  }

  private static BufferedImage read(Path p) throws Exception {
    BufferedImage img = ImageIO.read(p.toFile());
    assertTrue(img != null, p.toString());
    return img;
  }

  @Test
  @DisplayName("a PNG is an image with its size; its thumbnail is not enlarged")
  void png() throws Exception {
    Path png = file("upload", encode(halves(64, 48, BufferedImage.TYPE_INT_RGB), "png"));
    MediaInspector.Inspection i = expect("image/png", "image", 64, 48, null, inspector.inspect(png));
    MediaInspector.Thumbnail t = inspector.thumbnail(png, i);
    assertEquals("image/jpeg", t.contentType());
    assertEquals(64, t.width());
    assertEquals(48, t.height());
    BufferedImage thumb = read(t.file());
    assertEquals(64, thumb.getWidth());
    assertEquals(48, thumb.getHeight());
  }

  @Test
  @DisplayName("a large image gets a thumbnail of 320 px on its longest side, same aspect")
  void largeImage() throws Exception {
    Path png = file("big.png", encode(halves(1000, 500, BufferedImage.TYPE_INT_RGB), "png"));
    MediaInspector.Thumbnail t = inspector.thumbnail(png, inspector.inspect(png));
    BufferedImage thumb = read(t.file());
    assertEquals(320, thumb.getWidth());
    assertEquals(160, thumb.getHeight());
    assertEquals(t.file().getParent(), png.getParent());
  }

  @Test
  @DisplayName("a transparent PNG gets a PNG thumbnail")
  void alpha() throws Exception {
    Path png = file("alpha", encode(halves(600, 300, BufferedImage.TYPE_INT_ARGB), "png"));
    MediaInspector.Thumbnail t = inspector.thumbnail(png, inspector.inspect(png));
    assertEquals("image/png", t.contentType());
    assertEquals(new java.awt.Dimension(320, 160), new java.awt.Dimension(t.width(), t.height()));
    assertTrue(read(t.file()).getColorModel().hasAlpha());
  }

  @Test
  @DisplayName("a JPEG with EXIF orientation 6 reports turned dimensions and gets a turned thumbnail")
  void exifOrientation() throws Exception {
    byte[] jpeg = encode(halves(40, 20, BufferedImage.TYPE_INT_RGB), "jpeg");
    Path path = file("photo.jpg", MediaFixtures.withExifOrientation(jpeg, 6));
    MediaInspector.Inspection i = expect("image/jpeg", "image", 20, 40, null, inspector.inspect(path));
    MediaInspector.Thumbnail t = inspector.thumbnail(path, i);
    BufferedImage thumb = read(t.file());
    assertEquals(20, thumb.getWidth());
    assertEquals(40, thumb.getHeight());
    // turned 90° clockwise: the left (red) half is now on top, the right (blue) half below
    Color top = new Color(thumb.getRGB(10, 8));
    Color bottom = new Color(thumb.getRGB(10, 32));
    assertTrue(top.getRed() > 200 && top.getBlue() < 60, "top " + top);
    assertTrue(bottom.getBlue() > 200 && bottom.getRed() < 60, "bottom " + bottom);
    // the same JPEG without EXIF keeps its stored size
    expect("image/jpeg", "image", 40, 20, null, inspector.inspect(file("plain.jpg", jpeg)));
  }

  @Test
  @DisplayName("a PNG that claims 50000x50000 pixels is refused at once, without decoding")
  void pixelBomb() throws Exception {
    Path bomb = file("bomb.png", MediaFixtures.pngClaiming(50_000, 50_000));
    MediaInspector.Refused r = assertTimeoutPreemptively(Duration.ofSeconds(2),
        () -> assertThrows(MediaInspector.Refused.class, () -> inspector.inspect(bomb)));
    assertEquals("PAYLOAD_TOO_LARGE", r.code());
  }

  @Test
  @DisplayName("truncated or hostile WebM and Ogg headers are handled quickly, never a crash")
  void hostileContainers() throws Exception {
    byte[] webm = MediaFixtures.webm(1500.0, 2);
    Random random = new Random(7);
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      for (int n = 0; n < 300; n++) {
        byte[] b = java.util.Arrays.copyOf(webm, 4 + random.nextInt(webm.length));
        for (int k = 0; k < 3; k++) {
          b[4 + random.nextInt(b.length - 4)] = (byte) random.nextInt(256); // corrupt ids and sizes
        }
        inspectOrRefuse(file("w" + n, b));
      }
      byte[] ogg = MediaFixtures.oggOpus(0, 96_000);
      for (int n = 0; n < 300; n++) {
        byte[] b = java.util.Arrays.copyOf(ogg, 4 + random.nextInt(ogg.length));
        b[4 + random.nextInt(b.length - 4)] = (byte) random.nextInt(256);
        inspectOrRefuse(file("o" + n, b));
      }
    });
  }

  private void inspectOrRefuse(Path p) throws Exception {
    try {
      inspector.inspect(p);
    } catch (MediaInspector.Refused expected) {
      // fine: refused with a code
    }
  }

  @Test
  @DisplayName("ImageIO has the TwelveMonkeys readers: JPEG (CMYK) and WebP")
  void readers() {
    assertTrue(ImageIO.getImageReadersByMIMEType("image/webp").hasNext());
    assertTrue(ImageIO.getImageReadersByFormatName("jpeg").next().getClass().getName().startsWith("com.twelvemonkeys"));
  }

  @Test
  @DisplayName("a WebM with only an Opus track is audio/webm, with its Duration")
  void webmAudio() throws Exception {
    expect("audio/webm", "audio", null, null, 1500L,
        inspector.inspect(file("voice.webm", MediaFixtures.webm(1500.0, 2))));
    // as MediaRecorder writes it: no Duration
    expect("audio/webm", "audio", null, null, null,
        inspector.inspect(file("live.webm", MediaFixtures.webm(null, 2))));
  }

  @Test
  @DisplayName("a WebM with a video track is video/webm, not accepted by default")
  void webmVideo() throws Exception {
    Path video = file("clip.webm", MediaFixtures.webm(1500.0, 1, 2));
    MediaInspector.Refused r = assertThrows(MediaInspector.Refused.class, () -> inspector.inspect(video));
    assertEquals("UNSUPPORTED_MEDIA_TYPE", r.code());
    assertTrue(r.getMessage().contains("video/webm"), r.getMessage());
  }

  @Test
  @DisplayName("an Ogg Opus file is audio/ogg with its duration from the last granule position")
  void oggOpus() throws Exception {
    expect("audio/ogg", "audio", null, null, 2000L,
        inspector.inspect(file("voice.ogg", MediaFixtures.oggOpus(0, 96_000))));
    expect("audio/ogg", "audio", null, null, 1000L,
        inspector.inspect(file("voice2.ogg", MediaFixtures.oggOpus(312, 48_312))));
  }

  @Test
  @DisplayName("a PDF and a text file are accepted as files")
  void files() throws Exception {
    String pdf = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
    expect("application/pdf", "file", null, null, null,
        inspector.inspect(file("doc", pdf.getBytes(StandardCharsets.US_ASCII))));
    expect("text/plain", "file", null, null, null,
        inspector.inspect(file("notes.png", "Meeting notes\nBring the slides.\n".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  @DisplayName("HTML is refused whatever its name; random bytes too")
  void refused() throws Exception {
    String html = "<!DOCTYPE html>\n<html><head><script>alert(1)</script></head><body>hi</body></html>\n";
    Path page = file("cat.png", html.getBytes(StandardCharsets.UTF_8));
    MediaInspector.Refused r = assertThrows(MediaInspector.Refused.class, () -> inspector.inspect(page));
    assertEquals("UNSUPPORTED_MEDIA_TYPE", r.code());
    assertTrue(r.getMessage().contains("text/html"), r.getMessage());

    byte[] noise = new byte[4096];
    new Random(42).nextBytes(noise);
    noise[0] = 0; // no accidental magic
    Path bin = file("noise.bin", noise);
    r = assertThrows(MediaInspector.Refused.class, () -> inspector.inspect(bin));
    assertEquals("UNSUPPORTED_MEDIA_TYPE", r.code());

    String svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"></svg>\n";
    Path vector = file("logo.png", svg.getBytes(StandardCharsets.UTF_8));
    r = assertThrows(MediaInspector.Refused.class, () -> inspector.inspect(vector));
    assertEquals("UNSUPPORTED_MEDIA_TYPE", r.code());
  }

  @Test
  @DisplayName("an empty file, and a file over max_bytes, are refused")
  void sizes() throws Exception {
    Path empty = file("empty", new byte[0]);
    assertEquals("VALIDATION_FAILED",
        assertThrows(MediaInspector.Refused.class, () -> inspector.inspect(empty)).code());
    MediaInspector small = new MediaInspector(MediaSettings.from(new JsonObject().put("max_bytes", 10)));
    Path text = file("t", "more than ten bytes".getBytes(StandardCharsets.UTF_8));
    assertEquals("PAYLOAD_TOO_LARGE", assertThrows(MediaInspector.Refused.class, () -> small.inspect(text)).code());
  }

  @Test
  @DisplayName("allowed_types decides: a narrower list refuses PDFs, aliases of WAV match")
  void allowList() throws Exception {
    MediaInspector imagesOnly = new MediaInspector(MediaSettings.from(
        new JsonObject().put("allowed_types", new JsonArray().add("image/*"))));
    Path pdf = file("doc.pdf", "%PDF-1.4\n%%EOF\n".getBytes(StandardCharsets.US_ASCII));
    assertEquals("UNSUPPORTED_MEDIA_TYPE",
        assertThrows(MediaInspector.Refused.class, () -> imagesOnly.inspect(pdf)).code());
    Path png = file("p", encode(halves(8, 8, BufferedImage.TYPE_INT_RGB), "png"));
    assertNull(imagesOnly.inspect(png).durationMs());

    java.nio.ByteBuffer wav = java.nio.ByteBuffer.allocate(44 + 800).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    wav.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 800).put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(800);
    Path sound = file("s", wav.array());
    expect("audio/wav", "audio", null, null, null, inspector.inspect(sound));
    MediaInspector xwav = new MediaInspector(MediaSettings.from(
        new JsonObject().put("allowed_types", new JsonArray().add("audio/x-wav"))));
    expect("audio/wav", "audio", null, null, null, xwav.inspect(sound));
  }
}
