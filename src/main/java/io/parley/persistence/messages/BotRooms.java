package io.parley.persistence.messages;

import io.vertx.core.Future;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms the assistant's bot user is a member of, so that a message stored there can go to
 * the assistant without a query per send. Loaded when the notification connection subscribes (and
 * again after every reconnect), kept current by {@code parley_bot_rooms} notifications
 * ({@code join:<room>}, {@code leave:<room>}) sent by the trigger of V8__assistant.sql.
 *
 * <p>Not thread-safe: used on its verticle's event loop (the subscriber's handlers run there too).
 */
final class BotRooms {
  private static final Logger LOG = LoggerFactory.getLogger(BotRooms.class);
  private static final String BOT = "SELECT id FROM users WHERE is_bot ORDER BY id LIMIT 1";
  private static final String ROOMS =
      "SELECT m.room_id FROM room_members m JOIN users u ON u.id = m.user_id WHERE u.is_bot";

  private final Pool pool;
  private final Set<Long> rooms = new HashSet<>();
  private long botId;

  private BotRooms(Pool pool) {
    this.pool = pool;
  }

  /** Listens on {@code subscriber} (connected by the caller) after reading the bot's id. */
  static Future<BotRooms> start(Pool pool, PgSubscriber subscriber) {
    BotRooms botRooms = new BotRooms(pool);
    subscriber.channel("parley_bot_rooms")
        .subscribeHandler(v -> botRooms.reload())
        .handler(botRooms::apply);
    return pool.query(BOT).execute().map(rs -> {
      botRooms.botId = rs.size() == 0 ? 0 : rs.iterator().next().getLong("id");
      return botRooms;
    });
  }

  /** The bot user's id (0: none). */
  long botId() {
    return botId;
  }

  /** Whether the bot is in {@code roomId}. */
  boolean contains(long roomId) {
    return rooms.contains(roomId);
  }

  private void reload() {
    pool.query(ROOMS).execute()
        .onSuccess(rs -> {
          rooms.clear();
          rs.forEach(r -> rooms.add(r.getLong("room_id")));
        })
        .onFailure(err -> LOG.warn("could not read the assistant's rooms: {}", err.getMessage()));
  }

  private void apply(String payload) {
    try {
      if (payload.startsWith("join:")) {
        rooms.add(Long.parseLong(payload.substring(5)));
      } else if (payload.startsWith("leave:")) {
        rooms.remove(Long.parseLong(payload.substring(6)));
      }
    } catch (NumberFormatException e) {
      reload();
    }
  }
}
