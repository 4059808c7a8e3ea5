package io.parley.persistence;

import static io.parley.bus.Addresses.*;

import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.bus.StorableText;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Owns PostgreSQL: accounts, rooms, members, messages and each room's event stream.
 *
 * <p>Serves the {@code parley.persistence.*} addresses of {@link io.parley.bus.Addresses}
 * (formats in {@code docs/event-bus.md}) and, after each commit that appends to a room's stream,
 * publishes the event frame to {@code parley.rooms.<id>}. Every stream event takes the room's
 * next {@code seq} under the room row lock in the transaction that stores it, so seqs are
 * gap-free and an event is published only once committed.
 *
 * <p>Config (section {@code persistence}): {@code database_url}, {@code pool_size},
 * {@code max_body_chars}, {@code max_replay}, {@code request_timeout_ms}.
 */
public class PersistenceVerticle extends VerticleBase {
  private Pool pool;
  private int maxBodyChars;
  private int maxReplay;
  private boolean requireVerified;
  private SendBatcher sendBatcher;
  private SendStatement sendStatement;
  private DatabaseOutage outage;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    outage = DatabaseOutage.of(vertx);
    maxBodyChars = cfg.getInteger("max_body_chars", 4000);
    maxReplay = cfg.getInteger("max_replay", 1000);
    requireVerified = cfg.getBoolean("require_verified_email", true);
    pool = PgBuilder.pool()
        .with(new io.vertx.sqlclient.PoolOptions().setMaxSize(cfg.getInteger("pool_size", 16)).setShared(true)
            .setName("parley-persistence"))
        .connectingTo(PgConnectOptions.fromUri(cfg.getString("database_url")).setCachePreparedStatements(true))
        .using(vertx)
        .build();
    sendStatement = new SendStatement(pool, requireVerified);
    sendBatcher = new SendBatcher(cfg.getInteger("send_batch_max", 128), sendStatement);

    List<Future<Void>> ready = new ArrayList<>();
    serve(ready, PERSISTENCE_HEALTH, m -> pool.query(Sql.PING).execute().map(rs -> new JsonObject().put("ok", true)));
    serve(ready, USERS_CREATE, this::createUser);
    serve(ready, USERS_CREDENTIALS, this::credentials);
    serve(ready, USERS_GET, this::getUser);
    serve(ready, USERS_SEARCH, this::searchUsers);
    serve(ready, USERS_SHARING_ROOM, this::usersSharingRoom);
    serve(ready, USERS_UPDATE, this::updateUser);
    serve(ready, USERS_INVITE, this::inviteUser);
    serve(ready, USERS_SET_PASSWORD, this::setPassword);
    serve(ready, VERIFICATION_RESEND, this::resendVerification);
    serve(ready, PASSWORD_FORGOT, this::forgotPassword);
    serve(ready, TOKENS_USE, this::useToken);
    serve(ready, ROOMS_OF_USER, this::roomsOfUser);
    serve(ready, MEMBERS_IDS, b -> pool.preparedQuery(Sql.MEMBER_IDS).execute(Tuple.of(b.getLong("room_id"))).map(rs -> {
      JsonArray ids = new JsonArray();
      rs.forEach(r -> ids.add(r.getLong("user_id")));
      return new JsonObject().put("user_ids", ids);
    }));
    serve(ready, MEMBERS_READ, this::markRead);
    serve(ready, UNREAD, this::unread);
    serve(ready, UNREAD_FOR_USERS, this::unreadForUsers);
    serve(ready, OUTBOX_CLAIM, this::claimOutbox);
    serve(ready, OUTBOX_SENT, this::outboxSent);
    serve(ready, OUTBOX_FAILED, this::outboxFailed);
    serve(ready, TOKENS_ISSUE, this::issueToken);
    serve(ready, TOKENS_ROTATE, this::rotateToken);
    serve(ready, TOKENS_REVOKE, this::revokeToken);
    serve(ready, ROOMS_CREATE, this::createRoom);
    serve(ready, ROOMS_LIST_MINE, this::listMyRooms);
    serve(ready, ROOMS_LIST_PUBLIC, this::listPublicRooms);
    serve(ready, ROOMS_GET, this::getRoom);
    serve(ready, ROOMS_UPDATE, this::updateRoom);
    serve(ready, ROOMS_DELETE, this::deleteRoom);
    serve(ready, ROOMS_JOIN, this::joinRoom);
    serve(ready, ROOMS_LEAVE, this::leaveRoom);
    serve(ready, MEMBERS_LIST, this::listMembers);
    serve(ready, MEMBERS_ADD, this::addMember);
    serve(ready, MEMBERS_REMOVE, this::removeMember);
    serve(ready, CONVERSATIONS_OPEN, this::openConversation);
    serve(ready, MESSAGES_SEND, this::sendMessage);
    serve(ready, MESSAGES_EDIT, this::editMessage);
    serve(ready, MESSAGES_DELETE, this::deleteMessage);
    serve(ready, MESSAGES_HISTORY, this::history);
    serve(ready, EVENTS_SINCE, this::eventsSince);
    return Future.all(ready);
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }

  /**
   * Serves an address: refuses text that cannot be stored (in any field, see
   * {@link StorableText}) before the handler runs, and maps the handler's failures to domain
   * outcomes ({@link #mapSqlError}).
   */
  private <R> void serve(List<Future<Void>> ready, String address, Function<JsonObject, Future<R>> handler) {
    Function<Message<JsonObject>, Future<R>> wrapped = msg -> {
      JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
      StorableText.requireAll("", body);
      return handler.apply(body).andThen(ar -> {
        if (ar.succeeded()) {
          outage.succeeded();
        }
      }).recover(this::mapSqlError);
    };
    ready.add(Bus.serve(vertx, address, wrapped).completion());
  }

  /**
   * Failures to domain outcomes: a lost database is {@code UNAVAILABLE} (retryable, logged once
   * per outage by {@link DatabaseOutage}); SQLSTATE 23505 conflict, 23503 missing reference,
   * 22xxx invalid value.
   */
  private <R> Future<R> mapSqlError(Throwable err) {
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

  // ---- users -------------------------------------------------------------------------------

  /**
   * {email, username, first_name?, last_name?, password_hash, token, token_hash, ttl_s} → the
   * user. In the same transaction: a verify_email token and the verification mail.
   */
  private Future<JsonObject> createUser(JsonObject b) {
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.USER_INVITED_BY_EMAIL_FOR_UPDATE).execute(Tuple.of(b.getString("email")))
            .compose(invited -> invited.size() == 0
                ? conn.preparedQuery(Sql.USER_INSERT).execute(Tuple.of(b.getString("email"), b.getString("username"),
                    b.getString("first_name"), b.getString("last_name"), b.getString("password_hash")))
                : claimInvited(conn, invited.iterator().next().getLong("id"), b))
            .map(rs -> Rows.me(rs.iterator().next()))
            .compose(user -> mailToken(conn, user, "verify_email", "verification", b, new JsonObject()).map(user)))
        .onSuccess(x -> mailReady());
  }

  /**
   * Registration with an address someone invited: the owner of the address takes the invited
   * account (with the username and password they chose; the address is verified by mail as for
   * any registration) and the invitation links stop working. So an invitation can never keep
   * anyone from registering their own address.
   */
  private static Future<RowSet<Row>> claimInvited(SqlConnection conn, long userId, JsonObject b) {
    return conn.preparedQuery(Sql.USER_TOKENS_RETIRE_PASSWORD_LINKS).execute(Tuple.of(userId))
        .compose(x -> conn.preparedQuery(Sql.USER_CLAIM_INVITED).execute(Tuple.of(userId, b.getString("username"),
            b.getString("first_name"), b.getString("last_name"), b.getString("password_hash"))));
  }

  /** {user_id, user_ids} → {user_ids}: those who share a room with the user (themselves included). */
  private Future<JsonObject> usersSharingRoom(JsonObject b) {
    Long[] ids = b.getJsonArray("user_ids", new JsonArray()).stream().map(o -> ((Number) o).longValue()).toArray(Long[]::new);
    return pool.preparedQuery(Sql.USERS_SHARING_ROOM).execute(Tuple.of(b.getLong("user_id"), (Object) ids)).map(rs -> {
      JsonArray visible = new JsonArray();
      rs.forEach(r -> visible.add(r.getLong(0)));
      return new JsonObject().put("user_ids", visible);
    });
  }

  /** Stores a mailed token and queues the mail that carries it (params get username and token). */
  private Future<Void> mailToken(SqlConnection conn, JsonObject user, String purpose, String template, JsonObject b,
                                 JsonObject params) {
    return conn.preparedQuery(Sql.USER_TOKEN_INSERT)
        .execute(Tuple.of(user.getLong("id"), purpose, b.getBuffer("token_hash"), b.getLong("ttl_s")))
        .compose(x -> queueMail(conn, template, user, params.put("token", b.getString("token"))));
  }

  private static Future<Void> queueMail(SqlConnection conn, String template, JsonObject user, JsonObject params) {
    params.put("username", user.getString("username")).put("user_id", user.getLong("id"));
    return conn.preparedQuery(Sql.OUTBOX_INSERT).execute(Tuple.of(template, user.getString("email"), params)).mapEmpty();
  }

  /** Tells the mail verticles that the outbox has new mail (after the commit). */
  private void mailReady() {
    vertx.eventBus().publish(MAIL_OUTBOX_READY, new JsonObject());
  }

  /** {user_id, username?, first_name?, last_name?} → the user; CONFLICT when the username is taken. */
  private Future<JsonObject> updateUser(JsonObject b) {
    return pool.preparedQuery(Sql.USER_UPDATE).execute(Tuple.of(b.getLong("user_id"), b.getString("username"),
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
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.USER_BY_ID).execute(Tuple.of(b.getLong("inviter_id")))
            .compose(inv -> {
              if (requireVerified && (inv.size() == 0 || inv.iterator().next().getValue("email_verified_at") == null)) {
                // an unverified account could otherwise mail anyone, under our name
                return Future.failedFuture(new ParleyException(ErrorCode.EMAIL_NOT_VERIFIED,
                    "verify your e-mail address before inviting others"));
              }
              String inviter = inv.size() == 0 ? "someone" : inv.iterator().next().getString("username");
              return conn.preparedQuery(Sql.USER_INVITE).execute(Tuple.of(b.getString("email"), b.getString("username")))
                  .map(rs -> Rows.me(rs.iterator().next()))
                  .compose(user -> mailToken(conn, user, "invite", "invitation", b, new JsonObject().put("inviter", inviter))
                      .map(user));
            }))
        .onSuccess(x -> mailReady());
  }

  /** {user_id, password_hash} → the user; revokes every refresh token of the user. */
  private Future<JsonObject> setPassword(JsonObject b) {
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.USER_SET_PASSWORD).execute(Tuple.of(userId, b.getString("password_hash")))
        .compose(rs -> rs.size() == 0 ? Future.failedFuture(ParleyException.notFound("user"))
            : conn.preparedQuery(Sql.TOKENS_REVOKE_ALL_OF_USER).execute(Tuple.of(userId))
            .compose(x -> conn.preparedQuery(Sql.USER_TOKENS_RETIRE_PASSWORD_LINKS).execute(Tuple.of(userId)))
            .map(x -> Rows.me(rs.iterator().next()))));
  }

  /** {user_id, token, token_hash, ttl_s, min_interval_s} → {}: a new verification mail. */
  private Future<JsonObject> resendVerification(JsonObject b) {
    long userId = b.getLong("user_id");
    double minInterval = b.getDouble("min_interval_s", 60.0);
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.USER_BY_ID).execute(Tuple.of(userId)).compose(rs -> {
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
        .onSuccess(x -> mailReady())
        .map(x -> new JsonObject());
  }

  /**
   * {email, token, token_hash, ttl_s, min_interval_s} → {} whether or not the account exists (no
   * enumeration). An invited account may use it too. At most one reset mail per min_interval_s.
   */
  private Future<JsonObject> forgotPassword(JsonObject b) {
    double minInterval = b.getDouble("min_interval_s", 60.0);
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.USER_BY_EMAIL).execute(Tuple.of(b.getString("email")))
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
            mailReady();
          }
        })
        .map(x -> new JsonObject());
  }

  /**
   * {purpose, token_hash, password_hash?} → the user. Uses a mailed token once: verify_email
   * marks the address verified; reset_password and invite set the password (an invite also
   * verifies the address) and revoke the user's refresh tokens. TOKEN_INVALID, TOKEN_EXPIRED or
   * TOKEN_USED otherwise.
   */
  private Future<JsonObject> useToken(JsonObject b) {
    String purpose = b.getString("purpose");
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.USER_TOKEN_FOR_UPDATE).execute(Tuple.of(b.getBuffer("token_hash")))
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
                  : conn.preparedQuery(Sql.USER_MARK_VERIFIED).execute(Tuple.of(userId)).map(marked -> marked.size() > 0);
              Future<?> password = kind.equals("verify_email") ? Future.succeededFuture()
                  : conn.preparedQuery(Sql.USER_SET_PASSWORD).execute(Tuple.of(userId, b.getString("password_hash")))
                      .compose(x -> conn.preparedQuery(Sql.TOKENS_REVOKE_ALL_OF_USER).execute(Tuple.of(userId)))
                      .compose(x -> conn.preparedQuery(Sql.USER_TOKENS_RETIRE_PASSWORD_LINKS).execute(Tuple.of(userId)));
              return conn.preparedQuery(Sql.USER_TOKEN_MARK_USED).execute(Tuple.of(t.getLong("id")))
                  .compose(x -> password)
                  .compose(x -> firstVerification)
                  .compose(welcome -> conn.preparedQuery(Sql.USER_BY_ID).execute(Tuple.of(userId)).compose(u -> {
                    JsonObject user = Rows.me(u.iterator().next());
                    return (welcome ? queueMail(conn, "welcome", user, new JsonObject()) : Future.<Void>succeededFuture())
                        .map(x -> new JsonObject().put("user", user).put("mailed", welcome));
                  }));
            }))
        .map(r -> {
          if (r.getBoolean("mailed")) {
            mailReady();
          }
          return r.getJsonObject("user");
        });
  }

  // ---- read markers, unread counts ---------------------------------------------------------

  private Future<JsonObject> roomsOfUser(JsonObject b) {
    return pool.preparedQuery(Sql.ROOM_IDS_OF_USER).execute(Tuple.of(b.getLong("user_id"))).map(rs -> {
      JsonArray rooms = new JsonArray();
      for (Row r : rs) {
        rooms.add(new JsonObject().put("id", r.getLong("room_id")).put("member_count", r.getLong("member_count")));
      }
      return new JsonObject().put("rooms", rooms);
    });
  }

  /**
   * {user_id, room_id, seq} → {room_id, last_read_seq, unread_count}. The marker only moves
   * forward (and not past the room's head); when it moves, the room gets an ephemeral
   * {@code read} event {room_id, user_id, last_read_seq}.
   */
  private Future<JsonObject> markRead(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    return requireMember(pool, roomId, userId, false)
        .compose(a -> pool.preparedQuery(Sql.READ_MARKER_MOVE).execute(Tuple.of(roomId, userId, b.getLong("seq"))))
        .compose(moved -> {
          if (moved.size() > 0) {
            long marker = moved.iterator().next().getLong("last_read_seq");
            JsonObject event = new JsonObject().put("type", "read").put("room_id", roomId).put("user_id", userId)
                .put("last_read_seq", marker);
            vertx.eventBus().publish(room(roomId), event.toBuffer(), new DeliveryOptions()
                .addHeader("ephemeral", "1").addHeader("type", "read").addHeader("user_id", String.valueOf(userId)));
          }
          return pool.preparedQuery(Sql.UNREAD_OF).execute(Tuple.of(roomId, userId));
        })
        .map(rs -> {
          Row r = rs.iterator().next();
          return new JsonObject().put("room_id", roomId).put("last_read_seq", r.getLong("last_read_seq"))
              .put("unread_count", r.getLong("unread_count"));
        });
  }

  private Future<JsonObject> unread(JsonObject b) {
    return pool.preparedQuery(Sql.UNREAD_BY_ROOM).execute(Tuple.of(b.getLong("user_id"))).map(rs -> {
      JsonArray rooms = new JsonArray();
      long total = 0;
      for (Row r : rs) {
        long n = r.getLong("unread_count");
        total += n;
        rooms.add(new JsonObject().put("room_id", r.getLong("room_id")).put("unread_count", n));
      }
      return new JsonObject().put("total", total).put("rooms", rooms);
    });
  }

  private Future<JsonObject> unreadForUsers(JsonObject b) {
    Long[] ids = b.getJsonArray("user_ids").stream().map(o -> ((Number) o).longValue()).toArray(Long[]::new);
    return pool.preparedQuery(Sql.UNREAD_FOR_USERS).execute(Tuple.of(b.getLong("room_id"), (Object) ids)).map(rs -> {
      JsonArray items = new JsonArray();
      for (Row r : rs) {
        items.add(new JsonObject().put("user_id", r.getLong("user_id")).put("unread_count", r.getLong("unread_count")));
      }
      return new JsonObject().put("items", items);
    });
  }

  // ---- mail outbox -------------------------------------------------------------------------

  /** {limit, lease_s} → {items: [{id, template, to_address, params, attempts}]}. */
  private Future<JsonObject> claimOutbox(JsonObject b) {
    return pool.preparedQuery(Sql.OUTBOX_CLAIM).execute(Tuple.of(b.getInteger("limit", 10), b.getInteger("lease_s", 60)))
        .map(rs -> {
          JsonArray items = new JsonArray();
          for (Row r : rs) {
            Object params = r.getValue("params");
            items.add(new JsonObject().put("id", r.getLong("id")).put("template", r.getString("template"))
                .put("to_address", r.getString("to_address"))
                .put("params", params instanceof JsonObject p ? p : new JsonObject())
                .put("attempts", r.getInteger("attempts")));
          }
          return new JsonObject().put("items", items);
        });
  }

  private Future<JsonObject> outboxSent(JsonObject b) {
    return pool.preparedQuery(Sql.OUTBOX_SENT).execute(Tuple.of(b.getLong("id"), b.getInteger("attempts")))
        .map(rs -> new JsonObject());
  }

  /** {id, error, retry_in_s?}: back to pending for a later attempt, or failed when retry_in_s is absent. */
  private Future<JsonObject> outboxFailed(JsonObject b) {
    return pool.preparedQuery(Sql.OUTBOX_FAILED)
        .execute(Tuple.of(b.getLong("id"), b.getString("error"), b.getDouble("retry_in_s"), b.getInteger("attempts")))
        .map(rs -> new JsonObject());
  }

  /** {email} or {id} → {user, password_hash (null for invited accounts)}; NOT_FOUND when no such account. */
  private Future<JsonObject> credentials(JsonObject b) {
    Future<RowSet<Row>> found = b.containsKey("id")
        ? pool.preparedQuery(Sql.USER_CREDENTIALS_BY_ID).execute(Tuple.of(b.getLong("id")))
        : pool.preparedQuery(Sql.USER_CREDENTIALS_BY_EMAIL).execute(Tuple.of(b.getString("email")));
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
    return pool.preparedQuery(Sql.USER_BY_ID).execute(Tuple.of(b.getLong("id")))
        .compose(rs -> rs.size() == 0
            ? Future.failedFuture(ParleyException.notFound("user"))
            : Future.succeededFuture(Rows.me(rs.iterator().next())));
  }

  private Future<JsonObject> searchUsers(JsonObject b) {
    int limit = b.getInteger("limit", 20);
    String q = likeLiteral(b.getString("q", ""));
    String cursor = b.getString("cursor", "");
    return pool.preparedQuery(Sql.USERS_SEARCH).execute(Tuple.of(q.toLowerCase() + "%", cursor.toLowerCase(), limit + 1,
            b.getString("q", "")))
        .map(rs -> page(rs, limit, Rows::user, u -> u.getString("username").toLowerCase()));
  }

  // ---- refresh tokens ----------------------------------------------------------------------

  private Future<JsonObject> issueToken(JsonObject b) {
    return pool.preparedQuery(Sql.TOKEN_INSERT)
        .execute(Tuple.of(b.getLong("user_id"), b.getBuffer("token_hash"), UUID.randomUUID(), b.getLong("ttl_s")))
        .map(rs -> new JsonObject());
  }

  /**
   * {old_hash, new_hash, ttl_s} → {user_id}. The old token must be live; it is marked used and
   * the new one joins its family. A used or revoked token revokes the family (reuse detection).
   */
  private Future<JsonObject> rotateToken(JsonObject b) {
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.TOKEN_FOR_UPDATE).execute(Tuple.of(b.getBuffer("old_hash")))
            .compose(rs -> {
              if (rs.size() == 0) {
                return Future.succeededFuture(new JsonObject().put("outcome", "unknown"));
              }
              Row t = rs.iterator().next();
              UUID family = t.getUUID("family");
              if (t.getValue("used_at") != null || t.getValue("revoked_at") != null) {
                return conn.preparedQuery(Sql.TOKEN_REVOKE_FAMILY).execute(Tuple.of(family))
                    .map(x -> new JsonObject().put("outcome", "reused"));
              }
              if (t.getBoolean("expired")) {
                return Future.succeededFuture(new JsonObject().put("outcome", "expired"));
              }
              long userId = t.getLong("user_id");
              return conn.preparedQuery(Sql.TOKEN_MARK_USED).execute(Tuple.of(t.getLong("id")))
                  .compose(x -> conn.preparedQuery(Sql.TOKEN_INSERT)
                      .execute(Tuple.of(userId, b.getBuffer("new_hash"), family, b.getLong("ttl_s"))))
                  .map(x -> new JsonObject().put("outcome", "rotated").put("user_id", userId));
            }))
        .compose(r -> switch (r.getString("outcome")) {
          case "rotated" -> Future.succeededFuture(new JsonObject().put("user_id", r.getLong("user_id")));
          case "reused" -> Future.failedFuture(new ParleyException(ErrorCode.UNAUTHORIZED,
              "refresh token was already used; every token of this login is revoked"));
          case "expired" -> Future.failedFuture(new ParleyException(ErrorCode.UNAUTHORIZED, "refresh token expired"));
          default -> Future.failedFuture(new ParleyException(ErrorCode.UNAUTHORIZED, "unknown refresh token"));
        });
  }

  private Future<JsonObject> revokeToken(JsonObject b) {
    return pool.preparedQuery(Sql.TOKEN_REVOKE_BY_HASH).execute(Tuple.of(b.getBuffer("token_hash")))
        .map(rs -> new JsonObject().put("revoked", rs.rowCount()));
  }

  // ---- rooms -------------------------------------------------------------------------------

  /** Access of one user to one room, read with {@link Sql#ROOM_ACCESS}. */
  private record Access(String kind, boolean isPrivate, Long ownerId, long lastSeq, String role) {
    boolean member() {
      return role != null;
    }

    boolean visible() {
      return member() || (kind.equals("group") && !isPrivate);
    }

    /** NOT_FOUND for rooms the user cannot see, FORBIDDEN for visible ones they are not in. */
    ParleyException notMember() {
      return visible() ? ParleyException.forbidden("you are not a member of this room") : ParleyException.notFound("room");
    }
  }

  private static Future<Access> access(SqlClient client, long roomId, long userId, boolean lock) {
    return client.preparedQuery(lock ? Sql.ROOM_ACCESS_FOR_UPDATE : Sql.ROOM_ACCESS).execute(Tuple.of(roomId, userId))
        .compose(rs -> {
          if (rs.size() == 0) {
            return Future.failedFuture(ParleyException.notFound("room"));
          }
          Row r = rs.iterator().next();
          return Future.succeededFuture(new Access(r.getString("kind"), r.getBoolean("is_private"),
              r.getLong("owner_id"), r.getLong("last_seq"), r.getString("role")));
        });
  }

  private static Future<Access> requireMember(SqlClient client, long roomId, long userId, boolean lock) {
    return access(client, roomId, userId, lock)
        .compose(a -> a.member() ? Future.succeededFuture(a) : Future.failedFuture(a.notMember()));
  }

  private static Future<Access> requireOwner(SqlClient client, long roomId, long userId) {
    return requireMember(client, roomId, userId, true).compose(a -> {
      if (!a.kind().equals("group")) {
        return Future.failedFuture(ParleyException.forbidden("conversations have no owner and cannot be changed"));
      }
      if (!"owner".equals(a.role())) {
        return Future.failedFuture(ParleyException.forbidden("only the room owner can do this"));
      }
      return Future.succeededFuture(a);
    });
  }

  private Future<JsonObject> roomFor(SqlClient client, long roomId, long userId) {
    return client.preparedQuery(Sql.ROOM_FOR_USER).execute(Tuple.of(roomId, userId)).compose(rs -> {
      if (rs.size() == 0) {
        return Future.failedFuture(ParleyException.notFound("room"));
      }
      return Future.succeededFuture(Rows.room(rs.iterator().next()));
    });
  }

  private Future<JsonObject> createRoom(JsonObject b) {
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.ROOM_INSERT)
            .execute(Tuple.of("group", b.getString("name"), b.getString("description"),
                b.getBoolean("is_private", false), userId, null))
            .compose(rs -> {
              long roomId = rs.iterator().next().getLong("id");
              return conn.preparedQuery(Sql.MEMBER_INSERT).execute(Tuple.of(roomId, userId, "owner"))
                  .compose(x -> roomFor(conn, roomId, userId));
            }));
  }

  private Future<JsonObject> listMyRooms(JsonObject b) {
    int limit = b.getInteger("limit", 50);
    return pool.preparedQuery(Sql.ROOMS_OF_USER).execute(Tuple.of(b.getLong("user_id"), cursorId(b), limit + 1))
        .map(rs -> page(rs, limit, Rows::room, r -> String.valueOf(r.getLong("id"))));
  }

  private Future<JsonObject> listPublicRooms(JsonObject b) {
    int limit = b.getInteger("limit", 50);
    String q = b.getString("q");
    String pattern = q == null || q.isBlank() ? "%"
        : "%" + likeLiteral(q) + "%";
    return pool.preparedQuery(Sql.ROOMS_PUBLIC).execute(Tuple.of(pattern, b.getLong("user_id"), cursorId(b), limit + 1))
        .map(rs -> page(rs, limit, Rows::room, r -> String.valueOf(r.getLong("id"))));
  }

  private Future<JsonObject> getRoom(JsonObject b) {
    long userId = b.getLong("user_id");
    return roomFor(pool, b.getLong("room_id"), userId).compose(room -> {
      boolean visible = room.getString("role") != null
          || (room.getString("kind").equals("group") && !room.getBoolean("is_private"));
      return visible ? Future.succeededFuture(room) : Future.failedFuture(ParleyException.notFound("room"));
    });
  }

  private Future<JsonObject> updateRoom(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    boolean setDescription = b.containsKey("description");
    return pool.withTransaction(conn -> requireOwner(conn, roomId, userId)
            .compose(a -> conn.preparedQuery(Sql.ROOM_UPDATE).execute(Tuple.of(roomId, b.getString("name"),
                setDescription, b.getString("description"), b.getBoolean("is_private"))))
            .compose(x -> roomFor(conn, roomId, userId))
            .compose(room -> appendEvent(conn, roomId, "room.updated", null,
                seq -> frame("room.updated", roomId, seq).put("room", roomView(room, seq))))
            .compose(ev -> roomFor(conn, roomId, userId).map(room -> new Committed(room, ev))))
        .map(this::publishAndUnwrap);
  }

  /** The room as carried in events: without the viewer's membership fields. */
  private static JsonObject roomView(JsonObject room, long seq) {
    JsonObject view = room.copy().put("last_seq", seq);
    view.remove("role");
    view.remove("last_read_seq");
    view.remove("peer");
    view.remove("last_event_at");
    view.remove("unread_count");
    view.remove("last_message");
    return view;
  }

  private Future<JsonObject> deleteRoom(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> requireOwner(conn, roomId, userId)
            .compose(a -> conn.preparedQuery(Sql.ROOM_DELETE).execute(Tuple.of(roomId))))
        .map(rs -> {
          long seq = rs.iterator().next().getLong("last_seq") + 1;
          publish(roomId, frame("room.deleted", roomId, seq), null);
          return new JsonObject().put("room_id", roomId);
        });
  }

  private Future<JsonObject> joinRoom(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> access(conn, roomId, userId, true).compose(a -> {
          if (a.member()) {
            return Future.succeededFuture((Committed) null);
          }
          if (!a.visible()) {
            return Future.failedFuture(ParleyException.notFound("room")); // private: only the owner adds members
          }
          return addMemberTx(conn, roomId, userId);
        }).compose(c -> roomFor(conn, roomId, userId).map(room -> new Committed(room, c == null ? null : c.event))))
        .map(this::publishAndUnwrap);
  }

  private Future<JsonObject> leaveRoom(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> requireMember(conn, roomId, userId, true).compose(a -> {
          if (!a.kind().equals("group")) {
            return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "you cannot leave a one-to-one conversation"));
          }
          if ("owner".equals(a.role())) {
            return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT,
                "the owner cannot leave the room; delete it instead"));
          }
          return removeMemberTx(conn, roomId, userId);
        }))
        .map(this::publishAndUnwrap);
  }

  private Future<JsonObject> listMembers(JsonObject b) {
    long roomId = b.getLong("room_id");
    int limit = b.getInteger("limit", 100);
    return requireMember(pool, roomId, b.getLong("user_id"), false)
        .compose(a -> pool.preparedQuery(Sql.MEMBERS_OF_ROOM).execute(Tuple.of(roomId, cursorId(b), limit + 1)))
        .map(rs -> page(rs, limit, Rows::member, m -> String.valueOf(m.getLong("user_id"))));
  }

  private Future<JsonObject> addMember(JsonObject b) {
    long roomId = b.getLong("room_id");
    long target = b.getLong("target_user_id");
    return pool.withTransaction(conn -> requireOwner(conn, roomId, b.getLong("user_id"))
            .compose(a -> conn.preparedQuery(Sql.USER_EXISTS).execute(Tuple.of(target)))
            .compose(rs -> rs.size() == 0 ? Future.failedFuture(ParleyException.notFound("user"))
                : addMemberTx(conn, roomId, target))
            .compose(c -> c == null
                ? Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "this user is already a member"))
                : memberRow(conn, roomId, target).map(m -> new Committed(m, c.event))))
        .map(this::publishAndUnwrap);
  }

  private Future<JsonObject> removeMember(JsonObject b) {
    long roomId = b.getLong("room_id");
    long target = b.getLong("target_user_id");
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> requireOwner(conn, roomId, userId).compose(a -> {
          if (target == userId) {
            return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT, "the owner cannot remove themselves"));
          }
          return removeMemberTx(conn, roomId, target);
        }))
        .map(this::publishAndUnwrap);
  }

  /** Inserts the member and appends member.joined; null when they already were a member. */
  private Future<Committed> addMemberTx(SqlConnection conn, long roomId, long userId) {
    return conn.preparedQuery(Sql.MEMBER_INSERT).execute(Tuple.of(roomId, userId, "member")).compose(rs -> {
      if (rs.size() == 0) {
        return Future.succeededFuture(null);
      }
      return memberRow(conn, roomId, userId).compose(member -> appendEvent(conn, roomId, "member.joined", null,
          seq -> frame("member.joined", roomId, seq).put("user_id", userId).put("member", member)))
          .map(ev -> new Committed(new JsonObject(), ev));
    });
  }

  private Future<Committed> removeMemberTx(SqlConnection conn, long roomId, long userId) {
    return conn.preparedQuery(Sql.MEMBER_DELETE).execute(Tuple.of(roomId, userId)).compose(rs -> {
      if (rs.size() == 0) {
        return Future.failedFuture(ParleyException.notFound("member"));
      }
      return appendEvent(conn, roomId, "member.left", null,
          seq -> frame("member.left", roomId, seq).put("user_id", userId))
          .map(ev -> new Committed(new JsonObject().put("room_id", roomId).put("user_id", userId), ev));
    });
  }

  private Future<JsonObject> memberRow(SqlClient client, long roomId, long userId) {
    return client.preparedQuery(Sql.MEMBER_GET).execute(Tuple.of(roomId, userId))
        .map(rs -> Rows.member(rs.iterator().next()));
  }

  /** {user_id, peer_id} → {room, created}: the one direct room of two users, made on first use. */
  private Future<JsonObject> openConversation(JsonObject b) {
    long userId = b.getLong("user_id");
    long peerId = b.getLong("peer_id");
    if (userId == peerId) {
      return Future.failedFuture(ParleyException.invalid("user_id", "you cannot open a conversation with yourself"));
    }
    String key = Math.min(userId, peerId) + ":" + Math.max(userId, peerId);
    return pool.preparedQuery(Sql.DIRECT_ROOM_BY_KEY).execute(Tuple.of(key)).compose(rs -> {
      if (rs.size() > 0) {
        return roomFor(pool, rs.iterator().next().getLong("id"), userId).map(r -> new JsonObject().put("room", r).put("created", false));
      }
      return pool.withTransaction(conn -> conn.preparedQuery(Sql.USER_EXISTS).execute(Tuple.of(peerId))
              .compose(u -> u.size() == 0 ? Future.failedFuture(ParleyException.notFound("user"))
                  : conn.preparedQuery(Sql.ROOM_INSERT).execute(Tuple.of("direct", null, null, true, null, key)))
              .compose(ins -> {
                long roomId = ins.iterator().next().getLong("id");
                return conn.preparedQuery(Sql.MEMBER_INSERT).executeBatch(List.of(
                        Tuple.of(roomId, userId, "member"), Tuple.of(roomId, peerId, "member")))
                    .compose(x -> roomFor(conn, roomId, userId));
              }))
          .map(r -> new JsonObject().put("room", r).put("created", true))
          // two first calls at once: the loser of the unique direct_key finds the winner's room
          .recover(err -> err instanceof PgException pg && "23505".equals(pg.getSqlState())
              ? pool.preparedQuery(Sql.DIRECT_ROOM_BY_KEY).execute(Tuple.of(key))
                  .compose(again -> roomFor(pool, again.iterator().next().getLong("id"), userId))
                  .map(r -> new JsonObject().put("room", r).put("created", false))
              : Future.failedFuture(err));
    });
  }

  // ---- messages ----------------------------------------------------------------------------

  private String validBody(JsonObject b) {
    Object raw = b.getValue("body");
    if (!(raw instanceof String body) || body.isBlank()) {
      throw ParleyException.invalid("body", "body must be a non-empty string");
    }
    if (body.codePointCount(0, body.length()) > maxBodyChars) {
      throw new ParleyException(ErrorCode.VALIDATION_FAILED, "body is longer than " + maxBodyChars + " characters",
          new JsonObject().put("field", "body").put("max_chars", maxBodyChars));
    }
    return body;
  }

  /**
   * {user_id, room_id, body, client_msg_id?} → {message, seq, duplicate}. A send whose
   * (room, author, client_msg_id) was stored before returns that message with duplicate=true and
   * publishes nothing.
   */
  private Future<JsonObject> sendMessage(JsonObject b) {
    long userId = b.getLong("user_id");
    long roomId = b.getLong("room_id");
    String body = validBody(b);
    String clientMsgId = b.getString("client_msg_id");
    if (clientMsgId == null) {
      clientMsgId = UUID.randomUUID().toString();
    } else if (clientMsgId.isEmpty() || clientMsgId.length() > 64) {
      throw ParleyException.invalid("client_msg_id", "client_msg_id must be 1 to 64 characters");
    }
    String cmid = clientMsgId;
    return nextMessageId().compose(id -> {
      java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
      JsonObject message = new JsonObject().put("id", id).put("room_id", roomId).put("seq", 0L).put("author_id", userId)
          .put("client_msg_id", cmid).put("body", body).put("created_at", Rows.ts(now)).putNull("edited_at").put("deleted", false);
      JsonObject event = frame("message.created", roomId, 0L).put("message", message);
      SendBatcher.Send send = new SendBatcher.Send(roomId, userId, cmid, body, id, now.atOffset(java.time.ZoneOffset.UTC),
          event);
      return sendBatcher.submit(send).compose(seq -> seq != null ? Future.succeededFuture(stored(event, seq)) : sendAlone(send));
    });
  }

  /** A committed send: published to the room and to members' notifications; the reply. */
  private JsonObject stored(JsonObject event, long seq) {
    JsonObject message = event.getJsonObject("message");
    event.put("seq", seq);
    message.put("seq", seq);
    publish(message.getLong("room_id"), event, null);
    notifyMembers(message);
    return new JsonObject().put("message", message).put("seq", seq).put("duplicate", false);
  }

  /**
   * A send its batch did not store, decided alone: stored now, found stored before (the reply
   * carries the original with duplicate=true), or refused with the reason.
   */
  private Future<JsonObject> sendAlone(SendBatcher.Send s) {
    return sendStatement.apply(List.of(s))
        .compose(seqs -> seqs.isEmpty() ? refusedSend(s.roomId(), s.authorId()) : Future.succeededFuture(stored(s.frame(), seqs.get(s.messageId()))))
        .recover(err -> err instanceof PgException pg && "23505".equals(pg.getSqlState())
            ? pool.preparedQuery(Sql.MESSAGE_BY_CLIENT_ID).execute(Tuple.of(s.roomId(), s.authorId(), s.clientMsgId())).map(rs -> {
                JsonObject original = Rows.message(rs.iterator().next());
                return new JsonObject().put("message", original).put("seq", original.getLong("seq")).put("duplicate", true);
              })
            : Future.failedFuture(err));
  }

  /** Ids for new messages, taken from the sequence a hundred at a time (this verticle's own). */
  private final java.util.ArrayDeque<Long> messageIds = new java.util.ArrayDeque<>();
  private Future<Long> pendingIds;

  private Future<Long> nextMessageId() {
    Long id = messageIds.pollFirst();
    if (id != null) {
      return Future.succeededFuture(id);
    }
    if (pendingIds == null) {
      pendingIds = pool.preparedQuery(Sql.MESSAGE_IDS).execute(Tuple.of(100)).map(rs -> {
        rs.forEach(r -> messageIds.addLast(r.getLong("id")));
        return 0L;
      }).onComplete(ar -> pendingIds = null);
    }
    return pendingIds.compose(x -> nextMessageId());
  }

  /** Why a send stored nothing: no room, not visible, not a member, or not verified. */
  private Future<JsonObject> refusedSend(long roomId, long userId) {
    return access(pool, roomId, userId, false).compose(a -> {
      if (!a.member()) {
        return Future.failedFuture(a.notMember());
      }
      return Future.failedFuture(new ParleyException(ErrorCode.EMAIL_NOT_VERIFIED,
          "verify your e-mail address before sending messages"));
    });
  }

  /** {user_id, message_id, body} → {message, seq}: the author edits; seq is the edit event's. */
  private Future<JsonObject> editMessage(JsonObject b) {
    String body = validBody(b);
    return changeMessage(b, (conn, id) -> conn.preparedQuery(Sql.MESSAGE_EDIT).execute(Tuple.of(id, body)),
        "message.updated");
  }

  /** {user_id, message_id} → {message, seq}: the author deletes; the body is removed everywhere. */
  private Future<JsonObject> deleteMessage(JsonObject b) {
    return changeMessage(b, (conn, id) -> conn.preparedQuery(Sql.MESSAGE_DELETE).execute(Tuple.of(id)),
        "message.deleted");
  }

  private interface Change {
    Future<RowSet<Row>> apply(SqlConnection conn, long messageId);
  }

  /** The message row read under lock, and the seq its change takes. */
  private record Locked(RowSet<Row> message, long seq) {}

  private Future<JsonObject> changeMessage(JsonObject b, Change change, String type) {
    long userId = b.getLong("user_id");
    long messageId = b.getLong("message_id");
    // lock order: the room row first (as sends, membership changes and room deletes do), then the message
    return pool.withTransaction(conn -> conn.preparedQuery(Sql.MESSAGE_ROOM).execute(Tuple.of(messageId))
            .compose(found -> found.size() == 0
                ? Future.failedFuture(ParleyException.notFound("message"))
                : conn.preparedQuery(Sql.NEXT_SEQ).execute(Tuple.of(found.iterator().next().getLong("room_id"))))
            .compose(seqRs -> seqRs.size() == 0
                ? Future.failedFuture(ParleyException.notFound("message"))
                : conn.preparedQuery(Sql.MESSAGE_FOR_CHANGE).execute(Tuple.of(messageId, userId))
                    .map(rs -> new Locked(rs, seqRs.iterator().next().getLong("last_seq"))))
            .compose(locked -> {
              RowSet<Row> rs = locked.message();
              long seq = locked.seq();
              if (rs.size() == 0) {
                return Future.failedFuture(ParleyException.notFound("message"));
              }
              Row m = rs.iterator().next();
              boolean visible = m.getBoolean("is_member") || (m.getString("kind").equals("group") && !m.getBoolean("is_private"));
              if (!visible) {
                return Future.failedFuture(ParleyException.notFound("message"));
              }
              if (!m.getBoolean("is_member")) {
                return Future.failedFuture(ParleyException.forbidden("you are not a member of this room"));
              }
              if (m.getLong("author_id") == null || m.getLong("author_id") != userId) {
                return Future.failedFuture(ParleyException.forbidden("only the author can change a message"));
              }
              if (m.getValue("deleted_at") != null) {
                return Future.failedFuture(ParleyException.notFound("message"));
              }
              long roomId = m.getLong("room_id");
              return change.apply(conn, messageId).compose(upd -> {
                JsonObject changed = Rows.message(upd.iterator().next());
                JsonObject event = frame(type, roomId, seq).put("message", changed);
                Future<?> redact = type.equals("message.deleted")
                    ? conn.preparedQuery(Sql.EVENTS_REDACT).execute(Tuple.of(roomId, messageId, seq))
                    : Future.succeededFuture();
                return redact.compose(x -> insertEvent(conn, roomId, seq, type, messageId, event))
                    .map(x -> new Committed(new JsonObject().put("message", changed).put("seq", seq), event));
              });
            }))
        .map(this::publishAndUnwrap);
  }

  /**
   * {user_id, room_id, before_seq?, after_seq?, limit} → {items (ascending seq), has_more,
   * last_seq}, encoded ({@link Rows#historyPage}). Without bounds: the newest page. With
   * after_seq: the page right after it (up to before_seq).
   */
  private Future<Buffer> history(JsonObject b) {
    long roomId = b.getLong("room_id");
    long userId = b.getLong("user_id");
    int limit = b.getInteger("limit", 50);
    Long before = b.getLong("before_seq");
    Long after = b.getLong("after_seq");
    boolean ascending = after != null;
    Future<RowSet<Row>> rows = ascending
        ? pool.preparedQuery(Sql.HISTORY_AFTER)
            .execute(Tuple.of(roomId, after, before == null ? Long.MAX_VALUE : before, limit + 1, userId))
        : before != null
            ? pool.preparedQuery(Sql.HISTORY_BEFORE).execute(Tuple.of(roomId, before, limit + 1, userId))
            : pool.preparedQuery(Sql.HISTORY_LATEST).execute(Tuple.of(roomId, limit + 1, userId));
    return rows.compose(rs -> {
      if (rs.size() == 0) {
        // not a member, or no such room: the access check says which; one who just joined reads again
        return requireMember(pool, roomId, userId, false).compose(a -> history(b));
      }
      long lastSeq = 0;
      List<Row> items = new ArrayList<>(rs.size());
      for (Row r : rs) {
        lastSeq = r.getLong("last_seq");
        if (r.getLong("id") != null) {
          items.add(r);
        }
      }
      boolean hasMore = items.size() > limit;
      if (hasMore) {
        items.remove(items.size() - 1);
      }
      if (!ascending) {
        Collections.reverse(items);
      }
      return Future.succeededFuture(Rows.historyPage(items, hasMore, lastSeq));
    });
  }


  /**
   * {room_id, after_seq, user_id?, up_to_seq?} → {room_id, last_seq, events: [frame text...],
   * truncated}. With user_id the user must be a member. truncated=true means the caller is more
   * than max_replay events behind (or ahead of the stream) and must resynchronise from history;
   * events is then empty.
   */
  private Future<JsonObject> eventsSince(JsonObject b) {
    long roomId = b.getLong("room_id");
    long after = b.getLong("after_seq", 0L);
    Long userId = b.getLong("user_id");
    int limit = Math.max(1, Math.min(maxReplay, b.getInteger("limit", maxReplay)));
    Future<Access> acc = userId == null
        ? access(pool, roomId, 0L, false)
        : requireMember(pool, roomId, userId, false);
    return acc.compose(a -> {
      long last = a.lastSeq();
      JsonObject reply = new JsonObject().put("room_id", roomId).put("last_seq", last).put("more", false);
      if (!b.containsKey("after_seq")) {
        return Future.succeededFuture(reply.put("truncated", false).put("events", new JsonArray()));
      }
      long upTo = Math.min(last, b.getLong("up_to_seq", last));
      if (after > last || upTo - after > maxReplay) {
        return Future.succeededFuture(reply.put("truncated", true).put("events", new JsonArray()));
      }
      if (after >= upTo) {
        return Future.succeededFuture(reply.put("truncated", false).put("events", new JsonArray()));
      }
      return pool.preparedQuery(Sql.EVENTS_SINCE).execute(Tuple.of(roomId, after, upTo, limit)).map(rs -> {
        JsonArray events = new JsonArray();
        long pageLast = after;
        for (Row r : rs) {
          events.add(r.getString("payload"));
          pageLast = r.getLong("seq");
        }
        if (events.size() == limit && pageLast < upTo) {
          reply.put("more", true).put("next_after_seq", pageLast);
        }
        return reply.put("truncated", false).put("events", events);
      });
    });
  }


  // ---- the event stream --------------------------------------------------------------------

  /** What a transaction produced: the reply and the event to publish once it has committed. */
  private record Committed(JsonObject result, JsonObject event) {}


  private static JsonObject frame(String type, long roomId, long seq) {
    return new JsonObject().put("type", type).put("room_id", roomId).put("seq", seq);
  }

  private Future<JsonObject> appendEvent(SqlConnection conn, long roomId, String type, Long messageId,
                                         LongFunction<JsonObject> payload) {
    return conn.preparedQuery(Sql.NEXT_SEQ).execute(Tuple.of(roomId)).compose(rs -> {
      if (rs.size() == 0) {
        return Future.failedFuture(ParleyException.notFound("room"));
      }
      long seq = rs.iterator().next().getLong("last_seq");
      JsonObject event = payload.apply(seq);
      return insertEvent(conn, roomId, seq, type, messageId, event).map(x -> event);
    });
  }

  private static Future<Void> insertEvent(SqlConnection conn, long roomId, long seq, String type, Long messageId,
                                          JsonObject event) {
    return conn.preparedQuery(Sql.EVENT_INSERT).execute(Tuple.of(roomId, seq, type, messageId, event)).mapEmpty();
  }

  private JsonObject publishAndUnwrap(Committed c) {
    if (c.event != null) {
      publish(c.event.getLong("room_id"), c.event, c.event.getLong("user_id"));
    }
    return c.result;
  }

  /** Tells every gateway node about a new message, for sockets that are not subscribed to its room. */
  private void notifyMembers(JsonObject message) {
    String body = message.getString("body");
    String preview = body == null ? "" : body.length() > 140 ? body.substring(0, 140) + "…" : body;
    vertx.eventBus().publish(NOTIFICATIONS, new JsonObject()
        .put("room_id", message.getLong("room_id"))
        .put("seq", message.getLong("seq"))
        .put("message", new JsonObject().put("id", message.getLong("id")).put("author_id", message.getLong("author_id"))
            .put("preview", preview).put("created_at", message.getString("created_at"))));
  }

  /** Publishes a committed event frame to its room: encoded once, as text, with seq/type headers. */
  private void publish(long roomId, JsonObject event, Long userId) {
    DeliveryOptions options = new DeliveryOptions()
        .addHeader("seq", String.valueOf(event.getLong("seq")))
        .addHeader("type", event.getString("type"));
    if (userId != null) {
      options.addHeader("user_id", String.valueOf(userId));
    }
    vertx.eventBus().publish(room(roomId), event.toBuffer(), options);
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Lower-cased text with LIKE's wildcards and escape character escaped. */
  private static String likeLiteral(String text) {
    return text.toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  /** Seconds to wait before another mailed token of this purpose may go out; 0 when it may now. */
  private static Future<Long> tokenCooldown(SqlConnection conn, long userId, String purpose, double minIntervalS) {
    return conn.preparedQuery(Sql.USER_TOKEN_LAST_AGE).execute(Tuple.of(userId, purpose)).map(age -> {
      Double seconds = age.iterator().next().getDouble("age");
      return seconds == null || seconds >= minIntervalS ? 0L : (long) Math.ceil(minIntervalS - seconds);
    });
  }

  private static long cursorId(JsonObject b) {
    String c = b.getString("cursor");
    if (c == null || c.isEmpty()) {
      return 0L;
    }
    try {
      return Long.parseLong(c);
    } catch (NumberFormatException e) {
      throw ParleyException.invalid("cursor", "cursor is not one this server issued");
    }
  }

  private static JsonObject page(RowSet<Row> rs, int limit, Function<Row, JsonObject> map, Function<JsonObject, String> cursorOf) {
    JsonArray items = new JsonArray();
    String next = null;
    int i = 0;
    for (Row r : rs) {
      if (i++ == limit) {
        next = cursorOf.apply(items.getJsonObject(items.size() - 1));
        break;
      }
      items.add(map.apply(r));
    }
    return new JsonObject().put("items", items).put("next_cursor", next);
  }
}
