package io.parley.presence;

import static io.parley.bus.Addresses.*;

import io.parley.bus.Bus;
import io.parley.bus.ErrorCode;
import io.parley.bus.ParleyException;
import io.parley.bus.RoomEvents;
import io.parley.redis.LuaScript;
import io.parley.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is online, across the cluster, in Redis.
 *
 * <p>Each user has a sorted set of their open sockets ({@code parley:presence:conns:<user>},
 * member = connection id, score = expiry in epoch ms) that gateways refresh with heartbeats
 * every {@code ttl_s / 3}; an index {@code parley:presence:expiry} (member = user, score = the
 * latest expiry) lets a periodic sweep find users whose sockets all expired, e.g. because their
 * node died. A user is online while one socket has not expired.
 *
 * <p>Transitions are decided atomically in Lua scripts, so exactly one verticle in the cluster
 * announces each of them. Going offline waits {@code grace_ms} (coalescing: a reconnect within
 * it announces nothing). Announcements go to the user's rooms as ephemeral {@code presence}
 * events {user_id, status, last_seen}; rooms with more than {@code large_room_members} members
 * get {@code presence.count} {online} instead, from a per-room counter.
 *
 * <p>A user taken offline gets a mark ({@code parley:presence:offline:<user>}) until online is
 * announced again. A heartbeat that adds a user back to the index announces {@code online} only
 * when that mark is there (the sweep took them offline while their node could not heartbeat);
 * without it the user was never announced offline (Redis lost its data) and the rebuild is silent.
 */
public class PresenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);
  private static final String EXPIRY = "parley:presence:expiry";
  private static final String ROOM_ONLINE = "parley:presence:room-online";
  /**
   * How long the mark of an announced offline is kept: a socket whose node comes back after a
   * longer silence is re-added without an {@code online} (as after a loss of Redis's data).
   */
  private static final long OFFLINE_MARK_MS = 86_400_000L;

  /**
   * KEYS conns, expiry, offline; ARGV conn, expiresAt, now, user → {live sockets before, was in
   * grace (1/0)}. The caller announces online when both are 0; the offline mark goes with it.
   */
  private static final LuaScript CONNECT = LuaScript.of("""
      local before = redis.call('ZCOUNT', KEYS[1], ARGV[3], '+inf')
      local pending = redis.call('ZSCORE', KEYS[2], ARGV[4])
      redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
      redis.call('ZADD', KEYS[2], 'GT', ARGV[2], ARGV[4])
      if pending then return {before, 1} end
      if before == 0 then redis.call('DEL', KEYS[3]) end
      return {before, 0}
      """);

  /**
   * KEYS conns, expiry, offline; ARGV expiresAt, user, conn… → 1 when the user is back in the
   * index and was announced offline (the caller announces online), else 0. A user back without
   * the mark was lost by Redis, never announced offline: nothing to announce.
   */
  private static final LuaScript HEARTBEAT = LuaScript.of("""
      for i = 3, #ARGV do redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i]) end
      if redis.call('ZADD', KEYS[2], 'GT', ARGV[1], ARGV[2]) == 1 and redis.call('DEL', KEYS[3]) == 1 then
        return 1
      end
      return 0
      """);

  /** KEYS conns, expiry; ARGV conn, now, graceUntil, user → sockets left. */
  private static final LuaScript DISCONNECT = LuaScript.of("""
      redis.call('ZREM', KEYS[1], ARGV[1])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
      local left = redis.call('ZCARD', KEYS[1])
      if left == 0 then redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[4]) end
      return left
      """);

  /**
   * KEYS conns, expiry, lastSeen, offline; ARGV now, user, markMs → 1 when this call takes the
   * user offline (and marks them so).
   */
  private static final LuaScript CLAIM_OFFLINE = LuaScript.of("""
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
      if redis.call('ZCARD', KEYS[1]) > 0 then
        local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
        redis.call('ZADD', KEYS[2], top[2], ARGV[2])
        return 0
      end
      if redis.call('ZREM', KEYS[2], ARGV[2]) == 1 then
        redis.call('SET', KEYS[3], ARGV[1])
        redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[3])
        return 1
      end
      return 0
      """);

  private Redis redis;
  private Bus bus;
  private long ttlMs;
  private long graceMs;
  private int largeRoom;
  private Meters meters;
  /** When a sweep last failed (Redis unreachable), epoch ms; 0: never. */
  private long sweepFailedAt;

  @Override
  public Future<?> start() {
    JsonObject cfg = config();
    bus = new Bus(vertx, cfg.getLong("request_timeout_ms", 5000L));
    ttlMs = cfg.getLong("ttl_s", 30L) * 1000;
    graceMs = cfg.getLong("grace_ms", 3000L);
    largeRoom = cfg.getInteger("large_room_members", 200);
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(cfg.getString("redis_url"))
        .setMaxPoolSize(8).setMaxWaitingHandlers(4096).setPoolName("parley-presence"));
    meters = Meters.of(vertx);
    vertx.setPeriodic(cfg.getLong("sweep_ms", 2000L), t -> sweep());
    return Future.all(List.of(
        serve(PRESENCE_CONNECT, this::connect),
        serve(PRESENCE_DISCONNECT, this::disconnect),
        serve(PRESENCE_HEARTBEAT, this::heartbeat),
        serve(PRESENCE_QUERY, this::query),
        serve(PRESENCE_HEALTH, b -> redis.send(Request.cmd(Command.PING)).map(r -> new JsonObject().put("ok", true)))));
  }

  /** Serves an address; Redis failures answer UNAVAILABLE (presence degraded), never INTERNAL. */
  private Future<Void> serve(String address, java.util.function.Function<JsonObject, Future<JsonObject>> handler) {
    return Bus.serve(vertx, address, m -> handler.apply(m.body()).recover(err -> Future.failedFuture(
        err instanceof ParleyException ? err
            : new ParleyException(ErrorCode.UNAVAILABLE, "presence store (Redis) unreachable: " + err.getMessage()))))
        .completion();
  }

  @Override
  public Future<?> stop() {
    redis.close();
    return Future.succeededFuture();
  }

  private static String conns(long userId) {
    return "parley:presence:conns:" + userId;
  }

  private static String lastSeen(long userId) {
    return "parley:presence:last-seen:" + userId;
  }

  private static String offline(long userId) {
    return "parley:presence:offline:" + userId;
  }

  private Future<Response> eval(LuaScript script, List<String> keys, Object... args) {
    return evalAll(script, List.of(script.call(keys, args))).map(rs -> rs.get(0));
  }

  /** Runs calls of one script in a pipeline; loads the script first if Redis does not know it (after a restart). */
  private Future<List<Response>> evalAll(LuaScript script, List<Request> calls) {
    return redis.batch(calls).recover(err -> LuaScript.unknown(err)
        ? redis.send(script.load()).compose(loaded -> redis.batch(calls))
        : Future.failedFuture(err));
  }
  private Future<JsonObject> connect(JsonObject b) {
    long user = b.getLong("user_id");
    long now = System.currentTimeMillis();
    return eval(CONNECT, List.of(conns(user), EXPIRY, offline(user)), b.getString("conn_id"), now + ttlMs, now, user).map(r -> {
      if (r.get(0).toLong() == 0 && r.get(1).toLong() == 0) {
        announce(user, "online", null);
      }
      return new JsonObject();
    });
  }

  private Future<JsonObject> disconnect(JsonObject b) {
    long user = b.getLong("user_id");
    long now = System.currentTimeMillis();
    return eval(DISCONNECT, List.of(conns(user), EXPIRY), b.getString("conn_id"), now, now + graceMs, user).map(left -> {
      if (left.toLong() == 0) {
        vertx.setTimer(graceMs, t -> claimOffline(user));
      }
      return new JsonObject();
    });
  }

  /**
   * Refreshes a node's sockets, re-adding those Redis lost. Announces {@code online} only for a
   * user who was announced offline meanwhile (the HEARTBEAT script decides, once in the cluster).
   */
  private Future<JsonObject> heartbeat(JsonObject b) {
    long expires = System.currentTimeMillis() + ttlMs;
    Map<Long, List<Object>> byUser = new LinkedHashMap<>();
    for (Object o : b.getJsonArray("conns", new JsonArray())) {
      JsonArray pair = (JsonArray) o;
      long user = pair.getLong(0);
      byUser.computeIfAbsent(user, u -> new ArrayList<>(List.of(expires, u))).add(pair.getString(1));
    }
    if (byUser.isEmpty()) {
      return Future.succeededFuture(new JsonObject());
    }
    List<Long> users = new ArrayList<>(byUser.keySet());
    List<Request> calls = new ArrayList<>();
    for (Long user : users) {
      calls.add(HEARTBEAT.call(List.of(conns(user), EXPIRY, offline(user)), byUser.get(user).toArray()));
    }
    return evalAll(HEARTBEAT, calls).map(rs -> {
      for (int i = 0; i < users.size(); i++) {
        if (rs.get(i).toLong() == 1) {
          announce(users.get(i), "online", null);
        }
      }
      return new JsonObject();
    });
  }

  private Future<JsonObject> query(JsonObject b) {
    JsonArray ids = b.getJsonArray("user_ids", new JsonArray());
    long now = System.currentTimeMillis();
    List<Request> batch = new ArrayList<>();
    for (Object id : ids) {
      long user = ((Number) id).longValue();
      batch.add(Request.cmd(Command.ZCOUNT).arg(conns(user)).arg(now).arg("+inf"));
      batch.add(Request.cmd(Command.GET).arg(lastSeen(user)));
    }
    if (batch.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("items", new JsonArray()));
    }
    return redis.batch(batch).map(rs -> {
      JsonArray items = new JsonArray();
      for (int i = 0; i < ids.size(); i++) {
        boolean online = rs.get(2 * i).toLong() > 0;
        Response seen = rs.get(2 * i + 1);
        items.add(new JsonObject().put("user_id", ((Number) ids.getValue(i)).longValue())
            .put("status", online ? "online" : "offline")
            .put("last_seen", seen == null ? null : java.time.Instant.ofEpochMilli(seen.toLong()).toString()));
      }
      return new JsonObject().put("items", items);
    });
  }

  /** Takes a user offline when no socket is left and nobody else did it already. */
  private void claimOffline(long user) {
    long now = System.currentTimeMillis();
    eval(CLAIM_OFFLINE, List.of(conns(user), EXPIRY, lastSeen(user), offline(user)), now, user, OFFLINE_MARK_MS)
        .onSuccess(r -> {
          if (r.toLong() == 1) {
            announce(user, "offline", java.time.Instant.ofEpochMilli(now).toString());
          }
        })
        .onFailure(err -> LOG.debug("presence: offline check of {} failed: {}", user, err.getMessage()));
  }

  /**
   * Finds users whose sockets all expired (a node died without saying goodbye). Within
   * {@code ttl_s} of a failed sweep it takes nobody offline: after a Redis outage that kept the
   * data every socket looks expired until its node's next heartbeat, due within {@code ttl_s / 3}.
   */
  private void sweep() {
    redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(EXPIRY).arg("-inf").arg(System.currentTimeMillis())
            .arg("LIMIT").arg(0).arg(200))
        .onSuccess(r -> {
          if (r != null && System.currentTimeMillis() - sweepFailedAt >= ttlMs) {
            for (Response user : r) {
              claimOffline(user.toLong());
            }
          }
        })
        .onFailure(err -> {
          sweepFailedAt = System.currentTimeMillis();
          LOG.debug("presence sweep: {}", err.getMessage());
        });
  }

  /** Tells the user's rooms: per-user events in ordinary rooms, an online count in large ones. */
  private void announce(long user, String status, String lastSeenAt) {
    meters.presenceTransitions("online".equals(status)).increment(); // decided once in the cluster, here
    bus.request(ROOMS_OF_USER, new JsonObject().put("user_id", user), "presence").onSuccess(r -> {
      for (Object o : r.getJsonArray("rooms")) {
        JsonObject room = (JsonObject) o;
        long roomId = room.getLong("id");
        if (room.getInteger("member_count") > largeRoom) {
          redis.send(Request.cmd(Command.HINCRBY).arg(ROOM_ONLINE).arg(roomId).arg(status.equals("online") ? 1 : -1))
              .onSuccess(n -> publish(roomId, new JsonObject().put("type", "presence.count").put("room_id", roomId)
                  .put("online", Math.max(0, n.toLong())), null));
        } else {
          publish(roomId, new JsonObject().put("type", "presence").put("room_id", roomId).put("user_id", user)
              .put("status", status).put("last_seen", lastSeenAt), user);
        }
      }
    }).onFailure(err -> LOG.debug("presence: rooms of {} unknown: {}", user, err.getMessage()));
  }

  private void publish(long roomId, JsonObject event, Long fromUser) {
    RoomEvents.publishEphemeral(vertx.eventBus(), roomId, event.getString("type"), fromUser, event.toBuffer());
  }
}
