package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The filesystem media store")
class FilesystemStorageTest extends StorageContract {
  private Path root;

  @Override
  protected MediaStorage createStorage(Vertx vertx) {
    root = tmp.resolve("media");
    return new FilesystemStorage(vertx, root);
  }

  @Test
  @DisplayName("files are sharded by the last two characters of the key and no temporary file is left")
  void layout() throws Exception {
    await(storage.put("a/12345", file(bytes(10, 1)), null));
    await(storage.put("t/7", file(bytes(10, 2)), null));
    assertTrue(Files.isRegularFile(root.resolve("a/45/12345")));
    assertTrue(Files.isRegularFile(root.resolve("t/07/7")));
    try (Stream<Path> all = Files.walk(root)) {
      assertEquals(List.of(), all.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
    }
  }

  @Test
  @DisplayName("a stream whose consumer gives up midway (handler set to null) is released")
  void abandoned() throws Exception {
    await(storage.put("a/5", file(bytes(1_000_000, 9)), null));
    Promise<Integer> got = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> storage.read("a/5", 0, 1_000_000).onSuccess(s -> {
      s.handler(b -> {
        s.handler(null); // as pipeTo does when the destination fails
        s.resume();
        s.pause();
        got.tryComplete(b.length());
      });
    }).onFailure(got::tryFail));
    assertTrue(await(got.future()) > 0);
    // the same key can still be deleted and read afresh
    assertEquals(1_000_000, read("a/5", 0, 1_000_000).length);
    await(storage.delete("a/5"));
  }
}
