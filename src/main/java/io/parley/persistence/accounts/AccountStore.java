package io.parley.persistence.accounts;

import static io.parley.bus.Addresses.*;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.persistence.shared.Handlers;
import io.parley.persistence.shared.Pages;
import io.parley.persistence.shared.Rows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.parley.persistence.outbox.OutboxStore;

/**
 * Accounts: registration (over an invitation too), profile, invitations, mailed single-use
 * tokens (verify e-mail, reset password, invite; stored as SHA-256) and credentials. Mail goes
 * out through the outbox in the same transaction ({@link OutboxStore#queue}); setting a password
 * revokes the user's refresh tokens ({@link RefreshTokenStore#revokeAll}) and, once committed,
 * ends the user's other sessions: {@code parley.users.sessions-ended} closes their sockets.
 */
public final class AccountStore {
  private final Vertx vertx;
  private final Pool pool;
  private final OutboxStore outbox;
  private final RefreshTokenStore tokens;
  private final boolean requireVerified;

  /** @param requireVerified whether inviting others needs a verified e-mail address */
  public AccountStore(Vertx vertx, Pool pool, OutboxStore outbox, RefreshTokenStore tokens, boolean requireVerified) {
    this.vertx = vertx;
    this.pool = pool;
    this.outbox = outbox;
    this.tokens = tokens;
    this.requireVerified = requireVerified;
  }

  public void register(Handlers h) {
    h.on(USERS_CREATE, this::createUser);
    h.on(USERS_CREDENTIALS, this::credentials);
    h.on(USERS_GET, this::getUser);
    h.on(USERS_SEARCH, this::searchUsers);
    h.on(USERS_UPDATE, this::updateUser);
    h.on(USERS_INVITE, this::inviteUser);
    h.on(USERS_SET_PASSWORD, this::setPassword);
    h.on(VERIFICATION_RESEND, this::resendVerification);
    h.on(PASSWORD_FORGOT, this::forgotPassword);
    h.on(TOKENS_USE, this::useToken);
  }

  /**
   * {email, username, first_name?, last_name?, password_hash, token, token_hash, ttl_s} → the
   * user. In the same transaction: a verify_email token and the verification mail.
   */
  private Future<JsonObject> createUser(JsonObject b) {
    return pool.withTransaction(conn -> conn.preparedQuery(AccountSql.USER_INVITED_BY_EMAIL_FOR_UPDATE).execute(Tuple.of(b.getString("email")))
            .compose(invited -> invited.size() == 0
                ? conn.preparedQuery(AccountSql.USER_INSERT).execute(Tuple.of(b.getString("email"), b.getString("username"),
                    b.getString("first_name"), b.getString("last_name"), b.getString("password_hash")))
                : claimInvited(conn, invited.iterator().next().getLong("id"), b))
            .map(rs -> Rows.me(rs.iterator().next()))
            .compose(user -> mailToken(conn, user, "verify_email", "verification", b, new JsonObject()).map(user)))
        .onSuccess(x -> outbox.ready());
  }

  /**
   * Registration with an address someone invited: the owner of the address takes the invited
   * account (with the username and password they chose; the address is verified by mail as for
   * any registration) and the invitation links stop working. So an invitation can never keep
   * anyone from registering their own address.
   */
  private static Future<RowSet<Row>> claimInvited(SqlConnection conn, long userId, JsonObject b) {
    return conn.preparedQuery(AccountSql.USER_TOKENS_RETIRE_PASSWORD_LINKS).execute(Tuple.of(userId))
        .compose(x -> conn.preparedQuery(AccountSql.USER_CLAIM_INVITED).execute(Tuple.of(userId, b.getString("username"),
            b.getString("first_name"), b.getString("last_name"), b.getString("password_hash"))));
  }

  /** Stores a mailed token and queues the mail that carries it (params get username and token). */
  private Future<Void> mailToken(SqlConnection conn, JsonObject user, String purpose, String template, JsonObject b,
                                 JsonObject params) {
    return conn.preparedQuery(AccountSql.USER_TOKEN_INSERT)
        .execute(Tuple.of(user.getLong("id"), purpose, b.getBuffer("token_hash"), b.getLong("ttl_s")))
        .compose(x -> outbox.queue(conn, template, user, params.put("token", b.getString("token"))));
  }

  /** {user_id, username?, first_name?, last_name?} → the user; CONFLICT when the username is taken. */
  private Future<JsonObject> updateUser(JsonObject b) {
    return pool.preparedQuery(AccountSql.USER_UPDATE).execute(Tuple.of(b.getLong("user_id"), b.getString("username"),
            b.containsKey("first_name"), b.getString("first_name"), b.containsKey("last_name"), b.getString("last_name")))
        .compose(rs -> rs.size() == 0 ? Future.failedFuture(ParleyException.notFound("user"))
            : Future.succeededFuture(Rows.me(rs.iterator().next())));
  }

  /**
   * {inviter_id, email, username, token, token_hash, ttl_s} → the invited account (no password
   * yet). The inviter needs a verified address when verification is required. An address with
   * an account already answers CONFLICT; its owner can still register over an invitation
   * ({@link #createUser}).
   */
  private Future<JsonObject> inviteUser(JsonObject b) {
    return pool.withTransaction(conn -> conn.preparedQuery(AccountSql.USER_BY_ID).execute(Tuple.of(b.getLong("inviter_id")))
            .compose(inv -> {
              if (requireVerified && (inv.size() == 0 || inv.iterator().next().getValue("email_verified_at") == null)) {
                // an unverified account could otherwise mail anyone, under our name
                return Future.failedFuture(new ParleyException(ErrorCode.EMAIL_NOT_VERIFIED,
                    "verify your e-mail address before inviting others"));
              }
              String inviter = inv.size() == 0 ? "someone" : inv.iterator().next().getString("username");
              return conn.preparedQuery(AccountSql.USER_INVITE).execute(Tuple.of(b.getString("email"), b.getString("username")))
                  .map(rs -> Rows.me(rs.iterator().next()))
                  .compose(user -> mailToken(conn, user, "invite", "invitation", b, new JsonObject().put("inviter", inviter))
                      .map(user));
            }))
        .onSuccess(x -> outbox.ready());
  }

  /**
   * {user_id, password_hash, keep_session?} → the user; revokes every refresh token of the user,
   * then ends the sessions other than {@code keep_session} (the one that changed it).
   */
  private Future<JsonObject> setPassword(JsonObject b) {
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> conn.preparedQuery(AccountSql.USER_SET_PASSWORD).execute(Tuple.of(userId, b.getString("password_hash")))
        .compose(rs -> rs.size() == 0 ? Future.failedFuture(ParleyException.notFound("user"))
            : tokens.revokeAll(conn, userId)
            .compose(x -> conn.preparedQuery(AccountSql.USER_TOKENS_RETIRE_PASSWORD_LINKS).execute(Tuple.of(userId)))
            .map(x -> Rows.me(rs.iterator().next()))))
        .onSuccess(user -> sessionsEnded(userId, "password_changed", b.getString("keep_session")));
  }

  /** After a commit that set a password: every gateway closes the user's sockets but those of {@code keepSession}. */
  private void sessionsEnded(long userId, String reason, String keepSession) {
    JsonObject ended = new JsonObject().put("user_id", userId).put("reason", reason);
    if (keepSession != null) {
      ended.put("keep_session", keepSession);
    }
    vertx.eventBus().publish(USERS_SESSIONS_ENDED, ended);
  }

  /** {user_id, token, token_hash, ttl_s, min_interval_s} → {}: a new verification mail. */
  private Future<JsonObject> resendVerification(JsonObject b) {
    long userId = b.getLong("user_id");
    double minInterval = b.getDouble("min_interval_s", 60.0);
    return pool.withTransaction(conn -> conn.preparedQuery(AccountSql.USER_BY_ID).execute(Tuple.of(userId)).compose(rs -> {
          if (rs.size() == 0) {
            return Future.failedFuture(ParleyException.notFound("user"));
          }
          JsonObject user = Rows.me(rs.iterator().next());
          if (user.getBoolean("email_verified")) {
            return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "the e-mail address is already verified"));
          }
          return tokenCooldown(conn, userId, "verify_email", minInterval).compose(wait -> {
            if (wait > 0) {
              return Future.failedFuture(new ParleyException(ErrorCode.RATE_LIMITED,
                  "a verification mail was sent moments ago; try again in " + wait + " s",
                  new JsonObject().put("retry_after_s", wait)));
            }
            return mailToken(conn, user, "verify_email", "verification", b, new JsonObject());
          });
        }))
        .onSuccess(x -> outbox.ready())
        .map(x -> new JsonObject());
  }

  /**
   * {email, token, token_hash, ttl_s, min_interval_s} → {} whether or not the account exists (no
   * enumeration). An invited account may use it too. At most one reset mail per min_interval_s.
   */
  private Future<JsonObject> forgotPassword(JsonObject b) {
    double minInterval = b.getDouble("min_interval_s", 60.0);
    return pool.withTransaction(conn -> conn.preparedQuery(AccountSql.USER_BY_EMAIL).execute(Tuple.of(b.getString("email")))
            .compose(rs -> {
              if (rs.size() == 0) {
                return Future.succeededFuture(false);
              }
              JsonObject user = Rows.me(rs.iterator().next());
              return tokenCooldown(conn, user.getLong("id"), "reset_password", minInterval)
                  .compose(wait -> {
                    if (wait > 0) {
                      return Future.succeededFuture(false); // silently: the answer must not differ
                    }
                    return mailToken(conn, user, "reset_password", "password_reset", b, new JsonObject()).map(true);
                  });
            }))
        .onSuccess(queued -> {
          if (queued) {
            outbox.ready();
          }
        })
        .map(x -> new JsonObject());
  }

  /**
   * {purpose, token_hash, password_hash?} → the user. Uses a mailed token once: verify_email
   * marks the address verified; reset_password and invite set the password (an invite also
   * verifies the address), revoke the user's refresh tokens and, once committed, end every
   * session of the user. TOKEN_INVALID, TOKEN_EXPIRED or TOKEN_USED otherwise.
   */
  private Future<JsonObject> useToken(JsonObject b) {
    String purpose = b.getString("purpose");
    return pool.withTransaction(conn -> conn.preparedQuery(AccountSql.USER_TOKEN_FOR_UPDATE).execute(Tuple.of(b.getBuffer("token_hash")))
            .compose(rs -> {
              Row t = rs.size() == 0 ? null : rs.iterator().next();
              boolean fits = t != null && (t.getString("purpose").equals(purpose)
                  || (purpose.equals("reset_password") && t.getString("purpose").equals("invite")));
              if (!fits) {
                return Future.failedFuture(new ParleyException(ErrorCode.TOKEN_INVALID, "this link is not valid"));
              }
              if (t.getValue("used_at") != null) {
                return Future.failedFuture(new ParleyException(ErrorCode.TOKEN_USED, "this link was already used"));
              }
              if (t.getBoolean("expired")) {
                return Future.failedFuture(new ParleyException(ErrorCode.TOKEN_EXPIRED, "this link has expired; ask for a new one"));
              }
              long userId = t.getLong("user_id");
              String kind = t.getString("purpose");
              // verify_email and invite verify the address; the welcome mail goes out the first time only
              Future<Boolean> firstVerification = kind.equals("reset_password") ? Future.succeededFuture(false)
                  : conn.preparedQuery(AccountSql.USER_MARK_VERIFIED).execute(Tuple.of(userId)).map(marked -> marked.size() > 0);
              Future<?> password = kind.equals("verify_email") ? Future.succeededFuture()
                  : conn.preparedQuery(AccountSql.USER_SET_PASSWORD).execute(Tuple.of(userId, b.getString("password_hash")))
                      .compose(x -> tokens.revokeAll(conn, userId))
                      .compose(x -> conn.preparedQuery(AccountSql.USER_TOKENS_RETIRE_PASSWORD_LINKS).execute(Tuple.of(userId)));
              return conn.preparedQuery(AccountSql.USER_TOKEN_MARK_USED).execute(Tuple.of(t.getLong("id")))
                  .compose(x -> password)
                  .compose(x -> firstVerification)
                  .compose(welcome -> conn.preparedQuery(AccountSql.USER_BY_ID).execute(Tuple.of(userId)).compose(u -> {
                    JsonObject user = Rows.me(u.iterator().next());
                    return (welcome ? outbox.queue(conn, "welcome", user, new JsonObject()) : Future.<Void>succeededFuture())
                        .map(x -> new JsonObject().put("user", user).put("mailed", welcome).put("password_set", !kind.equals("verify_email")));
                  }));
            }))
        .map(r -> {
          if (r.getBoolean("mailed")) {
            outbox.ready();
          }
          if (r.getBoolean("password_set")) {
            sessionsEnded(r.getJsonObject("user").getLong("id"), "password_reset", null);
          }
          return r.getJsonObject("user");
        });
  }

  /** {email} or {id} → {user, password_hash (null for invited accounts)}; NOT_FOUND when no such account. */
  private Future<JsonObject> credentials(JsonObject b) {
    Future<RowSet<Row>> found = b.containsKey("id")
        ? pool.preparedQuery(AccountSql.USER_CREDENTIALS_BY_ID).execute(Tuple.of(b.getLong("id")))
        : pool.preparedQuery(AccountSql.USER_CREDENTIALS_BY_EMAIL).execute(Tuple.of(b.getString("email")));
    return found
        .compose(rs -> {
          if (rs.size() == 0) {
            return Future.failedFuture(ParleyException.notFound("user"));
          }
          Row r = rs.iterator().next();
          return Future.succeededFuture(new JsonObject().put("user", Rows.me(r))
              .put("password_hash", r.getString("password_hash")));
        });
  }

  private Future<JsonObject> getUser(JsonObject b) {
    return pool.preparedQuery(AccountSql.USER_BY_ID).execute(Tuple.of(b.getLong("id")))
        .compose(rs -> rs.size() == 0
            ? Future.failedFuture(ParleyException.notFound("user"))
            : Future.succeededFuture(Rows.me(rs.iterator().next())));
  }

  private Future<JsonObject> searchUsers(JsonObject b) {
    int limit = b.getInteger("limit", 20);
    String q = Pages.likeLiteral(b.getString("q", ""));
    String cursor = b.getString("cursor", "");
    return pool.preparedQuery(AccountSql.USERS_SEARCH).execute(Tuple.of(q.toLowerCase() + "%", cursor.toLowerCase(), limit + 1,
            b.getString("q", "")))
        .map(rs -> Pages.page(rs, limit, Rows::user, u -> u.getString("username").toLowerCase()));
  }

  /** Seconds to wait before another mailed token of this purpose may go out; 0 when it may now. */
  private static Future<Long> tokenCooldown(SqlConnection conn, long userId, String purpose, double minIntervalS) {
    return conn.preparedQuery(AccountSql.USER_TOKEN_LAST_AGE).execute(Tuple.of(userId, purpose)).map(age -> {
      Double seconds = age.iterator().next().getDouble("age");
      return seconds == null || seconds >= minIntervalS ? 0L : (long) Math.ceil(minIntervalS - seconds);
    });
  }
}
