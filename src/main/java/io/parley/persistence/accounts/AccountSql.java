package io.parley.persistence.accounts;

/** SQL of accounts ({@code users}) and mailed single-use tokens ({@code user_tokens}). Parameters are positional ($n). */
public final class AccountSql {
  private AccountSql() {}

  static final String USER_COLUMNS =
      "id, email, username, first_name, last_name, created_at, email_verified_at, status, avatar_attachment_id, is_bot, role";

  static final String USER_INSERT =
      "INSERT INTO users (email, username, first_name, last_name, password_hash) VALUES ($1, $2, $3, $4, $5) "
          + "RETURNING " + USER_COLUMNS;

  /** $1 user → the user (Me columns); also read by the avatar's store. */
  public static final String USER_BY_ID = "SELECT " + USER_COLUMNS + " FROM users WHERE id = $1";

  static final String USER_CREDENTIALS_BY_ID = "SELECT " + USER_COLUMNS + ", password_hash FROM users WHERE id = $1";

  static final String USER_CREDENTIALS_BY_EMAIL =
      "SELECT " + USER_COLUMNS + ", password_hash FROM users WHERE lower(email) = lower($1) AND NOT is_bot"; // bots never log in

  static final String USER_BY_EMAIL = "SELECT " + USER_COLUMNS + " FROM users WHERE lower(email) = lower($1)";

  static final String USER_INVITE =
      "INSERT INTO users (email, username, status) VALUES ($1, $2, 'invited') RETURNING " + USER_COLUMNS;

  /** $1 email: the invited account (no password yet) registered over, locked. */
  static final String USER_INVITED_BY_EMAIL_FOR_UPDATE =
      "SELECT id FROM users WHERE lower(email) = lower($1) AND status = 'invited' FOR UPDATE";

  /** Registration over an invitation: $1 id, $2 username, $3 first_name, $4 last_name, $5 password_hash. */
  static final String USER_CLAIM_INVITED =
      "UPDATE users SET username = $2, first_name = $3, last_name = $4, password_hash = $5, status = 'active' "
          + "WHERE id = $1 AND status = 'invited' RETURNING " + USER_COLUMNS;

  /** $1 id, $2 username (null: keep), $3 set first_name?, $4 first_name, $5 set last_name?, $6 last_name. */
  static final String USER_UPDATE =
      "UPDATE users SET username = COALESCE($2, username), "
          + "first_name = CASE WHEN $3 THEN $4 ELSE first_name END, "
          + "last_name = CASE WHEN $5 THEN $6 ELSE last_name END WHERE id = $1 RETURNING " + USER_COLUMNS;

  static final String USER_SET_PASSWORD =
      "UPDATE users SET password_hash = $2, status = 'active' WHERE id = $1 RETURNING " + USER_COLUMNS;

  /** Marks the address verified; no row when it already was. */
  static final String USER_MARK_VERIFIED =
      "UPDATE users SET email_verified_at = now() WHERE id = $1 AND email_verified_at IS NULL RETURNING " + USER_COLUMNS;

  /**
   * $1 prefix pattern (lower case, LIKE-escaped, with its %), $2 cursor (lower username,
   * exclusive), $3 limit, $4 the query as a whole address. Matches usernames and names by
   * prefix, and an e-mail address only whole: a prefix of an address reveals nothing.
   */
  static final String USERS_SEARCH =
      "SELECT " + USER_COLUMNS + " FROM users "
          + "WHERE (lower(username) LIKE $1 OR lower(first_name) LIKE $1 OR lower(last_name) LIKE $1 "
          + "OR lower(email) = lower($4)) AND lower(username) > $2 "
          + "ORDER BY lower(username) LIMIT $3";

  static final String USER_TOKEN_INSERT =
      "INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at) "
          + "VALUES ($1, $2, $3, now() + make_interval(secs => $4))";

  static final String USER_TOKEN_FOR_UPDATE =
      "SELECT id, user_id, purpose, used_at, expires_at < now() AS expired FROM user_tokens "
          + "WHERE token_hash = $1 FOR UPDATE";

  static final String USER_TOKEN_MARK_USED = "UPDATE user_tokens SET used_at = now() WHERE id = $1";

  /** Once a password is set, the user's other unused reset and invitation links stop working. */
  static final String USER_TOKENS_RETIRE_PASSWORD_LINKS =
      "UPDATE user_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL "
          + "AND purpose IN ('reset_password', 'invite')";

  /** Seconds since the user's latest token of a purpose was made (null when none). */
  static final String USER_TOKEN_LAST_AGE =
      "SELECT extract(epoch FROM now() - max(created_at))::float8 AS age FROM user_tokens WHERE user_id = $1 AND purpose = $2";
}
