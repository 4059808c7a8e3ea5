package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link MediaStorage} driver does; a subclass per driver makes the store. */
abstract class StorageContract {
  protected Vertx vertx;
  protected MediaStorage storage;
  @TempDir
  protected Path tmp;

  /** A fresh, empty store. */
  protected abstract MediaStorage createStorage(Vertx vertx) throws Exception;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    storage = createStorage(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    await(storage.close());
    await(vertx.close());
  }

  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  protected Path file(byte[] bytes) throws Exception {
    Path f = Files.createTempFile(tmp, "upload", ".bin");
    Files.write(f, bytes);
    return f;
  }

  protected static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Reads the range on an event loop, as a route would, and collects the stream. */
  protected byte[] read(String key, long offset, long length) throws Exception {
    Promise<Buffer> done = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> storage.read(key, offset, length).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      Buffer all = Buffer.buffer();
      ReadStream<Buffer> stream = ar.result();
      stream.exceptionHandler(done::tryFail);
      stream.endHandler(x -> done.tryComplete(all));
      stream.handler(all::appendBuffer);
    }));
    return await(done.future()).getBytes();
  }

  @Test
  @DisplayName("a stored file reads back whole, with its size, and its source is consumed")
  void putReadWhole() throws Exception {
    byte[] data = bytes(200_000, 1);
    Path source = file(data);
    await(storage.put("a/12345", source, "application/octet-stream"));
    assertFalse(Files.exists(source));
    assertEquals(200_000L, await(storage.size("a/12345")));
    assertArrayEquals(data, read("a/12345", 0, data.length));
  }

  @Test
  @DisplayName("a range reads exactly its bytes; an empty range reads nothing; a range past the end fails")
  void readRange() throws Exception {
    byte[] data = bytes(100_000, 2);
    await(storage.put("a/7", file(data), "image/png"));
    byte[] part = read("a/7", 70_000, 20_000);
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 70_000, 90_000), part);
    assertEquals(0, read("a/7", 10, 0).length);
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 99_999, 100_000), read("a/7", 99_999, 1));
    assertThrows(IllegalArgumentException.class, () -> read("a/7", 90_000, 20_000));
    assertThrows(IllegalArgumentException.class, () -> read("a/7", -1, 5));
  }

  @Test
  @DisplayName("a second put under a key replaces the first")
  void replace() throws Exception {
    await(storage.put("t/9", file(bytes(1000, 3)), "image/jpeg"));
    byte[] second = bytes(500, 4);
    await(storage.put("t/9", file(second), "image/jpeg"));
    assertEquals(500L, await(storage.size("t/9")));
    assertArrayEquals(second, read("t/9", 0, 500));
  }

  @Test
  @DisplayName("delete removes the object and may be repeated; a missing key is NotFound")
  void deleteAndMissing() throws Exception {
    await(storage.put("a/42", file(bytes(10, 5)), null));
    await(storage.delete("a/42"));
    await(storage.delete("a/42"));
    await(storage.delete("a/never"));
    MediaStorage.NotFound size = assertThrows(MediaStorage.NotFound.class, () -> await(storage.size("a/42")));
    assertEquals("a/42", size.key());
    assertThrows(MediaStorage.NotFound.class, () -> read("a/42", 0, 1));
    assertThrows(MediaStorage.NotFound.class, () -> read("x/1", 0, 0));
  }

  @Test
  @DisplayName("malformed keys are refused")
  void badKeys() {
    for (String key : List.of("../etc/passwd", "a/../b", "a/.x", "", "a//b", "a/b c")) {
      Exception e = assertThrows(Exception.class, () -> await(storage.size(key)), key);
      assertInstanceOf(IllegalArgumentException.class, e, key);
    }
  }

  @Test
  @DisplayName("concurrent puts of different keys all land")
  void concurrentPuts() throws Exception {
    List<Future<Void>> puts = new ArrayList<>();
    List<byte[]> datas = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      byte[] data = bytes(5000 + i, 100 + i);
      datas.add(data);
      puts.add(storage.put("a/" + (1000 + i), file(data), "audio/ogg"));
    }
    await(Future.all(puts));
    for (int i = 0; i < 24; i++) {
      assertArrayEquals(datas.get(i), read("a/" + (1000 + i), 0, datas.get(i).length));
    }
  }
}
