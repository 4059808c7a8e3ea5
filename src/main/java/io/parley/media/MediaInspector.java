package io.parley.media;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.tika.Tika;

/**
 * Inspects an uploaded file: its content type from its bytes (never from its name or the client's
 * word), whether it is accepted, its kind, and for images their size, for audio its duration; and
 * makes thumbnails ({@link Thumbnails}).
 *
 * <p>Blocking (file I/O, Tika, ImageIO): callers run it on a worker thread
 * ({@code vertx.executeBlocking(() -> inspector.inspect(file), false)}). Thread-safe.
 *
 * <p>Content types: WebM/Matroska and Ogg are decided by {@link Containers} (audio when the file
 * declares only audio tracks); everything else by Apache Tika's magic-byte detection, with a few
 * aliases renamed ({@code audio/vnd.wave} and {@code audio/x-wav} are reported as {@code audio/wav}).
 * Kinds: {@code image} (an image ImageIO can read: PNG, JPEG incl. CMYK, GIF, WebP, BMP…),
 * {@code audio} (any {@code audio/*}), {@code file} (everything else accepted).
 */
public final class MediaInspector {
  /**
   * What {@link #inspect} found.
   *
   * @param contentType the type detected from the bytes, e.g. {@code image/png}, {@code audio/webm}
   * @param kind {@code image}, {@code audio} or {@code file}
   * @param width image width in pixels as displayed (after EXIF orientation); null for non-images
   * @param height image height in pixels as displayed; null for non-images
   * @param durationMs audio duration in ms when the file states it (Ogg Opus/Vorbis, WebM with a
   *     Duration); null otherwise (e.g. MediaRecorder WebM, MP3, WAV)
   */
  public record Inspection(String contentType, String kind, Integer width, Integer height, Long durationMs) {
  }

  /**
   * A thumbnail made by {@link #thumbnail}.
   *
   * @param file a new temporary file, which the caller stores (moves) or deletes
   * @param contentType {@code image/jpeg}, or {@code image/png} for images with transparency
   * @param width its width in pixels, as displayed
   * @param height its height in pixels, as displayed
   */
  public record Thumbnail(Path file, String contentType, int width, int height) {
  }

  /**
   * An upload that is refused, with a stable code: {@code UNSUPPORTED_MEDIA_TYPE} (type not in
   * {@code media.allowed_types}), {@code PAYLOAD_TOO_LARGE} (bytes over {@code media.max_bytes}, or
   * an image over {@code media.max_image_pixels}), {@code VALIDATION_FAILED} (empty, or an image
   * whose header cannot be read).
   */
  public static final class Refused extends Exception {
    private final String code;

    public Refused(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    /** The stable error code. */
    public String code() {
      return code;
    }
  }

  /** Tika's names for which we report another, more common name. */
  private static final Map<String, String> RENAMED = Map.of(
      "audio/vnd.wave", "audio/wav", "audio/x-wav", "audio/wav", "audio/wave", "audio/wav",
      "audio/x-m4a", "audio/mp4", "audio/mp3", "audio/mpeg", "image/x-ms-bmp", "image/bmp");

  /** Other names of a reported type that an operator may have written in {@code allowed_types}. */
  private static final Map<String, List<String>> ALIASES = Map.of(
      "audio/wav", List.of("audio/vnd.wave", "audio/x-wav", "audio/wave"),
      "audio/mp4", List.of("audio/x-m4a"),
      "image/bmp", List.of("image/x-ms-bmp"));

  private final MediaSettings settings;
  private final Tika tika = new Tika();
  private final Thumbnails thumbnails;

  public MediaInspector(MediaSettings settings) {
    this.settings = settings;
    this.thumbnails = new Thumbnails(settings);
  }

  /**
   * Inspects {@code file} (blocking).
   *
   * @throws Refused when the file is empty, too large, of a type not accepted, or an image that is
   *     too large or unreadable
   * @throws IOException when the file cannot be read
   */
  public Inspection inspect(Path file) throws IOException, Refused {
    long size = Files.size(file);
    if (size == 0) {
      throw new Refused("VALIDATION_FAILED", "the file is empty");
    }
    if (size > settings.maxBytes()) {
      throw new Refused("PAYLOAD_TOO_LARGE", "the file has " + size + " bytes, more than the "
          + settings.maxBytes() + " accepted");
    }
    byte[] head = new byte[16];
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(16);
    }
    String type;
    Long durationMs = null;
    if (Containers.isEbml(head)) {
      Containers.Probe probe = Containers.webm(file);
      type = probe.contentType();
      durationMs = probe.durationMs();
    } else if (Containers.isOgg(head)) {
      Containers.Probe probe = Containers.ogg(file);
      type = probe.contentType();
      durationMs = probe.durationMs();
    } else {
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
        type = tika.detect(in); // the bytes only: no file name in the metadata
      }
    }
    type = normalize(type);
    if (!allowed(type)) {
      throw new Refused("UNSUPPORTED_MEDIA_TYPE", "files of type " + type + " are not accepted");
    }
    if (type.startsWith("image/")) {
      int[] dims = imageSize(file);
      if (dims == null) {
        return new Inspection(type, "file", null, null, null);
      }
      int orientation = type.equals("image/jpeg") ? Thumbnails.exifOrientation(file) : 1;
      boolean swap = orientation >= 5;
      return new Inspection(type, "image", swap ? dims[1] : dims[0], swap ? dims[0] : dims[1], null);
    }
    if (type.startsWith("audio/")) {
      return new Inspection(type, "audio", null, null, durationMs);
    }
    return new Inspection(type, "file", null, null, null);
  }

  /**
   * A thumbnail of an image {@code inspect} accepted as kind {@code image} (blocking): longest
   * side {@code media.thumbnail_px} at most (never enlarged), EXIF orientation applied, JPEG, or PNG
   * when the image has transparency, written to a new temporary file beside {@code image} that
   * the caller moves or deletes.
   *
   * @throws IllegalArgumentException when {@code inspection} is not of an image
   * @throws IOException when the image cannot be decoded or the thumbnail written
   */
  public Thumbnail thumbnail(Path image, Inspection inspection) throws IOException {
    if (!"image".equals(inspection.kind())) {
      throw new IllegalArgumentException("not an image: " + inspection.contentType());
    }
    return thumbnails.make(image, inspection.contentType().equals("image/jpeg"));
  }

  /** True when {@code type} or one of its aliases is accepted by {@code media.allowed_types}. */
  private boolean allowed(String type) {
    if (settings.allows(type)) {
      return true;
    }
    for (String alias : ALIASES.getOrDefault(type, List.of())) {
      if (settings.allows(alias)) {
        return true;
      }
    }
    return false;
  }

  private static String normalize(String type) {
    String t = type == null ? "application/octet-stream" : type.toLowerCase(Locale.ROOT);
    int semicolon = t.indexOf(';');
    if (semicolon >= 0) {
      t = t.substring(0, semicolon).trim();
    }
    return RENAMED.getOrDefault(t, t);
  }

  /**
   * Width and height from the image's header, without decoding pixels; null when no ImageIO
   * reader knows the format.
   *
   * @throws Refused when the header cannot be read, or declares more than {@code max_image_pixels}
   */
  private int[] imageSize(Path file) throws IOException, Refused {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        return null;
      }
      ImageReader reader = readers.next();
      int width;
      int height;
      try {
        reader.setInput(in, true, true);
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw new Refused("VALIDATION_FAILED", "the image cannot be read");
      } finally {
        reader.dispose();
      }
      if (width <= 0 || height <= 0) {
        throw new Refused("VALIDATION_FAILED", "the image has no pixels");
      }
      if ((long) width * height > settings.maxImagePixels()) {
        throw new Refused("PAYLOAD_TOO_LARGE", "the image has " + width + "x" + height
            + " pixels, more than the " + settings.maxImagePixels() + " accepted");
      }
      return new int[] {width, height};
    }
  }
}
