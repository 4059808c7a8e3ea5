package io.parley.media;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * {@link MediaStorage} on a local (or mounted shared) folder, {@code media.dir}.
 *
 * <p>Layout: key {@code a/12345} is the file {@code <dir>/a/45/12345}: the key's last segment is the
 * file name, put in a shard folder named by its last two characters (left-padded with {@code 0}),
 * below the folders of the key's other segments. Sequential ids spread evenly over 100 shards
 * (at most about 10,000 files per folder at a million attachments).
 *
 * <p>A put moves the source into a temporary file ({@code .<name>.<uuid>.tmp}) in the target's
 * folder, forces it to disk, then renames it into place with {@link StandardCopyOption#ATOMIC_MOVE}:
 * readers never see a partial file. Folder creation and moves run on worker threads; reads go through an
 * {@link AsyncFile}, which does not block the event loop.
 */
public final class FilesystemStorage implements MediaStorage {
  private final Vertx vertx;
  private final Path root;

  /** A store rooted at {@code root} (created on the first put). */
  public FilesystemStorage(Vertx vertx, Path root) {
    this.vertx = vertx;
    this.root = root.toAbsolutePath().normalize();
  }

  /** The file that holds {@code key} (see the class comment for the layout). */
  public Path pathOf(String key) {
    String[] segments = MediaStorage.checkKey(key).split("/");
    Path dir = root;
    for (int i = 0; i < segments.length - 1; i++) {
      dir = dir.resolve(segments[i]);
    }
    String name = segments[segments.length - 1];
    String shard = name.length() >= 2 ? name.substring(name.length() - 2) : "0" + name;
    return dir.resolve(shard).resolve(name);
  }

  @Override
  public Future<Void> put(String key, Path source, String contentType) {
    Path target;
    try {
      target = pathOf(key);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.executeBlocking(() -> {
      Files.createDirectories(target.getParent());
      Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
      try {
        Files.move(source, tmp); // a rename on the same file system, else a copy and a delete
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ch.force(true); // the bytes on disk before the name points at them
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(tmp);
        throw e;
      }
      return null;
    }, false);
  }

  @Override
  public Future<ReadStream<Buffer>> read(String key, long offset, long length) {
    Path path;
    try {
      path = pathOf(key);
      MediaStorage.checkRange(offset, length);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.fileSystem().open(path.toString(), new OpenOptions().setRead(true).setCreate(false))
        .recover(err -> Future.failedFuture(missing(err) ? new NotFound(key) : err))
        .compose(file -> file.size().compose(size -> {
          if (offset + length > size) {
            return file.close().transform(ignored -> Future.<ReadStream<Buffer>>failedFuture(new IllegalArgumentException(
                "range " + offset + "+" + length + " past the end of " + key + " (" + size + " bytes)")));
          }
          file.setReadPos(offset).setReadLength(length);
          return Future.<ReadStream<Buffer>>succeededFuture(new ClosingStream(file));
        }, err -> file.close().transform(ignored -> Future.<ReadStream<Buffer>>failedFuture(err))));
  }

  @Override
  public Future<Void> delete(String key) {
    Path path;
    try {
      path = pathOf(key);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.executeBlocking(() -> {
      Files.deleteIfExists(path);
      return null;
    }, false);
  }

  @Override
  public Future<Long> size(String key) {
    Path path;
    try {
      path = pathOf(key);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.fileSystem().props(path.toString())
        .map(props -> props.size())
        .recover(err -> Future.failedFuture(missing(err) ? new NotFound(key) : err));
  }

  private static boolean missing(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof NoSuchFileException) {
        return true;
      }
    }
    return false;
  }

  /**
   * An {@link AsyncFile} as a read stream that closes the file at its end, on an error, or when its
   * handler is set to null before the end (the consumer gave up, as a failed {@code pipeTo} does).
   * Calls after that are ignored, where a closed AsyncFile would throw.
   */
  private static final class ClosingStream implements ReadStream<Buffer> {
    private final AsyncFile file;
    private boolean closed;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;

    ClosingStream(AsyncFile file) {
      this.file = file;
      file.endHandler(v -> {
        close();
        Handler<Void> h = endHandler;
        if (h != null) {
          h.handle(null);
        }
      });
      file.exceptionHandler(err -> {
        close();
        Handler<Throwable> h = exceptionHandler;
        if (h != null) {
          h.handle(err);
        }
      });
    }

    private void close() {
      if (!closed) {
        closed = true;
        file.close();
      }
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      exceptionHandler = handler;
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      if (closed) {
        return this;
      }
      if (handler == null) {
        close();
      } else {
        file.handler(handler);
      }
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      if (!closed) {
        file.pause();
      }
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      if (!closed) {
        file.resume();
      }
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      if (!closed) {
        file.fetch(amount);
      }
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> handler) {
      endHandler = handler;
      return this;
    }
  }
}
