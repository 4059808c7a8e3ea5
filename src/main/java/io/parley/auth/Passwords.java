package io.parley.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;

/**
 * Password hashing with bcrypt (Provos and Mazières, 1999; the {@code $2a$} format of
 * at.favre.lib:bcrypt). Hashing is deliberately slow, so both calls run on worker threads.
 * bcrypt reads at most 72 bytes of a password: longer passwords are refused where one is chosen
 * (register, reset, change), so none is ever stored, and {@link #verify} answers false for them.
 */
public final class Passwords {
  /** The longest password bcrypt hashes without truncation, in UTF-8 bytes. */
  public static final int MAX_BYTES = 72;

  private final Vertx vertx;
  private final int cost;

  public Passwords(Vertx vertx, int cost) {
    this.vertx = vertx;
    this.cost = cost;
  }

  /** The bcrypt hash of {@code password}, computed off the event loop. */
  public Future<String> hash(String password) {
    return vertx.executeBlocking(() -> BCrypt.withDefaults().hashToString(cost, password.toCharArray()), false);
  }

  /**
   * Whether {@code password} matches {@code hash}, checked off the event loop. A password over
   * {@link #MAX_BYTES} never matches (no such password can have been set): false, like a wrong one.
   */
  public Future<Boolean> verify(String password, String hash) {
    if (tooLong(password)) {
      return Future.succeededFuture(false);
    }
    return vertx.executeBlocking(() -> BCrypt.verifyer().verify(password.getBytes(StandardCharsets.UTF_8),
        hash.getBytes(StandardCharsets.UTF_8)).verified, false);
  }

  /** Whether {@code password} is longer than bcrypt's {@link #MAX_BYTES} in UTF-8. */
  public static boolean tooLong(String password) {
    return password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES;
  }
}
