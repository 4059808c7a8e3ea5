package io.parley.persistence.assistant;

import static io.parley.bus.Addresses.ASSISTANT_BOT;
import static io.parley.bus.Addresses.ASSISTANT_TAKE;

import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.persistence.shared.Handlers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * The assistant's data: its bot user ({@code assistant.bot}) and the daily assistant replies of
 * each user ({@code assistant.take}: {@code assistant_take} of V8__assistant.sql, exact across
 * nodes). Its replies are stored by the message store ({@code assistant.reply}).
 */
public final class AssistantStore {
  static final String BOT = "SELECT id, username FROM users WHERE is_bot ORDER BY id LIMIT 1";
  static final String TAKE = "SELECT taken, lim, used_today FROM assistant_take($1)";

  private final Pool pool;

  public AssistantStore(Pool pool) {
    this.pool = pool;
  }

  public void register(Handlers h) {
    h.on(ASSISTANT_BOT, b -> pool.query(BOT).execute().compose(rs -> rs.size() == 0
        ? Future.failedFuture(new ParleyException(ErrorCode.UNAVAILABLE, "the assistant has no bot user"))
        : Future.succeededFuture(new JsonObject().put("user_id", rs.iterator().next().getLong("id"))
            .put("username", rs.iterator().next().getString("username")))));
    h.on(ASSISTANT_TAKE, this::take);
  }

  /** {user_id} → {taken, limit (null: unlimited), used_today}. */
  private Future<JsonObject> take(JsonObject b) {
    return pool.preparedQuery(TAKE).execute(Tuple.of(b.getLong("user_id"))).map(rs -> {
      Row r = rs.iterator().next();
      return new JsonObject().put("taken", r.getBoolean("taken")).put("limit", r.getInteger("lim"))
          .put("used_today", r.getInteger("used_today"));
    });
  }
}
