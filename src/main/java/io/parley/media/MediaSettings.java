package io.parley.media;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code media} section of Parley's configuration, read once with {@link #from(JsonObject)}.
 *
 * <p>Every limit of the media library is named here with its default. Numbers may also be given
 * as numeric strings and {@code allowed_types} as a comma-separated string (environment overrides).
 *
 * @param dir the root folder of the {@code filesystem} store (default {@code data/media})
 * @param maxBytes the largest accepted upload, bytes (default 10 MiB)
 * @param maxImagePixels the largest accepted image, width × height as declared by its header
 *     (default 40,000,000): the decompression-bomb guard
 * @param thumbnailPx the longest side of a thumbnail, pixels (default 320)
 * @param allowedTypes accepted content types, exact ({@code image/png}) or a family
 *     ({@code audio/*}), lower case; SVG and HTML are not among the defaults and should stay out
 * @param storage {@code filesystem} (default) or {@code s3}
 * @param s3 the {@code s3} sub-section (used when {@code storage} is {@code s3})
 * @param unattachedTtlHours hours an upload may stay unattached to a message before it is
 *     collected (default 24)
 */
public record MediaSettings(String dir, long maxBytes, long maxImagePixels, int thumbnailPx,
    List<String> allowedTypes, String storage, S3 s3, int unattachedTtlHours) {

  /** The default {@code allowed_types}: common images, browser-recorded and usual audio, PDF, plain text. */
  public static final List<String> DEFAULT_ALLOWED_TYPES = List.of(
      "image/png", "image/jpeg", "image/gif", "image/webp",
      "audio/webm", "audio/ogg", "audio/mpeg", "audio/mp4",
      "audio/wav", "audio/vnd.wave", "audio/x-wav",
      "application/pdf", "text/plain");

  /**
   * The {@code media.s3} sub-section. Credentials are never configured here: the S3 driver takes
   * them from the environment ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, profiles…).
   *
   * @param endpoint the endpoint URL of an S3-compatible store; empty for AWS itself
   * @param bucket the bucket, which must exist
   * @param region the signing region (default {@code us-east-1})
   * @param pathStyle path-style addressing ({@code http://host/bucket/key}), as most
   *     S3-compatible servers want (default false: virtual-hosted style)
   * @param prefix prepended to every object key, e.g. {@code parley/} (default empty)
   */
  public record S3(String endpoint, String bucket, String region, boolean pathStyle, String prefix) {
  }

  public MediaSettings {
    allowedTypes = List.copyOf(allowedTypes);
    if (dir == null || dir.isBlank()) {
      throw new IllegalArgumentException("media.dir must not be empty");
    }
    positive("media.max_bytes", maxBytes);
    positive("media.max_image_pixels", maxImagePixels);
    positive("media.thumbnail_px", thumbnailPx);
    positive("media.unattached_ttl_hours", unattachedTtlHours);
    for (String type : allowedTypes) {
      if (!type.matches("(\\*|[a-z0-9][a-z0-9!#$&^_.+-]*)/(\\*|[a-z0-9][a-z0-9!#$&^_.+-]*)")) {
        throw new IllegalArgumentException("media.allowed_types: not a content type: " + type);
      }
    }
    if (!"filesystem".equals(storage) && !"s3".equals(storage)) {
      throw new IllegalArgumentException("media.storage must be filesystem or s3, not " + storage);
    }
    if ("s3".equals(storage) && (s3 == null || s3.bucket() == null || s3.bucket().isBlank())) {
      throw new IllegalArgumentException("media.s3_bucket must be set when media.storage is s3");
    }
  }

  /** The defaults alone. */
  public static MediaSettings defaults() {
    return from(new JsonObject());
  }

  /**
   * Reads the {@code media} section; missing keys take their defaults.
   *
   * @throws IllegalArgumentException naming the key, when a value is malformed, not positive, or
   *     {@code storage} is unknown
   */
  public static MediaSettings from(JsonObject media) {
    JsonObject m = media == null ? new JsonObject() : media;
    // flat keys (s3_endpoint, ...), so that each has its PARLEY_MEDIA_S3_* environment override
    S3 s3Settings = new S3(
        str(m, "s3_endpoint", ""), str(m, "s3_bucket", ""), str(m, "s3_region", "us-east-1"),
        bool(m, "s3_path_style", false), str(m, "s3_prefix", ""));
    return new MediaSettings(
        str(m, "dir", "data/media"),
        num(m, "max_bytes", 10L * 1024 * 1024),
        num(m, "max_image_pixels", 40_000_000L),
        intNum(m, "thumbnail_px", 320),
        types(m.getValue("allowed_types")),
        str(m, "storage", "filesystem").toLowerCase(Locale.ROOT),
        s3Settings,
        intNum(m, "unattached_ttl_hours", 24));
  }

  private static List<String> types(Object value) {
    if (value == null) {
      return DEFAULT_ALLOWED_TYPES;
    }
    List<String> out = new ArrayList<>();
    Iterable<?> items = value instanceof JsonArray a ? a
        : value instanceof String s ? List.of(s.split(","))
        : null;
    if (items == null) {
      throw new IllegalArgumentException("media.allowed_types must be a list of content types");
    }
    for (Object item : items) {
      String t = String.valueOf(item).trim().toLowerCase(Locale.ROOT);
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  private static String str(JsonObject o, String key, String dflt) {
    Object v = o.getValue(key);
    return v == null ? dflt : String.valueOf(v).trim();
  }

  private static boolean bool(JsonObject o, String name, boolean dflt) {
    String key = name.substring(name.lastIndexOf('.') + 1);
    Object v = o.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = String.valueOf(v).trim();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException("media." + name + " must be true or false, not " + s);
  }

  private static long num(JsonObject o, String key, long dflt) {
    Object v = o.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n) {
      if (n.doubleValue() != n.longValue()) {
        throw new IllegalArgumentException("media." + key + " must be a whole number, not " + n);
      }
      return n.longValue();
    }
    try {
      return Long.parseLong(String.valueOf(v).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("media." + key + " must be a number, not " + v);
    }
  }

  private static int intNum(JsonObject o, String key, int dflt) {
    long v = num(o, key, dflt);
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw new IllegalArgumentException("media." + key + " is too large: " + v);
    }
    return (int) v;
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
  }

  /** True when {@code contentType} (lower case, no parameters) matches an entry of {@link #allowedTypes}. */
  public boolean allows(String contentType) {
    int slash = contentType.indexOf('/');
    String family = slash < 0 ? contentType : contentType.substring(0, slash);
    for (String allowed : allowedTypes) {
      if (allowed.equals(contentType) || allowed.equals("*/*") || allowed.equals(family + "/*")) {
        return true;
      }
    }
    return false;
  }
}
