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
    h.on(ADMIN_USER, this::user);
    h.on(ADMIN_PLANS, b -> pool.query(AdminSql.PLANS).execute().map(rs -> {
      JsonArray items = new JsonArray();
      rs.forEach(r -> items.add(plan(r)));
      return new JsonObject().put("items", items);
    }));
    h.on(ADMIN_PLAN_UPDATE, this::updatePlan);
    h.on(ADMIN_PLAN_CREATE, this::createPlan);
    h.on(ADMIN_PAYMENTS, this::payments);
    h.on(ADMIN_USAGE, b -> pool.preparedQuery(AdminSql.USAGE).execute(Tuple.of(b.getInteger("days", 30))).map(rs -> {
      JsonArray items = new JsonArray();
      rs.forEach(r -> items.add(new JsonObject().put("day", r.getLocalDate("day").toString()).put("messages", r.getLong("messages"))
          .put("assistant_replies", r.getLong("assistant_replies"))));
      return new JsonObject().put("items", items);
    }));
    h.on(ADMIN_ROOMS, b -> {
      int limit = b.getInteger("limit", 50);
      return pool.preparedQuery(AdminSql.ROOMS).execute(Tuple.of(io.parley.persistence.shared.Pages.cursorId(b), limit + 1))
          .map(rs -> io.parley.persistence.shared.Pages.page(rs, limit, r -> new JsonObject().put("id", r.getLong("id"))
              .put("name", r.getString("name")).put("is_private", r.getBoolean("is_private")).put("owner_id", r.getLong("owner_id"))
              .put("created_at", Rows.ts(r.getOffsetDateTime("created_at"))).put("member_count", r.getLong("member_count"))
              .put("message_count", r.getLong("message_count")), m -> String.valueOf(m.getLong("id"))));
    });
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

  /**
   * {actor_id, user_id, status?, role?, email_verified?, plan_code? with plan_until?, ip?,
   * request_id?} → Me after the change; NOT_FOUND for no such person, VALIDATION_FAILED for a
   * plan that is not offered or an end not in the future.
   */
  private Future<JsonObject> updateUser(JsonObject b) {
    long userId = b.getLong("user_id");
    String status = b.getString("status");
    String role = b.getString("role");
    Boolean verified = b.getBoolean("email_verified");
    String planCode = b.getString("plan_code");
    java.time.OffsetDateTime planUntil = b.getString("plan_until") == null ? null
        : java.time.OffsetDateTime.parse(b.getString("plan_until"));
    if (planCode != null && (planUntil == null || !planUntil.isAfter(java.time.OffsetDateTime.now()))) {
      return Future.failedFuture(ParleyException.invalid("plan_until", "a plan grant needs plan_until in the future"));
    }
    return pool.withTransaction(conn -> conn.preparedQuery(AdminSql.USER_FOR_UPDATE).execute(Tuple.of(userId)).compose(rs -> {
      if (rs.size() == 0) {
        return Future.failedFuture(ParleyException.notFound("user"));
      }
      Row before = rs.iterator().next();
      JsonObject was = new JsonObject().put("status", before.getString("status")).put("role", before.getString("role"))
          .put("email_verified", before.getBoolean("verified"));
      Future<Void> extra = verified == null ? Future.succeededFuture()
          : conn.preparedQuery(AdminSql.SET_VERIFIED).execute(Tuple.of(userId, verified)).mapEmpty();
      if (planCode != null) {
        extra = extra.compose(x -> conn.preparedQuery(AdminSql.GRANT_PLAN).execute(Tuple.of(userId, planCode, planUntil)))
            .compose(g -> g.size() == 0 ? Future.failedFuture(ParleyException.invalid("plan_code", "no such plan on offer"))
                : Future.succeededFuture());
      }
      return extra.compose(x0 -> conn.preparedQuery(AdminSql.USER_UPDATE).execute(Tuple.of(userId, status, role))).compose(up -> {
        Row after = up.iterator().next();
        JsonObject now = new JsonObject().put("status", after.getString("status")).put("role", after.getString("role"))
            .put("email_verified", verified == null ? was.getBoolean("email_verified") : verified);
        if (planCode != null) {
          now.put("plan_code", planCode).put("plan_until", b.getString("plan_until"));
        }
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

  private static JsonObject plan(Row r) {
    return new JsonObject().put("id", r.getLong("id")).put("code", r.getString("code")).put("name", r.getString("name"))
        .put("price_cents", r.getInteger("price_cents")).put("currency", r.getString("currency"))
        .put("interval_days", r.getInteger("interval_days")).put("daily_message_limit", r.getInteger("daily_message_limit"))
        .put("daily_assistant_limit", r.getInteger("daily_assistant_limit")).put("stripe_price_id", r.getString("stripe_price_id"))
        .put("active", r.getBoolean("active"));
  }

  /** Edits a plan (the fields present; a null limit is unlimited), audited; NOT_FOUND for no such plan. */
  private Future<JsonObject> updatePlan(JsonObject b) {
    String code = b.getString("code");
    Tuple t = Tuple.of(code, b.getString("name"), b.containsKey("name"), b.getInteger("price_cents"), b.containsKey("price_cents"),
            b.getInteger("daily_message_limit"), b.containsKey("daily_message_limit"))
        .addValue(b.getInteger("daily_assistant_limit")).addValue(b.containsKey("daily_assistant_limit"))
        .addValue(b.getBoolean("active")).addValue(b.containsKey("active"))
        .addValue(b.getString("stripe_price_id")).addValue(b.containsKey("stripe_price_id"));
    return pool.withTransaction(conn -> conn.preparedQuery(AdminSql.PLAN_FOR_UPDATE).execute(Tuple.of(code)).compose(before -> {
      if (before.size() == 0) {
        return Future.failedFuture(ParleyException.notFound("plan"));
      }
      JsonObject was = plan(before.iterator().next());
      return conn.preparedQuery(AdminSql.PLAN_UPDATE).execute(t).compose(after -> {
        JsonObject now = plan(after.iterator().next());
        return audit(conn, b.getLong("actor_id"), "plan.update", "plan", now.getLong("id"), was, now, b.getString("ip"),
            b.getString("request_id")).map(now);
      });
    }));
  }

  /**
   * Adds a plan (absent fields: free, usd, 30 days, unlimited, no Stripe price, sold), audited
   * as {@code plan.create}; CONFLICT (from the unique constraints) when its code or Stripe price
   * id is taken.
   */
  private Future<JsonObject> createPlan(JsonObject b) {
    Tuple t = Tuple.of(b.getString("code"), b.getString("name"), b.getInteger("price_cents", 0), b.getString("currency", "usd"),
            b.getInteger("interval_days", 30), b.getInteger("daily_message_limit"))
        .addValue(b.getInteger("daily_assistant_limit")).addValue(b.getString("stripe_price_id")).addValue(b.getBoolean("active", true));
    return pool.withTransaction(conn -> conn.preparedQuery(AdminSql.PLAN_INSERT).execute(t).compose(rs -> {
      JsonObject plan = plan(rs.iterator().next());
      return audit(conn, b.getLong("actor_id"), "plan.create", "plan", plan.getLong("id"), null, plan, b.getString("ip"),
          b.getString("request_id")).map(plan);
    }));
  }

  /** {before?, limit, user_id?, status?, from?, to?} → {items, next_before}. */
  private Future<JsonObject> payments(JsonObject b) {
    int limit = b.getInteger("limit", 50);
    java.time.OffsetDateTime from = b.getString("from") == null ? null : java.time.OffsetDateTime.parse(b.getString("from"));
    java.time.OffsetDateTime to = b.getString("to") == null ? null : java.time.OffsetDateTime.parse(b.getString("to"));
    return pool.preparedQuery(AdminSql.PAYMENTS).execute(Tuple.of(b.getLong("before", Long.MAX_VALUE), limit + 1,
        b.getLong("user_id"), b.getString("status"), from, to)).map(rs -> {
          JsonArray items = new JsonArray();
          Long last = null;
          for (Row r : rs) {
            if (items.size() == limit) {
              break;
            }
            last = r.getLong("id");
            items.add(new JsonObject().put("id", last).put("user_id", r.getLong("user_id")).put("amount_cents", r.getLong("amount_cents"))
                .put("currency", r.getString("currency")).put("status", r.getString("status"))
                .put("stripe_invoice_id", r.getString("stripe_invoice_id")).put("stripe_session_id", r.getString("stripe_session_id"))
                .put("created_at", Rows.ts(r.getOffsetDateTime("created_at"))));
          }
          return new JsonObject().put("items", items).put("next_before", rs.size() > limit ? last : null);
        });
  }

  /** {user_id} → {user (Me + plan_code, plan_until), rooms, today {messages, assistant_replies}, payments (the last 20)}. */
  private Future<JsonObject> user(JsonObject b) {
    long id = b.getLong("user_id");
    return pool.preparedQuery(AdminSql.USER_ONE).execute(Tuple.of(id)).compose(rs -> {
      if (rs.size() == 0) {
        return Future.failedFuture(ParleyException.notFound("user"));
      }
      Row u = rs.iterator().next();
      JsonObject out = new JsonObject().put("user", Rows.me(u).put("plan_code", u.getString("plan_code"))
          .put("plan_until", Rows.ts(u.getOffsetDateTime("plan_until"))));
      return pool.preparedQuery(AdminSql.USER_ROOMS).execute(Tuple.of(id)).compose(rooms -> {
        JsonArray list = new JsonArray();
        rooms.forEach(r -> list.add(new JsonObject().put("id", r.getLong("id")).put("kind", r.getString("kind"))
            .put("name", r.getString("name")).put("role", r.getString("role"))));
        out.put("rooms", list);
        return pool.preparedQuery(AdminSql.USER_TODAY).execute(Tuple.of(id));
      }).compose(today -> {
        Row t = today.iterator().next();
        out.put("today", new JsonObject().put("messages", t.getLong("messages")).put("assistant_replies", t.getLong("assistant_replies")));
        return payments(new JsonObject().put("user_id", id).put("limit", 20));
      }).map(p -> out.put("payments", p.getJsonArray("items")));
    });
  }

  /** {cursor?, limit, q?, status?, role?, plan?, verified?} → {items: [Me + plan_code], next_cursor}. */
  private Future<JsonObject> users(JsonObject b) {
    int limit = b.getInteger("limit", 50);
    String q = b.getString("q");
    String pattern = q == null || q.isBlank() ? null
        : "%" + io.parley.persistence.shared.Pages.likeLiteral(q.trim().toLowerCase(java.util.Locale.ROOT)) + "%";
    return pool.preparedQuery(AdminSql.USERS_PAGE).execute(Tuple.of(io.parley.persistence.shared.Pages.cursorId(b), limit + 1,
            pattern, b.getString("status"), b.getString("role")).addValue(b.getString("plan")).addValue(b.getBoolean("verified")))
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
