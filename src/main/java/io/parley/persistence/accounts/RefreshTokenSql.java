package io.parley.persistence.accounts;

/** SQL of refresh tokens ({@code refresh_tokens}): stored as SHA-256, single use, in families. Parameters are positional ($n). */
final class RefreshTokenSql {
  private RefreshTokenSql() {}

  static final String TOKEN_INSERT =
      "INSERT INTO refresh_tokens (user_id, token_hash, family, expires_at) "
          + "VALUES ($1, $2, $3, now() + make_interval(secs => $4))";

  static final String TOKEN_FOR_UPDATE =
      "SELECT id, user_id, family, used_at, revoked_at, expires_at < now() AS expired "
          + "FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE";

  static final String TOKEN_MARK_USED = "UPDATE refresh_tokens SET used_at = now() WHERE id = $1";

  static final String TOKEN_REVOKE_FAMILY =
      "UPDATE refresh_tokens SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL";

  /** The refresh token is its own credential: whoever holds it may revoke its family. */
  static final String TOKEN_REVOKE_BY_HASH =
      "UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND family = "
          + "(SELECT family FROM refresh_tokens WHERE token_hash = $1)";

  static final String TOKENS_REVOKE_ALL_OF_USER =
      "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL";
}
