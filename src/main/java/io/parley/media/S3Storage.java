package io.parley.media;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@link MediaStorage} in an S3 bucket (AWS or any S3-compatible server), with the AWS SDK v2's
 * synchronous client (URL-connection HTTP client) on worker threads.
 *
 * <p>Settings come from {@link MediaSettings.S3}: endpoint override, region, path-style addressing,
 * bucket and a key prefix (object key = prefix + media key). Credentials come from the environment
 * only, through the SDK's {@link DefaultCredentialsProvider} ({@code AWS_ACCESS_KEY_ID} and
 * {@code AWS_SECRET_ACCESS_KEY}, the {@code aws.accessKeyId}/{@code aws.secretAccessKey} system
 * properties, profiles, container or instance roles), never from Parley's configuration.
 *
 * <p>Request checksums are sent only when an operation requires them, and responses are checked
 * only then, since several S3-compatible servers reject the SDK's newer default trailing checksums.
 *
 * <p>A {@link #read} fetches the range with one ranged GetObject ({@code Range: bytes=a-b}) into
 * one buffer, then streams it: ranges are bounded by the upload cap ({@code media.max_bytes},
 * 10 MiB by default). A missing object ({@code NoSuchKey}, 404) is {@link MediaStorage.NotFound}.
 */
public final class S3Storage implements MediaStorage {
  private final Vertx vertx;
  private final S3Client client;
  private final String bucket;
  private final String prefix;

  /** A store for {@code settings}, with credentials from the environment. */
  public S3Storage(Vertx vertx, MediaSettings.S3 settings) {
    this(vertx, settings, DefaultCredentialsProvider.builder().build());
  }

  /** A store for {@code settings} with the given credentials (tests). */
  S3Storage(Vertx vertx, MediaSettings.S3 settings, AwsCredentialsProvider credentials) {
    this.vertx = vertx;
    this.bucket = settings.bucket();
    this.prefix = settings.prefix() == null ? "" : settings.prefix();
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials)
        .forcePathStyle(settings.pathStyle())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (settings.endpoint() != null && !settings.endpoint().isBlank()) {
      builder.endpointOverride(URI.create(settings.endpoint()));
    }
    this.client = builder.build();
  }

  private String objectKey(String key) {
    return prefix + MediaStorage.checkKey(key);
  }

  @Override
  public Future<Void> put(String key, Path source, String contentType) {
    return blocking(key, () -> {
      String objectKey = objectKey(key);
      long length = Files.size(source);
      client.putObject(b -> {
        b.bucket(bucket).key(objectKey).contentLength(length);
        if (contentType != null) {
          b.contentType(contentType);
        }
      }, RequestBody.fromFile(source));
      Files.deleteIfExists(source);
      return null;
    });
  }

  @Override
  public Future<ReadStream<Buffer>> read(String key, long offset, long length) {
    Context context = vertx.getOrCreateContext();
    return blocking(key, () -> {
      MediaStorage.checkRange(offset, length);
      String objectKey = objectKey(key);
      if (length == 0) {
        long size = client.headObject(b -> b.bucket(bucket).key(objectKey)).contentLength();
        if (offset > size) {
          throw pastEnd(key, offset, length);
        }
        return new BufferStream(context, Buffer.buffer());
      }
      byte[] bytes;
      try {
        bytes = client.getObjectAsBytes(b -> b.bucket(bucket).key(objectKey)
            .range("bytes=" + offset + "-" + (offset + length - 1))).asByteArrayUnsafe();
      } catch (S3Exception e) {
        if (e.statusCode() == 416) {
          throw pastEnd(key, offset, length);
        }
        throw e;
      }
      if (bytes.length != length) {
        throw pastEnd(key, offset, length);
      }
      return (ReadStream<Buffer>) new BufferStream(context, Buffer.buffer(bytes));
    });
  }

  @Override
  public Future<Void> delete(String key) {
    return blocking(key, () -> {
      client.deleteObject(b -> b.bucket(bucket).key(objectKey(key)));
      return null;
    });
  }

  @Override
  public Future<Long> size(String key) {
    return blocking(key, () -> client.headObject(b -> b.bucket(bucket).key(objectKey(key))).contentLength());
  }

  @Override
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      client.close();
      return null;
    }, false);
  }

  private static IllegalArgumentException pastEnd(String key, long offset, long length) {
    return new IllegalArgumentException("range " + offset + "+" + length + " past the end of " + key);
  }

  /** Runs {@code call} on a worker; S3's "no such key" (404) becomes {@link MediaStorage.NotFound}. */
  private <T> Future<T> blocking(String key, Callable<T> call) {
    return vertx.executeBlocking(() -> {
      try {
        return call.call();
      } catch (NoSuchKeyException e) {
        throw new NotFound(key);
      } catch (S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        if (e.statusCode() == 404 && !"NoSuchBucket".equals(code)) {
          throw new NotFound(key);
        }
        throw e;
      }
    }, false);
  }
}
