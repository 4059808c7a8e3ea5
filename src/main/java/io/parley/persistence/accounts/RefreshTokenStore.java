package io.parley.persistence.accounts;

import static io.parley.bus.Addresses.*;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.persistence.shared.Handlers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * Refresh tokens: 32 random bytes kept as SHA-256, single use and rotated on every refresh in a
 * family (one family per login: the session, the {@code sid} of its access tokens); presenting a used or revoked token again revokes its whole family (reuse detection,
 * as in OAuth 2.0 Security BCP, RFC 9700 §4.14.2).
 */
public final class RefreshTokenStore {
  private final Pool pool;

  public RefreshTokenStore(Pool pool) {
    this.pool = pool;
  }

  public void register(Handlers h) {
    h.on(TOKENS_ISSUE, this::issueToken);
    h.on(TOKENS_ROTATE, this::rotateToken);
    h.on(TOKENS_REVOKE, this::revokeToken);
  }

  /** Revokes every refresh token of the user, inside {@code conn}'s transaction (a new password ends every login). */
  public Future<Void> revokeAll(SqlConnection conn, long userId) {
    return conn.preparedQuery(RefreshTokenSql.TOKENS_REVOKE_ALL_OF_USER).execute(Tuple.of(userId)).mapEmpty();
  }

  /** {user_id, token_hash, ttl_s} → {session}: a new login's first token, in a family of its own (the session). */
  private Future<JsonObject> issueToken(JsonObject b) {
    UUID family = UUID.randomUUID();
    return pool.preparedQuery(RefreshTokenSql.TOKEN_INSERT)
        .execute(Tuple.of(b.getLong("user_id"), b.getBuffer("token_hash"), family, b.getLong("ttl_s")))
        .map(rs -> new JsonObject().put("session", family.toString()));
  }

  /**
   * {old_hash, new_hash, ttl_s} → {user_id, session}. The old token must be live; it is marked used and
   * the new one joins its family. A used or revoked token revokes the family (reuse detection).
   */
  private Future<JsonObject> rotateToken(JsonObject b) {
    return pool.withTransaction(conn -> conn.preparedQuery(RefreshTokenSql.TOKEN_FOR_UPDATE).execute(Tuple.of(b.getBuffer("old_hash")))
            .compose(rs -> {
              if (rs.size() == 0) {
                return Future.succeededFuture(new JsonObject().put("outcome", "unknown"));
              }
              Row t = rs.iterator().next();
              UUID family = t.getUUID("family");
              if (t.getValue("used_at") != null || t.getValue("revoked_at") != null) {
                return conn.preparedQuery(RefreshTokenSql.TOKEN_REVOKE_FAMILY).execute(Tuple.of(family))
                    .map(x -> new JsonObject().put("outcome", "reused"));
              }
              if (t.getBoolean("expired")) {
                return Future.succeededFuture(new JsonObject().put("outcome", "expired"));
              }
              long userId = t.getLong("user_id");
              return conn.preparedQuery(RefreshTokenSql.TOKEN_MARK_USED).execute(Tuple.of(t.getLong("id")))
                  .compose(x -> conn.preparedQuery(RefreshTokenSql.TOKEN_INSERT)
                      .execute(Tuple.of(userId, b.getBuffer("new_hash"), family, b.getLong("ttl_s"))))
                  .map(x -> new JsonObject().put("outcome", "rotated").put("user_id", userId).put("session", family.toString()));
            }))
        .compose(r -> switch (r.getString("outcome")) {
          case "rotated" -> Future.succeededFuture(new JsonObject().put("user_id", r.getLong("user_id")).put("session", r.getString("session")));
          case "reused" -> Future.failedFuture(new ParleyException(ErrorCode.UNAUTHORIZED,
              "refresh token was already used; every token of this login is revoked"));
          case "expired" -> Future.failedFuture(new ParleyException(ErrorCode.UNAUTHORIZED, "refresh token expired"));
          default -> Future.failedFuture(new ParleyException(ErrorCode.UNAUTHORIZED, "unknown refresh token"));
        });
  }

  private Future<JsonObject> revokeToken(JsonObject b) {
    return pool.preparedQuery(RefreshTokenSql.TOKEN_REVOKE_BY_HASH).execute(Tuple.of(b.getBuffer("token_hash")))
        .map(rs -> new JsonObject().put("revoked", rs.rowCount()));
  }
}
