package io.parley.persistence.shared;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;

/**
 * Failures of the stores to domain outcomes: a lost database is {@code UNAVAILABLE} (retryable,
 * logged once per outage by {@link DatabaseOutage}); SQLSTATE 23505 (unique violation) is
 * {@code CONFLICT}, naming the field of an e-mail or username constraint; 23503 (foreign key)
 * {@code NOT_FOUND}; class 22 (data exception) {@code VALIDATION_FAILED}. Anything else passes
 * on (and is logged as {@code INTERNAL} by {@code Bus.serve}).
 */
public final class SqlErrors {
  private SqlErrors() {}

  public static <R> Future<R> map(Throwable err, DatabaseOutage outage) {
    if (!(err instanceof ParleyException) && DatabaseOutage.isLost(err)) {
      return Future.failedFuture(outage.failed(err));
    }
    if (err instanceof PgException pg) {
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      if (state.equals("23505")) {
        String constraint = String.valueOf(pg.getConstraint());
        String field = constraint.contains("email") ? "email" : constraint.contains("username") ? "username" : null;
        return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT,
            field == null ? "already exists" : "this " + field + " is already taken",
            field == null ? null : new JsonObject().put("field", field)));
      }
      if (state.equals("23503")) {
        return Future.failedFuture(ParleyException.notFound("referenced record"));
      }
      if (state.startsWith("22")) {
        return Future.failedFuture(new ParleyException(ErrorCode.VALIDATION_FAILED, "invalid value"));
      }
    }
    return Future.failedFuture(err);
  }
}
