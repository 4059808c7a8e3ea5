package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 driver against S3Proxy (an S3 server with an in-memory blob store) in the test JVM. */
@DisplayName("The S3 media store")
class S3StorageTest extends StorageContract {
  private static final String BUCKET = "parley-media";

  @RegisterExtension
  final S3ProxyExtension s3Proxy = S3ProxyExtension.builder()
      .withBlobStoreProvider("transient")
      .withCredentials("test-access", "test-secret")
      .build();

  private MediaSettings settings() {
    return MediaSettings.from(new JsonObject().put("storage", "s3")
        .put("s3_endpoint", s3Proxy.getUri().toString()).put("s3_bucket", BUCKET)
        .put("s3_path_style", true).put("s3_prefix", "media/"));
  }

  private StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(s3Proxy.getAccessKey(), s3Proxy.getSecretKey()));
  }

  private S3Client raw() {
    return S3Client.builder().httpClient(UrlConnectionHttpClient.create())
        .endpointOverride(s3Proxy.getUri()).region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(credentials())
        // as S3Storage does: S3Proxy answers 501 to the SDK's default checksum headers
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
  }

  @Override
  protected MediaStorage createStorage(Vertx vertx) {
    try (S3Client client = raw()) {
      client.createBucket(b -> b.bucket(BUCKET));
    }
    return new S3Storage(vertx, settings().s3(), credentials());
  }

  @Test
  @DisplayName("objects are stored under the prefix with their content type")
  void prefixAndType() throws Exception {
    byte[] data = bytes(1234, 7);
    await(storage.put("a/77", file(data), "image/png"));
    try (S3Client client = raw()) {
      var object = client.getObject(b -> b.bucket(BUCKET).key("media/a/77"), ResponseTransformer.toBytes());
      assertEquals("image/png", object.response().contentType());
      assertArrayEquals(data, object.asByteArray());
    }
  }
}
