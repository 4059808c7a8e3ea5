/**
 * Media: the library behind attachments (no routes, no SQL).
 *
 * <ul>
 *   <li>{@link io.parley.media.MediaSettings}: the {@code media} configuration section and its limits.
 *   <li>{@link io.parley.media.MediaInspector}: content type from the bytes (Tika; WebM and Ogg
 *       told audio from video by their tracks), the allow-list, image size with the
 *       decompression-bomb guard, EXIF orientation, audio duration, thumbnails. Blocking: run it on
 *       a worker.
 *   <li>{@link io.parley.media.MediaStorage}: the bytes under keys like {@code a/12}, on disk
 *       ({@link io.parley.media.FilesystemStorage}) or in S3 ({@link io.parley.media.S3Storage});
 *       asynchronous.
 *   <li>{@link io.parley.media.SignedUrls}: HMAC-signed, hour-bucketed download URLs.
 * </ul>
 *
 * <p>Nothing here depends on another Parley package.
 */
package io.parley.media;
