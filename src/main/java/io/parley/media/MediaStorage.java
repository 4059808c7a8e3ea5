package io.parley.media;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where the bytes of attachments and thumbnails live: a key-value store of immutable blobs.
 *
 * <p>Keys are one or more segments joined by {@code /}, each of letters, digits, {@code _} and
 * {@code -} (no dots, so no path tricks), e.g. {@code a/12} for an attachment and {@code t/12} for
 * its thumbnail. Every method is asynchronous and never blocks the calling event loop; failures
 * arrive in the returned future ({@link NotFound} for a missing key, {@link IllegalArgumentException}
 * for a malformed key or range).
 *
 * <p>Drivers: {@link FilesystemStorage} (default) and {@link S3Storage}; {@link #create} picks one
 * from {@link MediaSettings#storage()}.
 */
public interface MediaStorage {

  /** A key's shape: segments of {@code [A-Za-z0-9_-]}, 1–64 characters each, joined by {@code /}. */
  Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}(/[A-Za-z0-9_-]{1,64}){0,7}");

  /** The key has no object (never stored, or deleted). */
  final class NotFound extends RuntimeException {
    private final String key;

    public NotFound(String key) {
      super("no media stored under " + key, null, false, false);
      this.key = key;
    }

    /** The key that was not found. */
    public String key() {
      return key;
    }
  }

  /**
   * Stores the finished local file {@code source} under {@code key}, replacing any object there.
   * Readers see either the old object or the whole new one, never a part. The source is consumed:
   * after success it no longer exists; after a failure the caller deletes it if it is still there.
   *
   * @param contentType recorded with the object where the store keeps one (S3); may be null
   */
  Future<Void> put(String key, Path source, String contentType);

  /**
   * The bytes {@code [offset, offset + length)} of the object under {@code key}, as a stream that
   * ends after exactly {@code length} bytes. Fails with {@link NotFound} when absent and with
   * {@link IllegalArgumentException} when the range is negative or goes past the object's end.
   *
   * <p>The stream releases what it holds (a file handle) at its end, on an error, or when its
   * handler is set to null (as {@code pipeTo} does when the destination fails); a consumer that
   * gives up early sets its handler to null.
   */
  Future<ReadStream<Buffer>> read(String key, long offset, long length);

  /** Deletes the object under {@code key}; succeeds also when there is none (idempotent). */
  Future<Void> delete(String key);

  /** The size of the object under {@code key}, bytes; fails with {@link NotFound} when absent. */
  Future<Long> size(String key);

  /** Releases the driver's resources (the S3 client's connections). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** The driver {@code settings.storage()} names: {@code filesystem} or {@code s3}. */
  static MediaStorage create(Vertx vertx, MediaSettings settings) {
    return switch (settings.storage()) {
      case "filesystem" -> new FilesystemStorage(vertx, Path.of(settings.dir()));
      case "s3" -> new S3Storage(vertx, settings.s3());
      default -> throw new IllegalArgumentException("unknown media.storage " + settings.storage());
    };
  }

  /** Returns {@code key} when well formed, else throws {@link IllegalArgumentException}. */
  static String checkKey(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("malformed media key: " + key);
    }
    return key;
  }

  /** Throws {@link IllegalArgumentException} unless {@code offset} and {@code length} are at least 0. */
  static void checkRange(long offset, long length) {
    if (offset < 0 || length < 0 || offset + length < 0) {
      throw new IllegalArgumentException("bad range: offset " + offset + ", length " + length);
    }
  }
}
