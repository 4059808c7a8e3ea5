package io.parley.persistence.admin;

import static io.parley.bus.Addresses.*;

import io.parley.bus.ParleyException;
import io.parley.persistence.accounts.AccountSql;
import io.parley.persistence.accounts.RefreshTokenStore;
import io.parley.persistence.shared.Handlers;
import io.parley.persistence.shared.Rows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Administration: the admin bootstrap ({@code auth.admin_emails}), admins' changes of a user's
 * status and role, and the audit log. Every change writes its audit row in the same transaction,
 * so a change that fails writes none. Disabling a user revokes every refresh token in that
 * transaction and, once committed, tells every gateway to close the user's sockets
 * ({@code parley.users.disabled}).
 */
public final class AdminStore {
  private final Vertx vertx;
  private final Pool pool;
  private final RefreshTokenStore tokens;

  public AdminStore(Vertx vertx, Pool pool, RefreshTokenStore tokens) {
    this.vertx = vertx;
    this.pool = pool;
    this.tokens = tokens;
  }

  public void register(Handlers h) {
    h.on(ADMIN_BOOTSTRAP, this::bootstrap);
    h.on(ADMIN_USER_UPDATE, this::updateUser);
    h.on(ADMIN_AUDIT, this::audit);
    h.on(ADMIN_USERS, this::users);
  }

  /** Writes one audit row inside {@code conn}'s transaction (also for moderators' deletes, by the message store). */
  public static Future<Void> audit(SqlConnection conn, Long actor, String action, String targetType, Long targetId,
                            JsonObject before, JsonObject after, String ip, String requestId) {
    return conn.preparedQuery(AdminSql.AUDIT_INSERT)
        .execute(Tuple.of(actor, action, targetType, targetId, before, after, ip).addValue(requestId)).mapEmpty();
  }

  private Future<JsonObject> bootstrap(JsonObject b) {
    long userId = b.getLong("user_id");
    return pool.withTransaction(conn -> conn.preparedQuery(AdminSql.BOOTSTRAP).execute(Tuple.of(userId))
        .compose(rs -> rs.size() == 0 ? Future.succeededFuture()
            : audit(conn, null, "user.role", "user", userId, new JsonObject().put("role", b.getString("role", "user")),
                new JsonObject().put("role", "admin").put("by", "auth.admin_emails"), null, null))
        .compose(x -> me(conn, userId)));
  }

  /** {actor_id, user_id, status?, role?, ip?, request_id?} → Me after the change; NOT_FOUND for no such person. */
  private Future<JsonObject> updateUser(JsonObject b) {
    long userId = b.getLong("user_id");
    String status = b.getString("status");
    String role = b.getString("role");
    return pool.withTransaction(conn -> conn.preparedQuery(AdminSql.USER_FOR_UPDATE).execute(Tuple.of(userId)).compose(rs -> {
      if (rs.size() == 0) {
        return Future.failedFuture(ParleyException.notFound("user"));
      }
      Row before = rs.iterator().next();
      JsonObject was = new JsonObject().put("status", before.getString("status")).put("role", before.getString("role"));
      return conn.preparedQuery(AdminSql.USER_UPDATE).execute(Tuple.of(userId, status, role)).compose(up -> {
        Row after = up.iterator().next();
        JsonObject now = new JsonObject().put("status", after.getString("status")).put("role", after.getString("role"));
        boolean disabling = "disabled".equals(now.getString("status")) && !"disabled".equals(was.getString("status"));
        Future<Void> revoked = disabling ? tokens.revokeAll(conn, userId) : Future.succeededFuture();
        return revoked.compose(x -> was.equals(now) ? Future.succeededFuture()
                : audit(conn, b.getLong("actor_id"), "user.update", "user", userId, was, now, b.getString("ip"),
                    b.getString("request_id")))
            .compose(x -> me(conn, userId))
            .map(me -> me.put("disabled_now", disabling));
      });
    })).map(me -> {
      if (Boolean.TRUE.equals(me.remove("disabled_now"))) {
        vertx.eventBus().publish(USERS_DISABLED, new JsonObject().put("user_id", userId));
      }
      return me;
    });
  }

  private static Future<JsonObject> me(SqlConnection conn, long userId) {
    return conn.preparedQuery(AccountSql.USER_BY_ID).execute(Tuple.of(userId)).map(rs -> Rows.me(rs.iterator().next()));
  }

  /** {cursor?, limit, q?, status?, role?} → {items: [Me + plan_code], next_cursor}. */
  private Future<JsonObject> users(JsonObject b) {
    int limit = b.getInteger("limit", 50);
    String q = b.getString("q");
    String pattern = q == null || q.isBlank() ? null
        : "%" + io.parley.persistence.shared.Pages.likeLiteral(q.trim().toLowerCase(java.util.Locale.ROOT)) + "%";
    return pool.preparedQuery(AdminSql.USERS_PAGE).execute(Tuple.of(io.parley.persistence.shared.Pages.cursorId(b), limit + 1,
            pattern, b.getString("status"), b.getString("role")))
        .map(rs -> io.parley.persistence.shared.Pages.page(rs, limit, r -> Rows.me(r).put("plan_code", r.getString("plan_code")),
            r -> String.valueOf(r.getLong("id"))));
  }

  /** {before?, limit, actor_id?, action?, target_type?, target_id?} → {items, next_before}. */
  private Future<JsonObject> audit(JsonObject b) {
    int limit = b.getInteger("limit", 50);
    long before = b.getLong("before", Long.MAX_VALUE);
    return pool.preparedQuery(AdminSql.AUDIT_PAGE).execute(Tuple.of(before, limit + 1, b.getLong("actor_id"), b.getString("action"),
        b.getString("target_type"), b.getLong("target_id"))).map(rs -> {
          JsonArray items = new JsonArray();
          Long last = null;
          for (Row r : rs) {
            if (items.size() == limit) {
              break;
            }
            last = r.getLong("id");
            items.add(new JsonObject().put("id", last).put("at", Rows.ts(r.getOffsetDateTime("at")))
                .put("actor_id", r.getLong("actor_id")).put("action", r.getString("action"))
                .put("target_type", r.getString("target_type")).put("target_id", r.getLong("target_id"))
                .put("before", r.getValue("before")).put("after", r.getValue("after"))
                .put("ip", r.getString("ip")).put("request_id", r.getString("request_id")));
          }
          return new JsonObject().put("items", items).put("next_before", rs.size() > limit ? last : null);
        });
  }
}
